"""What every page shares: the session's state, the network sidebar, and a guard that
turns any unexpected error into a short apology. Streamlit is imported only by the
``*_view`` modules and this one; the rest of ``explorer`` is plain functions.

Session state (per browser session, never module-level):
- the user's choices under plain keys: "sizes", "acts", "cost", "init", "seed", "preset";
- the last valid network and example: "net", "x", "y" (bad input never replaces them);
- "step" (index into the step list), "pick" ((quantity, l, j, k) of the explained cell),
  "version" (bumped when the network is replaced, so table editors start afresh),
  "msg" (error messages, keyed by where they are shown),
  "history" (an ``explorer.history.History``, kept only while it belongs to "net", "x", "y").
Widgets have their own keys ("_seed", ...) refilled from the plain keys on every run, so a
page switch, which drops the state of widgets not drawn, loses nothing. A sidebar change the
network refuses is undone in the plain keys too: every widget shows what is in use.
"""

import functools
import logging
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from backprop import ACTIVATIONS, COSTS, INITS, Network
from backprop.explain.notation import pretty

from . import files, limits
from .figures import heatmap
from .history import History
from .presets import DEFAULT, PRESETS

log = logging.getLogger(__name__)
CUSTOM = "(your own)"
# Streamlit would label the landing page "app" (its file name): the sidebar lists the pages
# itself, and .streamlit/config.toml hides the automatic list.
PAGES = (("app.py", "Welcome", ":material/home:"),
         ("pages/1_Network.py", "Network: weights, x and y", ":material/edit:"),
         ("pages/2_Step_through.py", "Step through one example", ":material/play_arrow:"),
         ("pages/3_Gradient_check.py", "Gradient check and descent", ":material/check_circle:"),
         ("pages/4_Train.py", "Train on data", ":material/model_training:"),
         ("pages/5_Class.py", "Join a class", ":material/groups:"),
         ("pages/6_Teach.py", "Teach a live class", ":material/co_present:"))
# The same pages as a row of short links on top of each page in an iframe (embedded_nav).
SHORT = {"app.py": "Welcome", "pages/1_Network.py": "Network",
         "pages/2_Step_through.py": "Step through", "pages/3_Gradient_check.py": "Gradient check",
         "pages/4_Train.py": "Train", "pages/5_Class.py": "Class", "pages/6_Teach.py": "Teach"}


def ensure_state():
    """Fill in every key a page needs; safe to call at the top of every page."""
    ss = st.session_state
    if "net" not in ss:
        ss.msg = {}
        load_preset(DEFAULT)
        ss.preset = DEFAULT
        ss.init, ss.seed = "standard", 0
        link = st.query_params.get(files.LINK_KEY)
        if link is not None:   # a shared link: ?net=...
            try:
                set_network(*files.from_link(link))
                ss.preset = CUSTOM
            except Exception as e:   # whatever the link holds, the page must still draw
                if not isinstance(e, ValueError):
                    log.exception("a link that could not be read")
                    e = "it could not be read"
                ss.msg["link"] = f"The network in this link could not be loaded: {e}. " \
                                 f"Showing the preset '{DEFAULT}' instead."
        _take_lesson()
    ss.setdefault("step", 0)
    ss.setdefault("pick", None)
    ss.setdefault("msg", {})


def _take_lesson():
    """A lesson link's step, cell, practice and controls; a bad one leaves the default."""
    from backprop.explain.steps import steps

    from . import lesson_view

    ss = st.session_state
    error = lesson_view.apply_lesson(len(steps(ss.net, ss.net.backprop(ss.x, ss.y))))
    if error:
        load_preset(DEFAULT)
        ss.preset = DEFAULT
        ss.msg["link"] = f"{error} Showing the preset {DEFAULT!r} instead."


def shown(control):
    """Whether a lesson link leaves this sidebar control (see explorer.lesson) on view."""
    les = st.session_state.get("lesson")
    return les is None or les.shows(control)


def locked(control):
    les = st.session_state.get("lesson")
    return les is not None and les.locks(control)


def set_network(net, x, y):
    """Make (net, x, y) the session's network, after checking the hosted limits."""
    limits.check_network(net, x, y)
    ss = st.session_state
    ss.net, ss.x, ss.y = net, np.asarray(x, float), np.asarray(y, float)
    ss.sizes = list(net.sizes)
    ss.acts = list(net.activations.values())
    ss.cost = net.cost
    ss.version = ss.get("version", 0) + 1
    ss.pick = None
    ss.history = None


def history():
    """The session's cost history if it belongs to its network and example, else None."""
    ss = st.session_state
    h = ss.get("history")
    return h if isinstance(h, History) and h.belongs_to(ss.net, ss.x, ss.y) else None


def load_preset(name):
    net, x, y = PRESETS[name].make()
    set_network(net, x, y)


def _resized(v, n):
    return np.concatenate([v, np.zeros(max(0, n - len(v)))])[:n]


# The plain keys a sidebar change may set (see _choices)
CHOICES = ("preset", "sizes", "acts", "cost", "init", "seed")


