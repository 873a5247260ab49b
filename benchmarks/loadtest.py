"""A bounded load test of one dashboard replica: N concurrent sessions over Streamlit's websocket.

Usage::

    python -m benchmarks.loadtest [--scale 1] [--sessions 10 25 50] [--json out.json]

One ``streamlit run`` server is started on loopback with the generated data
(``benchmarks/.data/x<scale>``) and warmed by one session, as a running replica
would be. Then, for each N, N sessions connect at once, each as a viewer does:

1. open the Overview (a full script run), and
2. change a sidebar filter ("Updated from" = 2024-01-01; it keeps every action,
   so the rerun recomputes the whole page),

timing each step from the message sent to the server's ``script_finished``.
The sessions speak Streamlit's own protocol (protobuf ``BackMsg``/``ForwardMsg``
over ``/_stcore/stream``) instead of driving N browsers: on two cores, N
Chromium renderers would take the CPU the server needs, and the server's work
(script run, figure and table serialisation, sending) is the same either way.
A browser also draws the charts (about a second per page on this machine,
see ``cold start`` in ``RESULTS.md``), which is spent on the viewer's machine.

Reported per N: latency percentiles of both steps, failures, bytes sent per
session, the server's CPU seconds and its resident memory (current and peak).
Each wave is bounded by ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import datasets
from benchmarks.server import Server, running_server

FILTER_KEY = "flt_from"
FILTER_VALUE = dt.date(2024, 1, 1)
DEFAULT_SESSIONS = (10, 25, 50)


@dataclass
class SessionResult:
    """What one simulated viewer saw."""

    open_s: float | None = None
    filter_s: float | None = None
    bytes_received: int = 0
    error: str | None = None


@dataclass
class Wave:
    """N sessions at once, summarised."""

    sessions: int
    wall_s: float
    failures: int
    open_s: dict[str, float] = field(default_factory=dict)
    filter_s: dict[str, float] = field(default_factory=dict)
    mib_received_per_session: float = 0.0
    server_cpu_s: float = 0.0
    server_rss_mib: float = 0.0
    server_peak_rss_mib: float = 0.0
    errors: list[str] = field(default_factory=list)


# --- the protocol ----------------------------------------------------------------------------


def _rerun_message(page_name: str, widget_states=None) -> bytes:
    """A ``BackMsg.rerun_script`` as the browser sends it for a page (and changed widgets)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    state = message.rerun_script
    state.page_name = page_name
    state.context_info.timezone = "UTC"
    state.context_info.locale = "en-GB"
    if widget_states is not None:
        state.widget_states.CopyFrom(widget_states)
    return message.SerializeToString()


def _filter_states(widget_id: str):
    from streamlit.elements.widgets.time_widgets import DateInputSerde
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    states = WidgetStates()
    widget = states.widgets.add()
    widget.id = widget_id
    widget.string_array_value.data[:] = DateInputSerde(None).serialize(FILTER_VALUE)  # type: ignore[arg-type]  # serialising needs no bounds
    return states


