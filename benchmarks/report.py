"""Issues 6 and 12's targets checked against a benchmark run, and the run as a plain-text table."""

from __future__ import annotations

INGEST_RATIO = 0.5  # ours at most half the baseline's time
PAGE_FILTER_S = 1.0  # every page after a filter change, at 10×
PAGE_SCALING = 20.0  # 100× time / 1× time, per page
PEAK_MEMORY_MIB = 1024.0  # the app process at 100×
VALIDATE_RATIO = 0.35  # issue 12: `python -m tracker validate` on 49 × 200-row workbooks / the openpyxl loop
COLD_START_S = 3.0  # issue 12: `streamlit run` to the first chart drawn in Chromium, at 1×


def _target(name: str, measured: float, limit: float, unit: str = "") -> dict:
    return {"target": name, "measured": round(measured, 3), "limit": limit, "unit": unit, "met": measured <= limit}


def targets(results: dict) -> list[dict]:
    """Each target of the issue that this run measured, with the value and whether it is met."""
    found: list[dict] = []
    for scale, ingest in results["ingest"].items():
        same = _target(f"ingest {scale}×: ours / openpyxl, same workbooks", ingest["ratio_workbooks"], INGEST_RATIO)
        every = _target(f"ingest {scale}×: ours / naive, all files", ingest["ratio_all_files"], INGEST_RATIO)
        # The words taken literally (our whole directory vs the loop over workbooks alone): not like
        # for like, but printed as a target too so a reader never takes its miss for a pass.
        literal = _target(
            f"ingest {scale}×: ours on every file / openpyxl on the workbooks only (literal)",
            ingest["ratio_whole_dir_vs_issue_baseline"],
            INGEST_RATIO,
        )
        found += [same, every, literal]
    validate = results.get("validate")
    if validate:
        found.append(
            _target(
                "validate 49 workbooks × 200 rows: `python -m tracker validate` / openpyxl loop",
                validate["ratio_validate"],
                VALIDATE_RATIO,
            )
        )
    pages = results["pages"]
    if "10" in pages:
        for name, timing in pages["10"]["pages"].items():
            found.append(_target(f"page {name} at 10× after a filter change", timing["filter"]["median_s"], 1.0, "s"))
    if "1" in pages and "100" in pages:
        for name in pages["1"]["pages"]:
            for kind in ("first", "filter"):
                small = pages["1"]["pages"][name][kind]["median_s"]
                big = pages["100"]["pages"][name][kind]["median_s"]
                found.append(_target(f"page {name} 100×/1× ({kind})", big / small, PAGE_SCALING))
    memory = results.get("memory")
    if memory and memory["scale"] == 100:
        found.append(_target("peak memory of the app at 100×", memory["peak_rss_mib"], PEAK_MEMORY_MIB, "MiB"))
    cold = results.get("cold_start")
    if cold and cold["scale"] == 1:
        found.append(_target("cold start to the first chart drawn at 1×", cold["median_s"], COLD_START_S, "s"))
    return found


def _ingest_table(results: dict) -> list[str]:
    if not results["ingest"]:
        return []
    lines = [
        "Ingest (seconds, median, process start included)",
        f"{'scale':>6} {'ours':>7} {'ours wb':>8} {'openpyxl wb':>12} {'naive all':>10} "
        f"{'wb ratio':>9} {'all ratio':>10} {'dir/wb':>7}",
    ]
    for scale, r in results["ingest"].items():
        lines.append(
            f"{scale + '×':>6} {r['ours']['median_s']:>7.2f} {r['ours_workbooks']['median_s']:>8.2f} "
            f"{r['baseline_workbooks']['median_s']:>12.2f} {r['baseline_all']['median_s']:>10.2f} "
            f"{r['ratio_workbooks']:>9.2f} {r['ratio_all_files']:>10.2f} {r['ratio_whole_dir_vs_issue_baseline']:>7.2f}"
        )
    lines.append(
        "  wb ratio = ours / openpyxl on the same workbooks; all ratio = ours / (openpyxl + yaml.safe_load) on every "
        "file; dir/wb = ours on every file / openpyxl on the workbooks only (not like for like)"
    )
    return lines


