"""Where does this number come from? The derivation of any one cell of a Trace, with the
numbers plugged in.

``explain(net, trace, "delta", 2, 1)`` gives, for δ^2_1 (BP2),
    δ^2_1 = (w^3_{11} δ^3_1 + w^3_{21} δ^3_2) σ'(z^2_1)
          = (0.4 · 0.1385 + 0.5 · (−0.0381)) · 0.2413 ≈ 0.008771.
Every derivation is a sum of terms times a factor, ``value = sum(terms) * factor``, so the
terms always add up to the value. Every numbers line adds up as printed too: its operands
carry the digits the result needs (see plug.py).
"""

from dataclasses import dataclass

from ..activations import ACTIVATIONS
from ..costs import COSTS
from .cell_output import bp1, cost, relu_note, sigma_prime
from .exact import D, Q, outputs
from .expr import MAX_TERMS, E, constant, frac, group, plus, tanh, times
from .expr import exp as e_to
from .notation import plain, sym
from .plug import plugged, value

__all__ = ["Derivation", "MAX_TERMS", "explain"]


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
    shown: str = ""   # the value as the last line prints it (LaTeX)


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


def activations_of(net, trace, l):
    """a^l exactly (a Q per neuron): taken from z where the activation saturates."""
    if l == 1:
        return [Q(D(x)) for x in trace.a[1]]
    return outputs(net.activations[l], trace.z[l])


def _given(q, l, j, k, lhs, v, text):
    rel = value(v)
    return Derivation(q, l, j, k, "given", (f"{lhs} {rel}",), text, v, (v,), 1.0, (),
                      rel.split(" ", 1)[1])


def _input(net, trace, j):
    v = float(trace.a[1][j - 1])
    return _given("a", 1, j, None, rf"{sym('a', 1, j)} = x_{{{j}}}", v,
                  "Layer 1 is the input: its activations are the example's x, as entered.")


def _parameter(q):
    def given(net, trace, l, j, k):
        k = k if q == "w" else None
        v = float(net.w[l][j - 1, k - 1] if q == "w" else net.b[l][j - 1])
        return _given(q, l, j, k, sym(q, l, j, k), v,
                      "A parameter of the network: set by the initialisation or typed in, "
                      "and changed only by a gradient-descent step.")
    return given


def _z(net, trace, l, j, _k):
    w, b = net.w[l][j - 1], float(net.b[l][j - 1])
    a_prev, n = activations_of(net, trace, l - 1), net.sizes[l - 2]
    terms = tuple(float(w[k] * trace.a[l - 1][k]) for k in range(n)) + (b,)
    rule = " + ".join(f"{sym('w', l, j, k)}{sym('a', l - 1, k)}" for k in range(1, n + 1)) \
        if n <= MAX_TERMS else (f"{sym('w', l, j, 1)}{sym('a', l - 1, 1)} + \\cdots + "
                                f"{sym('w', l, j, n)}{sym('a', l - 1, n)}")
    v = float(trace.z[l][j - 1])
    nums, shown = plugged(lambda f: plus([plus(times(f(w[k]), f(a_prev[k])) for k in range(n)),
                                          f(b)]), v)
    lines = (rf"{sym('z', l, j)} = \sum_k {sym('w', l, j, 'k')}{sym('a', l - 1, 'k')}"
             rf" + {sym('b', l, j)}",
             rf"= {rule} + {sym('b', l, j)}", f"= {nums}")
    uses = tuple(("w", l, j, k) for k in range(1, n + 1)) + \
        tuple(("a", l - 1, k, None) for k in range(1, n + 1)) + (("b", l, j, None),)
    return Derivation("z", l, j, None, "forward", lines,
                      f"Neuron {j} of layer {l} adds up every activation of layer {l - 1}, "
                      "each times the weight of its connection, plus its bias.",
                      v, terms, 1.0, uses, shown)


def _a(net, trace, l, j, k):
    if l == 1:
        return _input(net, trace, j)
    name = net.activations[l]
    zs, z = trace.z[l], float(trace.z[l][j - 1])
    q, v = activations_of(net, trace, l)[j - 1], float(trace.a[l][j - 1])
    aj, zj = sym("a", l, j), sym("z", l, j)
    uses = (("z", l, j, None),)
    text = (f"The activation function ({name}) of layer {l} turns neuron {j}'s weighted "
            "input into its output.")
    if name == "softmax":
        rule = rf"{aj} = \frac{{e^{{{zj}}}}}{{\sum_k e^{{z^{{{l}}}_{{k}}}}}}"
        build = lambda f: frac(e_to(f(z)), plus(e_to(f(t)) for t in zs))   # noqa: E731
        uses = tuple(("z", l, i, None) for i in range(1, len(zs) + 1))
        text = (f"Softmax turns all of layer {l}'s weighted inputs into this output; the "
                "outputs are positive and sum to 1.")
    elif name == "linear":
        lines = (rf"{aj} = \sigma({zj}) = {zj}", value(v))
        return Derivation("a", l, j, None, "forward", lines, text, v, (v,), 1.0, uses,
                          lines[-1].split(" ", 1)[1])
    else:
        rule = rf"{aj} = \sigma({zj}) = " + ACTIVATIONS[name].latex.replace("z", zj)
        build = {"sigmoid": lambda f: frac(constant(1), plus([constant(1), e_to(f(-z))])),
                 "tanh": lambda f: tanh(f(z)),
                 "relu": lambda f: _max0(f(z))}[name]
    nums, shown = plugged(build, q)
    return Derivation("a", l, j, None, "forward", (rule, f"= {nums}"), text, v, (v,), 1.0,
                      uses, shown)


