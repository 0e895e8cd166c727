"""The classic mistakes of backpropagation, each recomputed for one cell of a Trace.

Each mistake is one slip at the step asked, made with every number before it right: a BP2
cell with σ′ left out uses the right δ^{l+1}, a BP4 cell the right δ^l and a^{l−1}.
Practice mode reveals each step before it asks the next, so a slip does not carry over
from a step the student has already seen corrected. One slip is carried through: the ½ of
the quadratic cost forgotten makes ∇_a C = 2(a^L − y), so δ^L comes out doubled, and with
it every δ^l (BP2), ∂C/∂b and ∂C/∂w computed from it; a student who works from their own
∇_a C (a quiz shows no intermediate values) gives twice the right number everywhere.
A mistake is offered for a cell only where it changes the computation for that activation
and cost: σ′ left out is no mistake for a linear layer (σ′ = 1), nor σ′(a) for relu
([a > 0] is [z > 0]). Where σ′ cancels (sigmoid with cross-entropy, softmax with
log-likelihood), a student may still write the general BP1, ∇_a C ⊙ σ′(z^L), and slip in
its σ′: those slips are offered there too.

``candidates(net, trace, quantity, l, j, k)`` gives (id, value, what went wrong) for each.
Indices j, k are 1-based, as in the notation.
"""

import numpy as np

from ..activations import ACTIVATIONS
from .rules import u

MISTAKES = {   # stable ids (a live class counts them) and their names
    "no_sigma_prime": "σ′(z) left out",
    "sigma_prime_of_a": "σ′ applied to a instead of z",
    "prime_formula_on_z": "σ′ = a(1 − a) written with z",
    "w_not_transposed": "w instead of wᵀ in BP2",
    "a_same_layer": "aˡ instead of aˡ⁻¹ in BP4",
    "jk_swapped": "j and k swapped in BP4",
    "sign_flipped": "sign of a − y flipped",
    "sigma_prime_not_cancelled": "σ′(zᴸ) multiplied in where it cancels",
    "softmax_diagonal": "softmax Jacobian cut to its diagonal",
    "bias_forgotten": "bias forgotten in z",
    "half_forgotten": "½ of the quadratic cost forgotten",
    "a_for_z": "σ(z) given where z was asked",
    "z_for_a": "z given where σ(z) was asked",
}

# σ′ written as a function of the activation a = σ(z)
_PRIME_OF_A = {"sigmoid": lambda a: a * (1.0 - a), "tanh": lambda a: 1.0 - a * a}
# (cost, output activation) where σ′(z^L) cancels, leaving a − y (times Σ_k y_k for softmax)
CANCELS = {("cross_entropy", "sigmoid"), ("log_likelihood", "softmax")}
_SIGN_FLIPS = {"quadratic", "cross_entropy"}   # and log-likelihood on softmax: a − y


def candidates(net, trace, quantity, l, j=None, k=None):
    """(id, value, what went wrong) for every mistake that applies to this cell."""
    if quantity == "z":
        return _z(net, trace, l, j)
    if quantity == "a" and l > 1 and net.activations[l] != "linear":
        z, a = u("z", l, j), u("a", l, j)
        return [("z_for_a", float(trace.z[l][j - 1]),
                 f"That is the weighted input {z}; {a} applies the activation "
                 f"({net.activations[l]}) to it.")]
    if quantity == "cost" and net.cost == "quadratic":
        d = trace.y - trace.a[l]
        return [("half_forgotten", float(d @ d),
                 "The quadratic cost has ½ in front; without it C comes out twice as large.")]
    out = _doubled(net, trace, quantity, l, j, k) if net.cost == "quadratic" else []
    if quantity == "delta":
        return (_bp1(net, trace, j) if l == net.L else _bp2(net, trace, l, j)) + out
    if quantity == "nabla_w":
        return _bp4(net, trace, l, j, k) + out
    return out


def _doubled(net, trace, quantity, l, j, k):
    """The ½ of the quadratic cost forgotten: ∇_a C = 2(a^L − y) doubles δ^L, and every δ^l,
    ∂C/∂b and ∂C/∂w after it, since each is linear in δ^L."""
    if quantity not in ("delta", "nabla_b", "nabla_w"):
        return []
    L, d = net.L, float(trace.delta[l][j - 1])
    aL, grad = u("a", L), f"∇ₐC = {u('a', L)} − y"
    if quantity == "delta" and l == L:
        aj, yj = u("a", L, j), u("y", None, j)
        what = (f"The quadratic cost has ½ in front, so ∂C/∂{aj} = {aj} − {yj}, not "
                f"2({aj} − {yj}): without the ½, {u('δ', L, j)} comes out twice as large.")
    else:
        then = {"delta": f"through BP2 so does {u('δ', l, j)}",
                "nabla_b": f"so does ∂C/∂{u('b', l, j)}",
                "nabla_w": f"so does ∂C/∂{u('w', l, j, k)}"}[quantity]
        what = (f"That is twice the right number. The quadratic cost has ½ in front, so "
                f"{grad}, not 2({aL} − y): without the ½, {u('δ', L)} comes out doubled, "
                f"and {then}.")
    value = 2.0 * (d if quantity != "nabla_w" else float(trace.nabla_w[l][j - 1, k - 1]))
    return [("half_forgotten", value, what)]


def _z(net, trace, l, j):
    z, a, b = u("z", l, j), u("a", l, j), u("b", l, j)
    out = [("bias_forgotten", float(net.w[l][j - 1] @ trace.a[l - 1]),
            f"The bias {b} was left out of {z}.")]
    if net.activations[l] != "linear":
        out.append(("a_for_z", float(trace.a[l][j - 1]),
                    f"That is {a} = σ({z}), after the activation; {z} is the weighted "
                    "input before it."))
    return out


