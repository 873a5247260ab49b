#!/usr/bin/env bash
# Run the non-browser suite with the system clock moved a year and a month ahead (libfaketime), to prove
# that no test depends on the day it runs. The clock is checked first: if faketime did not take hold, this
# fails rather than pass for the wrong reason. Monotonic clocks are left alone (timeouts stay real).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
OFFSET=${OFFSET:-+400d}
export FAKETIME_DONT_FAKE_MONOTONIC=1

real=$(date +%s)
faked=$(faketime -f "$OFFSET" date +%s)
if (( faked - real < 365 * 86400 )); then
  echo "error: faketime did not move the clock a year ahead (real $real, faked $faked)" >&2
  exit 1
fi
echo "Clock moved to $(faketime -f "$OFFSET" date -u +%F) for the suite."
exec faketime -f "$OFFSET" "$PYTHON" -m pytest -m "not e2e" -q "$@"
