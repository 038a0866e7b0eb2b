#!/usr/bin/env bash
#===- scripts/install-deps.sh - Install Tokamak's build dependencies ------===#
#
# Part of the Tokamak project. Installs every Debian package the build and the
# tests need. Idempotent: packages already present are skipped, and when
# nothing is missing no package index update is made.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

PACKAGES=(
  # Toolchain: LLVM/MLIR/Clang/lld 22.
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  clang-format-22
  libomp-22-dev libclang-rt-22-dev
  # Build system.
  cmake ninja-build make ccache
  # Libraries.
  libgtest-dev nlohmann-json3-dev zlib1g-dev libzstd-dev libedit-dev
  libxml2-dev libffi-dev libcurl4-openssl-dev
  # Test references and benchmark peers. OpenBLAS takes over libblas.so.3
  # through the alternatives system, so Debian's torch (the peer in bench/)
  # runs an optimized sgemm instead of netlib's reference BLAS.
  python3 python3-numpy python3-torch libopenblas0-pthread
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
echo "install-deps: done"
