"""The derivations at the output layer (the cost and BP1) and σ'(z) written out for a
neuron: the parts of ``explain`` that depend on the activation and the cost.

``qs`` is the output layer's a^L known exactly (plug.Q), so that 1 − a comes from z.
"""

import math

from ..costs import COSTS
from .exact import D, exact
from .expr import MAX_TERMS, E, constant, group, ln, minus, plus, sech2, square, times
from .notation import num, pretty, sym
from .plug import plugged, value


def sigma_prime(net, trace, l, j, q):
    """The LaTeX line of σ'(z^l_j) for neuron j's activation, with its numbers."""
    act, z, sp = net.activations[l], float(trace.z[l][j - 1]), float(trace.sp[l][j - 1])
    lhs, zs, as_ = rf"\sigma'({sym('z', l, j)})", sym("z", l, j), sym("a", l, j)
    if act == "sigmoid":   # a and 1 − a printed so that they add up to 1
        return rf"{lhs} = {as_}(1-{as_}) = " + plugged(lambda f: times(*f.pair(q)), sp)[0]
    if act == "tanh":
        if abs(q.v) <= D(0.95):
            nums = plugged(lambda f: minus(constant(1), square(f(q))), sp)[0]
            return rf"{lhs} = 1-({as_})^2 = {nums}"
        # 1 − a² loses its digits as |a| nears 1: 1/cosh²z is the same, from z
        nums = plugged(lambda f: sech2(f(z)), sp)[0]
        return rf"{lhs} = 1-({as_})^2 = \frac{{1}}{{\cosh^2 {zs}}} = {nums}"
    if act == "relu":
        if z == 0:
            return rf"{lhs} = 0 \text{{ by convention: relu has no derivative at }} {zs} = 0"
        return (rf"{lhs} = 1 \text{{ if }} {zs} > 0\text{{, else }} 0;\ \ \text{{here }} {zs} "
                rf"{value(z)},\ \text{{so }} {lhs} = {int(z > 0)}")
    return rf"{lhs} = 1"


def relu_note(net, trace, l, j):
    """A sentence on σ' of a relu neuron at or below its kink, or ""."""
    if net.activations[l] != "relu" or trace.z[l][j - 1] > 0:
        return ""
    if trace.z[l][j - 1] < 0:
        return (" This relu neuron has z < 0, so σ' = 0: it passes no error back "
                "(a dead neuron).")
    return (" Relu has no derivative at z = 0: the app uses 0 there by convention, while a "
            "central difference across the kink (as on Gradient check) gives half the "
            "one-sided slope.")


def _a_minus_y(q, y):
    """a − y exactly, also where |a| is close to 1 (a = ±(1 − c))."""
    y = D(y)
    if q.c is not None and abs(q.v) > D(0.5):
        s = 1 if q.v > 0 else -1
        return (s - y) - s * q.c
    return q.v - y


def _neg_brackets(es):
    shown = es if len(es) <= MAX_TERMS else es[:3] + [None] + es[-2:]
    tex = "-" + " - ".join(r"\cdots" if e is None else e.tex for e in shown)
    return E(tex, -sum(e.val for e in es), "neg")


def cost(net, trace, l, qs):
    """(lines, text, the cost as printed) of C_x."""
    y, name = trace.y, net.cost
    n = len(qs)
    if name == "quadratic":
        def build(f):
            return plus(E(rf"\tfrac12({d.tex})^2", d.val * d.val / 2, "prod")
                        for d in (minus(f(y[i]), f(qs[i])) for i in range(n)))
        text = f"The cost measures how far the output a^{l} is from the target y; each " \
               "output neuron adds its own share."
    elif name == "cross_entropy":
        def build(f):
            out = []
            for i in range(n):
                a, c = f.pair(qs[i])
                inner = plus([times(f(y[i]), ln(a)),
                              times(group(minus(constant(1), f(y[i]))), ln(c))])
                out.append(group(inner, "[", "]"))
            return _neg_brackets(out)
        text = ("Each output neuron adds its own share, small when its output is close to "
                "its target and growing without bound as it moves away; 1 − a is taken from "
                "z, so it stays right where a rounds to 1.")
    else:
        def build(f):
            return _neg_brackets([group(plus(times(f(y[i]), ln(f(qs[i]))) for i in range(n)),
                                        "[", "]")])
        text = ("The log-likelihood cost: minus the log of the probability the network gives "
                "the target class (y weights each output's ln a). Outputs whose target is 0 "
                "add nothing.")
    nums, shown = plugged(build, trace.cost)
    rule = rf"C_x = {COSTS[name].latex}".replace("a^L", f"a^{{{l}}}")
    return (rule, f"= {nums}"), pretty(text), shown


