"""The one colour palette of the app (Okabe–Ito, safe for colour-blind readers).

Status colours come from the catalog's status scale (configurable); the
colours here are for everything else. Colour is never the only signal: every
status also has an icon, a label and a bar pattern.
"""

from __future__ import annotations

from loaders.catalog import Catalog
from loaders.i18n import N_

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

FRAMEWORK_COLOURS = {"ASC": OKABE_ITO["blue"], "BWP": OKABE_ITO["bluish_green"]}
FRESHNESS = {
    "current": (OKABE_ITO["blue"], "●", N_("Updated recently")),
    "stale": (OKABE_ITO["orange"], "◐", N_("Stale")),
    "not_reported": ("#FFFFFF", "∅", N_("No action reported")),
}
RELATION_COLOURS = {
    "equivalent": OKABE_ITO["blue"],
    "overlapping": OKABE_ITO["sky_blue"],
    "complementary": OKABE_ITO["yellow"],
}
RELATION_ICONS = {"equivalent": "≡", "overlapping": "◎", "complementary": "+"}

# Bar fill patterns by position on the scale, so stacked bars read in greyscale too.
_PATTERNS = ["", "/", ".", "x", "-", "+", "|", "\\"]
FONT = "DejaVu Sans, Arial, sans-serif"


def status_colours(catalog: Catalog) -> dict[str, str]:
    """Status id -> colour, from the catalog scale."""
    return {sid: s.colour for sid, s in catalog.statuses.items()}


def status_patterns(catalog: Catalog) -> dict[str, str]:
    """Status id -> plotly bar pattern shape (first status plain)."""
    return {sid: _PATTERNS[i % len(_PATTERNS)] for i, sid in enumerate(catalog.statuses)}


def status_names(catalog: Catalog) -> dict[str, str]:
    """Status id -> "icon Label", the text shown wherever a status appears."""
    return {sid: f"{s.icon} {s.label}" for sid, s in catalog.statuses.items()}


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG luminance)."""
    red, green, blue = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return "#000000" if luminance > 0.179 else "#FFFFFF"
