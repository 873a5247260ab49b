"""Crash safety, tested the way SQLite tests it: kill the writer at each of its I/O steps in turn, then recover.

Every change an apply or a recovery makes on disk goes through :mod:`tracker.records.durable`, which numbers its
steps (create, each written chunk, fsync, rename, unlink, truncate, mkdir, directory fsync). The harness

1. runs the work once and records its steps;
2. for N = 1, 2, … runs it again in a forked child that SIGKILLs itself just before step N (and, for a write
   step, once more after writing a random part of the chunk: a torn write), until N passes the last step and
   the work completes;
3. after each kill checks what a reader sees (the member file old or new, whole; the complete log lines the
   old ones plus a prefix of the change's), recovers, and checks the end state byte for byte: the member
   file is the old one or the new one (the new one exactly when the kill came after the commit point), the
   versions folder holds exactly the previous bytes of every change that took effect, the log holds every
   line of every change that took effect exactly once and nothing of one that did not, nothing is pending.

Recovery is killed the same way at each of its own steps (then killed again at a random step, then run to
the end), starting from the states that leave it the most to do. Children are forked from the test process
(about 30 ms each instead of a second to start Python), so the whole walk takes seconds.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import random
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import tracker.records.store as store_module
from loaders.dataset import build_dataset, load_dataset
from loaders.tables import read_member_bytes, read_member_file
from tracker.access import Role, User
from tracker.records import durable
from tracker.records.journal import Change, Journal, JournalError, read_log
from tracker.records.member_yaml import member_yaml
from tracker.records.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
TODAY = dt.date(2026, 11, 28)
ADMIN = User("admin@example.org", "Admin", Role.ADMIN)
STAMP = ("20261128T120000000000Z-c0ffee", "2026-11-28T12:00:00+00:00")
EARLIER = ("20261127T090000000000Z-0ld000", "2026-11-27T09:00:00+00:00")
KILLED = -signal.SIGKILL


@pytest.fixture(autouse=True)
def fixed_stamp(monkeypatch):
    """Every apply here (and in the children forked from this process) gets the same change id and time.

    fsync is made a no-op too: what a killed process wrote is in the page cache, so flushing it to the disk
    changes nothing these tests can see and costs seconds. The fsync *steps* are still taken, counted and
    killed at (and ``test_every_step_is_counted_in_order`` shows where they are).
    """
    monkeypatch.setattr(store_module, "_stamp", lambda: STAMP)
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.delenv(durable.CRASH_ENV, raising=False)
    monkeypatch.delenv(durable.TORN_ENV, raising=False)


@pytest.fixture
def quick_validation(monkeypatch):
    """Validation memoised by the bytes it reads, so that forked children spend their time on the steps.

    Every trial of a walk starts from the same files, so validating them again in each child would only
    repeat the dry run's result; the writing itself is never memoised.
    """
    cache: dict[tuple, object] = {}

    def state(store: Store, member: str | None) -> tuple:
        history = store.history
        kept = sorted(p.name for p in (history / "versions" / str(member)).glob("*"))
        log = history / "log.jsonl"
        current = tuple((p.name, durable.sha256_of(p)) for p in store.current_files(str(member)))
        return (member, current, tuple(kept), durable.sha256_of(log) if log.exists() else None)

    def memo(name: str, real: Callable) -> Callable:
        def wrapper(self, first, *args, **kwargs):
            member = first if isinstance(first, str) else first.member
            which = first if isinstance(first, str) else id(first)
            key = (name, which, repr(args), repr(sorted(kwargs.items())), state(self, member))
            if key not in cache:
                cache[key] = real(self, first, *args, **kwargs)
            return cache[key]

        return wrapper

    monkeypatch.setattr(Store, "preview", memo("preview", Store.preview))
    monkeypatch.setattr(Store, "used_action_ids", memo("used", Store.used_action_ids))
    real_check = store_module.reload_problems

    def check(catalog, member, data, *args, **kwargs):
        key = ("reload", hashlib.sha256(data).hexdigest())
        if key not in cache:
            cache[key] = real_check(catalog, member, data, *args, **kwargs)
        return cache[key]

    monkeypatch.setattr(store_module, "reload_problems", check)
    return cache


# --- running work in a child that dies at a chosen step ----------------------------------------------------------


def run_killed(work: Callable[[], object], at: int | None = None, torn: int | None = None) -> int:
    """Run ``work`` in a forked child that SIGKILLs itself before its ``at``-th step; its exit code (-9 if killed)."""
    pid = os.fork()
    if pid == 0:  # the child: it never returns into pytest
        code = 1
        try:
            durable.reset_steps()
            os.environ[durable.CRASH_ENV] = str(at or "")
            os.environ[durable.TORN_ENV] = str(torn or "")
            work()
            code = 0
        except BaseException:  # noqa: BLE001 - whatever it is, the child reports it and exits 1
            traceback.print_exc()
        finally:
            os._exit(code)
    deadline = time.monotonic() + 120
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the child hung")
        time.sleep(0.002)


def traced(work: Callable[[], object]) -> list[tuple[str, str]]:
    """The steps ``work`` takes, run here to the end."""
    durable.reset_steps(trace=True)
    try:
        work()
        return durable.traced_steps()
    finally:
        durable.reset_steps()


def copy_of(state: Path, trial: Path) -> Path:
    shutil.rmtree(trial, ignore_errors=True)
    shutil.copytree(state, trial)
    return trial


# --- scenarios ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A change and everything the checks need to know about it."""

    name: str
    base: Path  # the data directory before the change
    member: str
    old: dict[str, bytes]  # the member's files before: name -> bytes
    work: Callable[[Path], object]  # makes the change in a data directory
    recover: Callable[[Path], object]  # recovers a data directory
    new: dict[str, bytes] | None = None  # filled in from a complete run, as are the rest
    new_log: bytes = b""
    old_log: bytes = b""
    versions_before: dict[str, bytes] = dataclasses.field(default_factory=dict)
    others: dict[str, bytes] = dataclasses.field(default_factory=dict)  # other members' files: never touched


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative path -> bytes."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def member_files(data_dir: Path, member: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir()) if p.is_file() and p.stem == member}


