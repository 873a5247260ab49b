"""Accessibility checks with axe-core (installed by ``npm ci`` into ``node_modules/``), injected with Playwright."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

# (axe rule id, CSS selector) of violations that come from Streamlit's own markup and cannot be fixed in the app.
# Each entry needs a comment naming the Streamlit element and why it cannot be fixed here. With Streamlit 1.67
# and the app as it is, none is needed: keep it that way unless a violation is proven to be Streamlit's.
STREAMLIT_EXCLUSIONS: tuple[tuple[str, str], ...] = ()

_RUN = """
async ([tags, exclusions]) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
    elementRef: true,
  });
  const excluded = (rule, element) =>
    exclusions.some(([id, selector]) => id === rule && element && element.matches(selector));
  return result.violations
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes
        .filter((n) => !excluded(v.id, n.element))
        .map((n) => ({target: n.target, html: n.html.slice(0, 200), impact: n.impact})),
    }))
    .filter((v) => v.nodes.length > 0);
}
"""


def run_axe(page: Page, exclusions: tuple[tuple[str, str], ...] = STREAMLIT_EXCLUSIONS) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now; return the violations."""
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `npm ci` in the project root")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN, [WCAG21_AA, [list(e) for e in exclusions]])


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable line per violation: id, impact, help, first target, node count."""
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} | first target: {' '.join(map(str, v['nodes'][0]['target']))} "
        f"| {v['nodes'][0]['html']!r} | {len(v['nodes'])} node(s) | {v['helpUrl']}"
        for v in violations
    )


def assert_no_serious_violations(page: Page, where: str) -> list[dict[str, Any]]:
    """Fail when axe finds a serious or critical WCAG 2.1 A/AA violation; return the milder ones."""
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if blocking:
        pytest.fail(
            f"axe: {len(blocking)} serious/critical WCAG 2.1 A/AA violation(s) on {where}:\n{describe(blocking)}"
        )
    return violations
