"""The Step page's charts: a chart component of our own that keeps its plotly.js div.

``st.plotly_chart`` computes a chart's element id from its figure, so a figure that
changes (every step does) is a new element. The browser then unmounts the old chart,
mounts a new one and draws it twice: ``newPlot`` and then a full ``Plotly.react``. This
component keeps one div for the life of its key, and plotly.js draws each new figure once
(``Plotly.react``). The figures and their click targets are the same as with
``st.plotly_chart``, and so is Streamlit's template, in the theme's colours
(``chart.js``). ``benchmarks/bench_app.py`` measures the time from a click to the paint.

plotly.js is the copy inside the installed ``plotly`` package: Streamlit serves that
folder (``/component/explorer.figures.chart.plotly_js/``) as a files-only v1 component, so nothing
is copied or built.
"""

from pathlib import Path

import plotly
import streamlit as st
from streamlit.components import v1 as components_v1

from backprop.explain.notation import QUANTITIES

from ..step.picking import pick_layers
from . import heatmap

_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
# The v1 name is this module's name and the name given (components_v1.declare_component).
_SERVED_AS = "plotly_js"
SRC = f"./component/{__name__}.{_SERVED_AS}/plotly.min.js"
# A component's code must be one string; isolate_styles=False puts the div in the page
# itself, where plotly.js puts its styles (document.head). The chart keeps the width of its
# figure: on a narrow screen (a phone) its box scrolls sideways, where squeezing it would
# draw the numbers over each other and out of their cells.
_CHART = st.components.v2.component(
    "explorer.plot", html='<div class="bp-plot"></div>',
    css='[data-testid="stElementContainer"]:has(.bp-plot) {\n  overflow-x: auto;\n}\n',
    js=(Path(__file__).parent / "chart.js").read_text(encoding="utf-8"),
    isolate_styles=False)


def pick_of(value, net):
    """(quantity, l, j, k) of a clicked cell, from the trigger value the browser sent
    (the cell's customdata: [index in QUANTITIES, l, j, k], k = 0 for a vector); None for
    anything else. Whatever a raw websocket message carries, only a cell of ``net`` gets
    through, and nothing is converted before its type and size are checked."""
    if not isinstance(value, list) or len(value) != 4:
        return None
    if not all(type(c) is int or (type(c) is float and c.is_integer() and abs(c) < 1e6)
               for c in value):
        return None
    qi, l, j, k = (int(c) for c in value)
    if not 0 <= qi < len(QUANTITIES):
        return None
    q = QUANTITIES[qi]
    if q == "cost" or l not in pick_layers(net, q) or not 1 <= j <= net.sizes[l - 1]:
        return None
    if q not in ("w", "nabla_w"):
        return (q, l, j, None) if k == 0 else None
    return (q, l, j, k) if 1 <= k <= net.sizes[l - 2] else None


def show(fig, key, net, on_pick):
    """Draw ``fig`` (a figure of ``explorer.figures`` for ``net``) under ``key``. After a
    click on one of its cells, ``on_pick(cell)`` is called before the rerun with the cell
    as (quantity, l, j, k); a click value that is no cell of ``net`` is ignored."""
    # Serve plotly.js (registering again is a dictionary update).
    components_v1.declare_component(_SERVED_AS, path=str(_PLOTLY_DIR))

    def picked():
        cell = pick_of(st.session_state[key].get("pick"), net) \
            if key in st.session_state else None
        if cell:
            on_pick(cell)

    return _CHART(key=key, data={"src": SRC, "fig": heatmap.wire(fig)},
                  on_pick_change=picked, width="stretch")
