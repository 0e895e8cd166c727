"""Check backpropagation against finite differences, then use the gradient: one step of
gradient descent at a time."""

import numpy as np
import streamlit as st

from backprop import Network, numerical_gradient, passes
from backprop.explain.notation import pretty
from explorer import frame, limits, messages, state, tables
from explorer.figures import network, numbers
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


SIZES = (1, 2, 4, 8, 12, 16)     # the 2-n-n-2 networks of the speed comparison


def measure(book):
    """Time both ways on this network, on 2-n-n-2 networks and, if ``book``, on the
    book's 784-30-10 (random weights and example, seeded)."""
    ss = st.session_state
    rng = np.random.default_rng(0)

    def random(*sizes):
        x, y = rng.uniform(0, 1, sizes[0]), rng.uniform(0, 1, sizes[-1])
        return "-".join(map(str, sizes)), (Network.random(list(sizes), seed=0), x, y)

    rows = tables.speed_rows([("this network", (ss.net, ss.x, ss.y))]
                             + [random(2, n, n, 2) for n in SIZES], repeat=5)
    if book:   # about a second a run: once
        rows += tables.speed_rows([random(784, 30, 10)], repeat=1)
    ss.speed = {"of": ss.net.to_dict(), "rows": rows}


def why_fast(net):
    """The notes' closing question, counted and timed."""
    ss = st.session_state
    st.markdown("#### Why backpropagation is fast")
    p, bp, fd = passes(net)
    st.markdown(f"This network has **{p}** weights and biases. Backpropagation gets every "
                f"∂C/∂w and ∂C/∂b of one example from **one forward and one backward pass**. "
                f"Central differences need **two forward passes per parameter: {fd}**. As the "
                "notes put it, backpropagation computes all the partial derivatives at about "
                "the cost of two forward passes, where central differences need two million "
                "forward passes for a million weights.")
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    book = c2.checkbox("Include the book's 784-30-10 (about a second)", key="speed_book")
    c1.button("Measure both here", key="speed_go", on_click=measure, args=(book,))
    speed = ss.get("speed")
    if speed and speed["of"] == net.to_dict():
        st.dataframe(speed["rows"], width="content", column_config={
            c: st.column_config.NumberColumn(format="%.3g")
            for c in ("backprop ms", "differences ms", "times faster")})
        plotly_chart(network.speed_figure(speed["rows"]), key="chart_speed",
                     name=numbers.speed_name(speed["rows"]),
                     table=numbers.speed_table(speed["rows"]),
                     label="Numbers as a table: milliseconds per network")
        st.caption("Measured here with NumPy, the best of a few runs: one example, every "
                   "weight and bias. 2-n-n-2 networks for n = " + ", ".join(map(str, SIZES))
                   + ", with random weights.")


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
        plotly_chart(network.cost_history_figure(history.costs), key="chart_history",
                     name=numbers.cost_history_name(history.costs),
                     table=numbers.cost_history_table(history.costs),
                     label="Numbers as a table: the cost after each step")
    why_fast(net)

body()
