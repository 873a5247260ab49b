"""Figure builders: functions named ``*_figure`` that return plotly figures.

No Streamlit here: pages render the figures, tests inspect them. May import ``loaders``, views (the
numbers drawn) and other figures; never records, documents or the CLI (``tests/test_layers.py``).
"""
