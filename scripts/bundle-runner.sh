#!/usr/bin/env bash
#===- scripts/bundle-runner.sh - A tokamak-run that travels ---------------===#
#
# Part of the Tokamak project.
#
# usage: scripts/bundle-runner.sh DIR [BUILD_DIR]
#
# Copies tokamak-run (from BUILD_DIR, default build/) into DIR/bin with every
# shared library it needs that is not part of glibc (ldd: PCRE2, utf8proc,
# SentencePiece, libstdc++, libgcc_s), plus the LLVM OpenMP runtime that
# artifacts with parallel loops need, into DIR/lib. DIR/bin/tokamak-run is a
# small wrapper that puts DIR/lib first on LD_LIBRARY_PATH and runs the real
# binary, so the bundle runs artifacts on a machine that has none of
# Tokamak's dependencies (a GPU host with only the NVIDIA driver): copy DIR
# and the artifacts there. The host needs glibc at least as new as the one
# printed at the end. The JIT plugin is not bundled (it needs LLVM): .mlir
# inputs and model directories say so.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DIR [BUILD_DIR]" >&2
  exit 1
fi
dir=$1
build=${2:-$(cd "$(dirname "$0")/.." && pwd)/build}
runner=$build/bin/tokamak-run
if [ ! -x "$runner" ]; then
  echo "bundle-runner: $runner does not exist; build tokamak-run first" >&2
  exit 1
fi

mkdir -p "$dir/bin" "$dir/lib"
cp -L "$runner" "$dir/bin/tokamak-run.bin"

# glibc's own libraries come from the host; everything else travels.
is_glibc() {
  case "$1" in
  libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | \
    libresolv.so.* | libutil.so.* | ld-linux*.so.* | linux-vdso.so.*)
    return 0 ;;
  esac
  return 1
}

copied=()
while read -r name arrow path _; do
  [ "$arrow" = "=>" ] || continue
  if [ "$path" = "not" ]; then
    echo "bundle-runner: $runner needs $name, which ldd cannot find" >&2
    exit 1
  fi
  is_glibc "$name" && continue
  cp -L "$path" "$dir/lib/$name"
  copied+=("$name")
done < <(ldd "$runner")

# Parallel artifacts link libomp.so.5 (their RUNPATH names the build
# machine's LLVM, absent elsewhere; LD_LIBRARY_PATH comes first).
llvm_lib=/usr/lib/llvm-22/lib
if [ -e "$llvm_lib/libomp.so.5" ]; then
  cp -L "$llvm_lib/libomp.so.5" "$dir/lib/libomp.so.5"
  copied+=(libomp.so.5)
else
  echo "bundle-runner: warning: no $llvm_lib/libomp.so.5; artifacts with" \
    "parallel loops will not load" >&2
fi

# The wrapper uses no external command, so that `env -i` (no PATH) works.
cat > "$dir/bin/tokamak-run" << 'EOF'
#!/bin/sh
# tokamak-run from a bundle (scripts/bundle-runner.sh): its libraries first.
case "$0" in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
LD_LIBRARY_PATH="$here/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$here/tokamak-run.bin" "$@"
EOF
chmod +x "$dir/bin/tokamak-run"

glibc=$(objdump -T "$dir/bin/tokamak-run.bin" "$dir"/lib/*.so* 2>/dev/null |
  grep -o 'GLIBC_[0-9.]*' | sort -t. -k1,1 -k2,2n -k3,3n -u | tail -1)
size=$(du -sh "$dir" | cut -f1)
echo "bundle-runner: $dir/bin/tokamak-run with ${copied[*]} ($size;" \
  "needs ${glibc:-glibc})"
