"""st.plotly_chart for the figure dicts of ``explorer.figures``: sent as they are, without
the toolbar, and a figure that prints numbers in its cells kept at its width."""

import re

import plotly.graph_objects as go
import streamlit as st

from . import heatmap


class _Checked(go.Figure):
    """A figure dict that st.plotly_chart sends as it is. Plotly would validate every
    property again on every rerun (about 0.2 s for six layers of 16 neurons); the figure
    functions are instead checked against go.Figure once, in
    tests/explorer/figures/test_figures.py."""

    def __init__(self, fig):
        super().__init__()
        self._checked = heatmap.wire(fig)

    def to_dict(self):
        return self._checked


_CSS_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _prints_numbers(fig):
    """Whether some heatmap of ``fig`` prints its numbers in its cells."""
    return any(t.get("type") == "heatmap" and t.get("texttemplate") for t in fig["data"])


def plotly_chart(fig, key, **kwargs):
    """st.plotly_chart for the figures of ``explorer.figures``, without the toolbar.

    A figure that prints numbers in its cells keeps its width on a narrow screen (a
    phone): it scrolls sideways in its own box, where Streamlit would squeeze it into the
    column and draw its numbers over each other and out of their cells. Other figures
    (curves, points) are squeezed, which they stand well. ``key`` names the chart's box."""
    width = fig["layout"].get("width")
    if width and _prints_numbers(fig) and _CSS_NAME.fullmatch(key):
        # Streamlit gives the chart the width of its box; a minimum width of the box's
        # inner frame makes that the figure's own, and the box (an element container,
        # overflow-x: auto) scrolls. Only numbers and the code's own key go in the CSS.
        st.html(f'<style>.st-key-{key} [data-testid="stFullScreenFrame"] '
                f'{{min-width: {int(width)}px}}</style>')
    return st.plotly_chart(_Checked(fig), key=key, config={"displayModeBar": False}, **kwargs)
