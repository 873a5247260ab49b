"""Files the user downloads: CSV tables, safe to open in a spreadsheet.

Text cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) get a leading apostrophe, and
illustrative data carries its label in every exported row.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ILLUSTRATIVE_NOTE = "ILLUSTRATIVE SAMPLE DATA - generated, not real reporting"


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells that would run as formulas are prefixed with ``'``."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            text = series.astype("str")
            risky = text.str.startswith(FORMULA_STARTS).fillna(False) & series.map(lambda v: isinstance(v, str))
            if risky.any():
                out[column] = series.astype(object).where(~risky, "'" + text)
    return out


def table_csv(frame: pd.DataFrame, *, illustrative: bool) -> bytes:
    """CSV bytes (UTF-8 with BOM so Excel reads accents) of a neutralised table."""
    out = neutralise(frame)
    if illustrative:
        out.insert(0, "data_note", ILLUSTRATIVE_NOTE)
    return out.to_csv(index=False).encode("utf-8-sig")