def bp1(net, trace, j, qs):
    """(lines, text, terms, factor, δ^L_j as printed) of BP1 for output neuron j."""
    L, name, act = net.L, net.cost, net.activations[net.L]
    y, v, q = trace.y, float(trace.delta[L][j - 1]), qs[j - 1]
    aj, yj, dj, zj = sym("a", L, j), sym("y", None, j), sym("delta", L, j), sym("z", L, j)
    rule = rf"{dj} = \frac{{\partial C}}{{\partial {aj}}}\,\sigma'({zj})"
    jac = rf"{dj} = \sum_k J_{{k{j}}}\,\frac{{\partial C}}{{\partial a^{{{L}}}_{{k}}}}"
    if (name, act) == ("cross_entropy", "sigmoid"):
        nums, shown = plugged(lambda f: minus(f(q), f(y[j - 1])), v)
        lines = (rule, rf"= \frac{{{aj}-{yj}}}{{{aj}(1-{aj})}}\,{aj}(1-{aj}) = {aj} - {yj}",
                 f"= {nums}")
        text = ("Sigmoid and the cross-entropy cancel σ' out, so the error is the output "
                "minus the target: learning does not slow down when an output saturates "
                "(Nielsen's point).")
        return lines, text, (float(trace.a[L][j - 1]), -float(y[j - 1])), 1.0, shown
    if (name, act) == ("log_likelihood", "softmax"):
        s = math.fsum(y)
        one = abs(s - 1) <= 1e-12
        if one:
            nums, shown = plugged(lambda f: minus(f(q), f(y[j - 1])), v)
        else:
            nums, shown = plugged(lambda f: minus(times(f(q), f(s)), f(y[j - 1])), v)
        lines = (rf"{jac} = {aj}\sum_k y_k - {yj}" +
                 (rf" = {aj} - {yj}\quad(\text{{since }}\textstyle\sum_k y_k = 1)" if one else ""),
                 f"= {nums}")
        text = ("Softmax and the log-likelihood cancel: the error is the output minus the "
                "target." if one else
                f"Softmax and the log-likelihood leave a^{L}_j Σ_k y_k − y_j. That is the output "
                f"minus the target only when the targets sum to 1 (one class); here they sum "
                f"to {num(s)}.")
        return lines, pretty(text), (float(trace.a[L][j - 1]) * s, -float(y[j - 1])), 1.0, shown
    if act == "softmax":   # Jᵀ ∇_a C written out, J_kj = a_k([k = j] − a_j)
        with exact():
            J = [qk.v * q.c if k == j - 1 else -qk.v * q.v for k, qk in enumerate(qs)]
            g = [_a_minus_y(qk, y[k]) for k, qk in enumerate(qs)]
            if name == "cross_entropy":
                g = [gk / (qk.v * qk.c) for gk, qk in zip(g, qs)]
            terms = tuple(float(Jk * gk) for Jk, gk in zip(J, g))
        grad = {"quadratic": rf"a^{{{L}}}_{{k}}-y_{{k}}",
                "cross_entropy": rf"\frac{{a^{{{L}}}_{{k}}-y_{{k}}}}"
                                 rf"{{a^{{{L}}}_{{k}}(1-a^{{{L}}}_{{k}})}}"}[name]
        nums, shown = plugged(lambda f: plus(times(f(Jk), f(gk)) for Jk, gk in zip(J, g)), v)
        lines = (rf"{jac},\quad J_{{k{j}}} = \frac{{\partial a^{{{L}}}_{{k}}}}{{\partial {zj}}}"
                 rf" = a^{{{L}}}_{{k}}\big([k={j}]-{aj}\big)",
                 rf"[k={j}] = 1 \text{{ if }} k={j}\text{{, else }} 0;\quad "
                 rf"\frac{{\partial C}}{{\partial a^{{{L}}}_{{k}}}} = {grad}",
                 f"= {nums}")
        text = ("Softmax ties the outputs together, so every output's share of the cost "
                "reaches this neuron through the softmax Jacobian J.")
        if name == "cross_entropy":
            text += (" Nielsen pairs softmax with the log-likelihood cost instead, where this "
                     "sum is simply the output minus the target.")
        return lines, text, terms, 1.0, shown
    sp = float(trace.sp[L][j - 1])
    sp_line = sigma_prime(net, trace, L, j, q)
    if name == "quadratic":
        nums, shown = plugged(lambda f: times(group(minus(f(q), f(y[j - 1]))), f(sp)), v)
        cell = rf"= ({aj} - {yj})\,\sigma'({zj})"
    else:
        g = float(trace.grad_a[j - 1])
        nums, shown = plugged(lambda f: times(f(g), f(sp)), v)
        grad = COSTS[name].grad_latex.replace("a^L_j", aj).replace("y_j", yj)
        cell = rf"= ({grad})\,\sigma'({zj})"
    text = ("How fast the cost changes with this output, times how fast the output changes "
            "with its weighted input." + relu_note(net, trace, L, j))
    return (rule, cell, sp_line, f"= {nums}"), text, (float(trace.grad_a[j - 1]),), sp, shown
