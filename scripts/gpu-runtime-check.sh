#!/usr/bin/env bash
#===- scripts/gpu-runtime-check.sh - The CUDA runtime on a real GPU -------===#
#
# Part of the Tokamak project.
#
# usage: scripts/gpu-runtime-check.sh prepare DIR [BUILD_DIR]
#        DIR/run.sh                     (on the GPU host)
#
# `prepare` puts a bundled tokamak-run (bundle-runner.sh) and the CUDA
# artifact whose host code MLIR 22 lowered (test/Unit/Runtime/
# MlirCudaArtifact.mlir: real PTX, loaded through the driver's JIT) into DIR
# with run.sh, which runs on a machine with the NVIDIA driver and nothing
# else: it checks the results of a kernel launch, gpu.memcpy and gpu.memset
# against NumPy-free expected text, and that --device=cpu refuses the
# artifact. Exit code 0 when every check passes.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

if [ $# -lt 2 ] || [ "$1" != prepare ]; then
  echo "usage: $0 prepare DIR [BUILD_DIR]" >&2
  exit 1
fi
dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
build=${3:-$root/build}
artifact=$build/test/Unit/Runtime/libTokTestMlirCudaArtifact.so
if [ ! -f "$artifact" ]; then
  echo "gpu-runtime-check: build TokTestMlirCudaArtifact first" >&2
  exit 1
fi
rm -rf "$dir"
"$root/scripts/bundle-runner.sh" "$dir" "$build"
cp "$artifact" "$dir/mlir-cuda.so"

cat > "$dir/run.sh" << 'EOF'
#!/bin/sh
# Runs the MLIR-lowered CUDA artifact on this machine's GPU.
cd "$(dirname "$0")"
status=0
check() {
  expected=$1
  shift
  got=$(bin/tokamak-run mlir-cuda.so "$@" 2>&1)
  if [ "$got" = "$expected" ]; then
    echo "ok: $*"
  else
    echo "FAILED: $*"
    echo "  expected: $expected"
    echo "  got:      $got"
    status=1
  fi
}
command -v nvidia-smi > /dev/null && nvidia-smi -L
check "result[0]: 3xf32=2 4 7" --function=twice --input="3xf32=1 2 3.5"
check "result[0]: 4xf32=1 2 3 4" --device=cuda --function=copied --input="4xf32=1 2 3 4"
check "result[0]: 2xf32=1 1" --function=ones --input="2xf32=5 6"
check "tokamak-run: error: artifact 'mlir-cuda.so' was compiled for cuda (sm_80), not for the cpu" --device=cpu --function=twice --input="1xf32=1"
# 1M elements: one block each, results checked by the first and last.
bin/tokamak-run mlir-cuda.so --function=twice --input="1048576xf32=0.25" > big.txt 2>&1 || status=1
case "$(cat big.txt)" in
"result[0]: 1048576xf32=0.5 0.5 0.5"*) echo "ok: 1048576 elements" ;;
*) echo "FAILED: 1048576 elements: $(head -c 200 big.txt)"; status=1 ;;
esac
exit $status
EOF
chmod +x "$dir/run.sh"
echo "gpu-runtime-check: run $dir/run.sh on the GPU host"
