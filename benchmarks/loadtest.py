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
session, script runs completed per second, the server's CPU seconds and its
resident memory (current and peak). Each wave is bounded by ``--timeout`` seconds.

**The floor** (issue 12): ``benchmarks/floor_app.py``, a bare Streamlit script
with the dashboard's navigation and sidebar widgets (same keys) and no
computation, runs in the same process tree under the same waves: both servers
are up for the whole run and each N is run on ours, then on the floor, so
background load hits both alike. The report gives both figures and the ratio
ours / floor of the open and filter-change p95 (``--no-floor`` skips it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import datasets
from benchmarks.server import FLOOR_SCRIPT, Server, running_floor, running_server

FILTER_KEY = "flt_from"
FILTER_VALUE = dt.date(2024, 1, 1)
DEFAULT_SESSIONS = (10, 25, 50)
SIDEBAR = 1  # RootContainer.SIDEBAR: the first entry of a sidebar element's delta path


@dataclass
class SessionResult:
    """What one simulated viewer saw."""

    open_s: float | None = None
    filter_s: float | None = None
    bytes_received: int = 0
    session_id: str = ""  # the server's id for the session (``new_session.initialize``)
    pages: list[str] = field(default_factory=list)  # the navigation: "/url_path title icon" per page
    filter_widget_id: str = ""
    sidebar_keys: list[str] = field(default_factory=list)  # keys of the widgets drawn in the sidebar, in order
    cookie: str = ""  # the Cookie header the websocket carried (behind the proxy: the affinity cookie)
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
    runs_per_s: float = 0.0  # script runs completed (two per session that did not fail) per wall second
    server_cpu_s: float = 0.0
    cpu_s_per_run: float = 0.0
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


def _widget_key(message) -> str | None:
    """The user key of the widget this ForwardMsg creates (ids are ``$$ID-<hash>-<key>``), if it has one."""
    if message.delta.WhichOneof("type") != "new_element":
        return None
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
    parts = widget_id.split("-", 2) if isinstance(widget_id, str) and widget_id.startswith("$$ID-") else []
    return parts[2] if len(parts) == 3 and parts[2] != "None" else None


async def _run_until_finished(socket, payload: bytes, result: SessionResult, find_key: str | None) -> tuple[float, str]:
    """Send one rerun; read messages until the run finishes. Returns (seconds, id of ``find_key``'s widget).

    Also notes the session's id (``new_session``), its pages (``navigation``) and its sidebar's widget keys in
    ``result``. A run that ends otherwise than successfully (a compile error, or cut short by another rerun)
    raises: its time would not be a page's.
    """
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
        if kind == "new_session":
            result.session_id = message.new_session.initialize.session_id
        if kind == "navigation":
            result.pages = [f"/{p.url_pathname} {p.page_name} {p.icon}" for p in message.navigation.app_pages]
        if find_key and not found:
            found = _widget_id(message, find_key) or ""
        if (
            find_key
            and kind == "delta"
            and message.metadata.delta_path[:1] == [SIDEBAR]
            and (key := _widget_key(message))
        ):
            result.sidebar_keys.append(key)
        if kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
            raise RuntimeError(f"the app raised: {message.delta.new_element.exception.message[:200]}")
        if kind == "script_finished":
            if message.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                raise RuntimeError(
                    f"the run ended with {ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)}"
                )
            return time.perf_counter() - started, found


async def fetch_cookies(url: str) -> str:
    """``GET url/`` as a browser's first request does; the ``Cookie`` header its ``Set-Cookie`` answers make.

    Behind the proxy this is where a browser receives its affinity cookie (``benchmarks/proxy.py``); the
    websocket then carries it. Plain HTTP/1.0 on a loopback URL, nothing else.
    """
    host_port = url.removeprefix("http://").rstrip("/")
    host, _, port = host_port.partition(":")
    reader, writer = await asyncio.open_connection(host, int(port or 80))
    try:
        writer.write(f"GET / HTTP/1.0\r\nHost: {host_port}\r\nUser-Agent: loadtest\r\n\r\n".encode())
        await writer.drain()
        head = (await reader.read()).split(b"\r\n\r\n", 1)[0].decode("latin-1")
    finally:
        writer.close()
    status = head.split("\r\n", 1)[0]
    if " 200 " not in f"{status} ":
        raise RuntimeError(f"GET {url}/ answered {status!r}")
    cookies = [
        line.split(":", 1)[1].strip().split(";", 1)[0]
        for line in head.split("\r\n")[1:]
        if line.lower().startswith("set-cookie:")
    ]
    return "; ".join(cookies)


async def viewer(url: str, *, browser_like: bool = False, cookie: str | None = None) -> SessionResult:
    """One session: open the Overview, then change the date filter.

    Args:
        browser_like: first ``GET /`` and send the cookies it sets with the websocket, as a browser does
            (needed behind the proxy, whose affinity cookie is set there).
        cookie: a ``Cookie`` header to send as is (instead of fetching one).
    """
    import websockets
    from websockets.typing import Origin, Subprotocol

    result = SessionResult()
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        if browser_like and cookie is None:
            cookie = await fetch_cookies(url)
        result.cookie = cookie or ""
        headers = {"Cookie": cookie} if cookie else None
        async with websockets.connect(
            stream,
            subprotocols=[Subprotocol("streamlit")],
            origin=Origin(url),
            additional_headers=headers,
            max_size=None,
            open_timeout=60,
            proxy=None,
        ) as socket:
            result.open_s, widget = await _run_until_finished(socket, _rerun_message(""), result, FILTER_KEY)
            if not widget:
                raise RuntimeError(f"no widget with key {FILTER_KEY} in the page")
            result.filter_widget_id = widget
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


@dataclass
class Target:
    """Where a wave's sessions go (a replica, or the proxy in front of several) and whose CPU and memory count."""

    url: str
    servers: list[Server]
    browser_like: bool = False  # GET / first and send its cookies (the proxy's affinity cookie)

    @classmethod
    def of(cls, server: Server) -> Target:
        """One replica, addressed directly."""
        return cls(server.url, [server])

    def cpu_s(self) -> float:
        """CPU seconds used so far by every server process."""
        return sum(_cpu_seconds(s.process.pid) for s in self.servers)

    def rss_mib(self) -> float:
        """Resident memory of the server processes together, in MiB."""
        return sum(s.rss_mib() for s in self.servers)

    def peak_rss_mib(self) -> float:
        """The largest peak resident memory of one server process, in MiB."""
        return max(s.peak_rss_mib() for s in self.servers)


async def run_wave(target: Target, sessions: int, timeout: float) -> tuple[Wave, list[SessionResult]]:
    """``sessions`` viewers at once against ``target``; the summary and each session's result."""
    cpu_before = target.cpu_s()
    started = time.perf_counter()
    tasks = [asyncio.create_task(viewer(target.url, browser_like=target.browser_like)) for _ in range(sessions)]
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    results = [t.result() for t in done]
    wall = time.perf_counter() - started
    ok = [r for r in results if r.error is None]
    errors = [r.error for r in results if r.error] + [f"timed out after {timeout:.0f} s"] * len(pending)
    cpu = target.cpu_s() - cpu_before
    runs = 2 * len(ok)
    wave = Wave(
        sessions=sessions,
        wall_s=wall,
        failures=len(errors),
        open_s=percentiles([r.open_s for r in ok if r.open_s is not None]),
        filter_s=percentiles([r.filter_s for r in ok if r.filter_s is not None]),
        mib_received_per_session=statistics.mean([r.bytes_received for r in ok]) / 2**20 if ok else 0.0,
        runs_per_s=runs / wall if wall else 0.0,
        server_cpu_s=cpu,
        cpu_s_per_run=cpu / runs if runs else 0.0,
        server_rss_mib=target.rss_mib(),
        server_peak_rss_mib=target.peak_rss_mib(),
        errors=sorted(set(errors))[:5],
    )
    return wave, results


async def _wave(server: Server, sessions: int, timeout: float) -> Wave:
    wave, _ = await run_wave(Target.of(server), sessions, timeout)
    return wave


def _warm(server: Server, what: str) -> SessionResult:
    warm = asyncio.run(viewer(server.url))
    if warm.error:
        raise RuntimeError(f"the warm-up session of {what} failed: {warm.error}")
    return warm


def ratios(ours: list[dict], floor: list[dict]) -> list[dict]:
    """Per wave: ours / floor for the open and filter-change p95 (and p50), as the issue defines our cost."""
    out = []
    for mine, bare in zip(ours, floor, strict=True):
        row: dict[str, float | int | None] = {"sessions": mine["sessions"]}
        for step in ("open_s", "filter_s"):
            for p in ("p50", "p95"):
                a, b = mine[step].get(p), bare[step].get(p)
                row[f"{step[:-2]}_{p}"] = a / b if a is not None and b else None
        row["cpu_per_run"] = mine["cpu_s_per_run"] / bare["cpu_s_per_run"] if bare["cpu_s_per_run"] else None
        out.append(row)
    return out


def run_load_test(scale: int, sessions: list[int], timeout: float, log_dir: Path, *, floor: bool = True) -> dict:
    """Start ours (and the floor) on the ``scale`` data, warm both, run one wave per entry of ``sessions`` on each.

    With ``floor``, both servers stay up for the whole run and each N runs on ours, then on the floor.

    Raises:
        RuntimeError: a warm-up session failed, or the floor's navigation or sidebar widgets (keys, in order)
            differ from ours.
    """
    data = datasets.ensure(scale)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(running_server(data.directory, log_dir / f"loadtest-x{scale}.log"))
        warm = _warm(server, "ours")
        bare = stack.enter_context(running_floor(log_dir / "loadtest-floor.log")) if floor else None
        warm_floor = _warm(bare, "the floor") if bare else None
        if warm_floor and warm_floor.pages != warm.pages:
            raise RuntimeError(f"the floor's navigation {warm_floor.pages} differs from ours {warm.pages}")
        if warm_floor and warm_floor.sidebar_keys != warm.sidebar_keys:
            raise RuntimeError(
                f"the floor's sidebar widgets {warm_floor.sidebar_keys} differ from ours {warm.sidebar_keys}"
            )
        waves, floor_waves = [], []
        for n in sessions:
            waves.append(asyncio.run(_wave(server, n, timeout)))
            if bare:
                floor_waves.append(asyncio.run(_wave(bare, n, timeout)))
        idle_rss = server.rss_mib()
    report: dict = {
        "scale": scale,
        "warm_up": asdict(warm),
        "server_rss_after_mib": idle_rss,
        "waves": [asdict(w) for w in waves],
    }
    if warm_floor is not None:
        report["floor"] = {
            "script": FLOOR_SCRIPT,
            "warm_up": asdict(warm_floor),
            "waves": [asdict(w) for w in floor_waves],
        }
        report["ratios"] = ratios(report["waves"], report["floor"]["waves"])
    return report


def _rows(waves: list[dict]) -> list[str]:
    nan = float("nan")
    lines = []
    for w in waves:
        o, f = w["open_s"], w["filter_s"]
        lines.append(
            f"{w['sessions']:>8} {w['wall_s']:>7.1f} {w['failures']:>4} {o.get('p50', nan):>9.2f} "
            f"{o.get('p95', nan):>6.2f} {f.get('p50', nan):>10.2f} {f.get('p95', nan):>6.2f} "
            f"{max(o.get('max', 0), f.get('max', 0)):>6.2f} {w['mib_received_per_session']:>8.2f} "
            f"{w.get('runs_per_s', nan):>6.1f} {w['server_cpu_s']:>9.1f} {w.get('cpu_s_per_run', nan):>7.3f} "
            f"{w['server_rss_mib']:>8.0f} {w['server_peak_rss_mib']:>6.0f}"
        )
    return lines


HEAD = (
    f"{'sessions':>8} {'wall s':>7} {'fail':>4} {'open p50':>9} {'p95':>6} {'filter p50':>10} {'p95':>6} "
    f"{'max':>6} {'MiB/sess':>8} {'runs/s':>6} {'srv CPU s':>9} {'CPU/run':>7} {'RSS MiB':>8} {'peak':>6}"
)


def format_table(report: dict, title: str | None = None) -> str:
    """The waves as a plain-text table (and the floor's, with the ratios, when the run has them)."""
    lines = [
        title or f"Load test at {report['scale']}× (one replica, websocket sessions)",
        HEAD,
        *_rows(report["waves"]),
    ]
    if "floor" in report:
        lines += ["", f"The floor ({report['floor']['script']}), same waves, same run", HEAD]
        lines += _rows(report["floor"]["waves"])
        lines += [
            "",
            "Ours / floor",
            f"{'sessions':>8} {'open p95':>9} {'filter p95':>10} {'open p50':>9} {'filter p50':>10}",
        ]

        def cell(value: float | None, width: int) -> str:
            return f"{value:>{width - 1}.1f}×" if value is not None else f"{'n/a':>{width}}"

        for r in report["ratios"]:
            lines.append(
                f"{r['sessions']:>8} {cell(r['open_p95'], 9)} {cell(r['filter_p95'], 10)} "
                f"{cell(r['open_p50'], 9)} {cell(r['filter_p50'], 10)}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: run the load test, print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(description="Load one dashboard replica with concurrent websocket sessions.")
    parser.add_argument("--scale", type=int, default=1, help="data scale (default 1, the real data's size)")
    parser.add_argument("--sessions", type=int, nargs="+", default=list(DEFAULT_SESSIONS))
    parser.add_argument("--timeout", type=float, default=180, help="seconds allowed per wave (default 180)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (benchmarks/floor_app.py)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    report = run_load_test(
        args.scale, args.sessions, args.timeout, datasets.DATA_ROOT / "logs", floor=not args.no_floor
    )
    print(format_table(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    waves = report["waves"] + report.get("floor", {}).get("waves", [])
    return 0 if all(w["failures"] == 0 for w in waves) else 1


if __name__ == "__main__":
    sys.exit(main())
