#!/usr/bin/env bash
#===- scripts/demo.sh - The `make demo` walk-through ----------------------===#
#
# Part of the Tokamak project. First the main job: Tokamak compiles the
# bundled Hugging Face model (examples/demo-model, a small llama trained on
# the King James Bible, BF16) and generates text from a fixed prompt,
# streaming tokens; the greedy tokens are checked against the float64
# reference of HF's llama math, so a wrong compiler cannot print a plausible
# demo. Then two kernels of examples/demo/demo.mlir through an artifact and
# the runtime alone, checked against the PyTorch/NumPy references.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/bin"
OUT="$ROOT/$BUILD/demo"
PY=/usr/bin/python3
VENV_PY="$ROOT/.venv/bin/python"
REF="$ROOT/test/Integration/ref.py"
CMP="$ROOT/test/Integration/compare.py"
MODEL="$ROOT/examples/demo-model"
PROMPT="And the LORD spake unto Moses, saying"
NEW=32
mkdir -p "$OUT"

echo "== tokamak-run examples/demo-model: a 2.4M-parameter llama (BF16, 4 layers)"
echo "   compiled from its Hugging Face directory, generating $NEW tokens greedily"
echo
"$BIN/tokamak-run" "$MODEL" --prompt="$PROMPT" --max-new-tokens=$NEW \
  --ignore-eos --cache-dir="$ROOT/$BUILD/model-cache" | tee "$OUT/generate.txt"
ids=$("$VENV_PY" -c 'import sys; from tokenizers import Tokenizer
t = Tokenizer.from_file(sys.argv[1] + "/tokenizer.json")
print(",".join(str(i) for i in t.encode(sys.argv[2]).ids))' "$MODEL" "$PROMPT")
$PY "$ROOT/test/Integration/Models/reference.py" "$MODEL" --prompt-ids="$ids" \
  --max-new-tokens=$NEW --out-tokens="$OUT/reference-tokens.npy" --quiet
expected=$($PY -c 'import sys, numpy; print(" ".join(str(int(t)) for t in numpy.load(sys.argv[1])))' \
  "$OUT/reference-tokens.npy")
got=$(sed -n 's/^generated: //p' "$OUT/generate.txt")
if [ "$got" != "$expected" ]; then
  echo "demo: FAILED: the greedy tokens differ from the float64 reference"
  echo "  tokamak:   $got"
  echo "  reference: $expected"
  exit 1
fi
echo "   -> the $NEW greedy tokens equal the float64 reference's (test/Integration/Models/reference.py)"
echo
echo "== the same model again: the compiled artifact comes from the cache"
"$BIN/tokamak-run" "$MODEL" --prompt="$PROMPT" --max-new-tokens=$NEW \
  --ignore-eos --cache-dir="$ROOT/$BUILD/model-cache" | tail -n 1
echo

echo "== compiling examples/demo/demo.mlir for this CPU"
"$BIN/tokamak-compile" "$ROOT/examples/demo/demo.mlir" -o "$OUT/demo.so"
echo "   -> $OUT/demo.so ($(du -h "$OUT/demo.so" | cut -f1))"

inputs() { local dir=$1 n=$2; for ((i = 0; i < n; i++)); do printf -- '--input=@%s/in%d.npy ' "$dir" "$i"; done; }

echo
echo "== causal GQA attention: 8 query heads over 2 kv heads, S=512, D=64"
$PY "$REF" attention --b=1 --hq=8 --hkv=2 --sq=512 --skv=512 --d=64 --causal \
  --seed=7 --out="$OUT/attention" > /dev/null
# shellcheck disable=SC2046
"$BIN/tokamak-run" "$OUT/demo.so" --function=attention $(inputs "$OUT/attention" 3) \
  --output=@"$OUT/attention/out0.npy" --benchmark=10
$PY "$CMP" "$OUT/attention/out0.npy" "$OUT/attention/ref0.npy" --rtol=1e-4

echo
echo "== selective scan: L=1024, 256 channels, state 16, with D, z, dt_bias, init"
$PY "$REF" selective_scan --b=1 --l=1024 --dm=256 --n=16 --g=1 --d --z --dt-bias \
  --init --softplus --seed=7 --out="$OUT/scan" > /dev/null
# shellcheck disable=SC2046
"$BIN/tokamak-run" "$OUT/demo.so" --function=selective_scan $(inputs "$OUT/scan" 9) \
  --output=@"$OUT/scan/out0.npy" --output=@"$OUT/scan/out1.npy" --benchmark=10
$PY "$CMP" "$OUT/scan/out0.npy" "$OUT/scan/ref0.npy" --rtol=1e-4
$PY "$CMP" "$OUT/scan/out1.npy" "$OUT/scan/ref1.npy" --rtol=1e-4

echo
echo "== a few outputs (attention, first query head, first position):"
"$BIN/tokamak-run" "$OUT/demo.so" --function=attention \
  --input="1x8x2x64xf32=0.5" --input="1x2x2x64xf32=0.25" --input="1x2x2x64xf32=1" \
  | cut -c1-160
echo
echo "demo: OK (text generated from a Hugging Face model matches the float64 reference; kernels match theirs)"