def _validate_table(results: dict) -> list[str]:
    v = results.get("validate")
    if not v:
        return []
    load = v["load_average"]
    return [
        "",
        f"Validate scenario (issue 12): {v['directory']}, 49 member templates × 200 actions; seconds, median of "
        f"{len(v['validate']['runs_s'])}, process start included; load average {load['before'][0]:.2f} → "
        f"{load['after'][0]:.2f}",
        f"  python -m tracker validate {v['validate']['median_s']:.2f}   load_dataset {v['ours']['median_s']:.2f}   "
        f"openpyxl loop {v['baseline_workbooks']['median_s']:.2f}   ratios {v['ratio_validate']:.2f} (validate), "
        f"{v['ratio_load_dataset']:.2f} (load_dataset)",
    ]


def _pages_table(results: dict) -> list[str]:
    pages = results["pages"]
    if not pages:
        return []
    scales = list(pages)
    names = list(next(iter(pages.values()))["pages"])
    header = f"{'page':>10} " + " ".join(f"{s + '× first':>11} {s + '× filter':>11}" for s in scales)
    if "1" in pages and "100" in pages:
        header += f" {'100/1 first':>11} {'100/1 filt':>10}"
    lines = ["Page runs (AppTest, seconds, median)", header]
    for name in names:
        timings = [pages[s]["pages"][name] for s in scales]
        row = f"{name:>10} " + " ".join(
            f"{t['first']['median_s']:>11.2f} {t['filter']['median_s']:>11.2f}" for t in timings
        )
        if "1" in pages and "100" in pages:
            one, hundred = pages["1"]["pages"][name], pages["100"]["pages"][name]
            row += f" {hundred['first']['median_s'] / one['first']['median_s']:>11.1f}"
            row += f" {hundred['filter']['median_s'] / one['filter']['median_s']:>10.1f}"
        lines.append(row)
    cold = ", ".join(f"{s}× {pages[s]['cold_first_load_s']:.2f} s" for s in scales)
    changed = ", ".join(
        f"{s}× {pages[s]['one_file_changed']['reload_s']:.2f} s" for s in scales if "one_file_changed" in pages[s]
    )
    memory = ", ".join(f"{s}× {pages[s]['peak_rss_mib']:.0f} MiB" for s in scales)
    lines.append(f"  cold first run (loads the data): {cold}")
    lines.append(f"  new session after the largest file changed (only it is re-read): {changed}")
    lines.append(f"  peak RSS of the AppTest process: {memory}")
    return lines


def format_report(results: dict) -> str:
    """Machine, data, ingest, pages, browser figures and targets as text."""
    m = results["machine"]
    lines = [
        f"Machine: {m['cpu_model']}, {m['nproc']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
        f"load average at start {m['load_average'][0]:.2f}, at end {m['load_average_end'][0]:.2f}",
        "Data: "
        + "; ".join(
            f"{s}×: {d['files']} files ({d['xlsx_files']} xlsx {d['xlsx_bytes'] / 2**20:.1f} MiB, "
            f"{d['yaml_files']} yaml {d['yaml_bytes'] / 2**20:.1f} MiB)"
            for s, d in results["datasets"].items()
        ),
        "",
        *_ingest_table(results),
        *_validate_table(results),
        "",
        *_pages_table(results),
    ]
    if "memory" in results:
        memory = results["memory"]
        lines += [
            "",
            f"Peak RSS of `streamlit run` with every page opened in Chromium at {memory['scale']}×: "
            f"{memory['peak_rss_mib']:.0f} MiB",
        ]
    if "cold_start" in results:
        cold = results["cold_start"]
        lines.append(
            f"Cold start to the first chart drawn in Chromium at {cold['scale']}×: {cold['median_s']:.2f} s "
            f"(server healthy after {cold['server_healthy_median_s']:.2f} s)"
        )
        if "floor_median_s" in cold:
            lines.append(
                f"  the floor (benchmarks/floor_app.py drawing one small chart): {cold['floor_median_s']:.2f} s, "
                f"ours/floor {cold['median_s'] / cold['floor_median_s']:.1f}×"
            )
    lines += ["", "Targets"]
    lines += [
        f"  {'MET ' if t['met'] else 'MISS'} {t['target']}: {t['measured']}{t['unit']} (limit {t['limit']}{t['unit']})"
        for t in results["targets"]
    ]
    return "\n".join(lines)
