"""The session's state, which every page shares: set up once, and the network replaced
only through ``set_network``.

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

import logging

import numpy as np
import streamlit as st

from . import files, limits
from .history import History
from .presets import DEFAULT, PRESETS

log = logging.getLogger(__name__)
CUSTOM = "(your own)"


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

    from .lesson import view as lesson_view

    ss = st.session_state
    error = lesson_view.apply_lesson(len(steps(ss.net, ss.net.backprop(ss.x, ss.y))))
    if error:
        load_preset(DEFAULT)
        ss.preset = DEFAULT
        ss.msg["link"] = f"{error} Showing the preset {DEFAULT!r} instead."


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
