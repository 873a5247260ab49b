"""The mutation report's counts (scripts/mutation_summary.py), on results written by hand."""

from __future__ import annotations

import json
from collections import Counter

from scripts.mutation_summary import main, summary, undetected_share


def test_counts_per_module_and_the_share_left_undetected(tmp_path, capsys):
    # mutmut's exit codes: 1 killed, 0 survived, 33 no tests, 36 timeout, None not yet run
    codes = {"a__mutmut_1": 1, "a__mutmut_2": 0, "a__mutmut_3": 33, "a__mutmut_4": 36, "a__mutmut_5": None}
    (tmp_path / "loaders").mkdir()
    (tmp_path / "loaders" / "x.py.meta").write_text(json.dumps({"exit_code_by_key": codes}))

    ((module, counts),) = summary(tmp_path)

    assert module == "loaders/x.py"
    assert counts == Counter({"killed": 1, "survived": 1, "no tests": 1, "timeout": 1, "not checked": 1})
    assert undetected_share(counts) == 2 / 4  # survived and untested, of the four checked
    assert main([str(tmp_path)]) == 0
    assert "| loaders/x.py | 5 | 1 | 1 | 1 | 0 | 1 | 0 | 1 | 50.0% |" in capsys.readouterr().out


def test_nothing_checked_yet_has_no_share(tmp_path):
    assert undetected_share(Counter({"not checked": 3})) is None
    assert main([str(tmp_path)]) == 1  # no results at all: says so and fails
