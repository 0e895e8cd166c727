"""The nudge on the Step page: the picked z, w or b moved by Δ and the cost computed again,
exactly, beside the tangent ΔC ≈ slope · Δ: the notes' definition of δ, played out
(``backprop.nudge``)."""

import numpy as np
import streamlit as st

from backprop import nudge
from backprop.explain.notation import plain, pretty

from ..figures import network, numbers
from ..figures.plotly_chart import plotly_chart
from ..widgets import lazy_expander

POINTS = 81     # points of the curve
# the number a picked cell nudges: a z, δ or ∂C/∂b cell its z (δ is the slope), a w or ∂C/∂w
# cell its weight, a b cell its bias
NUDGED = {"z": "z", "delta": "z", "nabla_b": "b", "b": "b", "w": "w", "nabla_w": "w"}


def target(pick):
    """(what, l, j, k) nudged for the picked cell, or None (an activation, the cost)."""
    q, l, j, k = pick
    what = NUDGED.get(q)
    return None if what is None else (what, l, j, k if what == "w" else None)


def _slope_latex(what, l, j, k):
    delta = rf"\delta^{{{l}}}_{{{j}}}"
    if what == "w":
        return rf"a^{{{l - 1}}}_{{{k}}}{delta}", rf"\Delta w^{{{l}}}_{{{j}{k}}}"
    return delta, rf"\Delta {what}^{{{l}}}_{{{j}}}"


def panel(net, x, y, trace, pick, shown):
    """"Nudge this number", drawn only while open. ``shown``: whether the slope (δ) and the
    cost may be shown at this step (practice mode hides them until answered)."""
    box = lazy_expander("Nudge this number: ΔC ≈ δ Δz", "nudge_box", icon=":material/tune:")
    if box is None:
        return
    with box:
        t = target(pick)
        if t is None:
            st.caption("Pick a z, δ, ∂C/∂b, w or ∂C/∂w cell (click it, or choose it above) "
                       "to nudge its z, weight or bias.")
            return
        if not shown:
            st.info("The cost and δ are hidden until you answer the question above.",
                    icon=":material/visibility_off:")
            return
        what, l, j, k = t
        name = pretty(plain(what, l, j, k))
        value = {"z": trace.z[l][j - 1], "b": net.b[l][j - 1]}.get(
            what, net.w[l][j - 1, (k or 1) - 1])
        span = float(np.ceil(max(2.0, 5 * abs(value))))
        dz = st.slider(f"Δ, the nudge of {name}", -span, span, span / 4, span / 100,
                       key=f"nudge_{what}_{l}_{j}_{k}", format="%.3g")
        # whatever a raw websocket message carries: a number within the slider's range
        dz = min(max(float(dz), -span), span) if np.isfinite(dz) else 0.0
        curve = nudge(net, x, y, what, l, j, k, deltas=np.linspace(-span, span, POINTS))
        at = nudge(net, x, y, what, l, j, k, deltas=[dz])
        change, estimate = at.costs[0] - at.cost, at.slope * dz
        slope, moved = _slope_latex(what, l, j, k)
        st.latex(rf"\Delta C \approx {slope}\,{moved} = ({at.slope:.6g})({dz:.4g}) "
                 rf"= {estimate:.6g}")
        off = abs(change - estimate)
        how = ("exact" if off == 0 else
               f"off by {off:.3g}, {100 * off / abs(change):.3g} % of ΔC" if change else
               f"off by {off:.3g}")
        st.markdown(f"Computed exactly, by the forward pass from layer {l} on with {name} "
                    f"moved by Δ = {dz:.4g}: ΔC = C({name} + Δ) − C = **{change:.6g}**. The "
                    f"estimate is {how}. The smaller Δ, the closer: the gap shrinks as Δ².")
        if curve.kinks:
            names = ", ".join(pretty(plain("z", m, i)) for m, i in curve.kinks)
            st.warning(f"relu neurons cross their kink (z = 0) within this range: {names}. "
                       "There the cost bends, and the tangent follows it on one side only.",
                       icon=":material/warning:")
        plotly_chart(network.nudge_figure(curve, name, at), key="chart_nudge",
                     name=numbers.nudge_name(name, at), table=numbers.nudge_table(curve, at),
                     label="Numbers as a table: the cost at each Δ")
