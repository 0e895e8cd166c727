"""The network sidebar every page shows: preset, layers, neurons, activations, cost,
initialisation and seed, each widget's value kept under a plain key of the session's
state; a change the network refuses is undone, and a lesson link may hide or lock a
control."""

import numpy as np
import streamlit as st

from backprop import ACTIVATIONS, COSTS, INITS, Network
from backprop.explain.notation import pretty

from . import limits
from .messages import message
from .nav import PAGES
from .presets import PRESETS
from .state import CUSTOM, load_preset, set_network


def shown(control):
    """Whether a lesson link leaves this sidebar control (see explorer.lesson.links) on view."""
    les = st.session_state.get("lesson")
    return les is None or les.shows(control)


def locked(control):
    les = st.session_state.get("lesson")
    return les is not None and les.locks(control)


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
    _no_refusal()
    return True


def _refunction(where):
    """Same weights, new activations or cost. Returns whether the network took them."""
    ss = st.session_state
    try:
        ss.net = ss.net.replace(activations=ss.acts, cost=ss.cost)
    except ValueError as e:
        _refused(where, e)
        return False
    _no_refusal()
    return True


def _no_refusal():
    """A change went through, or another is refused: no earlier refusal's message stays."""
    for where in ("structure", "functions"):
        st.session_state.msg.pop(where, None)


def _refused(where, e):
    """Say why the last change was refused, beside its controls; an earlier refusal's
    message goes, as its change was undone too."""
    _no_refusal()
    st.session_state.msg[where] = f"Not changed: {e}. The network in use stays as it was."


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
    """The lesson-link control (explorer.lesson.links.CONTROLS) a sidebar widget belongs to."""
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
