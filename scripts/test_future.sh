#!/usr/bin/env bash
# Run the non-browser suite with every Python process's wall clock 400 days ahead, to prove that no
# test depends on the day it runs. scripts/clock_ahead/sitecustomize.py moves the clock (time-machine);
# the clock is checked first, in a child process as the tests' subprocesses start, so this fails rather
# than pass for the wrong reason if the shift did not take hold.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
export TRACKER_CLOCK_AHEAD_DAYS=${TRACKER_CLOCK_AHEAD_DAYS:-400}
export PYTHONPATH="$PWD/scripts/clock_ahead${PYTHONPATH:+:$PYTHONPATH}"

"$PYTHON" - <<'PY'
import datetime as dt, os, subprocess, sys, time

days = int(os.environ["TRACKER_CLOCK_AHEAD_DAYS"])
child = subprocess.run([sys.executable, "-c", "import time; print(time.time())"], capture_output=True, text=True)
real = float(subprocess.run(["date", "+%s"], capture_output=True, text=True, check=True).stdout)  # not Python: real
for who, now in (("pytest", time.time()), ("a child process", float(child.stdout))):
    ahead = (now - real) / 86400
    if ahead < days - 1:
        sys.exit(f"error: the clock of {who} is only {ahead:.1f} days ahead, not {days}")
print(f"Clock moved to {dt.date.today()} (real date {dt.date.fromtimestamp(real)}) for the suite.")
PY
# time-machine is already imported (sitecustomize), so pytest cannot assertion-rewrite its plugin: say so quietly.
exec "$PYTHON" -m pytest -W "ignore:Module already imported so cannot be rewritten; time_machine" -m "not e2e" -q "$@"
