"""BP2 term by term on the Step page: for a picked δ^l_j, the parts w^{l+1}_{kj} δ^{l+1}_k
coming back from each neuron k of layer l+1 as bars (the derivation's own indices), adding
up to ∂C/∂a^l_j, then times σ'(z^l_j), as the notes derive it
(``backprop.explain.delta_terms``)."""

import streamlit as st

from backprop.explain import delta_terms, explain
from backprop.explain.notation import plain, pretty

from ..figures import network, numbers
from ..figures.plotly_chart import plotly_chart
from ..widgets import lazy_expander


def panel(net, trace, pick, shown):
    """"δ term by term", drawn only while open, for a picked δ (or ∂C/∂b) cell of a hidden
    layer or a softmax output. ``shown``: whether δ may be shown at this step."""
    q, l, j, _ = pick
    if q not in ("delta", "nabla_b") or (l == net.L and net.activations[l] != "softmax"):
        return
    box = lazy_expander(f"{pretty(plain('delta', l, j))} term by term (BP2)", "terms_box",
                        icon=":material/bar_chart:")
    if box is None:
        return
    with box:
        if not shown:
            st.info("δ is hidden until you answer the question above.",
                    icon=":material/visibility_off:")
            return
        t = delta_terms(net, trace, l, j)
        name = pretty(plain("delta", l, j))
        if t.rule == "BP2":
            st.markdown(f"Each neuron k of layer {l + 1} sends back its part "
                        f"w{pretty(f'^{l + 1}_k{j}')} δ{pretty(f'^{l + 1}_k')}: the bars. "
                        f"They add up to ∂C/∂a{pretty(f'^{l}_{j}')} = **{t.total:.6g}**, "
                        f"which σ′(z{pretty(f'^{l}_{j}')}) = {t.factor:.6g} scales to "
                        f"{name} = **{t.delta:.6g}**.")
        else:
            st.markdown(f"At a softmax output every a{pretty(f'^{l}_k')} depends on "
                        f"z{pretty(f'^{l}_{j}')}: the bars are J{pretty(f'_k{j}')} "
                        f"∂C/∂a{pretty(f'^{l}_k')}, and they add up to {name} = "
                        f"**{t.delta:.6g}**.")
        plotly_chart(network.terms_figure(t), key="chart_terms",
                     name=numbers.terms_name(t, name), table=numbers.terms_table(t),
                     label="Numbers as a table: the terms")
        st.caption("The same sum with its numbers, as the derivation writes it:")
        for line in explain(net, trace, "delta", l, j).lines:
            st.latex(line)
