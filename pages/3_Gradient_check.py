"""Check backpropagation against finite differences, then use the gradient: one step of
gradient descent at a time."""

import streamlit as st

from backprop import numerical_gradient
from backprop.notation import pretty
from explorer import figures, limits, tables, ui


def descend(times):
    ss = st.session_state
    net, history = ss.net, ss.get("history") or [ss.net.cost_of(ss.x, ss.y)]
    try:
        eta = limits.check_eta(ss.eta)
        for _ in range(times):
            net = net.sgd_step(ss.x, ss.y, eta)
            history.append(net.cost_of(ss.x, ss.y))
        ui.set_network(net, ss.x, ss.y)   # (clears the history: set it again below)
        ss.history = history[-200:]
        ss.msg.pop("sgd", None)
    except ValueError as e:
        ss.msg["sgd"] = f"No step taken: {e}. Try a smaller learning rate η."


@ui.page("Gradient check")
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
                 column_config={c: st.column_config.NumberColumn(format="%.3e")
                                for c in ("largest |difference|", "relative difference")})
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
    left.markdown("**Backpropagation** δˡ (aˡ⁻¹)ᵀ")
    left.dataframe(tables.matrix_table(trace.nabla_w[l]))
    right.markdown("**Finite differences**")
    right.dataframe(tables.matrix_table(numeric.nabla_w[l]))

    st.markdown("#### One step of gradient descent: w ← w − η ∂C/∂w, b ← b − η ∂C/∂b")
    ss.setdefault("eta", 0.5)
    ss._eta = ss.eta
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    c1.number_input("Learning rate η", limits.ETA_MIN, limits.ETA_MAX, key="_eta",
                    format="%.4g", on_change=lambda: ss.update(eta=ss._eta))
    c2.button("Take 1 step", key="sgd1", on_click=descend, args=(1,), type="primary")
    c3.button("Take 10 steps", key="sgd10", on_click=descend, args=(10,))
    ui.message("sgd")
    st.metric("Cost Cₓ of this example", f"{trace.cost:.6g}",
              delta=(f"{trace.cost - ss.history[-2]:.3g}" if len(ss.get("history", [])) > 1
                     else None), delta_color="inverse")
    if len(ss.get("history", [])) > 1:
        ui.plotly_chart(figures.cost_history_figure(ss.history), key="chart_history")


body()
