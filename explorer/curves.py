"""Learning per epoch, as Plotly figure dicts: cost and accuracy on the training and test
rows, and the gradient flow (how fast each layer learns) on a log scale, with the sentence
that states its contrast."""

import numpy as np

from backprop.notation import pretty

from .heatmap import short
from .training import AXIS, layout


def curves_figure(history):
    """Cost (left) and accuracy (right) per epoch, on the training and the test rows."""
    epochs = np.arange(1, history.epochs + 1)
    fig = {"data": [], "layout": layout(
        {"kind": "curves"}, 560, 350, margin=(60, 20, 20, 120), showlegend=True,
        # two entries a row, however narrow the screen squeezes the figure: the bottom
        # margin holds two rows (entries of a fixed width wrap to four, cut off)
        legend={"orientation": "h", "y": -0.3, "yanchor": "top", "entrywidth": 0.5,
                "entrywidthmode": "fraction"},
        xaxis={**AXIS, "domain": [0, 0.4], "title": {"text": "epoch"}, "anchor": "y"},
        yaxis={**AXIS, "title": {"text": "cost C"}, "type": "log", "anchor": "x"},
        xaxis2={**AXIS, "domain": [0.62, 1], "title": {"text": "epoch"}, "anchor": "y2"},
        yaxis2={**AXIS, "title": {"text": "accuracy"}, "range": [0, 1.02], "anchor": "x2",
                "tickformat": ".0%"})}
    for name, values, axis, dash in (
            ("training cost", history.cost, "", "solid"),
            ("test cost", history.test_cost, "", "dot"),
            ("training accuracy", history.accuracy, "2", "solid"),
            ("test accuracy", history.test_accuracy, "2", "dot")):
        v = np.asarray(values, dtype=np.float64)
        if not np.isfinite(v).any():
            continue
        fig["data"].append({
            "type": "scatter", "mode": "lines", "name": name, "x": epochs, "y": v,
            "xaxis": f"x{axis}", "yaxis": f"y{axis}", "meta": {"kind": name},
            "line": {"color": "#b2182b" if "cost" in name else "#2166ac", "dash": dash}})
    return fig


FLOW = {"nabla_w_norm": ("‖∂C/∂wˡ‖", "the norm of the weight gradient"),
        "delta_mean": ("mean |δˡ|", "mean |∂C/∂bˡⱼ| of the mini-batch (BP3)")}


def flow_figure(history, name="nabla_w_norm"):
    """Per layer l, ``name`` (‖∂C/∂wˡ‖ or mean |δˡ|) per epoch on a log scale."""
    per = history.per_layer(name)
    L = per.last
    fig = {"data": [], "layout": layout(
        {"kind": "flow", "quantity": name}, 560, 330, margin=(70, 130, 20, 45),
        showlegend=True,
        xaxis={**AXIS, "title": {"text": "epoch"}},
        yaxis={**AXIS, "type": "log", "exponentformat": "power", "dtick": 1,
               "title": {"text": FLOW[name][0] + " (log scale)"}})}
    for l, v in per.items():
        v = np.where(v > 0, v, np.nan)     # a log axis has no 0
        fig["data"].append({
            "type": "scatter", "mode": "lines", "x": np.arange(1, len(v) + 1), "y": v,
            "name": f"layer {l}" + (" (output)" if l == L else ""),
            "meta": {"kind": "flow", "l": l},
            "line": {"color": _ramp((l - 2) / max(L - 2, 1))}})
    return fig


def _ramp(t):
    """From light orange (t = 0: the first layer) to dark purple (t = 1: the output)."""
    a, b = np.array([253, 174, 97]), np.array([84, 39, 136])
    r, g, bl = (a + (b - a) * t).astype(int)
    return f"rgb({r},{g},{bl})"


def flow_ratio(history, name="nabla_w_norm"):
    """(epoch, slowest layer, its value, fastest layer, its value) in the last epoch."""
    if not history.epochs:
        return None
    last = np.asarray(getattr(history, name)[-1])
    slow, fast = int(np.argmin(last)), int(np.argmax(last))
    return history.epochs, slow + 2, float(last[slow]), fast + 2, float(last[fast])


def flow_sentence(history, name="nabla_w_norm"):
    """The gradient-flow contrast of the last epoch, in a sentence with its numbers."""
    r = flow_ratio(history, name)
    if r is None:
        return None
    epoch, slow, vs, fast, vf = r
    sym = FLOW[name][0]
    if vs <= 0:
        return f"In epoch {epoch}, layer {slow} did not learn at all: its {sym} is 0."
    ratio = vf / vs
    if ratio < 1.5:
        return (f"In epoch {epoch} every layer learned at about the same speed: {sym} "
                f"differs by less than 1.5× between layers.")
    return (f"In epoch {epoch}, layer {slow} learned {ratio:,.0f}× more slowly than layer "
            f"{fast}: {_at(sym, slow)} = {short(vs)} against {_at(sym, fast)} = {short(vf)}.")


def _at(sym, l):
    """‖∂C/∂wˡ‖ for layer l, e.g. ‖∂C/∂w²‖."""
    return sym.replace("ˡ", pretty(f"^{l}"))


CONTRAST = (
    "Why the layers learn at different speeds: one layer back, BP2 multiplies δ by "
    "(wˡ⁺¹)ᵀ and by σ'(zˡ), and a sigmoid's σ' is at most ¼. In the *Deep sigmoid chain* "
    "preset, with four sigmoid hidden layers, the first layer learns 1,000× or more slowly "
    "than the output layer, and the network hardly learns at all. Make its hidden layers "
    "tanh in the sidebar (σ' up to 1) and the gap shrinks to some 10–30×, and xor is "
    "learned; with relu it starts at a few hundred × and shrinks as it trains (keep η ≤ "
    "0.5: at η = 3 its neurons die, σ' = 0). Scaled initial weights make w smaller, and so "
    "widen the gap of a sigmoid chain.")
