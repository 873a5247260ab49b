"""A child for tests/test_sandbox.py: reports what it was started with, or ends in the way its payload asks.

``report`` answers with the payload it read, its environment and its resource
limits (JSON); ``exit`` ends with status 3 and says nothing; ``fail`` writes a
few lines to stderr and exits 1; ``memory-error`` says MemoryError and exits
1; ``allocation`` says a Rust allocation failed and aborts; ``kill`` kills
itself; ``sleep`` sleeps for a minute.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time

if __name__ == "__main__":
    payload = sys.stdin.buffer.read()
    command = payload.split(b" ")[0]
    if command == b"report":
        env = {k: v for k, v in os.environ.items() if k != "LC_CTYPE"}  # set by Python's locale coercion
        limits = {"as": resource.getrlimit(resource.RLIMIT_AS), "core": resource.getrlimit(resource.RLIMIT_CORE)}
        sys.stdout.write(json.dumps({"payload": payload.decode(), "env": env, "limits": limits}))
    elif command == b"exit":
        sys.exit(3)
    elif command == b"fail":
        sys.stderr.buffer.write(b"first line\nsecond line\n  caf\xe9 " + b"z" * 300 + b"  \n\n")
        sys.exit(1)
    elif command == b"memory-error":
        sys.stderr.write("Traceback (most recent call last):\nMemoryError\nsomething after it\n")
        sys.exit(1)
    elif command == b"allocation":
        sys.stderr.write("memory allocation of 8589934592 bytes failed\n")
        sys.stderr.flush()
        os.abort()
    elif command == b"kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif command == b"sleep":
        time.sleep(60)
