"""The layer between ``backprop`` and the pages: presets, limits, and plain functions that
turn networks and traces into Plotly figures and pandas tables. Only ``explorer.ui``
imports Streamlit."""
