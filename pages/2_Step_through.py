"""Step through one example: each equation of the forward and backward pass, its numbers,
the heatmaps of every quantity so far, and the derivation of any number."""

import streamlit as st

from backprop.explain import explain
from backprop.explain.steps import steps
from explorer import frame, widgets
from explorer.figures import chart, heatmap, network
from explorer.lesson import view as lesson_view
from explorer.practice import questions
from explorer.practice import view as practice_view
from explorer.step import downloads
from explorer.step.picking import LABELS, clamp_pick, computed_at, default_pick, pick_layers


def go(delta=None):
    ss = st.session_state
    ss.step = ss._step - 1 if delta is None else ss.step + delta   # the slider counts from 1
    ss.pick = None
    ss._stepped = True   # the explain widgets may still hold the last step's cell: ignore them


def on_pick(cell):
    st.session_state.pick = cell


def on_keys():
    ss = st.session_state
    if ss.get("_stepped"):
        return
    ss.pick = clamp_pick(ss.net, ss._pq, ss._pl, ss.get("_pj"), ss.get("_pk"))


def show(fig, net, key):
    if fig is not None:
        chart.show(fig, key, net, on_pick)


@frame.page("Step through")
def body():
    st.title("Step through one example")
    practice_view.ensure()
    step_view()


@st.fragment
@frame.guard
def step_view():
    """Everything that changes with the step. A fragment: Next, Prev, the slider and clicks
    rerun only this, not the sidebar."""
    ss = st.session_state
    ss._stepped = False
    net, trace = ss.net, ss.net.backprop(ss.x, ss.y)
    all_steps = steps(net, trace)
    ss.step = min(max(ss.step, 0), len(all_steps) - 1)
    step = all_steps[ss.step]
    pick = ss.pick or default_pick(step)
    lesson = ss.get("lesson")
    asked = practice_view.question(net, ss.x, ss.y, all_steps, ss.step, ss.pick,
                                   lesson.cell if lesson else None)
    revealed = asked is None or asked.done is not None
    now = questions.visible(all_steps, ss.step, revealed)

    # A row that wraps: on a narrow screen the slider goes under Prev and Next, which
    # keep their width (columns would squeeze them until their labels are cut).
    with widgets.wrapping_row(vertical_alignment="bottom"):
        st.button("◀ Prev", key="prev", on_click=go, args=(-1,), disabled=ss.step == 0)
        st.button("Next ▶", key="next", on_click=go, args=(1,), type="primary",
                  disabled=ss.step == len(all_steps) - 1)
        ss._step = ss.step + 1
        st.slider("Step", 1, len(all_steps), key="_step", on_change=go, format="%d",
                  help="Drag to jump to any step.", width="stretch")
    st.subheader(f"Step {ss.step + 1} of {len(all_steps)} · {step.title}")
    practice_view.switches()

    is_known = pick[0] in ("w", "b") or (pick[0], pick[1]) in now
    derivation = explain(net, trace, *pick) if is_known else None
    marks = heatmap.marks_for(pick, derivation.uses if derivation else ())
    if not revealed:
        marks += tuple((c, "pick") for c in asked.cells)
    left, right = st.columns([1.3, 1])
    with left:
        st.latex(step.rule)
        st.caption("with the shape of each quantity, (rows × columns)")
        st.latex(step.shapes)
        st.info(step.text)
    with right:
        if revealed or step.kind != "a":   # σ's curve would show the asked a's
            show(network.focus_figure(net, trace, step, now, marks), net, "chart_focus")
    if revealed:
        st.caption("with the numbers of this example")
        st.latex(step.numbers)
    else:
        st.caption("The numbers of this step stay hidden until you answer.")
    if asked is not None:
        practice_view.panel(net, ss.x, ss.y, trace, asked)

    st.markdown("#### The network so far  ·  click any cell to see where its number comes from")
    show(network.network_figure(net, trace, known=now, focus=(step.quantity, step.l),
                                 marks=marks), net, "chart_network")

    st.markdown("#### Where does this number come from?")
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
    if derivation is None and (q, l) == (step.quantity, step.l):
        st.info("Hidden until you answer the question above.", icon=":material/visibility_off:")
    elif derivation is None:
        first = computed_at(all_steps, q, l)
        st.warning(f"Not yet computed at this step: it is computed at step {first.index + 1} "
                   f"({first.title}).")
    else:
        st.markdown(f"**{derivation.equation}** · {derivation.text}")
        for line in derivation.lines:
            st.latex(line)
    lesson_view.lesson_builder(net, ss.x, ss.y, ss.step, pick)
    downloads.exports(net, ss.x, ss.y, all_steps, step, pick)


body()