def completed(scenario: Scenario, tmp_path: Path) -> Scenario:
    """The scenario with the state a run to the end produces (what 'new' means)."""
    done = copy_of(scenario.base, tmp_path / f"{scenario.name}-complete")
    scenario.work(done)
    new_log = (done / "_history" / "log.jsonl").read_bytes()
    old_log_path = scenario.base / "_history" / "log.jsonl"
    old_log = old_log_path.read_bytes() if old_log_path.exists() else b""
    assert new_log.startswith(old_log)
    return dataclasses.replace(
        scenario,
        new=member_files(done, scenario.member),
        new_log=new_log,
        old_log=old_log,
        versions_before=files(scenario.base / "_history" / "versions"),
        others={p.name: p.read_bytes() for p in scenario.base.iterdir() if p.is_file() and p.stem != scenario.member},
    )


def apply_work(catalog, raw) -> Callable[[Path], object]:
    def work(data_dir: Path) -> None:
        result = Store(data_dir, catalog).apply(raw, ADMIN, today=TODAY)
        assert result.ok, result.preview.issues

    return work


def store_recover(catalog) -> Callable[[Path], object]:
    return lambda data_dir: Store(data_dir, catalog).recover()


def yaml_scenario(catalog, tmp_path: Path) -> Scenario:
    """THA.yaml on record, first apply (no history yet): one status changed, one action removed, one added."""
    base = tmp_path / "yaml-base"
    base.mkdir()
    shutil.copy(SAMPLE / "THA.yaml", base / "THA.yaml")
    shutil.copy(SAMPLE / "IDN.xlsx", base / "IDN.xlsx")  # another member: never touched
    document = yaml.safe_load((base / "THA.yaml").read_text(encoding="utf-8"))
    document["actions"][0]["status"] = "limited"
    document["actions"].pop(1)
    document["actions"].append(
        {"commitments": "ASC-1", "title": "New work", "status": "limited", "last_updated": dt.date(2026, 11, 1)}
    )
    raw = read_member_bytes("THA.yaml", yaml.safe_dump(document, sort_keys=False).encode())
    old = member_files(base, "THA")
    return Scenario("yaml", base, "THA", old, apply_work(catalog, raw), store_recover(catalog))


def xlsx_scenario(catalog, tmp_path: Path, monkeypatch) -> Scenario:
    """IDN.xlsx on record and a history already (an earlier change to THA): the xlsx is replaced by IDN.yaml."""
    base = tmp_path / "xlsx-base"
    base.mkdir()
    shutil.copy(SAMPLE / "IDN.xlsx", base / "IDN.xlsx")
    shutil.copy(SAMPLE / "THA.yaml", base / "THA.yaml")
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "_stamp", lambda: EARLIER)
        earlier = read_member_file(base / "THA.yaml")
        assert Store(base, catalog).apply(earlier, ADMIN, today=TODAY).ok
    raw = read_member_file(base / "IDN.xlsx")
    actions = build_dataset(catalog, [raw], today=TODAY).actions
    actions.loc[0, "status"] = "substantial"
    upload = read_member_bytes("IDN.yaml", member_yaml("IDN", actions, illustrative=raw.illustrative).encode())
    old = member_files(base, "IDN")
    return Scenario("xlsx", base, "IDN", old, apply_work(catalog, upload), store_recover(catalog))


BIG_OLD_MB, BIG_NEW_MB, BIG_LINES = 2, 3, 5000


def big_scenario(tmp_path: Path) -> Scenario:
    """A multi-MB member file and a change of thousands of log lines, so writes span several chunks."""
    base = tmp_path / "big-base"
    (base / "_history").mkdir(parents=True)
    rng = random.Random(7)
    old = "".join(f"# old line {n} {rng.random()}\n" for n in range(BIG_OLD_MB * 30_000)).encode()
    new = "".join(f"# new line {n} {rng.random()}\n" for n in range(BIG_NEW_MB * 30_000)).encode()
    (base / "THA.yaml").write_bytes(old)
    (base / "IDN.yaml").write_text("member: IDN\nactions: []\n")
    prior = [json.dumps({"change_id": EARLIER[0], "member": "IDN", "n": n}) for n in range(300)]
    (base / "_history" / "log.jsonl").write_text("".join(f"{line}\n" for line in prior))
    lines = tuple(
        json.dumps({"change_id": STAMP[0], "member": "THA", "kind": "changed", "n": n, "new": "é" * (n % 40)})
        for n in range(BIG_LINES)
    )
    change = Change(STAMP[0], "THA", new, lines)

    def work(data_dir: Path) -> None:
        Journal(data_dir).commit(change)

    return Scenario("big", base, "THA", {"THA.yaml": old}, work, lambda d: Journal(d).recover())


# --- the checks --------------------------------------------------------------------------------------------------


def check_reader_view(scenario: Scenario, data_dir: Path, where: str) -> None:
    """What a reader sees at any instant: whole member files, old or new; the log's old lines then some new ones."""
    assert scenario.new is not None
    seen = member_files(data_dir, scenario.member)
    allowed = [scenario.old, scenario.new, {**scenario.old, **scenario.new}]  # both names for a moment: old, new
    assert seen in allowed, f"{where}: a reader sees {sorted(seen)} that are neither the old nor the new files"
    old_entries, new_entries = _split_entries(scenario.old_log, scenario.new_log)
    entries = read_log(data_dir / "_history" / "log.jsonl")
    assert entries[: len(old_entries)] == old_entries, f"{where}: earlier log lines changed"
    tail = entries[len(old_entries) :]
    assert tail == new_entries[: len(tail)], f"{where}: the log holds lines that are not the change's, in order"


