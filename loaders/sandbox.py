"""Run one loader step in a child process with a memory and a time limit.

A reader that aborts (a Rust allocation failure in calamine cannot be caught),
runs out of memory or loops then takes down only the child: the caller gets a
:class:`ChildFailedError` saying what happened, and carries on. The child gets
the payload on stdin and answers on stdout; it starts from a clean interpreter
(``python -m MODULE``), never a fork of a threaded server.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

CHILD_MEMORY_BYTES = 1 << 30
"""Address space of a child: measured peaks were 0.1 GB at start and 0.6 GB for the largest files the
limits admit (a 2-million-cell sheet, a 10 MB CSV or YAML file); a reader needing more is stopped."""
CHILD_TIMEOUT_SECONDS = 60
"""Wall-clock time of a child: the largest admitted files take a few seconds."""


class ChildFailedError(Exception):
    """The child process died, ran out of memory, failed or took too long; the message says which."""


def run_child(module: str, payload: bytes, *, memory: int | None = None, timeout: float | None = None) -> bytes:
    """Run ``python -m module`` with ``payload`` on stdin and return what it writes to stdout.

    Args:
        module: the module to run (its ``__main__`` block is the child's side).
        payload: the child's input.
        memory: address-space limit in bytes (default :data:`CHILD_MEMORY_BYTES`).
        timeout: seconds before the child is killed (default :data:`CHILD_TIMEOUT_SECONDS`).

    Raises:
        ChildFailedError: the child did not finish with exit status 0.
    """
    limit = CHILD_MEMORY_BYTES if memory is None else memory
    seconds = CHILD_TIMEOUT_SECONDS if timeout is None else timeout

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file behind

    env = {
        "PYTHONPATH": os.pathsep.join(sys.path),
        "RUST_BACKTRACE": "0",
        # One thread each: thread pools reserve address space the limit would count.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
    }
    try:
        child = subprocess.run(  # noqa: S603 - our own module, with our own interpreter
            [sys.executable, "-m", module],
            input=payload,
            capture_output=True,
            timeout=seconds,
            preexec_fn=cap_memory,  # the child execs a fresh interpreter right after
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise ChildFailedError(f"reading took longer than {seconds:g} s") from exc
    if child.returncode == 0:
        return child.stdout
    stderr = child.stderr.decode(errors="replace").strip().splitlines()
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name if -child.returncode in signal.valid_signals() else "?"
        cause = "it ran out of memory" if any("memory allocation" in line for line in stderr) else "it crashed"
        raise ChildFailedError(f"the reader stopped: {cause} (signal {name})")
    if any("MemoryError" in line for line in stderr):
        raise ChildFailedError(f"the reader ran out of memory (over {limit >> 20} MB)")
    raise ChildFailedError((stderr[-1:] or [f"the reader failed (exit status {child.returncode})"])[0][:200])
