#!/usr/bin/env bash
#===- scripts/check-format.sh - Check C/C++ formatting -------------------===#
#
# Part of the Tokamak project. Lists every tracked C/C++ file that
# clang-format-22 would change; exits 1 if there is one.
#
#===----------------------------------------------------------------------===#
set -uo pipefail
cd "$(dirname "$0")/.."
FORMAT=${CLANG_FORMAT:-clang-format-22}
if ! command -v "$FORMAT" > /dev/null; then
  echo "check-format: $FORMAT not found (scripts/install-deps.sh installs it)"
  exit 1
fi
if ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  echo "check-format: not a git checkout; nothing to check"
  exit 0
fi
bad=0
while IFS= read -r f; do
  [ -f "$f" ] || continue
  if ! "$FORMAT" --dry-run --Werror "$f" > /dev/null 2>&1; then
    echo "check-format: $f is not clang-formatted (run: make format)"
    bad=1
  fi
done < <(git ls-files '*.cpp' '*.h' '*.c')
[ $bad -eq 0 ] && echo "check-format: all files formatted"
exit $bad
