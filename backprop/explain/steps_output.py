"""The steps at the output layer, the cost and BP1, whose form depends on the output
activation and the cost. ``qs`` is a^L known exactly (plug.Q)."""

import math

from ..activations import ACTIVATIONS
from .cell_output import _a_minus_y
from .exact import exact
from .expr import E, column, entrywise, grid, group, matmul, scaled
from .plug import plugged


def _sub(x, y):
    return x - y


def _mul(x, y):
    return x * y


def cost_value(name, a, y):
    """C_x of the outputs a and targets y (Decimals), exactly."""
    if name == "quadratic":
        return sum((yi - ai) ** 2 for ai, yi in zip(a, y)) / 2
    if name == "cross_entropy":
        return -sum(yi * ai.ln() + (1 - yi) * (1 - ai).ln() for ai, yi in zip(a, y))
    return -sum(yi * ai.ln() for ai, yi in zip(a, y))


def cost_numbers(net, trace, qs):
    """C_x(a^L, y) = C with the numbers: what the cost step shows."""
    def build(f):
        A, Y = column(f, qs), column(f, trace.y)
        with exact():
            c = cost_value(net.cost, [r[0] for r in A.val], [r[0] for r in Y.val])
        return E(rf"C_x\left({A.tex}, {Y.tex}\right)", c, "group")
    return plugged(build, trace.cost)[0]


def bp1(net, trace, qs, col, under):
    """(rule, shapes, numbers, note) of the BP1 step, ``numbers`` a function that writes
    them when called; ``col`` and ``under`` write shapes."""
    L, name = net.L, net.cost
    act = ACTIVATIONS[net.activations[L]]
    y, d = trace.y, trace.delta[L]

    def a_minus_y(f):
        return entrywise(column(f, qs), column(f, y), _sub, "-")

    if act.elementwise:
        rule = rf"\delta^{{{L}}} = \nabla_a C \odot \sigma'(z^{{{L}}})"
        shapes = rf"\nabla_a C \odot \sigma'({col(net, 'z', L)})"
        note = ""
    else:   # softmax: σ' is the Jacobian J, n_L × n_L
        rule = rf"\delta^{{{L}}} = J(z^{{{L}}})^{{T}} \nabla_a C"
        grad = r"\nabla_a C"
        shapes = rf"{under(net, f'J(z^{{{L}}})^T', L, L)}\," + under(net, grad, L)
        note = " Softmax is not elementwise: σ' is its Jacobian J, J_jk = ∂a_j/∂z_k."
    if (name, act.name) == ("cross_entropy", "sigmoid"):
        rule += rf" = a^{{{L}}} - y"
        build = a_minus_y
        note += (f" With sigmoid outputs and the cross-entropy cost σ' cancels, leaving "
                 f"a^{L} − y: learning does not slow down when an output saturates "
                 "(Nielsen's point).")
    elif (name, act.name) == ("log_likelihood", "softmax"):
        s = math.fsum(y)
        rule += rf" = a^{{{L}}} \textstyle\sum_k y_k - y"
        if abs(s - 1) <= 1e-12:
            rule += rf" = a^{{{L}}} - y\quad(\text{{since }}\textstyle\sum_k y_k = 1)"
            build = a_minus_y
            note += (f" With the log-likelihood cost J leaves a^{L} Σ_k y_k − y, which is "
                     f"the output minus the target, a^{L} − y, because the targets sum to 1.")
        else:
            def build(f):
                return entrywise(scaled(column(f, qs), f(s)), column(f, y), _sub, "-")
            note += (f" With the log-likelihood cost J leaves a^{L} Σ_k y_k − y. Here the "
                     f"targets sum to {s:.4g}, not 1, so this is not the output minus the "
                     "target.")
    elif act.elementwise:
        if name == "quadratic":
            rule += rf",\quad \nabla_a C = a^{{{L}}} - y"

            def build(f):
                return entrywise(group(a_minus_y(f), r"\left(", r"\right)"),
                                 column(f, trace.sp[L]), _mul, r"\odot")
        else:
            def build(f):
                return entrywise(column(f, trace.grad_a), column(f, trace.sp[L]), _mul,
                                 r"\odot")
    else:   # softmax with the quadratic or cross-entropy cost: Jᵀ ∇_a C written out
        with exact():
            g = [_a_minus_y(q, yk) for q, yk in zip(qs, y)]
            if name == "cross_entropy":
                g = [gk / (q.v * q.c) for gk, q in zip(g, qs)]
            JT = [[qk.v * qi.c if k == i else -qk.v * qi.v for k, qk in enumerate(qs)]
                  for i, qi in enumerate(qs)]    # Jᵀ_ik = J_ki = a_k([k = i] − a_i)
        rule += {"quadratic": rf",\quad \nabla_a C = a^{{{L}}} - y",
                 "cross_entropy": rf",\quad (\nabla_a C)_k = \frac{{a^{{{L}}}_k - y_k}}"
                                  rf"{{a^{{{L}}}_k(1-a^{{{L}}}_k)}}"}[name]

        def build(f):
            return matmul(grid(f, JT), column(f, g))
        if name == "cross_entropy":
            note += (f" Nielsen pairs softmax with the log-likelihood cost, where this is "
                     f"simply a^{L} − y; with the cross-entropy cost it stays Jᵀ∇ₐC.")
    return rule, shapes, lambda: "= " + plugged(build, d)[0], note
