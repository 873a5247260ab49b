"""A stand-in for the upload reader's child process that misbehaves on purpose (tests/test_untrusted.py).

The uploaded file's name says how: ``ABO.csv`` aborts the process, ``MEM.csv``
allocates far beyond the child's memory limit, ``SLP.csv`` never answers, and
``PKL.csv`` answers with a pickle that would run code in the parent.
"""

from __future__ import annotations

import os
import pickle
import sys
import time

if __name__ == "__main__":
    name, _, _ = pickle.loads(sys.stdin.buffer.read())
    if name == "ABO.csv":
        os.abort()
    elif name == "MEM.csv":
        hog = bytearray(8 << 30)
    elif name == "SLP.csv":
        time.sleep(600)
    elif name == "PKL.csv":

        class Evil:
            def __reduce__(self) -> tuple[object, tuple[str]]:
                return (os.system, ("touch /tmp/hostile-reader-ran",))

        sys.stdout.buffer.write(pickle.dumps(("csv", Evil())))