def check_final(scenario: Scenario, data_dir: Path, committed: bool, where: str) -> None:
    """The state after recovery, byte for byte."""
    assert scenario.new is not None
    expected = scenario.new if committed else scenario.old
    assert member_files(data_dir, scenario.member) == expected, f"{where}: member files"
    log = (data_dir / "_history" / "log.jsonl").read_bytes() if (data_dir / "_history" / "log.jsonl").exists() else b""
    assert log == (scenario.new_log if committed else scenario.old_log), (
        f"{where}: the log is not exactly the old lines plus, if committed, each of the change's lines once"
    )
    kept = dict(scenario.versions_before)
    if committed:
        kept |= {f"{scenario.member}/{STAMP[0]}-{name}": data for name, data in scenario.old.items()}
    assert files(data_dir / "_history" / "versions") == kept, f"{where}: versions"
    pending = data_dir / "_history" / "pending"
    assert not pending.exists() or not any(pending.iterdir()), f"{where}: pending files left"
    others = {name: (data_dir / name).read_bytes() for name in scenario.others}
    assert others == scenario.others, f"{where}: another member's file changed"


@functools.lru_cache(maxsize=8)
def _split_entries(old_log: bytes, new_log: bytes) -> tuple[list[dict], list[dict]]:
    """The entries before the change, and the change's own (parsed once per scenario)."""
    old = _entries(old_log)
    return old, _entries(new_log)[len(old) :]


def _entries(log: bytes) -> list[dict]:
    return [json.loads(line) for line in log.decode().split("\n") if line]


def commit_step(steps: list[tuple[str, str]], member: str) -> int:
    """The number of the step that commits: the rename of the intent into place."""
    (number,) = [n for n, step in enumerate(steps, start=1) if step == ("rename", f"{member}.json")]
    return number


def walk(
    scenario: Scenario, tmp_path: Path, *, torn: bool, rng: random.Random, keep: Callable[[list], set[int]]
) -> tuple[int, dict[int, Path]]:
    """Kill the work at every step (and torn in every write, if asked); check each outcome.

    Args:
        keep: given the steps, the numbers of the crashed states to keep (-N: torn in step N).

    Returns:
        How many kills were tried, and the crashed (not recovered) states asked for, by number.
    """
    steps = traced(lambda: scenario.work(copy_of(scenario.base, tmp_path / "dry")))
    commit = commit_step(steps, scenario.member)
    wanted = keep(steps)
    crashed: dict[int, Path] = {}
    kills = 0
    for number in range(1, len(steps) + 2):
        last = number > len(steps)
        cuts: list[int | None] = [None]
        if torn and not last and steps[number - 1][0] == "write":
            cuts.append(rng.randrange(1, durable.CHUNK_BYTES))
        for cut in cuts:
            where = f"{scenario.name}: killed at step {number} {steps[number - 1] if not last else 'end'} torn={cut}"
            trial = copy_of(scenario.base, tmp_path / "trial")
            code = run_killed(lambda t=trial: scenario.work(t), number, cut)
            assert code == (0 if last else KILLED), f"{where}: exit {code}"
            kills += not last
            check_reader_view(scenario, trial, where)
            key = number if cut is None else -number
            if key in wanted:
                crashed[key] = copy_of(trial, tmp_path / f"crashed{key}")
            scenario.recover(trial)
            check_final(scenario, trial, number > commit, where)
    return kills, crashed


def walk_recovery(scenario: Scenario, state: Path, tmp_path: Path, *, rng: random.Random) -> int:
    """Kill recovery at each of its steps from ``state`` (then again at a random step); the end state is the new one."""
    steps = traced(lambda: scenario.recover(copy_of(state, tmp_path / "rdry")))
    assert steps, "recovery had nothing to do"
    kills = 0
    for number in range(1, len(steps) + 2):
        last = number > len(steps)
        cuts: list[int | None] = [None]
        if not last and steps[number - 1][0] == "write":
            cuts.append(rng.randrange(1, durable.CHUNK_BYTES))
        for cut in cuts:
            where = f"{scenario.name}: recovery killed at step {number} {steps[number - 1] if not last else 'end'}"
            trial = copy_of(state, tmp_path / "rtrial")
            code = run_killed(lambda t=trial: scenario.recover(t), number, cut)
            assert code == (0 if last else KILLED), f"{where}: exit {code}"
            kills += not last
            check_reader_view(scenario, trial, where)
            run_killed(lambda t=trial: scenario.recover(t), rng.randrange(1, len(steps) + 1))  # crash it again
            check_reader_view(scenario, trial, f"{where}, then again")
            scenario.recover(trial)
            check_final(scenario, trial, True, where)
    return kills


# --- the walks ------------------------------------------------------------------------------------------------


def after_commit(member: str) -> Callable[[list], set[int]]:
    """Keep the state killed right after the commit point: recovery then has every step left to do."""
    return lambda steps: {commit_step(steps, member) + 1}


def test_an_apply_killed_at_any_step_then_recovered_loses_nothing(catalog, tmp_path, quick_validation):
    scenario = completed(yaml_scenario(catalog, tmp_path), tmp_path)
    assert scenario.new is not None and len(_entries(scenario.new_log)) == 3  # changed, removed, added
    assert load_dataset(tmp_path / "yaml-complete", catalog, today=TODAY).errors == []

    kills, crashed = walk(scenario, tmp_path, torn=False, rng=random.Random(1), keep=after_commit("THA"))

    assert kills >= 25  # every create, write, fsync, rename, unlink and mkdir of the apply
    (state,) = crashed.values()
    assert walk_recovery(scenario, state, tmp_path, rng=random.Random(2)) >= 12


