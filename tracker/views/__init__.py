"""A filtered view -> numbers: the shared filters and the metrics computed from a view.

Pages, the briefing pack and the exports all count through these functions, so a number is computed
in one place. May import ``loaders`` and other views; never figures, records, documents or the CLI,
which are built on views (``tests/test_layers.py``).
"""
