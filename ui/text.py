"""User text on a Streamlit page, shown as the text it is.

Streamlit renders Markdown in ``st.markdown``, ``st.caption``, the alerts
(``st.info``/``warning``/``error``/``success``), ``st.table`` cells, and every
widget, metric and expander label: links, images (a tracking pixel), LaTeX
between ``$``, ``:red[…]`` colour directives, ``:material/…:`` icons, raw HTML
is dropped. A member's title such as ``See [this](https://evil.example/x)``
must reach the reader as those characters. So:

- text from the records (titles, descriptions, evidence, notes, lead agency,
  rejection notes, file names, unknown column names, snapshot names…) goes to
  a Markdown element only through :func:`plain`, and a static table of it only
  through :func:`plain_table`;
- lists of records go to ``st.dataframe``, which never renders Markdown; its
  evidence column becomes a link only for an ``http``/``https`` address, and
  the link shows that address (:func:`with_evidence_links`).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from loaders.i18n import N_
from tracker.views.action_table import evidence_url

# CommonMark lets a backslash escape any ASCII punctuation character, and an escaped character is
# always literal: no link, image, emphasis, HTML, entity, table pipe, LaTeX ($, which Streamlit's
# math check skips when escaped), directive (:red[…]) or icon (:material/…: needs the literal
# ":material/" in the source).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Some of Streamlit's Markdown plugins run on the text *after* escapes are resolved, so escaping
# cannot stop them: GFM autolink literals (http://…, https://…, www.…, name@host), emoji and
# icon short codes (:smile:, :material_x:, :streamlit:) and typographic arrows (-> <= -- …).
# A WORD JOINER (U+2060: invisible, zero width, no line break) inside each trigger breaks it.
WORD_JOINER = "\u2060"
_TEXT_TRIGGERS = re.compile(
    r"(?<=:)(?=//)"  # "https:⁠//" is no protocol
    r"|(?i:(?<=www)(?=\.))"  # "www⁠." is no host
    r"|(?<=@)"  # "name@⁠host" is no e-mail address
    r"|(?<=:)(?=[\w+-])"  # ":⁠smile:" is no short code
    r"|(?<=[<>=~-])(?=[<>=~-])"  # "-⁠>" is no arrow
)


EVIDENCE = "Evidence"
EVIDENCE_LINK = N_("Evidence link")  # translated where shown (ui.components.show_rows)


def plain(text: object) -> str:
    """``text`` as Markdown that renders as exactly that text.

    Every ASCII punctuation character is backslash-escaped, so nothing in it is
    read as Markdown, HTML or a Streamlit directive, and an invisible word joiner
    breaks what Streamlit would still turn into a link, an emoji, an icon or an
    arrow (web addresses, e-mail addresses, ``:short_codes:``, ``->``). The reader
    sees the text as written; copied from the page, it may carry those joiners.
    Line breaks stay line breaks (a soft break, or a paragraph for a blank line).
    """
    if text is None:
        return ""
    return _PUNCTUATION.sub(r"\\\1", _TEXT_TRIGGERS.sub(WORD_JOINER, str(text)))


def plain_table(frame: pd.DataFrame, *, links: tuple[str, ...] = (EVIDENCE,)) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table`` (which renders Markdown in every cell): text cells escaped.

    Cells of the ``links`` columns that hold an ``http``/``https`` address become a
    Markdown autolink showing that address; anything else in them is escaped text.
    Column names and the index name are the page's own and stay as they are.
    """

    def cell(value: Any, link: bool) -> Any:
        if not isinstance(value, str):
            return value
        url = evidence_url(value) if link else None
        return f"<{url}>" if url else plain(value)

    out = frame.copy()
    for column in out.columns:
        link = column in links
        out[column] = out[column].astype(object).map(lambda v, link=link: cell(v, link))
    if isinstance(out.index, pd.MultiIndex):
        return out
    out.index = pd.Index([cell(v, False) for v in out.index], name=frame.index.name)
    return out


def with_evidence_links(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``frame`` plus an "Evidence link" column (``http``/``https`` only), and its ``column_config``.

    The "Evidence" column keeps the text as reported; the link column holds the
    address only when it is a safe web address, shown as the link's text (no other
    scheme, such as ``javascript:`` or ``data:``, is ever a link). A frame without
    an "Evidence" column comes back unchanged with no configuration.
    """
    if EVIDENCE not in frame.columns:
        return frame, {}
    position = list(frame.columns).index(EVIDENCE) + 1
    shown = frame.copy()
    shown.insert(position, EVIDENCE_LINK, frame[EVIDENCE].map(evidence_url).astype(object))
    config = {EVIDENCE_LINK: st.column_config.LinkColumn(EVIDENCE_LINK, help=N_("Opens the evidence address."))}
    return shown, config