def test_an_apply_replacing_an_xlsx_killed_at_any_step_loses_nothing(catalog, tmp_path, monkeypatch, quick_validation):
    scenario = completed(xlsx_scenario(catalog, tmp_path, monkeypatch), tmp_path)
    assert scenario.new is not None and sorted(scenario.new) == ["IDN.yaml"] and sorted(scenario.old) == ["IDN.xlsx"]
    assert load_dataset(tmp_path / "xlsx-complete", catalog, today=TODAY).errors == []

    kills, crashed = walk(scenario, tmp_path, torn=False, rng=random.Random(3), keep=after_commit("IDN"))

    steps = traced(lambda: scenario.work(copy_of(scenario.base, tmp_path / "dry2")))
    assert ("unlink", "IDN.xlsx") in steps and kills == len(steps)
    (state,) = crashed.values()
    walk_recovery(scenario, state, tmp_path, rng=random.Random(4))


def test_a_big_change_killed_at_any_step_or_torn_in_any_write_loses_nothing(tmp_path):
    scenario = completed(big_scenario(tmp_path), tmp_path)
    assert len(scenario.old["THA.yaml"]) > BIG_OLD_MB * 1_000_000
    assert len(_entries(scenario.new_log)) == 300 + BIG_LINES

    def torn_in(steps: list, name: str) -> int:
        """A torn write in the middle of writing ``name`` (its second chunk)."""
        return -[n for n, step in enumerate(steps, start=1) if step == ("write", name)][1]

    def keep(steps: list) -> set[int]:
        return {commit_step(steps, "THA") + 1, torn_in(steps, "log.jsonl")}

    kills, crashed = walk(scenario, tmp_path, torn=True, rng=random.Random(5), keep=keep)

    steps = traced(lambda: scenario.work(copy_of(scenario.base, tmp_path / "dry2")))
    written = [name for kind, name in steps if kind == "write"]
    # The new file, its copy in versions and the log each take several chunks: torn writes really happen.
    assert written.count("THA.yaml") >= BIG_NEW_MB and written.count(f".{STAMP[0]}-THA.yaml.tmp") >= BIG_OLD_MB
    assert written.count("log.jsonl") >= 2
    assert kills == len(steps) + len(written)
    assert len(crashed) == 2
    rng = random.Random(6)
    for state in crashed.values():
        walk_recovery(scenario, state, tmp_path, rng=rng)


# --- torn log lines -------------------------------------------------------------------------------------------


def small_change(n: int = 40) -> Change:
    lines = tuple(json.dumps({"change_id": STAMP[0], "member": "THA", "n": i, "title": "ü" * i}) for i in range(n))
    return Change(STAMP[0], "THA", b"member: THA\nactions: []\n", lines)


def log_writes(monkeypatch) -> list[tuple[str, object]]:
    """Record every truncate (its size) and append (its bytes) made from now on, as they are made."""
    writes: list[tuple[str, object]] = []
    truncate, append = durable.truncate, durable.append

    def recorded_truncate(path: Path, size: int) -> None:
        writes.append(("truncate", size))
        truncate(path, size)

    def recorded_append(path: Path, data: bytes) -> None:
        writes.append(("append", data))
        append(path, data)

    monkeypatch.setattr(durable, "truncate", recorded_truncate)
    monkeypatch.setattr(durable, "append", recorded_append)
    return writes


@pytest.mark.parametrize("seed", range(8))
def test_a_log_append_torn_at_a_random_byte_is_completed_exactly_once(tmp_path, seed, monkeypatch):
    base = tmp_path / "base"
    (base / "_history").mkdir(parents=True)
    (base / "THA.yaml").write_text("member: THA\nactions: []\n# old\n")
    (base / "_history" / "log.jsonl").write_text('{"change_id": "earlier", "member": "IDN"}\n')
    change = small_change()
    expected = (base / "_history" / "log.jsonl").read_bytes() + "".join(f"{x}\n" for x in change.log_lines).encode()
    steps = traced(lambda: Journal(copy_of(base, tmp_path / "dry")).commit(change))
    (log_write,) = [n for n, step in enumerate(steps, start=1) if step == ("write", "log.jsonl")]
    rng = random.Random(seed)
    line_ends = list(_line_ends(change))
    # Some cuts fall right at a line's end (no torn line, some lines missing), others inside a line.
    cut = rng.choice(line_ends[:-1]) if seed % 2 else rng.randrange(1, line_ends[-1])
    trial = copy_of(base, tmp_path / "trial")

    assert run_killed(lambda: Journal(trial).commit(change), log_write, cut) == KILLED

    log = trial / "_history" / "log.jsonl"
    assert log.read_bytes() == expected[: len(expected) - line_ends[-1] + cut], "exactly the first cut bytes landed"
    writes = log_writes(monkeypatch)
    assert Journal(trial).recover() == ["THA"]
    assert log.read_bytes() == expected
    assert [e.get("n") for e in read_log(log)] == [None, *range(40)]
    # The whole lines that landed stay as they are: only a torn tail is cut, and only the missing lines follow.
    earlier = len(expected) - line_ends[-1]
    whole = max([0, *(end for end in line_ends if end <= cut)])
    cut_tail = [("truncate", earlier + whole)] if whole < cut else []
    assert writes == [*cut_tail, ("append", expected[earlier + whole :])]


def test_recovering_a_change_already_logged_whole_writes_nothing_to_the_log(tmp_path, monkeypatch):
    data_dir, change = committed_state(tmp_path, ("unlink", "THA.json"))
    log = data_dir / "_history" / "log.jsonl"
    before = log.read_bytes()
    writes = log_writes(monkeypatch)

    assert Journal(data_dir).recover() == ["THA"]

    assert writes == [] and log.read_bytes() == before
    assert before.endswith("".join(f"{line}\n" for line in change.log_lines).encode())


