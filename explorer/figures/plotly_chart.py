"""st.plotly_chart for the figure dicts of ``explorer.figures``: sent as they are, without
the toolbar, and a figure that prints numbers in its cells kept at its width; with its text
alternative: an accessible name and its numbers as tables under "Numbers as a table"."""

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..widgets import lazy_expander
from . import heatmap
from .numbers import printed


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


def plotly_chart(fig, key, name, table, label="Numbers as a table", **kwargs):
    """st.plotly_chart for the figures of ``explorer.figures``, without the toolbar.

    ``name`` is the figure's accessible name: Streamlit 1.67 gives the chart's box
    role="figure" and aria-label=``alt``. ``table`` holds the figure's numbers: a DataFrame,
    {title: DataFrame or a sentence}, or a function returning one, called only while the
    expander ``label`` below the chart is open (``numbers``).

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
    out = st.plotly_chart(_Checked(fig), key=key, config={"displayModeBar": False},
                          alt=name, **kwargs)
    numbers(table, f"{key}_numbers", label, name)
    return out


def numbers(table, key, label, name):
    """The expander ``label`` (key ``key``) that shows ``table`` while open: each DataFrame
    an st.table (an HTML table with its row and column headers), named for screen readers
    after the figure ``name`` and its title; a sentence as a caption. Closed, it costs a
    rerun nothing (on the Train page, Play redraws the figures several times a second)."""
    box = lazy_expander(label, key, icon=":material/table:")
    if box is None:
        return
    got = table() if callable(table) else table
    got = {"": got} if isinstance(got, pd.DataFrame) else got
    several = sum(not isinstance(df, str) for df in got.values()) > 1
    with box:
        for title, df in got.items():
            if isinstance(df, str):
                st.caption(f"{title.capitalize()}: {df}." if title else df)
                continue
            if title and several:      # one table: the expander's label names it
                st.caption(title)
            st.table(printed(df),
                     alt=f"{name}; table: {title}" if title else name, width="content")
