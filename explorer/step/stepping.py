"""The Step page's session: which step is on screen, the example's steps, the component's
data and the derivation of a picked cell. The browser steps on its own
(``explorer/figures/chart.py``); these functions keep the server's side in step with it.

Session state: "step" and "pick" (explorer/state.py); "_example" (the trace and steps of the
network and example in use), "_payload" (the component's data for them), "_picked" (the
derivation of the last cell picked, with "seq"), "_step_seq" (bumped when the server moves
the step), "_url_step" (the last ``?step=`` seen), "_session_tag" (tells the browser's
sessionStorage of this session from an earlier one's), "_moved" and "_pick_new" (set by the
callbacks for the run they start).
"""

import secrets

import streamlit as st

from backprop.explain.steps import steps

from ..figures import chart
from ..practice import questions
from . import payload
from .picking import clamp_pick


def on_step(i, moved):
    """The step the browser shows (``moved`` False), or one it asks the server to move to
    (practice mode): then the browser is told to go there (``seq``)."""
    ss = st.session_state
    if i != ss.step:
        ss.step, ss.pick = i, None
    ss._moved = True
    if moved:
        ss._step_seq = ss.get("_step_seq", 0) + 1


def on_pick(cell):
    """A cell clicked in the figures."""
    st.session_state.pick, st.session_state._pick_new = cell, True


def on_keys():
    """A cell chosen with the Quantity / Layer / Row / Column widgets."""
    ss = st.session_state
    ss.pick = clamp_pick(ss.net, ss._pq, ss._pl, ss.get("_pj"), ss.get("_pk"))
    ss._pick_new = True


def current_step(n):
    """The step shown. The browser reports it (``on_step``); a page opened or reloaded
    with ``?step=`` in its address, or come back to with the Back button, starts there.
    Streamlit may send an address older than the browser's with a rerun: only a step that
    differs from the address's last one counts."""
    ss = st.session_state
    at = chart.url_step(n)
    if not ss.pop("_moved", False) and at is not None and at != ss.get("_url_step"):
        if at != ss.step:
            ss.step, ss.pick = at, None
    ss._url_step = at
    ss.step = min(max(ss.step, 0), n - 1)
    return ss.step


def example(net, x, y):
    """The trace and the steps of this session's network and example, made once for them
    (a click reruns the page, and listing the steps of 6 layers of 16 takes ~15 ms)."""
    ss = st.session_state
    key = (repr(net.to_dict()), tuple(map(float, x)), tuple(map(float, y)))
    if ss.get("_example", (None,))[0] != key:
        trace = net.backprop(x, y)
        ss._example = (key, trace, steps(net, trace))
    return ss._example


def shown(net, trace, all_steps, asked, revealed):
    """The component's data for this session's network (made once per network, example and
    practice state), and what changes from one rerun to the next."""
    ss = st.session_state
    if ss.practice:   # the steps up to this one; its own numbers once answered
        upto, hidden = ss.step, None if revealed else ss.step
        cells = asked.cells if asked is not None and not revealed else ()
    else:
        upto, hidden, cells = None, None, ()
    ident = payload.identity(ss._example[0], upto, hidden, cells)
    if ss.get("_payload", (None,))[0] != ident:
        ss._payload = (ident, payload.payload(net, trace, all_steps, upto, hidden, cells))
        ss._picked = None
    return ({**ss._payload[1], "id": ident},
            {"id": ident, "session": ss.setdefault("_session_tag", secrets.token_hex(8)),
             "step": ss.step, "seq": ss.get("_step_seq", 0),
             "local": not ss.practice, "picked": ss.get("_picked"),
             "said": ss.get("_said")})


def picked(net, trace, all_steps, i, pick, revealed):
    """After a pick in this run: the derivation the browser shows for it, numbered."""
    ss = st.session_state
    if ss.pop("_pick_new", False):
        ss._pick_seq = ss.get("_pick_seq", 0) + 1
        now = questions.visible(all_steps, i, revealed)
        ss._picked = {"seq": ss._pick_seq, "step": i, **payload.derivation_of(
            net, trace, all_steps, i, pick, now, hidden=not revealed)}


def show(net, trace, all_steps, asked, revealed):
    """The component, with this session's example and step."""
    data, state = shown(net, trace, all_steps, asked, revealed)
    chart.show(data, state, "stepper", net, len(all_steps), on_pick, on_step)