def test_a_log_append_that_does_not_read_back_stops_the_change(tmp_path, monkeypatch):
    """Every step is checked before the next: an append the disk lost part of is never taken as done."""
    append = durable.append
    monkeypatch.setattr(durable, "append", lambda path, data: append(path, data[:-3]))
    (tmp_path / "THA.yaml").write_text("member: THA\nactions: []\n# old\n")

    with pytest.raises(JournalError, match=r"^log\.jsonl does not read back as written$"):
        Journal(tmp_path).commit(small_change(2))

    assert (tmp_path / "_history" / "pending" / "THA.json").is_file(), "the change stays pending, to be completed"


def test_a_change_to_the_very_bytes_already_there_completes_and_leaves_nothing_pending(tmp_path):
    change = small_change(2)
    (tmp_path / "THA.yaml").write_bytes(change.data)

    assert Journal(tmp_path).commit(change) == tmp_path / "THA.yaml"

    assert (tmp_path / "THA.yaml").read_bytes() == change.data
    assert files(tmp_path / "_history" / "versions") == {f"THA/{STAMP[0]}-THA.yaml": change.data}
    assert [e["n"] for e in read_log(tmp_path / "_history" / "log.jsonl")] == [0, 1]
    assert not any((tmp_path / "_history" / "pending").iterdir())


def _line_ends(change: Change):
    total = 0
    for line in change.log_lines:
        total += len(f"{line}\n".encode())
        yield total


def test_a_torn_line_no_change_owns_is_cut_by_the_next_change(tmp_path):
    """A log cut by hand mid-line cannot be parsed; the next change cuts the fragment and logs whole lines."""
    (tmp_path / "_history").mkdir()
    log = tmp_path / "_history" / "log.jsonl"
    log.write_bytes(b'{"change_id": "a"}\n{"change_id": "b", "mem')
    assert [e["change_id"] for e in read_log(log)] == ["a"]

    Journal(tmp_path).commit(small_change(2))

    assert log.read_bytes().split(b"\n")[:2] == [b'{"change_id": "a"}', small_change(2).log_lines[0].encode()]
    assert len(read_log(log)) == 3


# --- a reader during writes -----------------------------------------------------------------------------------


def test_a_reader_never_sees_a_half_written_member_file(tmp_path):
    """A reader polls the member file while another process commits multi-MB versions of it, one after another."""
    versions = [bytes([65 + n]) * (2 * durable.CHUNK_BYTES + 12345 * n) for n in range(4)]
    digests = {hashlib.sha256(v).hexdigest() for v in versions}
    data_dir = tmp_path / "data"
    (data_dir / "_history").mkdir(parents=True)
    target = data_dir / "THA.yaml"
    target.write_bytes(versions[0])
    enough = tmp_path / "enough"  # the reader's signal to the writer: it has seen the file change, many times

    def writer() -> None:
        journal = Journal(data_dir)
        for n in range(1, 40):
            if enough.exists():
                return
            journal.commit(Change(f"c{n:02d}", "THA", versions[n % 4], (f'{{"n": {n}}}',)))

    seen: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.append(hashlib.sha256(target.read_bytes()).hexdigest())
            if len(seen) >= 30 and len(set(seen)) >= 3:
                enough.touch()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert run_killed(writer) == 0
    finally:
        stop.set()
        thread.join()

    assert set(seen) <= digests, "a reader saw bytes that were never a whole version"
    assert len(seen) >= 30 and len(set(seen)) >= 3, "the reader saw the file change, again and again"


# --- recovery from states that only a hand edit (or an older version) leaves ---------------------------------


def committed_state(tmp_path: Path, stop_before: tuple[str, str]) -> tuple[Path, Change]:
    """A data directory where a change was committed and then killed just before ``stop_before``."""
    base = tmp_path / "data"
    (base / "_history").mkdir(parents=True)
    (base / "THA.yaml").write_text("member: THA\nactions: []\n# old\n")
    change = small_change(3)
    steps = traced(lambda: Journal(copy_of(base, tmp_path / "dry")).commit(change))
    number = steps.index(stop_before) + 1
    assert run_killed(lambda: Journal(base).commit(change), number) == KILLED
    return base, change


def test_recovery_refuses_when_the_previous_version_is_lost_and_changes_nothing(tmp_path):
    data_dir, _ = committed_state(tmp_path, ("create", f".{STAMP[0]}-THA.yaml.tmp"))
    (data_dir / "THA.yaml").write_text("edited by hand after the crash\n")
    before = files(data_dir)

    with pytest.raises(JournalError, match=r"THA\.yaml no longer holds the bytes recorded before change") as refused:
        Journal(data_dir).recover()

    assert str(refused.value).endswith("restore the file from a backup, then run the app or `apply` again")
    assert files(data_dir) == before


def test_a_copy_of_the_previous_version_that_does_not_match_stops_the_change(tmp_path, monkeypatch):
    """Each copy is checked before it becomes a version: a copy that lost bytes is never kept, nothing moves on."""
    data_dir, _ = committed_state(tmp_path, ("create", f".{STAMP[0]}-THA.yaml.tmp"))
    before = (data_dir / "THA.yaml").read_bytes()

    def losing_copy(source: Path, path: Path) -> None:
        durable.write_file(path, source.read_bytes()[:-1])

    monkeypatch.setattr(durable, "copy_file", losing_copy)

    with pytest.raises(
        JournalError, match=r"^the copy of THA\.yaml in _history/versions/THA does not match the original$"
    ):
        Journal(data_dir).recover()

    assert (data_dir / "THA.yaml").read_bytes() == before
    assert files(data_dir / "_history" / "versions" / "THA") == {f".{STAMP[0]}-THA.yaml.tmp": before[:-1]}


