"""Per-module counts of the last mutation run (``make mutation``), as a Markdown table.

mutmut keeps each mutant's result in ``mutants/<module>.py.meta``; ``mutmut results`` lists the
survivors one by one, this adds them up per module for docs/mutation-testing.md.

Usage: ``python scripts/mutation_summary.py [MUTANTS_DIR]`` (default ``mutants``).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

COLUMNS = ["killed", "survived", "timeout", "segfault", "no tests", "suspicious", "not checked"]


def summary(root: Path) -> list[tuple[str, Counter[str]]]:
    """(module, count per status) for every mutated module under ``root``."""
    rows = []
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].values()
        module = str(meta.relative_to(root)).removesuffix(".meta")
        rows.append((module, Counter(status_by_exit_code[code] for code in codes)))
    return rows


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "mutants")
    rows = summary(root)
    if not rows:
        print(f"no mutation results under {root}/; run `make mutation` first", file=sys.stderr)
        return 1
    print("| module | mutants | " + " | ".join(COLUMNS) + " | undetected |")
    print("|---" * (len(COLUMNS) + 3) + "|")
    total: Counter[str] = Counter()
    for module, counts in rows:
        total += counts
        print(_row(module, counts))
    print(_row("**all**", total))
    return 0


def undetected_share(counts: Counter[str]) -> float | None:
    """Survived or untested, as a share of the mutants checked (None before any is checked)."""
    checked = counts.total() - counts["not checked"]
    return (counts["survived"] + counts["no tests"]) / checked if checked else None


def _row(module: str, counts: Counter[str]) -> str:
    share = undetected_share(counts)
    shown = "–" if share is None else f"{share:.1%}"
    return f"| {module} | {counts.total()} | " + " | ".join(str(counts[c]) for c in COLUMNS) + f" | {shown} |"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