def _max0(e):
    return E(rf"\max(0, {e.tex})", max(e.val, D(0)), "group")


def _cost(net, trace, l, _j, _k):
    lines, text, shown = cost(net, trace, l, activations_of(net, trace, l))
    c = COSTS[net.cost]
    per = c.terms(trace.z[l], trace.a[l], trace.y, ACTIVATIONS[net.activations[l]])
    return Derivation("cost", l, None, None, "cost", lines, text, float(trace.cost),
                      tuple(float(t) for t in per), 1.0,
                      tuple(("a", l, i, None) for i in range(1, net.sizes[-1] + 1)), shown)


def _bp1(net, trace, l, j, _k):
    lines, text, terms, factor, shown = bp1(net, trace, j, activations_of(net, trace, l))
    v = float(trace.delta[l][j - 1])
    uses = tuple(("a", l, i, None) for i in range(1, net.sizes[-1] + 1))
    if ACTIVATIONS[net.activations[l]].elementwise and len(terms) == 1:
        uses = (("a", l, j, None), ("z", l, j, None))
    return Derivation("delta", l, j, None, "BP1", lines, text, v, terms, factor, uses, shown)


def _bp2(net, trace, l, j, k):
    if l == net.L:
        return _bp1(net, trace, l, j, k)
    w, d_next, v = net.w[l + 1][:, j - 1], trace.delta[l + 1], float(trace.delta[l][j - 1])
    n = len(d_next)
    sp = float(trace.sp[l][j - 1])
    sp_line = sigma_prime(net, trace, l, j, activations_of(net, trace, l)[j - 1])
    rule = " + ".join(f"{sym('w', l + 1, i, j)}{sym('delta', l + 1, i)}" for i in range(1, n + 1)) \
        if n <= MAX_TERMS else (f"{sym('w', l + 1, 1, j)}{sym('delta', l + 1, 1)} + \\cdots + "
                                f"{sym('w', l + 1, n, j)}{sym('delta', l + 1, n)}")
    nums, shown = plugged(lambda f: times(group(plus(times(f(w[i]), f(d_next[i]))
                                                     for i in range(n))), f(sp)), v)
    lines = (rf"{sym('delta', l, j)} = \Big(\sum_k {sym('w', l + 1, 'k', j)}"
             rf"{sym('delta', l + 1, 'k')}\Big)\,\sigma'({sym('z', l, j)})",
             rf"= ({rule})\,\sigma'({sym('z', l, j)})", sp_line, f"= {nums}")
    uses = tuple(("w", l + 1, i, j) for i in range(1, n + 1)) + \
        tuple(("delta", l + 1, i, None) for i in range(1, n + 1)) + (("z", l, j, None),)
    text = (f"The errors of layer {l + 1} flow back along the weights leaving neuron {j}, "
            f"then are scaled by how sensitive neuron {j} is (σ').")
    return Derivation("delta", l, j, None, "BP2", lines,
                      text + relu_note(net, trace, l, j), v,
                      tuple(float(t) for t in w * d_next), sp, uses, shown)


def _bp3(net, trace, l, j, _k):
    v = float(trace.nabla_b[l][j - 1])
    rel = value(v)
    line = rf"{sym('nabla_b', l, j)} = {sym('delta', l, j)} {rel}"
    return Derivation("nabla_b", l, j, None, "BP3", (line,),
                      "A bias adds straight into z, so the cost's slope along it is the "
                      "neuron's error itself.", v, (float(trace.delta[l][j - 1]),), 1.0,
                      (("delta", l, j, None),), rel.split(" ", 1)[1])


def _bp4(net, trace, l, j, k):
    a, d = float(trace.a[l - 1][k - 1]), float(trace.delta[l][j - 1])
    v = float(trace.nabla_w[l][j - 1, k - 1])
    q = activations_of(net, trace, l - 1)[k - 1]
    nums, shown = plugged(lambda f: times(f(q), f(d)), v)
    lines = (rf"{sym('nabla_w', l, j, k)} = {sym('a', l - 1, k)}\,{sym('delta', l, j)}",
             f"= {nums}")
    return Derivation("nabla_w", l, j, k, "BP4", lines,
                      f"The weight's slope is the activation going in (from neuron {k} of layer "
                      f"{l - 1}) times the error coming out (at neuron {j} of layer {l}).",
                      v, (a,), d, (("a", l - 1, k, None), ("delta", l, j, None)), shown)


_EXPLAIN = {"w": _parameter("w"), "b": _parameter("b"), "z": _z, "a": _a, "cost": _cost,
            "delta": _bp2, "nabla_b": _bp3, "nabla_w": _bp4}
