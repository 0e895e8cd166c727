"""Check backpropagation against finite differences, then use the gradient: one step of
gradient descent at a time."""

import streamlit as st

from backprop import numerical_gradient
from backprop.explain.notation import pretty
from explorer import frame, limits, messages, state, tables
from explorer.figures import network
from explorer.figures.plotly_chart import plotly_chart
from explorer.history import History


def descend(times):
    """All ``times`` steps or none; the history goes on only if it belongs to this network."""
    ss = st.session_state
    history = state.history() or History.start(ss.net, ss.x, ss.y)
    try:
        eta = limits.check_eta(ss.eta)
        net, history = history.descend(times, eta)
        state.set_network(net, ss.x, ss.y)
        ss.history = history
        ss.msg.pop("sgd", None)
    except ValueError as e:
        text = str(e)
        ss.msg["sgd"] = (text if text.startswith("No step") else f"No step taken: {text}") \
            + ". Try a smaller learning rate η."


@frame.page("Gradient check")
def body():
    ss = st.session_state
    net = ss.net
    trace = net.backprop(ss.x, ss.y)
    numeric = numerical_gradient(net, ss.x, ss.y)
    st.title("Check the gradient, then take a step")
    st.markdown("Backpropagation gives every ∂C/∂w in one backward pass. Finite differences "
                "nudge each weight by ±ε = 10⁻⁶ and watch the cost: "
                "(C(w + ε) − C(w − ε)) / 2ε. Two independent routes, one answer:")
    table = tables.gradcheck_table(trace, numeric, net)
    st.dataframe(table, width="content",
                 column_config={
                     "largest |backprop|": st.column_config.NumberColumn(format="%.4g"),
                     **{c: st.column_config.NumberColumn(format="%.3e")
                        for c in ("largest |difference|", "relative difference")}})
    if table["note"].str.startswith("relu kink").any():
        st.warning("A relu neuron sits at its kink, z = 0, where relu has no derivative. "
                   "Backpropagation uses 0 there by convention; a central difference across "
                   "the kink gives half the one-sided slope. The rows marked *relu kink* "
                   "differ for that reason, not because either route is wrong.",
                   icon=":material/warning:")
    st.caption("The relative difference means nothing for gradients of about 10⁻¹⁰ or "
               "smaller: there the finite differences' rounding noise (about 10⁻¹⁰ · Cₓ) is "
               "as large as the gradient itself. Such rows are marked *tiny*.")
    l = st.selectbox("Compare layer", list(net.w), index=len(net.w) - 1,
                     format_func=lambda l: pretty(f"∂C/∂w^{l}"))
    left, right = st.columns(2)
    # Significant digits, as in the table above: 4 decimals would show 0.000995 as 0.001
    # and a gradient under 5e-5 as 0.
    bp, fd = tables.matrix_table(trace.nabla_w[l]), tables.matrix_table(numeric.nabla_w[l])
    digits = {c: st.column_config.NumberColumn(format="%.4g") for c in bp.columns}
    left.markdown("**Backpropagation** δˡ (aˡ⁻¹)ᵀ")
    left.dataframe(bp, column_config=digits)
    right.markdown("**Finite differences**")
    right.dataframe(fd, column_config=digits)

    st.markdown("#### One step of gradient descent: w ← w − η ∂C/∂w, b ← b − η ∂C/∂b")
    ss.setdefault("eta", 0.5)
    ss._eta = ss.eta
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    # No min_value/max_value: the browser would refuse an η out of range with a note of its
    # own and send the old η on. The η typed is the η used, or no step is taken.
    c1.number_input("Learning rate η", key="_eta", format="%.4g",
                    help=f"between {limits.ETA_MIN:g} and {limits.ETA_MAX:g}",
                    on_change=lambda: ss.update(eta=ss._eta))
    try:
        limits.check_eta(ss.eta)
        eta_ok = True
    except ValueError as e:
        eta_ok = False
        messages.error(f"{e}. No step is taken until η lies in that range.")
    c2.button("Take 1 step", key="sgd1", on_click=descend, args=(1,), type="primary",
              disabled=not eta_ok)
    c3.button("Take 10 steps", key="sgd10", on_click=descend, args=(10,), disabled=not eta_ok)
    messages.message("sgd")
    history = state.history()
    change = None if history is None else history.change
    st.metric("Cost Cₓ of this example", f"{trace.cost:.6g}",
              delta=None if change is None else f"{change:.3g}", delta_color="inverse")
    if change is not None:
        plotly_chart(network.cost_history_figure(history.costs), key="chart_history")

body()
