"""Step through one example: each equation of the forward and backward pass, its numbers,
the heatmaps of every quantity so far, and the derivation of any number. The steps are
stepped in the browser (explorer/figures/chart.py); the server draws what needs it."""

import streamlit as st

from backprop.explain.steps import steps
from explorer import frame
from explorer.figures import chart
from explorer.lesson import view as lesson_view
from explorer.practice import questions
from explorer.practice import view as practice_view
from explorer.step import downloads, payload
from explorer.step.picking import LABELS, clamp_pick, default_pick, pick_layers


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
    st.session_state.pick, st.session_state._pick_new = cell, True


def on_keys():
    ss = st.session_state
    ss.pick = clamp_pick(ss.net, ss._pq, ss._pl, ss.get("_pj"), ss.get("_pk"))
    ss._pick_new = True


@frame.page("Step through")
def body():
    st.title("Step through one example")
    practice_view.ensure()
    step_view()


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
            {"id": ident, "step": ss.step, "seq": ss.get("_step_seq", 0),
             "local": not ss.practice, "picked": ss.get("_picked")})


@st.fragment
@frame.guard
def step_view():
    """Everything that changes with the step. A fragment: a click on a cell and the
    widgets below rerun only this, not the sidebar."""
    ss = st.session_state
    net = ss.net
    _, trace, all_steps = example(net, ss.x, ss.y)
    i = current_step(len(all_steps))
    step = all_steps[i]
    lesson = ss.get("lesson")
    asked = practice_view.question(net, ss.x, ss.y, all_steps, i, ss.pick,
                                   lesson.cell if lesson else None)
    revealed = asked is None or asked.done is not None
    pick = ss.pick or default_pick(step)
    if ss.pop("_pick_new", False):
        ss._pick_seq = ss.get("_pick_seq", 0) + 1
        now = questions.visible(all_steps, i, revealed)
        ss._picked = {"seq": ss._pick_seq, "step": i, **payload.derivation_of(
            net, trace, all_steps, i, pick, now, hidden=not revealed)}

    practice_view.switches()
    if asked is not None:
        practice_view.panel(net, ss.x, ss.y, trace, asked)
    data, state = shown(net, trace, all_steps, asked, revealed)
    chart.show(data, state, "stepper", net, len(all_steps), on_pick, on_step)

    st.caption("Or choose the cell to explain by its indices:")
    q, l, j, k = pick
    for key, value in (("_pq", q), ("_pl", l), ("_pj", j), ("_pk", k)):
        ss[key] = value
    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox("Quantity", list(LABELS), format_func=LABELS.get, key="_pq", on_change=on_keys)
    c2.selectbox("Layer l", pick_layers(net, q), key="_pl", on_change=on_keys)
    if q != "cost":
        c3.number_input("Row j", 1, net.sizes[l - 1], key="_pj", on_change=on_keys)
    if q in ("w", "nabla_w"):
        c4.number_input("Column k", 1, net.sizes[l - 2], key="_pk", on_change=on_keys)
    lesson_view.lesson_builder(net, ss.x, ss.y, i, pick)
    downloads.exports(net, ss.x, ss.y, all_steps, step, pick)


body()
