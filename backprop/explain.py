"""Where does this number come from? The derivation of any one cell of a Trace, with the
numbers plugged in.

``explain(net, trace, "delta", 2, 1)`` gives, for δ^2_1 (BP2),
    δ^2_1 = (w^3_{11} δ^3_1 + w^3_{21} δ^3_2) σ'(z^2_1)
          = (0.40 · 0.1385 + 0.50 · (−0.0381)) · 0.2413 = 0.00877.
Every derivation is a sum of terms times a factor, ``value = sum(terms) * factor``, so the
terms shown always add up to the value shown.
"""

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .costs import COSTS, softmax_cross_entropy_parts
from .notation import num, paren, plain, sym

MAX_TERMS = 8   # longer sums are written with ⋯ in the middle; ``terms`` keeps them all


@dataclass(frozen=True)
class Derivation:
    quantity: str
    l: int
    j: int            # 1-based, None for the cost
    k: int            # 1-based, only for w and ∂C/∂w
    equation: str     # "forward", "cost", "BP1", "BP2", "BP3", "BP4" or "given"
    lines: tuple      # LaTeX lines: the rule, the rule for this cell, the numbers
    text: str         # one plain sentence saying what the rule means
    value: float
    terms: tuple      # value = sum(terms) * factor
    factor: float
    uses: tuple       # cells (quantity, l, j, k) the value was computed from


def _sum(parts):
    parts = list(parts)
    if len(parts) > MAX_TERMS:
        parts = parts[:3] + [r"\cdots"] + parts[-2:]
    return " + ".join(parts)


def _sigma_prime(net, trace, l, j):
    """LaTeX lines and value of σ'(z^l_j), written out for the layer's activation."""
    act, z, a = net.activations[l], trace.z[l][j - 1], trace.a[l][j - 1]
    sp = float(trace.sp[l][j - 1])
    lhs = rf"\sigma'({sym('z', l, j)})"
    rule = {"sigmoid": rf"{sym('a', l, j)}(1-{sym('a', l, j)}) = {num(a)}\,(1-{num(a)})",
            "tanh": rf"1-({sym('a', l, j)})^2 = 1-{paren(a)}^2",
            "relu": rf"[{sym('z', l, j)} > 0] = [{num(z)} > 0]",
            "linear": "1"}[act]
    return rf"{lhs} = {rule} = {num(sp)}", sp


def _check(net, quantity, l, j, k):
    if quantity not in _EXPLAIN:
        raise ValueError(f"unknown quantity {quantity!r}: choose one of {', '.join(_EXPLAIN)}")
    L = net.L
    layers = {"a": range(1, L + 1), "cost": [L]}.get(quantity, range(2, L + 1))
    if l not in layers:
        raise ValueError(f"{plain(quantity)} exists for layers {layers[0]}..{layers[-1]}, "
                         f"not layer {l}")
    if quantity == "cost":
        return
    n = net.sizes[l - 1]
    if j is None or not 1 <= j <= n:
        raise ValueError(f"j must be a neuron of layer {l}: 1..{n}; got {j}")
    if quantity in ("w", "nabla_w"):
        n_prev = net.sizes[l - 2]
        if k is None or not 1 <= k <= n_prev:
            raise ValueError(f"k must be a neuron of layer {l - 1}: 1..{n_prev}; got {k}")


def explain(net, trace, quantity, l, j=None, k=None):
    """The Derivation of one cell: ``quantity`` of layer l, row j (and column k for w)."""
    _check(net, quantity, l, j, k)
    return _EXPLAIN[quantity](net, trace, l, j, k)


def _input(net, trace, j):
    v = float(trace.a[1][j - 1])
    return Derivation("a", 1, j, None, "given", (rf"{sym('a', 1, j)} = x_{{{j}}} = {num(v)}",),
                      "Layer 1 is the input: its activations are the example's x, as entered.",
                      v, (v,), 1.0, ())


