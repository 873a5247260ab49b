"""Figure builders: functions named ``*_figure`` that return plotly figures.

No Streamlit here: pages render the figures, tests inspect them.
"""
