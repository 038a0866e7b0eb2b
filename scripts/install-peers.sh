#!/usr/bin/env bash
#===- scripts/install-peers.sh - Install the model benchmarks' peers ------===#
#
# Part of the Tokamak project. Creates the Python venv .venv-peers/ with the
# pinned PyPI packages that `make bench` compares Tokamak with
# (bench/README.md, "The peers" and "The model rows"):
#
#   - PyTorch 2.x: the kernel rows' second PyTorch column
#     (bench/torch_peer.py; Debian ships torch 1.13) and, with Hugging Face
#     transformers, a model-row peer (bench/model_peers.py);
#   - IREE (iree-base-compiler, iree-base-runtime): the kernel rows' IREE
#     column (bench/iree_peer.py, the llvm-cpu backend);
#   - llama.cpp through llama-cpp-python, built from its source
#     distribution by pip (cmake and a C++ compiler, both from
#     scripts/install-deps.sh), with the gguf package that writes the GGUF
#     files it reads.
#
# Opt-in (`make peers`), never part of `make build` or `make test`: it
# downloads a few GB (PyPI's Linux torch wheel brings the CUDA libraries)
# and compiles llama.cpp. Idempotent: skipped when .venv-peers/ already
# holds exactly the pins below.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

# Not --system-site-packages: Debian's torch 1.13 and numpy must not shadow
# these.
PIP_PINS=(
  torch==2.15.0
  transformers==5.23.0
  safetensors==0.8.0
  numpy==2.4.6
  gguf==0.19.0
  llama-cpp-python==0.3.36
  iree-base-compiler==3.13.0
  iree-base-runtime==3.13.0
)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-peers"
STAMP="$VENV/.tokamak-pins"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] &&
   [ "$(cat "$STAMP")" = "${PIP_PINS[*]}" ]; then
  echo "install-peers: .venv-peers has ${PIP_PINS[*]}"
  exit 0
fi

for tool in cmake c++; do
  if ! command -v "$tool" > /dev/null; then
    echo "install-peers: $tool is missing (run scripts/install-deps.sh)" >&2
    exit 1
  fi
done

echo "install-peers: creating .venv-peers with ${PIP_PINS[*]}"
rm -f "$STAMP"
/usr/bin/python3 -m venv "$VENV"
# llama.cpp: the CPU backend only, tuned for this CPU (GGML_NATIVE, as a
# user building it here would), without the multimodal library and the
# tools, on as many cores as the machine has.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON -DLLAVA_BUILD=OFF -DMTMD_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
"$VENV/bin/pip" install -q --disable-pip-version-check \
  --no-binary=llama-cpp-python "${PIP_PINS[@]}"
"$VENV/bin/python" -c "import torch, transformers, gguf, llama_cpp; \
import iree.compiler, iree.runtime; \
from importlib.metadata import version; \
print('install-peers: torch', torch.__version__, 'transformers', \
transformers.__version__, 'llama_cpp', llama_cpp.__version__, 'iree', \
version('iree-base-compiler'), version('iree-base-runtime'))"
echo "${PIP_PINS[*]}" > "$STAMP"
echo "install-peers: done"