def _parameter(q):
    def given(net, trace, l, j, k):
        k = k if q == "w" else None
        v = float(net.w[l][j - 1, k - 1] if q == "w" else net.b[l][j - 1])
        return Derivation(q, l, j, k, "given", (rf"{sym(q, l, j, k)} = {num(v)}",),
                          "A parameter of the network: set by the initialisation or typed in, "
                          "and changed only by a gradient-descent step.", v, (v,), 1.0, ())
    return given


def _z(net, trace, l, j, _k):
    w, a_prev, b = net.w[l][j - 1], trace.a[l - 1], float(net.b[l][j - 1])
    n = len(a_prev)
    terms = tuple(float(w[k] * a_prev[k]) for k in range(n)) + (b,)
    rule = _sum(f"{sym('w', l, j, k)}{sym('a', l - 1, k)}" for k in range(1, n + 1))
    nums = _sum(rf"{paren(w[k])}\cdot{paren(a_prev[k])}" for k in range(n))
    v = float(trace.z[l][j - 1])
    lines = (rf"{sym('z', l, j)} = \sum_k {sym('w', l, j, 'k')}{sym('a', l - 1, 'k')} + {sym('b', l, j)}",
             rf"= {rule} + {sym('b', l, j)}",
             rf"= {nums} + {paren(b)} = {num(v)}")
    uses = tuple(("w", l, j, k) for k in range(1, n + 1)) + \
        tuple(("a", l - 1, k, None) for k in range(1, n + 1)) + (("b", l, j, None),)
    return Derivation("z", l, j, None, "forward", lines,
                      f"Neuron {j} of layer {l} adds up every activation of layer {l - 1}, "
                      "each times the weight of its connection, plus its bias.",
                      v, terms, 1.0, uses)


def _a(net, trace, l, j, k):
    if l == 1:
        return _input(net, trace, j)
    act = ACTIVATIONS[net.activations[l]]
    z, v = trace.z[l], float(trace.a[l][j - 1])
    if act.elementwise:
        nums = {"sigmoid": rf"\frac{{1}}{{1+e^{{-{paren(z[j - 1])}}}}}",
                "tanh": rf"\tanh {paren(z[j - 1])}", "relu": rf"\max(0, {num(z[j - 1])})",
                "linear": num(z[j - 1])}[act.name]
        uses = (("z", l, j, None),)
    else:
        nums = rf"\frac{{e^{{{num(z[j - 1])}}}}}{{{_sum(f'e^{{{num(v)}}}' for v in z)}}}"
        uses = tuple(("z", l, i, None) for i in range(1, len(z) + 1))
    lines = (rf"{sym('a', l, j)} = \sigma({sym('z', l, j)}) = {act.latex.replace('z', sym('z', l, j)) if act.elementwise else act.latex}",
             rf"= {nums} = {num(v)}")
    return Derivation("a", l, j, None, "forward", lines,
                      f"The activation function ({act.name}) of layer {l} turns the weighted "
                      "input into the neuron's output.", v, (v,), 1.0, uses)


def _cost(net, trace, l, _j, _k):
    cost, a, y = COSTS[net.cost], trace.a[l], trace.y
    per = cost.terms(trace.z[l], a, y, ACTIVATIONS[net.activations[l]])
    term = {"quadratic": lambda i: rf"\tfrac12({num(y[i])}-{num(a[i])})^2",
            "cross_entropy": lambda i: (rf"-[{num(y[i])}\ln {num(a[i])} + "
                                        rf"(1-{num(y[i])})\ln(1-{num(a[i])})]"),
            "log_likelihood": lambda i: rf"-{num(y[i])}\ln {num(a[i])}"}[net.cost]
    lines = (rf"C_x = {cost.latex}".replace("a^L", f"a^{{{l}}}"),
             rf"= {_sum(term(i) for i in range(len(a)))} = {num(trace.cost)}")
    return Derivation("cost", l, None, None, "cost", lines,
                      "The cost measures how far the output a^L is from the target y; "
                      "each output neuron adds its own share.", float(trace.cost),
                      tuple(float(t) for t in per), 1.0,
                      tuple(("a", l, i, None) for i in range(1, len(a) + 1)))