def test_recovery_refuses_a_log_shorter_than_when_the_change_began(tmp_path):
    data_dir, _ = committed_state(tmp_path, ("open", "log.jsonl"))
    log = data_dir / "_history" / "log.jsonl"
    log.write_text("")
    intent = data_dir / "_history" / "pending" / "THA.json"
    recorded = json.loads(intent.read_text())
    intent.write_text(json.dumps({**recorded, "log_offset": 10}))

    with pytest.raises(
        JournalError,
        match=r"log\.jsonl is shorter \(0 bytes\) than before the change .*\(10 bytes\); restore it from a backup$",
    ):
        Journal(data_dir).recover()


def test_recovery_refuses_a_pending_file_that_is_not_the_one_committed(tmp_path):
    data_dir, _ = committed_state(tmp_path, ("rename", "THA.yaml"))
    (data_dir / "_history" / "pending" / "THA.yaml").write_text("not what was committed\n")

    with pytest.raises(JournalError, match=r"the pending THA\.yaml does not hold the bytes its change recorded"):
        Journal(data_dir).recover()
    assert (data_dir / "THA.yaml").read_text() == "member: THA\nactions: []\n# old\n"


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"log": []}', '{"change_id": "x"}', '{"format": 3}'])
def test_recovery_refuses_an_intent_it_cannot_read(tmp_path, text):
    pending = tmp_path / "_history" / "pending"
    pending.mkdir(parents=True)
    (pending / "THA.json").write_text(text)

    with pytest.raises(JournalError, match=r"THA\.json in _history/pending"):
        Journal(tmp_path).recover()


def test_a_damaged_versions_copy_is_made_again_from_the_original(tmp_path):
    data_dir, _ = committed_state(tmp_path, ("rename", "THA.yaml"))
    kept = data_dir / "_history" / "versions" / "THA" / f"{STAMP[0]}-THA.yaml"
    kept.write_text("member: THA\n")  # cut short, as the first version of the store left such copies

    Journal(data_dir).recover()

    assert kept.read_text() == "member: THA\nactions: []\n# old\n"
    assert (data_dir / "THA.yaml").read_bytes() == small_change(3).data


# --- intents left by the first version of the store -------------------------------------------------------------


LEGACY_NEW = "# THA: applied by Admin from THA.yaml (legacy-1).\nmember: THA\nactions: []\n"


def legacy_state(
    tmp_path: Path,
    *,
    pending_file: bool,
    installed: bool,
    logged: int,
    earlier: tuple[str, ...] = ('{"change_id": "earlier"}',),
    title: str = "Border liaison",
    new: str = LEGACY_NEW,
) -> tuple[Path, list[dict]]:
    """What the first store version left: ``pending/THA.json`` ({change_id, log}), maybe ``pending/THA.yaml``.

    Its log lines were ``json.dumps(entry, ensure_ascii=False)``; ``earlier`` are the log's lines before them.
    """
    data_dir = tmp_path / "data"
    pending = data_dir / "_history" / "pending"
    pending.mkdir(parents=True)
    (data_dir / "THA.yaml").write_text("member: THA\nactions: []\n# old\n")
    entries = [{"change_id": "legacy-1", "member": "THA", "kind": "changed", "new": title, "n": n} for n in range(5)]
    (pending / "THA.json").write_text(json.dumps({"change_id": "legacy-1", "log": entries}))
    if pending_file:
        (pending / "THA.yaml").write_text(new, encoding="utf-8")
    if installed:
        (data_dir / "THA.yaml").write_text(new, encoding="utf-8")
    log = "".join(f"{line}\n" for line in earlier)
    log += "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries[:logged])
    log += '{"change_id": "legacy-1", "me' if logged else ""
    (data_dir / "_history" / "log.jsonl").write_text(log, encoding="utf-8")
    return data_dir, entries


def test_a_legacy_intent_with_its_pending_file_is_completed(tmp_path):
    data_dir, entries = legacy_state(tmp_path, pending_file=True, installed=False, logged=0)

    assert Journal(data_dir).recover() == ["THA"]

    assert (data_dir / "THA.yaml").read_text().startswith("# THA: applied by Admin from THA.yaml (legacy-1).")
    assert [p.name for p in (data_dir / "_history" / "versions" / "THA").iterdir()] == ["legacy-1-THA.yaml"]
    assert read_log(data_dir / "_history" / "log.jsonl") == [{"change_id": "earlier"}, *entries]


def test_a_legacy_intent_cut_short_in_its_log_gets_the_missing_lines(tmp_path):
    """The defect of the first version: recovery saw the change id in the log and skipped the rest."""
    data_dir, entries = legacy_state(tmp_path, pending_file=False, installed=True, logged=2)

    assert Journal(data_dir).recover() == ["THA"]

    assert read_log(data_dir / "_history" / "log.jsonl") == [{"change_id": "earlier"}, *entries]
    assert not any((data_dir / "_history" / "pending").iterdir())


@pytest.mark.parametrize(
    "earlier", [(), ("[]",)], ids=["the-change-is-the-whole-log", "after-a-line-that-is-no-change"]
)
def test_a_legacy_change_logs_each_line_once_as_that_format_wrote_it(tmp_path, earlier):
    """Lines already logged stay byte for byte (accents as UTF-8, not \\u escapes); only the missing ones follow."""
    data_dir, entries = legacy_state(
        tmp_path, pending_file=False, installed=True, logged=2, earlier=earlier, title="Protección de víctimas"
    )
    log = data_dir / "_history" / "log.jsonl"
    logged = log.read_bytes()[: durable.complete_size(log)]

    assert Journal(data_dir).recover() == ["THA"]

    text = log.read_bytes()
    assert text.startswith(logged) and text.count("Protección de víctimas".encode()) == 5
    assert text.decode().splitlines() == [*earlier, *(json.dumps(e, ensure_ascii=False) for e in entries)]


