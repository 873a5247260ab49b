"""Start and stop ``streamlit run dashboard.py`` on loopback, and read its memory.

Shared by the browser measurements and the load test. The server runs with
``TRACKER_DATA_DIR`` pointing at the benchmark data, file watching off (a
benchmark must not rerun because someone saved a file) and usage statistics off.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.datasets import ROOT

HEALTH_TIMEOUT_S = 120
FLOOR_SCRIPT = "benchmarks/floor_app.py"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's hosts on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    """A running dashboard server."""

    url: str
    process: subprocess.Popen
    started: float  # time.perf_counter() just before the process was started
    healthy_after_s: float

    def peak_rss_mib(self) -> float:
        """Peak resident memory of the server process so far (VmHWM), in MiB."""
        return _status_kib(self.process.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        """Current resident memory of the server process (VmRSS), in MiB."""
        return _status_kib(self.process.pid, "VmRSS") / 1024


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(
    data_dir: Path | None,
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
    health_timeout_s: float = HEALTH_TIMEOUT_S,
    script: str = "dashboard.py",
) -> Iterator[Server]:
    """Run the dashboard (or another ``script`` of the project, e.g. the load test's floor) on a loopback port
    until the block ends; yield it once healthy.

    Every ``TRACKER_*`` variable of this environment is dropped, so the app runs on its defaults (the
    bundled sample, read-only viewer) unless ``data_dir`` or ``env`` say otherwise. ``args`` adds
    command-line options (e.g. ``--secrets.files``); ``port`` fixes the port when something must know
    it in advance (an OIDC redirect). The file watcher is off: nothing reruns because a file was saved.

    Raises:
        RuntimeError: when the server exits or is not healthy in time; the message ends with the log's tail.
    """
    port = port or free_port()
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    if data_dir is not None:
        server_env["TRACKER_DATA_DIR"] = str(data_dir.resolve())
    server_env.update(env or {})
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        *args,
    ]
    url = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                healthy = _wait_healthy(url, process, started, health_timeout_s)
            except RuntimeError as problem:
                log.flush()
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
                raise RuntimeError(f"{problem}; log tail:\n{tail}") from None
            yield Server(url, process, started, healthy)
        finally:
            stop(process)


def _wait_healthy(url: str, process: subprocess.Popen, started: float, timeout_s: float) -> float:
    try:
        wait_until_serving(f"{url}/_stcore/health", process, started + timeout_s, lambda body: body == b"ok")
    except RuntimeError:
        raise RuntimeError(f"streamlit did not become healthy at {url} (exit code {process.poll()})") from None
    return time.perf_counter() - started


def wait_until_serving(url: str, process: subprocess.Popen, deadline: float, accept: Callable[[bytes], bool]) -> None:
    """Poll ``GET url`` (never through a proxy) until ``accept`` takes the answer's body.

    Args:
        deadline: a ``time.perf_counter()`` value.

    Raises:
        RuntimeError: ``process`` exited or the deadline passed first.
    """
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while True:
        with (
            contextlib.suppress(OSError, urllib.error.URLError, ValueError),  # ValueError: e.g. not JSON yet
            direct.open(url, timeout=2) as answer,
        ):
            if accept(answer.read()):
                return
        if process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"nothing acceptable at {url} (exit code {process.poll()})")
        time.sleep(0.05)


def stop(process: subprocess.Popen, timeout_s: float = 15) -> None:
    """Terminate ``process``, and kill it if it has not exited within ``timeout_s``."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)


@contextlib.contextmanager
def running_floor(
    log_path: Path, health_timeout_s: float = HEALTH_TIMEOUT_S, *, env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """Run ``benchmarks/floor_app.py`` as :func:`running_server` runs ours: the same command and options from the
    project root (so ``.streamlit/config.toml`` applies to both), with the root importable; ``env`` adds variables
    (``FLOOR_CHART=1`` for the cold start's floor)."""
    root_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with running_server(
        None,
        log_path,
        env={"PYTHONPATH": root_path, **(env or {})},
        health_timeout_s=health_timeout_s,
        script=FLOOR_SCRIPT,
    ) as server:
        yield server