def _bp1(net, trace, l, j, _k):
    cost, act = COSTS[net.cost], ACTIVATIONS[net.activations[l]]
    a, y, v = trace.a[l], trace.y, float(trace.delta[l][j - 1])
    aj, yj, dj = sym("a", l, j), sym("y", None, j), sym("delta", l, j)
    outputs = tuple(("a", l, i, None) for i in range(1, len(a) + 1))
    rule = rf"{dj} = \frac{{\partial C}}{{\partial {aj}}}\,\sigma'({sym('z', l, j)})"
    if act.name in (cost.reduced or {}):
        return _bp1_reduced(net, trace, l, j, rule)
    g = trace.grad_a
    if act.elementwise:
        sp_line, sp = _sigma_prime(net, trace, l, j)
        grad = {"quadratic": rf"({num(a[j - 1])}-{paren(y[j - 1])})"}.get(net.cost, paren(g[j - 1]))
        lines = (rule, rf"= ({cost.grad_latex.replace('a^L_j', aj).replace('y_j', yj)})\,\sigma'({sym('z', l, j)})",
                 sp_line, rf"= {grad}\cdot{paren(sp)} = {num(v)}")
        return Derivation("delta", l, j, None, "BP1", lines,
                          "How fast the cost changes with this output, times how fast the "
                          "output changes with its weighted input.", v, (float(g[j - 1]),), sp,
                          (("a", l, j, None), ("z", l, j, None)))
    J = trace.sp[l]   # softmax: δ^L = Jᵀ ∇_a C, J_kj = a_k(δ_kj − a_j)
    n = len(a)
    terms = tuple(float(J[k, j - 1] * g[k]) for k in range(n))
    lines = (rf"{dj} = \sum_k J_{{k{j}}}\frac{{\partial C}}{{\partial a^{{{l}}}_k}},\quad J_{{kj}} = a^{{{l}}}_k(\delta_{{kj}}-a^{{{l}}}_j)",
             "= " + _sum(rf"{paren(J[k, j - 1])}\cdot{paren(g[k])}" for k in range(n)) + f" = {num(v)}")
    return Derivation("delta", l, j, None, "BP1", lines,
                      "Softmax ties the outputs together, so every output's share of the cost "
                      "reaches this neuron through the softmax Jacobian.", v, terms, 1.0, outputs)


def _bp1_reduced(net, trace, l, j, rule):
    """BP1 where σ' cancels against ∇_a C: the reduced form the package computes."""
    a, y, v = trace.a[l], trace.y, float(trace.delta[l][j - 1])
    aj, yj, dj = sym("a", l, j), sym("y", None, j), sym("delta", l, j)
    combo = (net.cost, net.activations[l])
    jac = rf"{dj} = \sum_k J_{{k{j}}} \frac{{\partial C}}{{\partial a^{{{l}}}_k}}"
    if combo == ("log_likelihood", "softmax"):
        s = float(np.sum(y))
        terms = (float(a[j - 1]) * s, -float(y[j - 1]))
        lines = (rf"{jac} = {aj}\sum_k y_k - {yj}",
                 rf"= {num(a[j - 1])}\cdot{paren(s)} - {paren(y[j - 1])} = {num(v)}")
        text = "Softmax and the log-likelihood cancel: the error is the output minus the target."
    elif combo == ("log_likelihood", "sigmoid"):
        terms = (float(y[j - 1] * a[j - 1]), -float(y[j - 1]))
        lines = (rule, rf"= -\frac{{{yj}}}{{{aj}}}\,{aj}(1-{aj}) = -{yj}(1-{aj})",
                 rf"= -{paren(y[j - 1])}\,(1-{paren(a[j - 1])}) = {num(v)}")
        text = "The 1/a of the log-likelihood cancels against σ' = a(1 − a)."
    elif combo == ("cross_entropy", "sigmoid"):
        terms = (float(a[j - 1]), -float(y[j - 1]))
        lines = (rule, rf"= \frac{{{aj}-{yj}}}{{{aj}(1-{aj})}}\,{aj}(1-{aj}) = {aj} - {yj}",
                 rf"= {num(a[j - 1])} - {paren(y[j - 1])} = {num(v)}")
        text = "Sigmoid and the cross-entropy cancel σ' out: the error is the output minus the target."
    else:   # cross-entropy on softmax: Jᵀ ∇_a C, regrouped to stay finite (see costs.py)
        act = ACTIVATIONS["softmax"]
        parts = softmax_cross_entropy_parts(trace.z[l], a, y, act)[:, j - 1]
        terms = tuple(float(p) for p in parts)
        lines = (rf"{jac} = -{yj} + {aj}\sum_k y_k + (1-{yj}){aj} - \sum_{{k\ne {j}}} "
                 rf"(1-y_k)\frac{{{aj}\,a^{{{l}}}_k}}{{1-a^{{{l}}}_k}}",
                 "= " + " + ".join(paren(p) for p in terms) + f" = {num(v)}")
        text = ("Softmax ties the outputs together: every output's share of the cost reaches "
                "this neuron through the softmax Jacobian J.")
    return Derivation("delta", l, j, None, "BP1", lines, text, v, terms, 1.0,
                      tuple(("a", l, i, None) for i in range(1, len(a) + 1)))


