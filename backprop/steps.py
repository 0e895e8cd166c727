"""The computation of one Trace as an ordered list of steps, each with its equation written
three ways: in the notation, with the shapes, and with the numbers it used.

The order: the input a^1; z^l then a^l for l = 2..L; the cost; BP1 (δ^L); BP2 for
l = L−1 down to 2; then BP3 and BP4 for l = L down to 2.
"""

from dataclasses import dataclass

from .activations import ACTIVATIONS
from .costs import COSTS
from .notation import bmatrix, num, pretty, sym


@dataclass(frozen=True)
class Step:
    index: int
    kind: str        # "input", "z", "a", "cost", "BP1", "BP2", "BP3" or "BP4"
    l: int           # the layer it works on
    quantity: str    # what it computes: "a", "z", "cost", "delta", "nabla_b" or "nabla_w"
    title: str
    rule: str        # LaTeX: the equation in the notation
    shapes: str      # LaTeX: the same with every shape, n_l × n_{l−1} and its numbers
    numbers: str     # LaTeX: the same with the numbers plugged in
    text: str        # one or two plain sentences


def _u(net, expr, rows, cols=None):
    """``expr`` with its shape under it: (n_l × n_{l−1}) = (3 × 2), or (n_l × 1) = (3 × 1).
    ``rows`` and ``cols`` are layer numbers; cols None means a column vector, 0 a row."""
    def n(l):
        return ("1", "1") if l in (None, 0) else (f"n_{{{l}}}", str(net.sizes[l - 1]))
    (r, rn), (c, cn) = n(rows), n(cols)
    return rf"\underset{{({r}\times {c})=({rn}\times {cn})}}{{{expr}}}"


def _col(net, q, l):
    return _u(net, sym(q, l), l)