def test_a_legacy_file_whose_first_4096_bytes_end_inside_a_character_is_recognised(tmp_path):
    """The change id is looked for in the file's first 4096 bytes, which may cut a two-byte character in half."""
    head = LEGACY_NEW + "# "
    padding = "x" * ((4095 - len(head.encode())) % 2)  # so that the 4096th byte is the first of an "é"
    new = head + padding + "é" * 3000 + "\n"
    assert new.encode()[4095:4097] == "é".encode()
    data_dir, entries = legacy_state(tmp_path, pending_file=False, installed=True, logged=0, new=new)

    assert Journal(data_dir).recover() == ["THA"]

    assert (data_dir / "THA.yaml").read_text(encoding="utf-8") == new
    assert read_log(data_dir / "_history" / "log.jsonl") == [{"change_id": "earlier"}, *entries]


def test_a_legacy_change_that_replaced_an_xlsx_removes_it_once_its_copy_is_kept(tmp_path):
    """The first format copied the old files aside before installing the new one, and removed them after."""
    data_dir, _ = legacy_state(tmp_path, pending_file=False, installed=True, logged=5)
    (data_dir / "THA.xlsx").write_bytes(b"PK the old workbook")
    versions = data_dir / "_history" / "versions" / "THA"
    versions.mkdir(parents=True)
    (versions / "legacy-1-THA.xlsx").write_bytes(b"PK the old workbook")

    assert Journal(data_dir).recover() == ["THA"]

    assert sorted(p.name for p in data_dir.iterdir()) == ["THA.yaml", "_history"]
    assert (data_dir / "THA.yaml").read_text() == LEGACY_NEW
    assert files(versions) == {"legacy-1-THA.xlsx": b"PK the old workbook"}


def test_a_legacy_intent_never_committed_is_dropped(tmp_path):
    data_dir, _ = legacy_state(tmp_path, pending_file=False, installed=False, logged=0)

    assert Journal(data_dir).recover() == []

    assert (data_dir / "THA.yaml").read_text() == "member: THA\nactions: []\n# old\n"
    assert read_log(data_dir / "_history" / "log.jsonl") == [{"change_id": "earlier"}]
    assert not any((data_dir / "_history" / "pending").iterdir())


# --- the steps themselves ------------------------------------------------------------------------------------


def test_a_torn_write_writes_exactly_the_bytes_asked_then_dies(tmp_path):
    path = tmp_path / "f"
    data = bytes(range(256)) * 5000  # more than one chunk

    assert run_killed(lambda: durable.write_file(path, data), 3, 1000) == KILLED  # create, chunk 1, chunk 2 torn

    assert path.read_bytes() == data[: durable.CHUNK_BYTES + 1000]


def test_every_step_is_counted_in_order(tmp_path):
    source = tmp_path / "a"
    steps = traced(
        lambda: (
            durable.mkdir(tmp_path / "x" / "y"),
            durable.write_file(source, b"12"),
            durable.append(tmp_path / "log", b"1\n"),
            durable.append(tmp_path / "log", b"2\n"),
            durable.truncate(tmp_path / "log", 2),
            durable.copy_file(source, tmp_path / "b"),
            durable.replace(tmp_path / "b", tmp_path / "c"),
            durable.unlink(tmp_path / "c"),
            durable.fsync_file(source),
        )
    )
    assert steps == [
        ("mkdir", "x"),
        ("fsync-dir", tmp_path.name),
        ("mkdir", "y"),
        ("fsync-dir", "x"),
        ("create", "a"),
        ("write", "a"),
        ("fsync", "a"),
        ("open", "log"),
        ("write", "log"),
        ("fsync", "log"),
        ("fsync-dir", tmp_path.name),  # the log was created
        ("open", "log"),
        ("write", "log"),
        ("fsync", "log"),
        ("truncate", "log"),
        ("fsync", "log"),
        ("create", "b"),
        ("write", "b"),
        ("fsync", "b"),
        ("rename", "c"),
        ("unlink", "c"),
        ("fsync", "a"),
    ]
    assert (tmp_path / "log").read_bytes() == b"1\n" and not (tmp_path / "c").exists()


def test_every_fsync_syncs_the_file_or_folder_its_step_names(tmp_path, monkeypatch):
    """What is fsynced is the very file (or directory) just changed, through a descriptor open on it."""
    synced: list[str] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")).name))
    source = tmp_path / "a"
    steps = traced(
        lambda: (
            durable.mkdir(tmp_path / "x"),
            durable.write_file(source, b"12"),
            durable.append(tmp_path / "log", b"1\n2\n"),
            durable.truncate(tmp_path / "log", 2),
            durable.copy_file(source, tmp_path / "b"),
            durable.fsync_file(source),
            durable.fsync_dir(tmp_path),
        )
    )

    assert synced == [name for kind, name in steps if kind in ("fsync", "fsync-dir")]
    assert synced == [tmp_path.name, "a", "log", tmp_path.name, "log", "b", "a", tmp_path.name]


def test_dying_at_a_step_is_a_kill_9_of_the_process_itself_before_the_step(tmp_path, monkeypatch):
    """Run here, with kill intercepted: the signal is SIGKILL (no cleanup, no flush), sent to this process."""
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: sent.append((pid, sig)))
    monkeypatch.setenv(durable.CRASH_ENV, "2")
    path = tmp_path / "f"
    path.write_bytes(b"old")
    durable.reset_steps()

    with pytest.raises(SystemExit):
        durable.write_file(path, b"new")  # step 1 creates (and truncates) the file, step 2 would write

    assert sent == [(os.getpid(), signal.SIGKILL)]
    assert path.read_bytes() == b""


def test_steps_are_recorded_only_when_asked(tmp_path):
    assert traced(lambda: durable.write_file(tmp_path / "f", b"x")) == [("create", "f"), ("write", "f"), ("fsync", "f")]

    durable.write_file(tmp_path / "g", b"y")  # traced() ended with reset_steps(): counting, but no trace

    assert durable.traced_steps() == []


