"""A description of the machine and software a benchmark ran on, for the report."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

from benchmarks.datasets import ROOT
from benchmarks.server import CHROMIUM

PACKAGES = (
    "streamlit",
    "pandas",
    "numpy",
    "pyarrow",
    "plotly",
    "python-calamine",
    "openpyxl",
    "PyYAML",
    "playwright",
    "websockets",
)


def _first_line(path: str, prefix: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(prefix):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _command(*args: str) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    return (done.stdout.strip().splitlines() or ["unavailable"])[-1]


def describe() -> dict:
    """CPU, memory, load, Python, package versions, Chromium and the code's git revision."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    status = _command("git", "status", "--porcelain", "--untracked-files=no")
    return {
        "cpu_model": _first_line("/proc/cpuinfo", "model name"),
        "nproc": os.cpu_count(),
        "memory_gib": round(int(_first_line("/proc/meminfo", "MemTotal").split()[0]) / 2**20, 1),
        "load_average": os.getloadavg(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "packages": versions,
        "chromium": _command(CHROMIUM, "--version"),
        "git_revision": _command("git", "rev-parse", "--short", "HEAD"),
        "git_dirty": bool(status and status != "unavailable"),
    }