def _choices():
    """The sidebar's choices as they are now, lists copied (a change edits them in place)."""
    ss = st.session_state
    return {k: list(ss[k]) if isinstance(ss[k], list) else ss[k] for k in CHOICES}


def _regenerate(where):
    """New random weights for the chosen sizes, init and seed (a structure change).
    Returns whether the network took them."""
    ss = st.session_state
    try:
        net = Network.random(ss.sizes, ss.acts, ss.cost, seed=int(ss.seed), init=ss.init)
        set_network(net, _resized(ss.x, ss.sizes[0]), _resized(ss.y, ss.sizes[-1]))
    except ValueError as e:
        _refused(where, e)
        return False
    ss.msg.pop("structure", None)
    ss.msg.pop("functions", None)
    return True


def _refunction(where):
    """Same weights, new activations or cost. Returns whether the network took them."""
    ss = st.session_state
    try:
        ss.net = ss.net.replace(activations=ss.acts, cost=ss.cost)
    except ValueError as e:
        _refused(where, e)
        return False
    ss.msg.pop("structure", None)
    ss.msg.pop("functions", None)
    return True


def _refused(where, e):
    """Say why the last change was refused, beside its controls; an earlier refusal's
    message goes, as its change was undone too."""
    ss = st.session_state
    ss.msg.pop("structure", None)
    ss.msg.pop("functions", None)
    ss.msg[where] = f"Not changed: {e}. The network in use stays as it was."


def _changing(change):
    """Run ``change`` (a sidebar callback's work); if it returns False (the network refused
    it), put every choice back as it was, so that every widget shows what is in use rather
    than what was refused."""
    before = _choices()
    if change() is False:
        st.session_state.update(before)


def _take(key, then=None):
    """on_change: copy widget "_key" to the plain key, mark the network custom, rebuild;
    a change the network refuses is undone (``_changing``)."""
    def change():
        ss = st.session_state
        if key.startswith("n_") or key.startswith("act_"):
            kind, l = key.split("_")
            target = ss.sizes if kind == "n" else ss.acts
            target[int(l) - (1 if kind == "n" else 2)] = ss["_" + key]
        else:
            ss[key] = ss["_" + key]
        ss.preset = CUSTOM
        return then() if then else True
    return lambda: _changing(change)


def _set_L():
    def change():
        ss = st.session_state
        L = int(ss._L)
        ss.sizes = (ss.sizes + [ss.sizes[-1]] * L)[:L - 1] + [ss.sizes[-1]]
        hidden = [a for a in ss.acts[:-1] if a != "softmax"] or ["sigmoid"]
        ss.acts = (hidden + [hidden[-1]] * L)[:L - 2] + [ss.acts[-1]]
        ss.preset = CUSTOM
        return _regenerate("structure")
    _changing(change)


def _on_preset():
    ss = st.session_state
    if ss._preset in PRESETS:
        ss.preset = ss._preset
        load_preset(ss._preset)
        ss.msg.clear()


def _control(key):
    """The lesson-link control (explorer.lesson.CONTROLS) a sidebar widget belongs to."""
    if key == "L" or key.startswith("n_"):
        return "structure"
    if key.startswith("act_"):
        return "activations"
    return "init" if key == "seed" else key


def _widget(fn, label, key, **kw):
    """Draw a widget whose value lives under the plain key ``key``; a lesson link may hide
    it (then nothing is drawn) or lock it (drawn disabled, and a change sent anyway is
    ignored)."""
    control = _control(key)
    if not shown(control):
        return None
    if locked(control):
        kw.update(disabled=True, on_change=None)
    st.session_state["_" + key] = _get(key)
    return fn(label, key="_" + key, **kw)


def _get(key):
    ss = st.session_state
    if key.startswith("n_"):
        return ss.sizes[int(key[2:]) - 1]
    if key.startswith("act_"):
        return ss.acts[int(key[4:]) - 2]
    if key == "L":
        return len(ss.sizes)
    return ss[key]


_MARKDOWN = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
MAX_MESSAGE = 600   # characters: each quoted user text is already cut to 40


def plain(text):
    """``text`` as Markdown that shows exactly that text: every ASCII punctuation mark
    escaped (CommonMark allows it for all of them), so nothing in it can become emphasis,
    a link, an image, HTML, LaTeX, an icon or a bare URL turned into a link; on one line."""
    text = " ".join(str(text).split())
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "…"
    return _MARKDOWN.sub(r"\\\1", text)


def error(text):
    """st.error for a message that may quote what a user typed, uploaded or linked: plain
    text, with w^2 written as w² as in the tables."""
    st.error(plain(pretty(text)), icon=":material/warning:")


def message(where):
    """Show the error recorded for ``where``, if any, right there."""
    text = st.session_state.msg.get(where)
    if text:
        error(text)


