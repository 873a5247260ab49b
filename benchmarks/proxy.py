"""Several dashboard replicas behind a real nginx on loopback: the set-up of ``docs/deploy.md``, run and checked.

Usage::

    python -m benchmarks.proxy [--replicas 2] [--sessions 40] [--timeout 180] [--json out.json]

(``make loadtest-proxy``). Needs Debian's ``nginx`` (``apt-get install nginx``); no system service is used.

What it does, all on 127.0.0.1:

1. Copies the 1× benchmark data (``benchmarks/.data/x1``) to a temporary directory, the one data directory
   every replica shares (as a shared volume would be).
2. Starts N replicas of the real dashboard (``benchmarks.server.running_server``) on that directory, and nginx
   in front of them with ``benchmarks/proxy/nginx.conf.template`` (the config of ``docs/deploy.md``: websocket
   upgrade headers, long read timeout, affinity) from a temporary prefix, in the foreground. Each replica is
   warmed by one session, as a running replica would be.
3. Checks, each reported ``ok`` or with what went wrong:

   - **websockets pass**: a session through nginx opens the Overview and changes a filter, and nginx logged
     ``/_stcore/stream`` with status 101;
   - **sessions stay on their replica**: every request of every session in the proxy wave (the first ``GET /``,
     then the websocket) went to one upstream, by nginx's access log (``$upstream_addr`` per affinity key);
     and a *reconnect* (the browser's: the same cookie, the old session id in the websocket subprotocol, as
     Streamlit's frontend does after a dropped connection) finds its session: the same session id, and its
     server-side state (see :func:`check_reconnect`). The control: the same reconnect with a cookie that
     nginx sends to another replica gets a new session;
   - **the Host header**: ``docs/deploy.md`` used to pass ``Host $host`` (no port). Streamlit refuses a
     websocket whose ``Origin`` is not the ``Host`` (HTTP 403 on the upgrade) unless the origin is on its
     allow list (loopback names are, so only a public name shows it). A
     second ``server`` block with ``$host`` is tried with a non-loopback host name and a port next to the one
     with ``$http_host``;
   - **an approved update reaches every replica**: a member file with one changed action title is applied
     with ``python -m tracker apply`` (the code path of a reviewer's approval) into the shared directory;
     then the Member page of every replica (directly, and through nginx in a new session) shows the new title,
     which none showed before;
   - **throughput scales**: ``--sessions`` viewers at once on one replica directly, then the same number
     through nginx onto N replicas; script runs completed per second in each, and their ratio.

4. Stops nginx and the replicas (also on failure) and deletes the temporary directory (``--keep`` keeps it).

The load generator runs on the same two cores as the replicas and nginx; see ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks import datasets
from benchmarks.datasets import ROOT
from benchmarks.loadtest import (
    FILTER_KEY,
    Target,
    _cpu_seconds,
    _filter_states,
    _rerun_message,
    fetch_cookies,
    run_wave,
    viewer,
)
from benchmarks.server import Server, free_port, running_server, stop, wait_until_serving

TEMPLATE = Path(__file__).resolve().parent / "proxy" / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COOKIE = "tracker_replica"
RESET_KEY = "flt_reset"  # ui/sidebar.py: the "Reset filters" button, disabled while every filter is at its default
DEFAULT_SESSIONS = 50
UPDATE_MEMBER = "ARE"  # a YAML member file of the generated data; its first action's title is changed
LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) up=(?P<up>\S+) key=(?P<key>\S*) cookie=(?P<cookie>\S*)'
)
# The deploy.md block as it was (Host without the port), for the Host check only.
HOST_BLOCK = """
    server {
        listen 127.0.0.1:%(port)d;
        location / {
            proxy_pass http://tracker;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 1h;
        }
    }
