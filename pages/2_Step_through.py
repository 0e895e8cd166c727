"""Step through one example: each equation of the forward and backward pass, its numbers,
the heatmaps of every quantity so far, and the derivation of any number. The steps are
stepped in the browser (explorer/figures/chart.py); the server draws what needs it."""

import streamlit as st

from explorer import frame
from explorer.lesson import view as lesson_view
from explorer.practice import questions
from explorer.practice import view as practice_view
from explorer.step import downloads, nudging, stepping, terms_view
from explorer.step.picking import LABELS, default_pick, pick_layers


@frame.page("Step through")
def body():
    st.title("Step through one example")
    practice_view.ensure()
    step_view()


@st.fragment
@frame.guard
def step_view():
    """Everything that changes with the step. A fragment: a click on a cell and the
    widgets below rerun only this, not the sidebar."""
    ss = st.session_state
    net = ss.net
    _, trace, all_steps = stepping.example(net, ss.x, ss.y)
    i = stepping.current_step(len(all_steps))
    step = all_steps[i]
    lesson = ss.get("lesson")
    asked = practice_view.question(net, ss.x, ss.y, all_steps, i, ss.pick,
                                   lesson.cell if lesson else None)
    revealed = asked is None or asked.done is not None
    pick = ss.pick or default_pick(step)
    stepping.picked(net, trace, all_steps, i, pick, revealed)

    practice_view.switches()
    if asked is not None:
        practice_view.panel(net, ss.x, ss.y, trace, asked)
    stepping.show(net, trace, all_steps, asked, revealed)

    st.caption("Or choose the cell to explain by its indices:")
    q, l, j, k = pick
    for key, value in (("_pq", q), ("_pl", l), ("_pj", j), ("_pk", k)):
        ss[key] = value
    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox("Quantity", list(LABELS), format_func=LABELS.get, key="_pq",
                 on_change=stepping.on_keys)
    c2.selectbox("Layer l", pick_layers(net, q), key="_pl", on_change=stepping.on_keys)
    if q != "cost":
        c3.number_input("Row j", 1, net.sizes[l - 1], key="_pj", on_change=stepping.on_keys)
    if q in ("w", "nabla_w"):
        c4.number_input("Column k", 1, net.sizes[l - 2], key="_pk", on_change=stepping.on_keys)
    now = questions.visible(all_steps, i, revealed)
    nudging.panel(net, ss.x, ss.y, trace, pick, not ss.practice or (
        {("cost", net.L), ("delta", pick[1])} <= now))
    terms_view.panel(net, trace, pick, not ss.practice or ("delta", pick[1]) in now)
    lesson_view.lesson_builder(net, ss.x, ss.y, i, pick)
    downloads.exports(net, ss.x, ss.y, all_steps, step, pick)


body()