def sidebar():
    """The network controls every page shows: preset, layers, neurons, activations, cost,
    initialisation and seed. Every bound comes from ``explorer.limits``."""
    ss = st.session_state
    with st.sidebar:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
        st.header("Your network")
        _widget(st.selectbox, "Preset", "preset", options=[CUSTOM, *PRESETS],
                on_change=_on_preset, help="Load a ready-made network and example.")
        if ss.preset in PRESETS:
            st.caption(PRESETS[ss.preset].blurb)
        _widget(st.number_input, "Layers L (layer 1 is the input)", "L",
                min_value=limits.MIN_LAYERS, max_value=limits.MAX_LAYERS, step=1,
                on_change=_set_L)
        L = len(ss.sizes)
        if shown("structure") or shown("activations"):
            with st.expander(pretty("Neurons n_l and activation σ per layer"), expanded=L <= 4):
                for l in range(1, L + 1):
                    left, right = st.columns([1, 1.4])
                    with left:
                        _widget(st.number_input, pretty(f"n_{l}"), f"n_{l}", min_value=1,
                                max_value=limits.MAX_NEURONS, step=1,
                                on_change=_take(f"n_{l}", lambda: _regenerate("structure")))
                    with right:
                        if l == 1:
                            st.caption("layer 1: the input x")
                            continue
                        names = [n for n in ACTIVATIONS if l == L or not ACTIVATIONS[n].output_only]
                        _widget(st.selectbox, f"σ of layer {l}", f"act_{l}", options=names,
                                on_change=_take(f"act_{l}", lambda: _refunction("functions")))
        message("structure")
        _widget(st.selectbox, "Cost", "cost", options=list(COSTS),
                on_change=_take("cost", lambda: _refunction("functions")))
        message("functions")
        left, right = st.columns(2)
        with left:
            _widget(st.selectbox, "Initial weights", "init", options=list(INITS),
                    on_change=_take("init", lambda: _regenerate("structure")),
                    help=pretty("standard: w, b ~ N(0, 1) as in the notes; scaled: "
                                "w ~ N(0, 1/n_{l−1}); zeros: all 0, so every hidden neuron "
                                "of a layer computes the same and gets the same gradient: "
                                "they stay identical (the symmetry problem)."))
        with right:
            _widget(st.number_input, "Seed", "seed", min_value=0, max_value=limits.MAX_SEED,
                    step=1, on_change=_take("seed", lambda: _regenerate("structure")))
        net = ss.net
        st.caption(f"In use: {'-'.join(map(str, net.sizes))}, "
                   f"{', '.join(net.activations.values())}; {net.cost} cost.")


TOUCH_CSS = Path(__file__).with_name("touch.css")


def touch_screens():
    """Layout for phones and tablets that Streamlit's own options cannot give (see
    touch.css): a style element, which takes no room on the page."""
    st.html(TOUCH_CSS)


def embedded_nav():
    """Inside a course page's iframe (``?embed=true``) Streamlit draws no header, and a
    frame narrower than 768 px starts with the sidebar, and its page list, folded away
    behind a small ».  There the pages are also a row of links on top of the page: they
    keep ``embed=true`` as they switch, and the session (its network) goes along."""
    if not st.context.is_embedded:
        return
    with st.container(horizontal=True, gap="small", key="embed_nav"):
        for path, _, icon in PAGES:
            st.page_link(path, label=SHORT[path], icon=icon)


def guard(body):
    """Run ``body``, turning an unexpected error into a short apology: the details go to the
    server log, never to the viewer. Also for fragments, which rerun on their own."""
    from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

    @functools.wraps(body)
    def run():
        try:
            body()
        except ScriptControlException:
            raise
        except Exception:
            log.exception("unexpected error in %s", body.__name__)
            st.error("Sorry, something went wrong while drawing this page. Your network "
                     "is kept; try another step or setting, or reload the page.",
                     icon=":material/sentiment_dissatisfied:")
    return run


def page(title):
    """Decorate a page's body: page settings, the session's state, the sidebar, the hosted
    limits re-checked, and ``guard``."""
    def wrap(body):
        @functools.wraps(body)
        @guard
        def run():
            embedded_nav()
            message("link")
            sidebar()
            limits.check_network(st.session_state.net, st.session_state.x,
                                 st.session_state.y)   # re-checked before computing
            body()
            if history() is None:   # the network or example changed: its steps are gone
                st.session_state.history = None

        def setup_and_run():
            st.set_page_config(page_title=f"{title} · Backprop Explorer", layout="wide")
            touch_screens()
            ensure_state()
            run()
        return setup_and_run
    return wrap


class _Checked(go.Figure):
    """A figure dict that st.plotly_chart sends as it is. Plotly would validate every
    property again on every rerun (about 0.2 s for six layers of 16 neurons); the figure
    functions are instead checked against go.Figure once, in tests/test_figures.py."""

    def __init__(self, fig):
        super().__init__()
        self._checked = heatmap.wire(fig)

    def to_dict(self):
        return self._checked


def wrapping_row(**kwargs):
    """A horizontal container whose elements keep their own width and wrap onto the next
    line when the screen is too narrow, where st.columns would squeeze them."""
    return st.container(horizontal=True, wrap=True, **kwargs)


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