"""


# --- nginx -------------------------------------------------------------------------------------


@dataclass
class Nginx:
    """A running nginx: its URL, the port of the ``Host $host`` block, its prefix and process."""

    url: str
    host_check_port: int
    prefix: Path
    process: subprocess.Popen

    def log(self) -> list[dict[str, str]]:
        """The access log so far, one dict per request (method, path, status, up, key, cookie)."""
        path = self.prefix / "access.log"
        lines = path.read_text().splitlines() if path.exists() else []
        return [m.groupdict() for line in lines if (m := LOG_LINE.search(line))]


def render_config(prefix: Path, port: int, upstreams: list[str], host_check_port: int) -> str:
    """The nginx configuration: the template with the prefix, the listening port and the replicas filled in."""
    servers = "\n".join(f"        server {address};" for address in upstreams)
    text = TEMPLATE.read_text()
    for name, value in {
        "PREFIX": str(prefix),
        "PORT": str(port),
        "SERVERS": servers,
        "EXTRA": HOST_BLOCK % {"port": host_check_port},
    }.items():
        text = text.replace("{{" + name + "}}", value)
    return text


@contextlib.contextmanager
def running_nginx(replicas: list[Server], prefix: Path) -> Iterator[Nginx]:
    """Run nginx in the foreground from ``prefix`` in front of ``replicas`` until the block ends.

    Raises:
        RuntimeError: nginx is missing, its configuration is refused, or it does not answer in time.
    """
    if not Path(NGINX).exists():
        raise RuntimeError("nginx is not installed: apt-get install -y nginx (Debian's package)")
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)  # started as root, nginx's workers run as nobody and create their temp folders here
    port, host_check_port = free_port(), free_port()
    upstreams = [s.url.removeprefix("http://") for s in replicas]
    conf = prefix / "nginx.conf"
    conf.write_text(render_config(prefix, port, upstreams, host_check_port))
    base = [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True, check=False)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration:\n{checked.stderr}")
    url = f"http://127.0.0.1:{port}"
    with (prefix / "nginx.out").open("w") as out:
        process = subprocess.Popen([*base, "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(f"{url}/_stcore/health", process, time.perf_counter() + 30, lambda b: b == b"ok")
            yield Nginx(url, host_check_port, prefix, process)
        finally:
            stop(process)


# --- one conversation over the websocket -------------------------------------------------------


@dataclass
class Conversation:
    """What one websocket connection saw."""

    session_id: str = ""
    query_strings: list[str] = field(default_factory=list)  # page_info_changed: what the app wrote to the URL
    filters_set: bool | None = None  # the sidebar's "Reset filters" is enabled (set only when filters are set)
    marker_seen: bool = False
    widget_id: str = ""
    runs: int = 0
    close_code: int | None = None  # set when the server closed the connection before a run finished
    error: str = ""


async def converse(
    url: str,
    runs: list[tuple[str, str, bool]],
    *,
    cookie: str = "",
    existing_session: str = "",
    marker: str = "",
    host: str = "",
) -> Conversation:
    """Connect to ``url``'s websocket and do ``runs`` one after the other, each until ``script_finished``.

    Args:
        runs: (page name, query string, set the date filter) per rerun.
        cookie: the ``Cookie`` header (the proxy's affinity cookie).
        existing_session: a session id to resume, sent as the third subprotocol entry, as Streamlit's frontend
            does when it reconnects.
        marker: a text to look for in every message (``marker_seen``).
        host: connect to ``url``'s address but name this host (and port) in the URL, ``Host`` and ``Origin``.
    """
    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.typing import Origin, Subprotocol

    seen = Conversation()
    address = url.removeprefix("http://")
    named = host or address
    protocols = [Subprotocol("streamlit")]
    if existing_session:
        protocols += [Subprotocol("PLACEHOLDER_AUTH_TOKEN"), Subprotocol(existing_session)]
    raw_socket = None
    if host:
        name, _, port = address.partition(":")
        raw_socket = socket.create_connection((name, int(port)))
    try:
        async with websockets.connect(
            f"ws://{named}/_stcore/stream",
            subprotocols=protocols,
            origin=Origin(f"http://{named}"),
            additional_headers={"Cookie": cookie} if cookie else None,
            max_size=None,
            open_timeout=60,
            proxy=None,
            sock=raw_socket,
        ) as ws:
            for page, query, set_filter in runs:
                states = _filter_states(seen.widget_id) if set_filter and seen.widget_id else None
                payload = _rerun_message(page, states)
                if query:
                    from streamlit.proto.BackMsg_pb2 import BackMsg

                    message = BackMsg()
                    message.ParseFromString(payload)
                    message.rerun_script.query_string = query
                    payload = message.SerializeToString()
                await ws.send(payload)
                while True:
                    raw = await ws.recv()
                    if marker and marker.encode() in raw:
                        seen.marker_seen = True
                    msg = ForwardMsg()
                    msg.ParseFromString(raw)
                    kind = msg.WhichOneof("type")
                    if kind == "new_session":
                        seen.session_id = msg.new_session.initialize.session_id
                    elif kind == "page_info_changed":
                        seen.query_strings.append(msg.page_info_changed.query_string)
                    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        element = msg.delta.new_element
                        which = element.WhichOneof("type")
                        widget_id = getattr(getattr(element, which), "id", "") if which else ""
                        if isinstance(widget_id, str) and widget_id.endswith(f"-{FILTER_KEY}"):
                            seen.widget_id = widget_id
                        if which == "button" and element.button.id.endswith(f"-{RESET_KEY}"):
                            seen.filters_set = not element.button.disabled
                    elif kind == "script_finished":
                        seen.runs += 1
                        break
    except websockets.ConnectionClosed as closed:
        seen.close_code = closed.rcvd.code if closed.rcvd else None
        seen.error = f"closed by the server: {closed}"
    except Exception as exc:  # noqa: BLE001 - reported as the check's result
        seen.error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        if raw_socket is not None:
            raw_socket.close()
    return seen


# --- the checks --------------------------------------------------------------------------------


def _stream_upstreams(log: list[dict[str, str]]) -> Counter[str]:
    return Counter(r["up"] for r in log if r["path"].startswith("/_stcore/stream"))


def check_websocket(nginx: Nginx) -> dict:
    """One session through nginx: open and filter; nginx logged the websocket upgrade (101)."""
    before = len(nginx.log())
    session = asyncio.run(viewer(nginx.url, browser_like=True))
    log = nginx.log()[before:]
    upgrades = [r for r in log if r["path"].startswith("/_stcore/stream") and r["status"] == "101"]
    ok = session.error is None and len(upgrades) == 1 and f"{COOKIE}=" in session.cookie
    return {
        "ok": ok,
        "open_s": session.open_s,
        "filter_s": session.filter_s,
        "cookie_set_by_nginx": session.cookie,
        "log": log,
        "error": session.error,
    }


def _upstream_of_cookie(nginx: Nginx, value: str) -> str:
    """Where nginx sends a request carrying ``tracker_replica=value`` (a health check, read from the log)."""
    before = len(nginx.log())
    request = f"GET /_stcore/health HTTP/1.0\r\nHost: {nginx.url.removeprefix('http://')}\r\n"
    request += f"Cookie: {COOKIE}={value}\r\n\r\n"
    host, port = nginx.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(request.encode())
        while conn.recv(65536):
            pass
    for _ in range(50):  # nginx writes the line once the request is finished
        if new := nginx.log()[before:]:
            return new[-1]["up"]
        time.sleep(0.02)
    raise RuntimeError("nginx logged no request for the probe")


def check_reconnect(nginx: Nginx, replicas: list[Server]) -> dict:
    """A session drops and reconnects as the browser does; the same cookie finds its session, another does not.

    The browser sends its widgets' values with every rerun, so those survive a reconnect anywhere. What only the
    replica holds is the session's own state: ``st.session_state`` entries that are no widget, uploaded files,
    a login's OAuth state. The dashboard keeps one such entry, ``flt_seeded_from_url``: a session reads the
    filters from its link once, on its first run (``ui/sidebar.py``). So the reconnect's rerun carries a link
    naming a filter (``group=asean``) and no widget values: the resumed session does not read it again (its
    "Reset filters" stays disabled), while a new session on another replica does (the button is enabled).
    """
    cookie = asyncio.run(fetch_cookies(nginx.url))
    value = cookie.split(f"{COOKIE}=", 1)[1].split(";", 1)[0] if f"{COOKIE}=" in cookie else ""
    first = asyncio.run(converse(nginx.url, [("", "", False), ("", "", True)], cookie=cookie))
    home = _upstream_of_cookie(nginx, value) if value else ""
    link = [("", "group=asean", False)]
    again = asyncio.run(converse(nginx.url, link, cookie=cookie, existing_session=first.session_id))
    # The control: the same session id, with a cookie nginx hashes to another replica.
    other_value = next((f"probe-{i}" for i in range(200) if _upstream_of_cookie(nginx, f"probe-{i}") != home), "")
    other_cookie = f"{COOKIE}={other_value}"
    other = asyncio.run(converse(nginx.url, link, cookie=other_cookie, existing_session=first.session_id))
    served_by = sorted({r["up"] for r in nginx.log() if r["key"] == value})
    ok = bool(
        first.session_id
        and not first.error
        and first.filters_set is True
        and served_by == [home]
        and again.session_id == first.session_id
        and again.filters_set is False
        and other_value
        and other.session_id not in ("", first.session_id)
        and other.filters_set is True
    )
    return {
        "ok": ok,
        "cookie": cookie,
        "replica": home,
        "every_request_of_the_cookie_served_by": served_by,
        "session_id": first.session_id,
        "filter_set_before_drop": first.filters_set,
        "reconnect_same_cookie": {
            "session_id": again.session_id,
            "same_session": again.session_id == first.session_id,
            "link_read_again": again.filters_set,
            "error": again.error,
        },
        "reconnect_other_replica": {
            "cookie": other_cookie,
            "replica": _upstream_of_cookie(nginx, other_value) if other_value else "",
            "session_id": other.session_id,
            "same_session": other.session_id == first.session_id,
            "link_read_again": other.filters_set,
            "error": other.error,
        },
        "replicas": [s.url for s in replicas],
    }


def check_host_header(nginx: Nginx) -> dict:
    """A public host name with a port: ``Host $http_host`` lets the websocket in, ``Host $host`` does not."""
    name = "tracker.example.test"
    port = nginx.url.rsplit(":", 1)[1]
    with_port = asyncio.run(converse(nginx.url, [("", "", False)], host=f"{name}:{port}"))
    other = f"http://127.0.0.1:{nginx.host_check_port}"
    without = asyncio.run(converse(other, [("", "", False)], host=f"{name}:{nginx.host_check_port}"))
    return {
        "ok": with_port.runs == 1 and without.runs == 0,
        "http_host": {"runs": with_port.runs, "error": with_port.error},
        "host": {"runs": without.runs, "close_code": without.close_code, "error": without.error},
    }


def affinity_of_wave(log: list[dict[str, str]]) -> dict:
    """Per affinity key, the upstreams its requests went to; sticky when each key has exactly one."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for r in log:
        by_key[r["key"]].add(r["up"])
    streams = [r for r in log if r["path"].startswith("/_stcore/stream")]
    keys_with_stream = {r["key"] for r in streams}
    split = {k: sorted(v) for k, v in by_key.items() if len(v) > 1}
    return {
        "ok": not split and len(keys_with_stream) == len(streams),
        "sessions": len(streams),
        "keys_on_more_than_one_replica": split,
        "sessions_per_replica": dict(_stream_upstreams(log)),
        "first_request_and_websocket_same_replica": sum(
            1 for k in keys_with_stream if len(by_key[k]) == 1 and any(r["key"] == k and r["path"] == "/" for r in log)
        ),
    }


def _member_page(url: str, marker: str, cookie: str = "") -> Conversation:
    return asyncio.run(converse(url, [("member", f"m={UPDATE_MEMBER}", False)], cookie=cookie, marker=marker))


def check_update(nginx: Nginx, replicas: list[Server], data_dir: Path, work: Path) -> dict:
    """Apply a member file with the CLI into the shared directory; every replica's Member page shows it."""
    marker = f"Proxy check {int(time.time())}"
    source = data_dir / f"{UPDATE_MEMBER}.yaml"
    text = source.read_text()
    first_title = re.search(r"^  title: (.*)$", text, re.MULTILINE)
    if first_title is None:
        raise RuntimeError(f"{source} has no action title")
    update = work / "update" / source.name
    update.parent.mkdir(parents=True, exist_ok=True)
    update.write_text(text[: first_title.start(1)] + marker + text[first_title.end(1) :])
    pages_before = {s.url: _member_page(s.url, marker) for s in replicas}
    before = {url: page.marker_seen for url, page in pages_before.items()}
    drawn_before = all(page.runs == 1 and not page.error for page in pages_before.values())
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    applied = subprocess.run(
        [sys.executable, "-m", "tracker", "apply", "--data-dir", str(data_dir), "--by", "proxy benchmark", str(update)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    applied_at = time.perf_counter()
    after = {}
    for server in replicas:
        page = _member_page(server.url, marker)
        after[server.url] = {
            "shows_update": page.marker_seen and page.runs == 1,
            "seconds_after_apply": time.perf_counter() - applied_at,
            "error": page.error,
        }
    through = _member_page(nginx.url, marker, asyncio.run(fetch_cookies(nginx.url)))
    ok = (
        applied.returncode == 0
        and drawn_before
        and not any(before.values())
        and all(a["shows_update"] for a in after.values())
        and through.marker_seen
    )
    return {
        "ok": ok,
        "member": UPDATE_MEMBER,
        "new_title": marker,
        "apply_exit_code": applied.returncode,
        "apply_output": (applied.stdout + applied.stderr)[-600:],
        "shown_before": before,
        "pages_drawn_before": drawn_before,
        "after": after,
        "through_proxy_new_session": through.marker_seen,
    }


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its children (nginx's master and its worker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return _cpu_seconds(pid) + sum(_tree_cpu_s(k) for k in kids)


def _measured_wave(target: Target, sessions: int, timeout: float, nginx: Nginx) -> dict:
    """One wave, with the CPU each replica, nginx and this load generator used during it."""
    replicas_before = [_cpu_seconds(s.process.pid) for s in target.servers]
    nginx_before, client_before = _tree_cpu_s(nginx.process.pid), time.process_time()
    wave, _ = asyncio.run(run_wave(target, sessions, timeout))
    return {
        **asdict(wave),
        "cpu_s_per_replica": [
            _cpu_seconds(s.process.pid) - before for s, before in zip(target.servers, replicas_before, strict=True)
        ],
        "nginx_cpu_s": _tree_cpu_s(nginx.process.pid) - nginx_before,
        "load_generator_cpu_s": time.process_time() - client_before,
    }


def throughput(nginx: Nginx, replicas: list[Server], sessions: int, timeout: float) -> dict:
    """``sessions`` viewers at once on one replica directly, then through nginx onto every replica."""
    direct = _measured_wave(Target.of(replicas[0]), sessions, timeout, nginx)
    before = len(nginx.log())
    proxied = _measured_wave(Target(nginx.url, replicas, browser_like=True), sessions, timeout, nginx)
    log = nginx.log()[before:]
    return {
        "sessions": sessions,
        "one_replica_direct": direct,
        "through_proxy": proxied,
        "replicas": len(replicas),
        "speed_up": proxied["runs_per_s"] / direct["runs_per_s"] if direct["runs_per_s"] else None,
        "affinity": affinity_of_wave(log),
    }


# --- the run -----------------------------------------------------------------------------------


def run(replica_count: int, sessions: int, timeout: float, log_dir: Path, keep: bool = False) -> dict:
    """Start the replicas and nginx, run every check, stop everything; the report."""
    data = datasets.ensure(1)
    work = Path(tempfile.mkdtemp(prefix="tracker-proxy-"))
    report: dict = {"replicas": replica_count, "work_dir": str(work)}
    try:
        shared = work / "data"
        shutil.copytree(data.directory, shared)
        with contextlib.ExitStack() as stack:
            replicas = [
                stack.enter_context(running_server(shared, log_dir / f"proxy-replica{i + 1}.log"))
                for i in range(replica_count)
            ]
            for server in replicas:  # warm each replica, as a running one would be
                warm = asyncio.run(viewer(server.url))
                if warm.error:
                    raise RuntimeError(f"the warm-up session of {server.url} failed: {warm.error}")
            nginx = stack.enter_context(running_nginx(replicas, work / "nginx"))
            report["nginx"] = {"url": nginx.url, "version": _nginx_version(), "upstreams": [s.url for s in replicas]}
            report["websocket"] = check_websocket(nginx)
            report["host_header"] = check_host_header(nginx)
            report["reconnect"] = check_reconnect(nginx, replicas)
            report["throughput"] = throughput(nginx, replicas, sessions, timeout)
            report["update"] = check_update(nginx, replicas, shared, work)
            report["nginx_errors"] = (work / "nginx" / "error.log").read_text()[-2000:]
            shutil.copy(work / "nginx" / "nginx.conf", log_dir / "proxy-nginx.conf")
            shutil.copy(work / "nginx" / "access.log", log_dir / "proxy-access.log")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return report


def _nginx_version() -> str:
    answer = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=False)
    return (answer.stderr or answer.stdout).strip()


def summary(report: dict) -> str:
    """The checks and the throughput as plain text."""
    t = report["throughput"]
    d, p = t["one_replica_direct"], t["through_proxy"]
    r = report["reconnect"]
    u = report["update"]
    a = t["affinity"]

    def mark(ok: bool) -> str:
        return "ok  " if ok else "FAIL"

    lines = [
        f"{report['replicas']} replicas behind {report['nginx']['version']} on loopback",
        f"{mark(report['websocket']['ok'])} websockets pass through nginx "
        f"(open {report['websocket']['open_s'] or float('nan'):.2f} s, filter "
        f"{report['websocket']['filter_s'] or float('nan'):.2f} s; "
        f"cookie {report['websocket']['cookie_set_by_nginx']})",
        f"{mark(a['ok'])} sticky: {a['sessions']} sessions, each key on one replica; per replica "
        f"{a['sessions_per_replica']}",
        f"{mark(r['ok'])} reconnect with the same cookie ({r['replica']}): same session "
        f"{r['reconnect_same_cookie']['same_session']}, link read again "
        f"{r['reconnect_same_cookie']['link_read_again']}; "
        f"with a cookie for {r['reconnect_other_replica']['replica']}: same session "
        f"{r['reconnect_other_replica']['same_session']}, link read again "
        f"{r['reconnect_other_replica']['link_read_again']}",
        f"{mark(report['host_header']['ok'])} Host $http_host lets a named host with a port in "
        f"({report['host_header']['http_host']['runs']} run); Host $host: "
        f"{report['host_header']['host']['runs']} runs, {report['host_header']['host']['error']}",
        f"{mark(u['ok'])} update applied by the CLI (exit {u['apply_exit_code']}): shown before "
        f"{sum(u['shown_before'].values())} of {len(u['shown_before'])} replicas, after "
        f"{sum(x['shows_update'] for x in u['after'].values())} of {len(u['after'])}; through nginx "
        f"{u['through_proxy_new_session']}",
        "",
        f"{'':>28} {'sessions':>8} {'fail':>4} {'wall s':>7} {'runs/s':>7} {'open p95':>8} {'filter p95':>10} "
        f"{'CPU s per replica':>18} {'nginx':>6} {'client':>6}",
    ]
    for label, w in (("1 replica, direct", d), (f"{report['replicas']} replicas through nginx", p)):
        per_replica = " + ".join(f"{c:.1f}" for c in w["cpu_s_per_replica"])
        lines.append(
            f"{label:>28} {w['sessions']:>8} {w['failures']:>4} {w['wall_s']:>7.1f} {w['runs_per_s']:>7.2f} "
            f"{w['open_s'].get('p95', float('nan')):>8.2f} {w['filter_s'].get('p95', float('nan')):>10.2f} "
            f"{per_replica:>18} {w['nginx_cpu_s']:>6.1f} {w['load_generator_cpu_s']:>6.1f}"
        )
    lines.append(f"speed-up (runs/s through nginx / one replica): {t['speed_up'] or float('nan'):.2f}×")
    return "\n".join(lines)


def all_ok(report: dict) -> bool:
    """Every check passed and no session failed."""
    t = report["throughput"]
    checks = [report[k]["ok"] for k in ("websocket", "host_header", "reconnect", "update")] + [t["affinity"]["ok"]]
    return all(checks) and t["one_replica_direct"]["failures"] == 0 and t["through_proxy"]["failures"] == 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: run everything, print the summary, optionally write JSON; exit 1 if a check failed."""
    parser = argparse.ArgumentParser(description="N dashboard replicas behind nginx on loopback, checked and loaded.")
    parser.add_argument("--replicas", type=int, default=2, help="replicas behind nginx (default 2)")
    parser.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS, help="sessions per throughput wave")
    parser.add_argument("--timeout", type=float, default=180, help="seconds allowed per wave (default 180)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, nginx prefix)")
    args = parser.parse_args(argv)
    if not Path(NGINX).exists():
        print(
            "nginx is not installed. On Debian: apt-get install -y nginx. (On a machine with systemd the package "
            "starts a system service on port 80; this run never uses it: `systemctl disable --now nginx`.)",
            file=sys.stderr,
        )
        return 2
    report = run(args.replicas, args.sessions, args.timeout, datasets.DATA_ROOT / "logs", keep=args.keep)
    print(summary(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0 if all_ok(report) else 1


if __name__ == "__main__":
    sys.exit(main())