def _bp2(net, trace, l, j, k):
    if l == net.L:
        return _bp1(net, trace, l, j, k)
    w, d_next, v = net.w[l + 1][:, j - 1], trace.delta[l + 1], float(trace.delta[l][j - 1])
    n = len(d_next)
    sp_line, sp = _sigma_prime(net, trace, l, j)
    rule = _sum(f"{sym('w', l + 1, i, j)}{sym('delta', l + 1, i)}" for i in range(1, n + 1))
    nums = _sum(rf"{paren(w[i])}\cdot{paren(d_next[i])}" for i in range(n))
    lines = (rf"{sym('delta', l, j)} = \Big(\sum_k {sym('w', l + 1, 'k', j)}{sym('delta', l + 1, 'k')}\Big)\,\sigma'({sym('z', l, j)})",
             rf"= ({rule})\,\sigma'({sym('z', l, j)})", sp_line,
             rf"= ({nums})\cdot{paren(sp)} = {num(v)}")
    uses = tuple(("w", l + 1, i, j) for i in range(1, n + 1)) + \
        tuple(("delta", l + 1, i, None) for i in range(1, n + 1)) + (("z", l, j, None),)
    return Derivation("delta", l, j, None, "BP2", lines,
                      f"The errors of layer {l + 1} flow back along the weights leaving neuron "
                      f"{j}, then are scaled by how sensitive neuron {j} is (σ').",
                      v, tuple(float(t) for t in w * d_next), sp, uses)


def _bp3(net, trace, l, j, _k):
    v = float(trace.nabla_b[l][j - 1])
    lines = (rf"{sym('nabla_b', l, j)} = {sym('delta', l, j)} = {num(v)}",)
    return Derivation("nabla_b", l, j, None, "BP3", lines,
                      "A bias adds straight into z, so the cost's slope along it is the "
                      "neuron's error itself.", v, (float(trace.delta[l][j - 1]),), 1.0,
                      (("delta", l, j, None),))


def _bp4(net, trace, l, j, k):
    a, d, v = float(trace.a[l - 1][k - 1]), float(trace.delta[l][j - 1]), float(trace.nabla_w[l][j - 1, k - 1])
    lines = (rf"{sym('nabla_w', l, j, k)} = {sym('a', l - 1, k)}\,{sym('delta', l, j)}",
             rf"= {paren(a)}\cdot{paren(d)} = {num(v)}")
    return Derivation("nabla_w", l, j, k, "BP4", lines,
                      f"The weight's slope is the activation going in (from neuron {k} of layer "
                      f"{l - 1}) times the error coming out (at neuron {j} of layer {l}).",
                      v, (a,), d, (("a", l - 1, k, None), ("delta", l, j, None)))


_EXPLAIN = {"w": _parameter("w"), "b": _parameter("b"), "z": _z, "a": _a, "cost": _cost,
            "delta": _bp2, "nabla_b": _bp3, "nabla_w": _bp4}
