"""Run the benchmarks: ingest vs the naive baselines, issue 12's validate scenario, page runs, memory, cold start.

Usage::

    python -m benchmarks.run [--scales 1 10 100] [--repeat 3] [--json out.json] [--no-browser]

Generates (or reuses) the data under ``benchmarks/.data``, measures, prints a
table with the ratios and the targets of issue 6, and writes everything as JSON
(``--json``; default ``benchmarks/.data/results.json``). Takes about 15 minutes
with the defaults on a 2-core machine, most of it at 100× (the naive YAML
baseline alone takes over a minute per run). See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import browser, datasets, ingest, report
from benchmarks.datasets import ROOT
from benchmarks.machine import describe

DEFAULT_SCALES = (1, 10, 100)


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure_ingest(data: datasets.Dataset, repeat: int) -> dict:
    """Median wall time of each ingest program, runs interleaved so background load hits all alike."""
    directories = {
        "ours": data.directory,
        "ours_workbooks": data.workbooks,
        "baseline_workbooks": data.workbooks,
        "baseline_all": data.directory,
    }
    runs: dict[str, list[float]] = {name: [] for name in directories}
    rows: dict[str, str] = {}
    for attempt in range(repeat):
        for name, directory in directories.items():
            log(f"ingest {data.scale}× {name} ({attempt + 1}/{repeat})")
            seconds, printed = ingest.time_process(ingest.PROGRAMS[name], directory)
            runs[name].append(seconds)
            rows[name] = printed
    result: dict = {name: {"median_s": statistics.median(times), "runs_s": times} for name, times in runs.items()}
    result["rows_read"] = rows  # sanity: what each program read (ours: "actions errors")
    med = {name: result[name]["median_s"] for name in directories}
    result["ratio_workbooks"] = med["ours_workbooks"] / med["baseline_workbooks"]
    result["ratio_all_files"] = med["ours"] / med["baseline_all"]
    result["ratio_whole_dir_vs_issue_baseline"] = med["ours"] / med["baseline_workbooks"]
    return result


VALIDATE_REPEAT = 5


def measure_validate(directory: Path, repeat: int = VALIDATE_REPEAT) -> dict:
    """Issue 12: ``python -m tracker validate`` and ``load_dataset`` vs the openpyxl loop on 49 × 200-row templates.

    One untimed run of each first (bytecode and page cache), then ``repeat`` interleaved rounds; medians and
    the ratios to the baseline. About 45 s on the 2-core machine.
    """
    programs = ingest.VALIDATE_PROGRAMS
    ingest.warm_up(programs, directory)
    runs: dict[str, list[float]] = {name: [] for name in programs}
    rows: dict[str, str] = {}
    load_before = os.getloadavg()
    for attempt in range(repeat):
        for name, program in programs.items():
            log(f"validate scenario {name} ({attempt + 1}/{repeat})")
            seconds, printed = ingest.time_process(program, directory)
            runs[name].append(seconds)
            rows[name] = printed
    result: dict = {name: {"median_s": statistics.median(times), "runs_s": times} for name, times in runs.items()}
    result["printed"] = rows  # sanity: validate's verdict, ours "actions errors", the baseline's rows
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    baseline = result["baseline_workbooks"]["median_s"]
    result["ratio_validate"] = result["validate"]["median_s"] / baseline
    result["ratio_load_dataset"] = result["ours"]["median_s"] / baseline
    return result


def measure_pages(data: datasets.Dataset, repeat: int) -> dict:
    """Page runs in a fresh child process (empty caches), see ``benchmarks/pages.py``."""
    log(f"pages {data.scale}× ({repeat} sessions per page)")
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.pages", str(data.directory), "--repeat", str(repeat)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if child.returncode != 0:
        raise RuntimeError(f"page benchmark failed at {data.scale}×: {child.stderr.strip()[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def run(scales: list[int], repeat: int, with_browser: bool) -> dict:
    """Every measurement for ``scales``; returns the JSON-ready report (no ``scales``: the validate scenario only)."""
    results: dict = {"machine": describe(), "config": {"scales": scales, "repeat": repeat}}
    results["datasets"], results["ingest"], results["pages"] = {}, {}, {}
    with_browser = with_browser and bool(scales)
    data = {scale: datasets.ensure(scale, log=log) for scale in scales}
    templates = datasets.ensure_templates(log=log)
    results["validate"] = {"directory": str(templates.relative_to(ROOT)), **measure_validate(templates)}
    for scale, dataset in data.items():
        results["datasets"][str(scale)] = dataset.summary()
        results["ingest"][str(scale)] = measure_ingest(dataset, repeat)
        results["pages"][str(scale)] = measure_pages(dataset, repeat)
    if with_browser:
        log_dir = datasets.DATA_ROOT / "logs"
        biggest = max(scales)
        log(f"browser: peak memory with every page open at {biggest}×")
        results["memory"] = {"scale": biggest, **browser.memory_profile(data[biggest].directory, log_dir)}
        smallest = min(scales)
        log(f"browser: cold start to the first chart at {smallest}× ({repeat} fresh servers)")
        results["cold_start"] = {"scale": smallest, **browser.cold_start(data[smallest].directory, repeat, log_dir)}
    results["machine"]["load_average_end"] = os.getloadavg()
    results["targets"] = report.targets(results)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: measure, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description="Benchmark ingest, pages, memory and cold start (issue 6).")
    parser.add_argument("--scales", type=int, nargs="+", default=list(DEFAULT_SCALES), help="default: 1 10 100")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported")
    parser.add_argument("--json", type=Path, default=datasets.DATA_ROOT / "results.json", help="where to write JSON")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    parser.add_argument(
        "--validate-only", action="store_true", help="only issue 12's validate scenario (~45 s; no scales, no browser)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(s < 1 for s in args.scales):
        parser.error("--repeat and --scales must be positive")
    scales = [] if args.validate_only else sorted(set(args.scales))
    results = run(scales, args.repeat, not args.no_browser)
    print(report.format_report(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