def _sigma_prime_slips(act, back, z, a, zs, as_, before=""):
    """σ′(a) and a(1 − a) with z, for an elementwise σ, times the factor ``back``; each
    sentence after ``before``."""
    if act not in _PRIME_OF_A:
        return []
    prime = _PRIME_OF_A[act]
    of_a = ACTIVATIONS[act].fn(np.array(a))
    written = {"sigmoid": f"{as_}(1 − {as_})", "tanh": f"1 − ({as_})²"}[act]
    return [("sigma_prime_of_a", float(back * prime(of_a)),
             f"{before}σ′ takes the weighted input: σ′({zs}), not σ′({as_})."),
            ("prime_formula_on_z", float(back * prime(z)),
             f"{before}σ′({zs}) = {written} is written with the activation {as_}, not with "
             f"{zs}.")]


def _bp1(net, trace, j):
    L, act, cost = net.L, net.activations[net.L], net.cost
    a, y, z = trace.a[L], trace.y, trace.z[L]
    g, d = float(trace.grad_a[j - 1]), float(trace.delta[L][j - 1])
    zs, as_ = u("z", L, j), u("a", L, j)
    aj = float(a[j - 1])
    out = []
    if act != "linear":
        missing = "The softmax Jacobian J" if act == "softmax" else f"σ′({zs})"
        out.append(("no_sigma_prime", g, f"{missing} was left out: ∂C/∂{as_} alone is not "
                                          f"{u('δ', L, j)}."))
    if cost in _SIGN_FLIPS or (cost, act) in CANCELS:
        out.append(("sign_flipped", -d, "The output error starts from a − y, not y − a: "
                                        "the sign is flipped."))
    cancels = (cost, act) in CANCELS
    if cancels:
        what = "the softmax Jacobian" if act == "softmax" else f"σ′({zs})"
        out.append(("sigma_prime_not_cancelled", d * aj * (1.0 - aj),
                    f"With {act} outputs and the {cost.replace('_', '-')} cost {what} "
                    f"cancels against ∂C/∂a: there is no factor {as_}(1 − {as_})."))
    # σ′ taken of a: also where σ′ cancels, by a student who writes out the general BP1
    if act == "softmax":   # J from σ(a^L) instead of a^L itself
        before = (f"Written out in full, BP1 is {u('δ', L, j)} = Σₖ {u('J', None, 'k', j)} "
                  f"∂C/∂{u('a', L, 'k')}, and there " if cancels else "")
        s = ACTIVATIONS["softmax"].fn(a)
        out.append(("sigma_prime_of_a", float(s[j - 1] * (g - s @ trace.grad_a)),
                    f"{before}J is built from {u('a', L)} = σ({u('z', L)}) itself, not from "
                    f"σ({u('a', L)})."))
    else:
        before = f"Written out in full, BP1 is ∂C/∂{as_} σ′({zs}), and there " if cancels \
            else ""
        out += _sigma_prime_slips(act, g, float(z[j - 1]), aj, zs, as_, before)
    if act == "softmax":
        diag = {"quadratic": (aj - y[j - 1]) * aj * (1.0 - aj), "cross_entropy": aj - y[j - 1],
                "log_likelihood": -y[j - 1] * (1.0 - aj)}[cost]
        out.append(("softmax_diagonal", float(diag),
                    f"Softmax ties the outputs together: {u('δ', L, j)} sums over every "
                    f"output through J, not only the diagonal {u('J', None, j, j)} = "
                    f"{as_}(1 − {as_})."))
    return out


def _bp2(net, trace, l, j):
    act, w, d_next = net.activations[l], net.w[l + 1], trace.delta[l + 1]
    back = float(w[:, j - 1] @ d_next)            # ((w^{l+1})ᵀ δ^{l+1})_j
    sp = float(trace.sp[l][j - 1])
    zs, as_ = u("z", l, j), u("a", l, j)
    out = []
    if act != "linear":
        out.append(("no_sigma_prime", back, f"σ′({zs}) was left out."))
    out += _sigma_prime_slips(act, back, float(trace.z[l][j - 1]),
                              float(trace.a[l][j - 1]), zs, as_)
    if w.shape[0] == w.shape[1]:   # w^{l+1} δ^{l+1} has the right length only when square
        out.append(("w_not_transposed", float(w[j - 1] @ d_next) * sp,
                    f"BP2 uses ({u('w', l + 1)})ᵀ: column {j} of {u('w', l + 1)}, the "
                    f"weights leaving neuron {j}, not row {j}."))
    return out


def _bp4(net, trace, l, j, k):
    a_prev, a, d = trace.a[l - 1], trace.a[l], trace.delta[l]
    n_prev, n = len(a_prev), len(a)
    out = []
    if k <= n:
        out.append(("a_same_layer", float(a[k - 1] * d[j - 1]),
                    f"The weight {u('w', l, j, k)} comes in from layer {l - 1}: use "
                    f"{u('a', l - 1, k)}, not {u('a', l, k)}."))
    if j != k and j <= n_prev and k <= n:
        out.append(("jk_swapped", float(a_prev[j - 1] * d[k - 1]),
                    f"j is the neuron the weight goes to and k the one it comes from: "
                    f"{u('a', l - 1, k)} {u('δ', l, j)}, not {u('a', l - 1, j)} {u('δ', l, k)}."))
    return out