def steps(net, trace):
    """Every Step of the forward and backward pass of ``trace``, in order."""
    L, out = net.L, []

    def add(kind, l, quantity, title, rule, shapes, numbers, text):
        out.append(Step(len(out), kind, l, quantity, pretty(title), rule, shapes,
                        rf"\small {numbers}", pretty(text)))

    a, z, d = trace.a, trace.z, trace.delta
    add("input", 1, "a", "Input: a¹ = x", r"a^{1} = x", _col(net, "a", 1),
        rf"a^{{1}} = {bmatrix(a[1])}",
        "Layer 1 is the input layer: its activations are the example x itself.")
    for l in range(2, L + 1):
        add("z", l, "z", f"Forward, layer {l}: weighted input z^{l}",
            rf"z^{{{l}}} = w^{{{l}}} a^{{{l - 1}}} + b^{{{l}}}",
            rf"{_col(net, 'z', l)} = {_u(net, sym('w', l), l, l - 1)}\,"
            rf"{_col(net, 'a', l - 1)} + {_col(net, 'b', l)}",
            rf"{bmatrix(net.w[l])}{bmatrix(a[l - 1])} + {bmatrix(net.b[l])} = {bmatrix(z[l])}",
            f"Row j of w^{l} holds the weights into neuron j of layer {l}; multiplying by "
            f"a^{l - 1} adds up each neuron's weighted inputs, then the bias is added.")
        act = ACTIVATIONS[net.activations[l]]
        add("a", l, "a", f"Forward, layer {l}: activation a^{l}",
            rf"a^{{{l}}} = \sigma(z^{{{l}}}),\quad \sigma(z) = {act.latex}",
            rf"{_col(net, 'a', l)} = \sigma({_col(net, 'z', l)})",
            rf"\sigma\left({bmatrix(z[l])}\right) = {bmatrix(a[l])}",
            f"The {act.name} activation is applied to every entry of z^{l}"
            + (" (softmax uses the whole vector: the outputs sum to 1)." if not act.elementwise
               else "."))
    cost = COSTS[net.cost]
    add("cost", L, "cost", "The cost C_x", rf"C_x = {cost.latex}".replace("a^L", f"a^{{{L}}}"),
        rf"C_x = {cost.latex}".replace("a^L", _col(net, "a", L)),
        rf"C_x\left({bmatrix(a[L])}, {bmatrix(trace.y)}\right) = {num(trace.cost)}",
        f"The {net.cost.replace('_', '-')} cost of this one example: how far the output a^{L} "
        "is from the target y.")
    out_act = ACTIVATIONS[net.activations[L]]
    if out_act.elementwise:
        general = rf"\nabla_a C \odot \sigma'(z^{{{L}}})"
        shapes = rf"\nabla_a C \odot \sigma'({_col(net, 'z', L)})"
        nums = rf"{bmatrix(trace.grad_a)} \odot {bmatrix(trace.sp[L])} = {bmatrix(d[L])}"
        note = ""
    else:   # softmax: σ' is the Jacobian J, n_L × n_L
        general = rf"J(z^{{{L}}})^{{T}} \nabla_a C"
        jac, grad = f"J(z^{{{L}}})^T", r"\nabla_a C"
        shapes = rf"{_u(net, jac, L, L)}\,{_u(net, grad, L)}"
        nums = rf"{bmatrix(trace.sp[L].T)} {bmatrix(trace.grad_a)} = {bmatrix(d[L])}"
        note = " Softmax is not elementwise: σ' is its Jacobian J, J_jk = ∂a_j/∂z_k."
    rule = rf"\delta^{{{L}}} = {general}"
    reduced = (cost.reduced or {}).get(out_act.name)
    if reduced is not None:
        nums = bmatrix(d[L]) if reduced.plug is None else \
            f"{reduced.plug(a[L], trace.y, bmatrix)} = {bmatrix(d[L])}"
        if reduced.latex:
            rule += " = " + reduced.latex.replace("a^L", f"a^{{{L}}}")
            note += (f" With {out_act.name} outputs and the {net.cost.replace('_', '-')} cost "
                     f"σ' cancels, leaving this simpler form, exact even where a^{L} reaches "
                     "0 or 1.")
        else:
            note += (f" It is computed from ln a^{L}, regrouped to stay exact even where "
                     f"a^{L} reaches 0 or 1.")
    add("BP1", L, "delta", f"BP1: the output error δ^{L}", rule,
        rf"{_col(net, 'delta', L)} = {shapes}", rf"\delta^{{{L}}} = {nums}",
        "How much the cost changes when the weighted input of each output neuron "
        "changes." + note)
    for l in range(L - 1, 1, -1):
        add("BP2", l, "delta", f"BP2: the error δ^{l}, moved back from layer {l + 1}",
            rf"\delta^{{{l}}} = \left((w^{{{l + 1}}})^T \delta^{{{l + 1}}}\right) \odot \sigma'(z^{{{l}}})",
            rf"{_col(net, 'delta', l)} = \left({_u(net, f'(w^{{{l + 1}}})^T', l, l + 1)}"
            rf"\,{_col(net, 'delta', l + 1)}\right) \odot \sigma'({_col(net, 'z', l)})",
            rf"\delta^{{{l}}} = \left({bmatrix(net.w[l + 1].T)}{bmatrix(d[l + 1])}\right) "
            rf"\odot {bmatrix(trace.sp[l])} = {bmatrix(d[l])}",
            f"The transpose (w^{l + 1})ᵀ carries the errors of layer {l + 1} back along the "
            f"weights they came through; σ'(z^{l}) scales them by how sensitive each neuron is.")
    for l in range(L, 1, -1):
        add("BP3", l, "nabla_b", f"BP3: the bias gradient ∂C/∂b^{l}",
            rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = \delta^{{{l}}}",
            rf"{_u(net, sym('nabla_b', l), l)} = {_col(net, 'delta', l)}",
            rf"\frac{{\partial C}}{{\partial b^{{{l}}}}} = {bmatrix(d[l])}",
            f"Each bias adds straight into its neuron's z, so its gradient is the error δ^{l}.")
        add("BP4", l, "nabla_w", f"BP4: the weight gradient ∂C/∂w^{l} = δ^{l} (a^{l - 1})ᵀ",
            rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = \delta^{{{l}}} (a^{{{l - 1}}})^T",
            rf"{_u(net, sym('nabla_w', l), l, l - 1)} = {_col(net, 'delta', l)}"
            rf"\,{_u(net, f'(a^{{{l - 1}}})^T', 0, l - 1)}",
            rf"\frac{{\partial C}}{{\partial w^{{{l}}}}} = {bmatrix(d[l])}"
            rf"{bmatrix(a[l - 1][None, :])} = {bmatrix(trace.nabla_w[l])}",
            f"An outer product: cell (j, k) is the activation a^{l - 1}_k going in times the "
            f"error δ^{l}_j coming out, the same shape as w^{l}.")
    return tuple(out)


def known(all_steps, i):
    """The (quantity, l) pairs computed by step i or before it; w and b are always known."""
    return frozenset((s.quantity, s.l) for s in all_steps[: i + 1])
