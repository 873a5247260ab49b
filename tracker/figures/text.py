"""Data text in a plotly figure, shown as the text it is.

plotly.js renders a subset of HTML wherever it draws text: hover labels, tick
labels, legend names, bar and cell text, Sankey labels and annotations
(``<a href>`` becomes a link, ``<b>``, ``<br>``, ``<span style>``, ``<sub>``…).
So every string that comes from data — a member's action title above all, but
also catalog names and titles — goes through :func:`plain` before it reaches a
figure. Escaping ``&``, ``<`` and ``>`` leaves no tag for plotly.js to find;
plotly.js turns the entities back into the characters when it draws the text,
so a reader sees exactly what was written.

Only the figure builders' own markup (``<b>`` around a heading, ``<br>``
between lines) stays markup; user text goes into a figure as data
(``customdata``, ``text``, ``hovertext``, category values, ``ticktext``,
``name``), never inside a ``hovertemplate``, whose ``%{…}`` would be read as
a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterable

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plain(text: object) -> str:
    """``text`` as a string plotly.js draws literally (``&``, ``<``, ``>`` escaped)."""
    return str(text).translate(_ENTITIES)


def plain_all(texts: Iterable[object]) -> list[str]:
    """:func:`plain` of each of ``texts``."""
    return [plain(text) for text in texts]
