"""The Step page's chart component: every step of one example, stepped in the browser.

The server sends the steps once (``explorer.step.payload``: texts, equations, figures and
each step's first derivation); ``chart.js`` then steps through them with Prev, Next, the
slider and the keys → ← n p, with no message to the server: it redraws only what a step
changes (a panel's numbers, the outlines) and keeps the step in the page's address
(``?step=``), where a reload and the Back button find it (``url_step``).
What needs the server sends a trigger value: "pick", a click on a cell, with the step (its
derivation comes back as ``data["picked"]``); "at", the step shown, sent once before the
student works another widget of the page after stepping (not once per step), so that
practice, the lesson link and the exports start from the step on screen; and "step" where
stepping needs the server (practice mode, where each step asks its question first).

The heatmaps are drawn by ``chart.js`` itself, one HTML cell per number, from the same
figure dicts ``explorer.figures.network`` makes for plotly: a step then changes a few
dozen cells instead of redrawing a whole plotly figure. σ's curve is drawn by plotly.js,
the copy inside the installed ``plotly`` package, which Streamlit serves as a files-only
v1 component (``/component/explorer.figures.chart.plotly_js/``). The equations are typeset
by KaTeX, the version ``st.latex`` uses (``katex/``).
"""

from pathlib import Path

import plotly
import streamlit as st
from streamlit.components import v1 as components_v1

from backprop.explain.notation import QUANTITIES

from .heatmap import layers_of

_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
# The v1 name is this module's name and the name given (components_v1.declare_component).
_SERVED_AS = "plotly_js"
SRC = f"./component/{__name__}.{_SERVED_AS}/plotly.min.js"
_HERE = Path(__file__).parent
# KaTeX 0.16.47 (MIT, katex/LICENSE), from the npm package's dist/: the version st.latex
# uses in the pinned Streamlit, whose page already carries its CSS and fonts. (Streamlit's
# own standalone katex module is a newer KaTeX, whose class names that CSS does not know.)
_KATEX_DIR = _HERE / "katex"
_KATEX_AS = "katex_js"
KATEX = f"./component/{__name__}.{_KATEX_AS}/katex.min.js"
# isolate_styles=False puts the component in the page itself: the keyboard, the page's
# address and Streamlit's theme variables are all at hand.
_CHART = st.components.v2.component(
    "explorer.stepper", html='<div class="bp-stepper"></div>',
    css=(_HERE / "chart.css").read_text(encoding="utf-8"),
    js=(_HERE / "chart.js").read_text(encoding="utf-8"),
    isolate_styles=False)
# What changes from one rerun to the next (the step the server moved to, a clicked cell's
# derivation) goes through a second, invisible component: the steps' component then gets
# the same data at every rerun, and Streamlit sends an unchanged message again only as a
# reference to the browser's copy (the steps of 6 layers of 16 are about 0.4 MB).
_STATE = st.components.v2.component(
    "explorer.stepper_state", html='<span class="bp-state"></span>',
    css='[data-testid="stElementContainer"]:has(.bp-state) {\n  display: none;\n}\n',
    js="""export default function ({data}) {
  window.__bpStepperState = data;
  const s = window.__bpStepper;
  if (s && s.root.isConnected) s.sync(data);
  // Gone with the page: a Step page opened again must not start from this run's state.
  return () => { if (window.__bpStepperState === data) window.__bpStepperState = null; };
}
""", isolate_styles=False)
MAX_STEP_DIGITS = 3


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
    if q == "cost" or l not in layers_of(net, q) or not 1 <= j <= net.sizes[l - 1]:
        return None
    if q not in ("w", "nabla_w"):
        return (q, l, j, None) if k == 0 else None
    return (q, l, j, k) if 1 <= k <= net.sizes[l - 2] else None


def step_of(value, n):
    """A step index 0..n−1 from a trigger value or the address's text, else None."""
    if type(value) is str:
        value = (int(value) - 1 if value.isascii() and value.isdigit()
                 and len(value) <= MAX_STEP_DIGITS else None)
    if type(value) is float and value.is_integer() and abs(value) < 1e6:
        value = int(value)
    return value if type(value) is int and 0 <= value < n else None


def url_step(n):
    """The step (0-based) the page's address names (``?step=``, counted from 1 like the
    slider; the component keeps it there), or None. Bounded before it is read."""
    found = st.query_params.get_all("step")
    return step_of(found[-1][:MAX_STEP_DIGITS + 1], n) if found else None


def show(data, state, key, net, n, on_pick, on_step):
    """Draw the component with ``data`` (``explorer.step.payload`` and its "id") and
    ``state`` ("id", "step", "seq", "local" and "picked"). Before the rerun,
    ``on_step(i, moved)`` is called with the
    step the browser shows when it reports it (``moved`` False: the browser is already
    there), or asks the server for it (``moved`` True, practice mode); ``on_pick(cell)``
    after a click on a cell of ``net``, once the step is known. Values that are no cell or
    step are ignored."""
    # Serve plotly.js and KaTeX (registering again is a dictionary update).
    components_v1.declare_component(_SERVED_AS, path=str(_PLOTLY_DIR))
    components_v1.declare_component(_KATEX_AS, path=str(_KATEX_DIR))

    def value(name):
        return st.session_state[key].get(name) if key in st.session_state else None

    def at():
        i = step_of(value("at"), n)
        if i is not None:
            on_step(i, False)

    def picked():
        v = value("pick")
        if not isinstance(v, dict) or len(v) > 2:
            return
        i, cell = step_of(v.get("step"), n), pick_of(v.get("cell"), net)
        if i is not None and cell:
            on_step(i, False)
            on_pick(cell)

    def stepped():
        i = step_of(value("step"), n)
        if i is not None:
            on_step(i, True)

    out = _CHART(key=key, data={"src": SRC, "katex": KATEX, **data},
                 on_pick_change=picked, on_step_change=stepped, on_at_change=at,
                 width="stretch")
    _STATE(key=f"{key}_state", data=state)
    return out
