"""The computation of one Trace as an ordered list of steps, each with its equation written
three ways: in the notation, with the shapes, and with the numbers it used.

The order: the input a^1; z^l then a^l for l = 2..L; the cost; BP1 (δ^L); BP2 for
l = L−1 down to 2; then BP3 and BP4 for l = L down to 2. The numbers add up as printed:
each line's operands carry the digits its result needs (see plug.py).
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from ..activations import ACTIVATIONS
from ..costs import COSTS
from .cell import activations_of
from .exact import outputs
from .expr import applied, column, entrywise, grid, group, matmul
from .notation import pretty, sym
from .plug import plugged, value
from .steps_output import bp1, cost_numbers


@dataclass(frozen=True)
class Step:
    index: int
    kind: str        # "input", "z", "a", "cost", "BP1", "BP2", "BP3" or "BP4"
    l: int           # the layer it works on
    quantity: str    # what it computes: "a", "z", "cost", "delta", "nabla_b" or "nabla_w"
    title: str
    rule: str        # LaTeX: the equation in the notation
    shapes: str      # LaTeX: the same with every shape, n_l × n_{l−1} and its numbers
    text: str        # one or two plain sentences
    numbers_of: Callable = field(repr=False, compare=False)   # () -> ``numbers``

    @cached_property
    def numbers(self):
        """LaTeX: the equation with the numbers plugged in. Made when first read: finding
        the digits every operand needs takes a while, and a page shows one step at a time."""
        return rf"\small {self.numbers_of()}"


def _u(net, expr, rows, cols=None):
    """``expr`` with its shape under it: (n_l × n_{l−1}) = (3 × 2), or (n_l × 1) = (3 × 1).
    ``rows`` and ``cols`` are layer numbers; cols None means a column vector, 0 a row."""
    def n(l):
        return ("1", "1") if l in (None, 0) else (f"n_{{{l}}}", str(net.sizes[l - 1]))
    (r, rn), (c, cn) = n(rows), n(cols)
    return rf"\underset{{({r}\times {c})=({rn}\times {cn})}}{{{expr}}}"


def _col(net, q, l):
    return _u(net, sym(q, l), l)


def _mul(x, y):
    return x * y


def _forward(net, trace, l, add, acts):
    qs_prev, act = acts[l - 1], ACTIVATIONS[net.activations[l]]
    w, b, z = net.w[l], net.b[l], trace.z[l]
    def z_numbers():
        return plugged(lambda f: entrywise(matmul(grid(f, w), column(f, qs_prev)),
                                           column(f, b), lambda x, y: x + y, "+"), z)[0]
    add("z", l, "z", f"Forward, layer {l}: weighted input z^{l}",
        rf"z^{{{l}}} = w^{{{l}}} a^{{{l - 1}}} + b^{{{l}}}",
        rf"{_col(net, 'z', l)} = {_u(net, sym('w', l), l, l - 1)}\,"
        rf"{_col(net, 'a', l - 1)} + {_col(net, 'b', l)}", z_numbers,
        f"Row j of w^{l} holds the weights into neuron j of layer {l}; multiplying by "
        f"a^{l - 1} adds up each neuron's weighted inputs, then the bias is added.")
    name = act.name
    fn = r"\operatorname{softmax}" if name == "softmax" else r"\sigma"
    def a_numbers():
        return plugged(lambda f: applied(fn, column(f, z),
                                         lambda col: [q.v for q in outputs(name, col)]),
                       acts[l])[0]
    if name == "softmax":
        rule = rf"a^{{{l}}}_j = \frac{{e^{{z^{{{l}}}_j}}}}{{\sum_k e^{{z^{{{l}}}_k}}}}"
        text = (f"Softmax turns all of layer {l}'s weighted inputs into its outputs at once: "
                f"each a^{l}_j depends on every z^{l}_k. The outputs are positive and sum to 1.")
    else:
        rule = rf"a^{{{l}}} = \sigma(z^{{{l}}}),\quad \sigma(z) = {act.latex}"
        text = f"The {name} activation is applied to each entry of z^{l} on its own."
    add("a", l, "a", f"Forward, layer {l}: activation a^{l}", rule,
        rf"{_col(net, 'a', l)} = {fn}({_col(net, 'z', l)})", a_numbers, text)


def steps(net, trace):
    """Every Step of the forward and backward pass of ``trace``, in order."""
    L, out = net.L, []
    acts = {l: activations_of(net, trace, l) for l in range(1, L + 1)}   # a^l, exactly

    def add(kind, l, quantity, title, rule, shapes, numbers, text):
        """``numbers``: a function that writes the numbers line, called when it is read."""
        out.append(Step(len(out), kind, l, quantity, pretty(title), rule, shapes,
                        pretty(text), numbers))

    a, d = trace.a, trace.delta
    add("input", 1, "a", "Input: a¹ = x", r"a^{1} = x", _col(net, "a", 1),
        lambda: rf"a^{{1}} {value(a[1])}",
        "Layer 1 is the input layer: its activations are the example x itself.")
    for l in range(2, L + 1):
        _forward(net, trace, l, add, acts)
    cost = COSTS[net.cost]
    what = {"log_likelihood": "minus the log of the probability the output a^{L} gives the "
                              "target class"}.get(net.cost, "how far the output a^{L} is from "
                                                            "the target y")
    add("cost", L, "cost", "The cost C_x", rf"C_x = {cost.latex}".replace("a^L", f"a^{{{L}}}"),
        rf"C_x\left({_col(net, 'a', L)}, {_u(net, 'y', L)}\right) = "
        + cost.latex.replace("a^L", f"a^{{{L}}}"),
        lambda: cost_numbers(net, trace, acts[L]),
        f"The {net.cost.replace('_', '-')} cost of this one example: "
        + what.replace("{L}", str(L)) + ".")
    rule, shapes, nums, note = bp1(net, trace, acts[L], _col, _u)
    add("BP1", L, "delta", f"BP1: the output error δ^{L}", rule,
        rf"{_col(net, 'delta', L)} = {shapes}", lambda: rf"\delta^{{{L}}} {nums()}",
        "How much the cost changes when the weighted input of each output neuron "
        "changes." + note)
    for l in range(L - 1, 1, -1):
        relu = ""
        if net.activations[l] == "relu":
            relu = (" For relu, σ'(z) is 1 if z > 0, else 0: a neuron with z < 0 passes no "
                    "error back (a dead neuron).")
            if (trace.z[l] == 0).any():
                relu += (" At z = 0 relu has no derivative; the app uses 0 there by "
                         "convention.")
        add("BP2", l, "delta", f"BP2: the error δ^{l}, moved back from layer {l + 1}",
            rf"\delta^{{{l}}} = \left((w^{{{l + 1}}})^T \delta^{{{l + 1}}}\right)"
            rf" \odot \sigma'(z^{{{l}}})",
            rf"{_col(net, 'delta', l)} = \left({_u(net, f'(w^{{{l + 1}}})^T', l, l + 1)}"
            rf"\,{_col(net, 'delta', l + 1)}\right) \odot \sigma'({_col(net, 'z', l)})",
            _bp2_numbers(net, trace, l),
            f"The transpose (w^{l + 1})ᵀ carries the errors of layer {l + 1} back along the "
            f"weights they came through; σ'(z^{l}) scales them by how sensitive each neuron is."
            + relu)
    for l in range(L, 1, -1):
        add("BP3", l, "nabla_b", f"BP3: the bias gradient ∂C/∂b^{l}",
            rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = \delta^{{{l}}}",
            rf"{_u(net, sym('nabla_b', l), l)} = {_col(net, 'delta', l)}",
            lambda dl=d[l], l=l: rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} {value(dl)}",
            f"Each bias adds straight into its neuron's z, so its gradient is the error δ^{l}.")
        add("BP4", l, "nabla_w", f"BP4: the weight gradient ∂C/∂w^{l} = δ^{l} (a^{l - 1})ᵀ",
            rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = \delta^{{{l}}} (a^{{{l - 1}}})^T",
            rf"{_u(net, sym('nabla_w', l), l, l - 1)} = {_col(net, 'delta', l)}"
            rf"\,{_u(net, f'(a^{{{l - 1}}})^T', 0, l - 1)}",
            _bp4_numbers(trace, l, acts[l - 1]),
            f"An outer product: cell (j, k) is the activation a^{l - 1}_k going in times the "
            f"error δ^{l}_j coming out, the same shape as w^{l}.")
    return tuple(out)


def _bp2_numbers(net, trace, l):
    d, sp, wT = trace.delta, trace.sp[l], net.w[l + 1].T

    def build(f):
        back = matmul(grid(f, wT), column(f, d[l + 1]))
        return entrywise(group(back, r"\left(", r"\right)"), column(f, sp), _mul, r"\odot")
    return lambda: rf"\delta^{{{l}}} = " + plugged(build, d[l])[0]


def _bp4_numbers(trace, l, qs):
    def build(f):
        return matmul(column(f, trace.delta[l]), grid(f, [qs]))
    return lambda: rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = " + \
        plugged(build, trace.nabla_w[l])[0]


def known(all_steps, i):
    """The (quantity, l) pairs computed by step i or before it; w and b are always known."""
    return frozenset((s.quantity, s.l) for s in all_steps[: i + 1])
