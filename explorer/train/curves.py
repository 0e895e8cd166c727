"""Learning per epoch, as Plotly figure dicts: cost and accuracy on the training and test
rows, and the gradient flow (how fast each layer learns) on a log scale, with the sentence
that states its contrast.

Numbers on axes and colour bars are plain or in e-notation (``NUMBERS``), as the cells
print them: Plotly's default prints SI prefixes ("50µ"), which read as units here."""

import re

import numpy as np

from backprop.explain.notation import pretty

from ..figures.heatmap import short
from .training import AXIS, layout

NUMBERS = {"exponentformat": "e"}   # 0.25, 5e-5: never "50µ"


def plain_numbers(fig):
    """``fig`` with plain or e-notation numbers on all its axes and colour bars."""
    lay = fig["layout"]
    for k, v in lay.items():
        if isinstance(v, dict) and re.fullmatch(r"[xy]axis\d*", k):
            v.update(NUMBERS)
        elif isinstance(v, dict) and k.startswith("coloraxis"):
            v.setdefault("colorbar", {}).update(NUMBERS)
    return fig


def epoch_axis(epochs, **kw):
    """An x-axis of epochs 1..``epochs``: whole epochs only, half an epoch either side (a
    single epoch is not drawn from 0 to 2)."""
    n = max(epochs, 1)
    return {**AXIS, **NUMBERS, "title": {"text": "epoch"}, "range": [0.5, n + 0.5],
            **({"tickmode": "linear", "tick0": 1, "dtick": 1} if n <= 10 else {}), **kw}


def line(v):
    """Mode and markers of a line through ``v``: a point with no finite neighbour (the
    first epoch, or one between gaps) gets a marker, which a line alone would not draw."""
    v = np.asarray(v, dtype=np.float64)
    ok = np.isfinite(v)
    before = np.concatenate([[False], ok[:-1]])
    after = np.concatenate([ok[1:], [False]])
    alone = ok & ~before & ~after
    if not alone.any():
        return {"mode": "lines"}
    return {"mode": "lines+markers", "marker": {"size": np.where(alone, 8, 0)}}


def curves_figure(history):
    """Cost (left) and accuracy (right) per epoch, on the training and the test rows."""
    epochs = np.arange(1, history.epochs + 1)
    fig = {"data": [], "layout": layout(
        {"kind": "curves"}, 560, 350, margin=(60, 20, 20, 120), showlegend=True,
        # two entries a row, however narrow the screen squeezes the figure: the bottom
        # margin holds two rows (entries of a fixed width wrap to four, cut off)
        legend={"orientation": "h", "y": -0.3, "yanchor": "top", "entrywidth": 0.5,
                "entrywidthmode": "fraction"},
        xaxis=epoch_axis(history.epochs, domain=[0, 0.4], anchor="y"),
        yaxis={**AXIS, **NUMBERS, "title": {"text": "cost C"}, "type": "log", "anchor": "x"},
        xaxis2=epoch_axis(history.epochs, domain=[0.62, 1], anchor="y2"),
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
        value = "%{y:.1%}" if axis else "%{y:.4g}"
        fig["data"].append({
            "type": "scatter", "name": name, "x": epochs, "y": v, **line(v),
            "xaxis": f"x{axis}", "yaxis": f"y{axis}", "meta": {"kind": name},
            "hovertemplate": f"epoch %{{x}}: {value}<extra>{name}</extra>",
            "line": {"color": "#b2182b" if "cost" in name else "#2166ac", "dash": dash}})
    return fig


# Each figure is taken of every mini-batch's gradient (without the λ term), then averaged
# over the epoch's mini-batches (backprop.train). ∂C/∂bˡⱼ = meanₓ δˡₓⱼ (BP3), so the mean
# error is the mean over j of |the mean over the mini-batch's x|: an error that changes
# sign from one example to the next cancels in it, and it is smaller than meanₓ |δˡₓⱼ|.
FLOW = {"nabla_w_norm": ("‖∂C/∂wˡ‖", "the size of the mini-batch's weight gradient"),
        "delta_mean": ("meanⱼ |meanₓ δˡₓⱼ|", "the sizes of the mini-batch's mean error "
                       "(∂C/∂bˡⱼ by BP3), averaged over the neurons j")}
EPOCH_MEAN = "averaged over the epoch's mini-batches"


def flow_figure(history, name="nabla_w_norm"):
    """Per layer l, ``name`` (‖∂C/∂wˡ‖ or meanⱼ |meanₓ δˡₓⱼ|, each averaged over the
    epoch's mini-batches) per epoch on a log scale."""
    per = history.per_layer(name)
    L = per.last
    fig = {"data": [], "layout": layout(
        {"kind": "flow", "quantity": name}, 560, 330, margin=(70, 130, 20, 45),
        showlegend=True, xaxis=epoch_axis(history.epochs),
        yaxis={**AXIS, **NUMBERS, "type": "log", "dtick": 1, **_decades(per),
               "title": {"text": f"{FLOW[name][0]}, epoch mean (log)"}})}
    for l, v in per.items():
        v = np.where(v > 0, v, np.nan)     # a log axis has no 0
        fig["data"].append({
            "type": "scatter", "x": np.arange(1, len(v) + 1), "y": v, **line(v),
            "name": f"layer {l}" + (" (output)" if l == L else ""),
            "meta": {"kind": "flow", "l": l},
            "hovertemplate": f"epoch %{{x}}: {_at(FLOW[name][0], l)} = %{{y:.3e}}<br>"
                             f"{EPOCH_MEAN}<extra>layer {l}</extra>",
            "line": {"color": _ramp((l - 2) / max(L - 2, 1))}})
    return fig


def _decades(per):
    """The range of a log axis, in whole powers of ten around the finite positive values
    (at least one decade): a tick at each end, however close the values are."""
    v = np.concatenate([np.ravel(x) for x in per.values()]) if len(per) else np.array([])
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return {}
    lo, hi = np.floor(np.log10(v.min())), np.ceil(np.log10(v.max()))
    return {"range": [float(lo), float(max(hi, lo + 1))]}


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
