"""A view -> files people take away: briefing pack, exports, chart images and the member template.

The briefing pack (HTML and PDF; its Jinja templates in ``templates/``), the Excel and CSV exports of a
view, chart images (PNG, SVG) and the pre-filled member workbook. These read, never change, member
records. May import ``loaders``, ``settings``, views, figures and records (a pack shows what changed
since a snapshot); never the CLI (``tests/test_layers.py``).
"""
