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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.datasets import ROOT

HEALTH_TIMEOUT_S = 120
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
def running_server(data_dir: Path, log_path: Path) -> Iterator[Server]:
    """Run the dashboard on a free loopback port until the block ends; yield it once healthy.

    Raises:
        RuntimeError: when the server exits or is not healthy within ``HEALTH_TIMEOUT_S``.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATA_DIR"] = str(data_dir.resolve())
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    url = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            healthy = _wait_healthy(url, process, started)
            yield Server(url, process, started, healthy)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _wait_healthy(url: str, process: subprocess.Popen, started: float) -> float:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    deadline = started + HEALTH_TIMEOUT_S
    while True:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            direct.open(f"{url}/_stcore/health", timeout=2) as answer,
        ):
            if answer.read() == b"ok":
                return time.perf_counter() - started
        if process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"streamlit did not become healthy at {url} (exit code {process.poll()})")
        time.sleep(0.05)
