"""Move this Python process's wall clock ahead, for `make test-future` (scripts/test_future.sh).

Python imports ``sitecustomize`` at start-up from any directory on ``PYTHONPATH``, so every Python
process of the test run — pytest, the CLI subprocesses, the sandboxed readers — starts its clock
``TRACKER_CLOCK_AHEAD_DAYS`` days ahead and lets it tick. time-machine patches the C-level clock
functions (``time.time``, ``datetime.now``, ``date.today``, …), not just the Python names; monotonic
clocks stay real, so timeouts and sleeps behave. (libfaketime was tried first: under it, Python's
timed lock waits hang or ``time.sleep`` fails with EINVAL, whichever monotonic setting is chosen.)
"""

import datetime as _dt
import os as _os

_days = _os.environ.get("TRACKER_CLOCK_AHEAD_DAYS")
if _days:
    import time_machine as _time_machine

    _time_machine.travel(_dt.datetime.now(_dt.UTC) + _dt.timedelta(days=int(_days)), tick=True).start()
