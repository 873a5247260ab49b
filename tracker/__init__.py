"""The tracker's domain logic, without Streamlit, grouped by job.

- ``views/``: a filtered view -> numbers (the shared filters and every metric).
- ``figures/``: numbers -> plotly figures (``*_figure(...) -> go.Figure``).
- ``documents/``: a view -> files people take away (briefing pack, exports, images, member template).
- ``records/``: what is written, and its history (store, journal, submissions, snapshots).
- ``access``, ``settings``: cross-cutting (roles and checks; the data directory and today's date).
- ``cli``, ``__main__``: the command line, ``python -m tracker``, over all of them.

Imports point down only: views import no other package here; figures and records build on views;
documents on views, figures and records; only the CLI sits above documents. ``access`` and ``settings``
import nothing of the tracker, and nothing here imports Streamlit, ``ui`` or ``app_pages``.
``tests/test_layers.py`` checks every rule. A new capability gets a module in the package of its job,
not a file at this top level.
"""