def _widget_id(message, key: str) -> str | None:
    """The id of the widget with ``key`` if this ForwardMsg creates it."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return None
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
    return widget_id if isinstance(widget_id, str) and widget_id.endswith(f"-{key}") else None


async def _run_until_finished(socket, payload: bytes, result: SessionResult, find_key: str | None) -> tuple[float, str]:
    """Send one rerun; read messages until the run finishes. Returns (seconds, id of ``find_key``'s widget)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    started = time.perf_counter()
    await socket.send(payload)
    found = ""
    while True:
        raw = await socket.recv()
        result.bytes_received += len(raw)
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if find_key and not found:
            found = _widget_id(message, find_key) or ""
        if kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
            raise RuntimeError(f"the app raised: {message.delta.new_element.exception.message[:200]}")
        if kind == "script_finished":
            return time.perf_counter() - started, found


async def viewer(url: str) -> SessionResult:
    """One session: open the Overview, then change the date filter."""
    import websockets
    from websockets.typing import Origin, Subprotocol

    result = SessionResult()
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(
            stream, subprotocols=[Subprotocol("streamlit")], origin=Origin(url), max_size=None, open_timeout=60
        ) as socket:
            result.open_s, widget = await _run_until_finished(socket, _rerun_message(""), result, FILTER_KEY)
            if not widget:
                raise RuntimeError(f"no widget with key {FILTER_KEY} in the page")
            payload = _rerun_message("", _filter_states(widget))
            result.filter_s, _ = await _run_until_finished(socket, payload, result, None)
    except Exception as exc:  # noqa: BLE001 - every failure of a session is counted, none stops the wave
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    return result


# --- waves -------------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p90, p95 and max of ``values`` (nearest-rank), or {} when empty."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered) + 0.5) - 1))]

    quantiles = {"p50": rank(0.50), "p90": rank(0.90), "p95": rank(0.95)}
    return {**quantiles, "max": ordered[-1], "mean": statistics.mean(values)}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def _wave(server: Server, sessions: int, timeout: float) -> Wave:
    cpu_before = _cpu_seconds(server.process.pid)
    started = time.perf_counter()
    tasks = [asyncio.create_task(viewer(server.url)) for _ in range(sessions)]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    results = [t.result() for t in done]
    wall = time.perf_counter() - started
    ok = [r for r in results if r.error is None]
    errors = [r.error for r in results if r.error] + [f"timed out after {timeout:.0f} s"] * len(pending)
    return Wave(
        sessions=sessions,
        wall_s=wall,
        failures=len(errors),
        open_s=percentiles([r.open_s for r in ok if r.open_s is not None]),
        filter_s=percentiles([r.filter_s for r in ok if r.filter_s is not None]),
        mib_received_per_session=statistics.mean([r.bytes_received for r in ok]) / 2**20 if ok else 0.0,
        server_cpu_s=_cpu_seconds(server.process.pid) - cpu_before,
        server_rss_mib=server.rss_mib(),
        server_peak_rss_mib=server.peak_rss_mib(),
        errors=sorted(set(errors))[:5],
    )


def run_load_test(scale: int, sessions: list[int], timeout: float, log_dir: Path) -> dict:
    """Start a server on the ``scale`` data, warm it, run one wave per entry of ``sessions``."""
    data = datasets.ensure(scale)
    with running_server(data.directory, log_dir / f"loadtest-x{scale}.log") as server:
        warm = asyncio.run(viewer(server.url))
        if warm.error:
            raise RuntimeError(f"the warm-up session failed: {warm.error}")
        waves = [asyncio.run(_wave(server, n, timeout)) for n in sessions]
        idle_rss = server.rss_mib()
    return {
        "scale": scale,
        "warm_up": asdict(warm),
        "server_rss_after_mib": idle_rss,
        "waves": [asdict(w) for w in waves],
    }


def format_table(report: dict) -> str:
    """The waves as a plain-text table."""
    head = (
        f"{'sessions':>8} {'wall s':>7} {'fail':>4} {'open p50':>9} {'p95':>6} {'filter p50':>10} {'p95':>6} "
        f"{'max':>6} {'MiB/sess':>8} {'srv CPU s':>9} {'RSS MiB':>8} {'peak':>6}"
    )
    lines = [f"Load test at {report['scale']}× (one replica, websocket sessions)", head]
    for w in report["waves"]:
        nan = float("nan")
        o, f = w["open_s"], w["filter_s"]
        lines.append(
            f"{w['sessions']:>8} {w['wall_s']:>7.1f} {w['failures']:>4} {o.get('p50', nan):>9.2f} "
            f"{o.get('p95', nan):>6.2f} {f.get('p50', nan):>10.2f} {f.get('p95', nan):>6.2f} "
            f"{max(o.get('max', 0), f.get('max', 0)):>6.2f} {w['mib_received_per_session']:>8.2f} "
            f"{w['server_cpu_s']:>9.1f} {w['server_rss_mib']:>8.0f} {w['server_peak_rss_mib']:>6.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: run the load test, print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(description="Load one dashboard replica with concurrent websocket sessions.")
    parser.add_argument("--scale", type=int, default=1, help="data scale (default 1, the real data's size)")
    parser.add_argument("--sessions", type=int, nargs="+", default=list(DEFAULT_SESSIONS))
    parser.add_argument("--timeout", type=float, default=180, help="seconds allowed per wave (default 180)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    report = run_load_test(args.scale, args.sessions, args.timeout, datasets.DATA_ROOT / "logs")
    print(format_table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if all(w["failures"] == 0 for w in report["waves"]) else 1


if __name__ == "__main__":
    sys.exit(main())
