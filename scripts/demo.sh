#!/usr/bin/env bash
#===- scripts/demo.sh - The `make demo` walk-through ----------------------===#
#
# Part of the Tokamak project. Compiles examples/demo/demo.mlir into an
# artifact, runs its attention and selective-scan functions through the
# runtime on random inputs, checks them against the PyTorch/NumPy references
# of the test suite and prints the timings.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/bin"
OUT="$ROOT/$BUILD/demo"
PY=/usr/bin/python3
REF="$ROOT/test/Integration/ref.py"
CMP="$ROOT/test/Integration/compare.py"
mkdir -p "$OUT"

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
echo "demo: OK (artifact, runtime-only run, results match the references)"