def test_complete_size_ends_at_the_last_newline(tmp_path):
    path = tmp_path / "log"
    assert durable.complete_size(path) == 0
    cases = [(b"", 0), (b"abc", 0), (b"a\n", 2), (b"a\nbc", 2), (b"a\nb\n", 4), (b"\n", 1), (b"\nabc", 1)]
    for text, size in cases:  # the last two: a file of one newline, and a newline as the very first byte
        path.write_bytes(text)
        assert durable.complete_size(path) == size, text
    path.write_bytes(b"x\n" + b"y" * (durable.CHUNK_BYTES + 10))  # the newline is a chunk away from the end
    assert durable.complete_size(path) == 2


def test_a_file_state_checks_size_and_digest(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    state = durable.FileState.of_file(path)
    assert state == durable.FileState("f", 3, hashlib.sha256(b"abc").hexdigest())
    assert state.held_by(path) and not state.held_by(tmp_path / "missing")
    path.write_bytes(b"abd")
    assert not state.held_by(path)
    path.write_bytes(b"abcd")
    assert not state.held_by(path)
    assert durable.read_range(path, 1, 2) == b"bc" and durable.read_range(path, 3, 9) == b"d"


# --- every write goes through the numbered steps --------------------------------------------------------------

WRITERS = [
    "tracker/records/store.py",
    "tracker/records/journal.py",
    "tracker/records/submissions.py",
    "tracker/records/record_check.py",
    "tracker/records/rounds.py",
    "tracker/records/catalog_journal.py",
    "tracker/records/catalog_update.py",
]
OS_WRITES = {"replace", "rename", "unlink", "remove", "rmdir", "mkdir", "makedirs", "fsync", "truncate", "ftruncate"}
OS_WRITES |= {"write", "open", "link", "symlink"}
PATH_WRITES = {"write_text", "write_bytes", "unlink", "mkdir", "rmdir", "touch", "symlink_to", "hardlink_to"}


def _writes_a_file(node: ast.Call) -> bool:
    function = node.func
    if isinstance(function, ast.Name):
        return function.id == "open" and _write_mode(node)
    if not isinstance(function, ast.Attribute):
        return False
    owner = function.value.id if isinstance(function.value, ast.Name) else None
    if owner == "durable":
        return False
    if owner == "shutil":
        return True
    if owner == "os":
        return function.attr in OS_WRITES
    if function.attr in ("replace", "rename"):  # Path.replace(target); str.replace takes two arguments
        return len(node.args) == 1
    return function.attr in PATH_WRITES or (function.attr == "open" and _write_mode(node))


def _write_mode(node: ast.Call) -> bool:
    modes = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
    return any(set(str(m)) & set("wax+") for m in modes)


@pytest.mark.parametrize("module", WRITERS)
def test_the_write_path_changes_files_only_through_durable_steps(module):
    """A write that bypasses tracker.records.durable would be a step the crash walk never kills."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    bypasses = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call) and _writes_a_file(node)]
    assert bypasses == []


def test_the_write_path_check_finds_each_kind_of_bypass():
    sources = [
        "os.replace(a, b)",
        "shutil.copy2(a, b)",
        "path.write_bytes(b'x')",
        "path.unlink()",
        "path.replace(target)",
        "open(path, 'w')",
        "path.open(mode='ab')",
        "self.history.mkdir(parents=True)",
    ]
    harmless = ["durable.replace(a, b)", "text.replace('a', 'b')", "replace(preview, issues=[])", "path.open('rb')"]
    harmless += ["frame.rename(columns={})", "actions.copy()", "os.environ.get('x')", "open(path)"]
    assert [_writes_a_file(ast.parse(s).body[0].value) for s in sources] == [True] * len(sources)
    assert [_writes_a_file(ast.parse(s).body[0].value) for s in harmless] == [False] * len(harmless)


def test_a_change_with_no_log_lines_writes_no_log(tmp_path):
    (tmp_path / "_history").mkdir()

    written = Journal(tmp_path).commit(Change("c", "THA", b"member: THA\nactions: []\n", ()))

    assert written.read_bytes() == b"member: THA\nactions: []\n"
    assert not (tmp_path / "_history" / "log.jsonl").exists()
    assert Journal(tmp_path).recover() == []


def test_a_folder_made_by_another_process_meanwhile_is_no_error(tmp_path, monkeypatch):
    """Two first applies check for ``_history`` at once: the one that finds it made by the other goes on."""
    target = tmp_path / "data" / "_history"
    step = durable._step

    def the_other_process_first(kind: str, path: Path) -> int | None:
        if kind == "mkdir" and path == target:
            path.mkdir()
        return step(kind, path)

    monkeypatch.setattr(durable, "_step", the_other_process_first)

    durable.mkdir(target)

    assert target.is_dir()


# --- the durable helpers' own edges (docs/mutation-testing.md) ------------------------------------------------


def test_files_the_store_writes_are_readable_by_all_and_writable_by_the_owner(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        durable.write_file(tmp_path / "IDN.yaml", b"member: IDN\n")
        durable.append(tmp_path / "log.jsonl", b"{}\n")
    finally:
        os.umask(old)

    assert [(tmp_path / name).stat().st_mode & 0o777 for name in ("IDN.yaml", "log.jsonl")] == [0o644, 0o644]


def test_a_torn_write_always_leaves_the_chunk_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The harness asks for the first write (step 2, after "create") to stop after 1,000 bytes; a 10-byte chunk
    # is still cut short, or the "torn" file would be whole.
    killed: list[bool] = []
    monkeypatch.setenv(durable.CRASH_ENV, "2")
    monkeypatch.setenv(durable.TORN_ENV, "1000")
    monkeypatch.setattr(durable, "_die", lambda: killed.append(True) or (_ for _ in ()).throw(SystemExit(137)))
    durable.reset_steps()

    with pytest.raises(SystemExit):
        durable.write_file(tmp_path / "IDN.yaml", b"0123456789")

    assert killed == [True] and (tmp_path / "IDN.yaml").read_bytes() == b"012345678"
