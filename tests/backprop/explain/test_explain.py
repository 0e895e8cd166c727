"""The derivation of every cell (backprop.explain): the terms shown add up to the value shown,
the value is the trace's own number, and terms, factors and values agree with an independent
forward and backward pass written here (σ' and the softmax Jacobian by central differences,
∇_a C and each cost share from the formulas of NOTATION.md).

Layer numbering is that of NOTATION.md: layer 1 is the input, w^l is n_l × n_{l−1}.
"""

import math
import re

import numpy as np
import pytest
from helpers.latex_arithmetic import NUMBER, number, result_entries, split_relations
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import Network
from backprop.explain import explain
from backprop.explain.expr import MAX_TERMS

HIDDEN = ("sigmoid", "tanh", "relu", "linear")
OUTPUT = ("sigmoid", "tanh", "relu", "linear", "softmax")
# The log costs take ln a^L: the package accepts them only for sigmoid and softmax outputs,
# and the log-likelihood (as Nielsen defines it) only for softmax.
ACCEPTED = [(out, cost) for cost in ("quadratic", "cross_entropy", "log_likelihood")
            for out in OUTPUT if cost == "quadratic" or out in ("sigmoid", "softmax")
            and (cost, out) != ("log_likelihood", "sigmoid")]
QUANTITIES = ("w", "b", "z", "a", "cost", "delta", "nabla_b", "nabla_w")
H = 1e-6          # step of the central differences for σ'
RELU_MARGIN = 1e-4   # closer than this to the kink, central differences straddle it


# --- an independent reference ---------------------------------------------------------

def sigma(name, z):
    z = np.asarray(z, dtype=np.float64)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "linear":
        return z + 0.0
    assert name == "softmax"
    e = np.exp(z - z.max())
    return e / e.sum()


def fd_prime(name, z):
    """σ'(z) elementwise by central differences."""
    return (sigma(name, z + H) - sigma(name, z - H)) / (2 * H)


def fd_jacobian(name, z):
    """J[j, k] = ∂a_j/∂z_k by central differences."""
    n = len(z)
    J = np.empty((n, n))
    for k in range(n):
        e = np.zeros(n)
        e[k] = H
        J[:, k] = (sigma(name, z + e) - sigma(name, z - e)) / (2 * H)
    return J


def cost_shares(cost, a, y):
    """Each output neuron's share of C_x."""
    if cost == "quadratic":
        return 0.5 * (y - a) ** 2
    if cost == "cross_entropy":
        return -(y * np.log(a) + (1 - y) * np.log(1 - a))
    return -y * np.log(a)


def grad_a(cost, a, y):
    """∂C/∂a^L_j."""
    if cost == "quadratic":
        return a - y
    if cost == "cross_entropy":
        return (a - y) / (a * (1 - a))
    return -y / a


class Ref:
    """Forward pass, cost and δ of every layer, computed without the package."""

    def __init__(self, net, x, y):
        L, acts = net.L, net.activations
        self.a, self.z, self.sp, self.delta = {1: np.asarray(x, float)}, {}, {}, {}
        for l in range(2, L + 1):
            self.z[l] = np.asarray(net.w[l]) @ self.a[l - 1] + np.asarray(net.b[l])
            self.a[l] = sigma(acts[l], self.z[l])
            if acts[l] != "softmax":
                self.sp[l] = fd_prime(acts[l], self.z[l])
        aL, zL = self.a[L], self.z[L]
        self.shares = cost_shares(net.cost, aL, y)
        self.grad = grad_a(net.cost, aL, y)
        if acts[L] == "softmax":
            self.J = fd_jacobian("softmax", zL)
            self.delta[L] = self.J.T @ self.grad
        else:
            self.delta[L] = self.grad * self.sp[L]
        for l in range(L - 1, 1, -1):
            self.delta[l] = (np.asarray(net.w[l + 1]).T @ self.delta[l + 1]) * self.sp[l]


def cells(net):
    """Every (quantity, l, j, k) the app can explain."""
    L, n = net.L, net.sizes
    yield ("cost", L, None, None)
    for l in range(1, L + 1):
        for j in range(1, n[l - 1] + 1):
            yield ("a", l, j, None)
    for l in range(2, L + 1):
        for j in range(1, n[l - 1] + 1):
            for q in ("z", "b", "delta", "nabla_b"):
                yield (q, l, j, None)
            for k in range(1, n[l - 2] + 1):
                yield ("w", l, j, k)
                yield ("nabla_w", l, j, k)


def trace_value(net, trace, q, l, j, k):
    """The number the trace (or the network) itself holds for a cell."""
    if q == "cost":
        return trace.cost
    if q == "w":
        return net.w[l][j - 1, k - 1]
    if q == "b":
        return net.b[l][j - 1]
    if q == "nabla_w":
        return trace.nabla_w[l][j - 1, k - 1]
    return getattr(trace, q)[l][j - 1]


def assert_terms_add_up(d):
    # Summing in another order than the package (BLAS) may differ by a few ulps of the
    # largest term, so the absolute tolerance scales with the terms.
    scale = math.fsum(abs(t) for t in d.terms) * abs(d.factor) + abs(d.value)
    np.testing.assert_allclose(math.fsum(d.terms) * d.factor, d.value,
                               rtol=1e-12, atol=1e-13 * scale + 1e-300)


def operands(line):
    """The numbers a numbers line plugs in, in order (before its result)."""
    parts, _ = split_relations(line)
    out = []   # a number near 1 is written (1-ε) to keep its digits: one operand, 1 − ε
    for m in re.finditer(r"(-?)\((1)-(" + NUMBER + r")\)|(-?)(" + NUMBER + ")", parts[-2]):
        if m.group(2):
            out.append((1 - float(number(m.group(3)))) * (-1 if m.group(1) else 1))
        else:
            out.append(float(number(m.group(5))) * (-1 if m.group(4) else 1))
    return out


def assert_shown_is_the_value(d):
    """What the last line prints is the value, to half a unit of its last digit."""
    (v, half), = result_entries(d.shown)
    assert abs(float(v) - d.value) <= float(half) * 1.001 + 1e-300, (d.shown, d.value)


def near_relu_kink(net, ref, l, j):
    return net.activations[l] == "relu" and abs(ref.z[l][j - 1]) < RELU_MARGIN


def smooth_from(net, ref, m):
    """True if no relu neuron of layers m..L sits at its kink, so central differences of
    σ' are good there and every δ from layer m back can be checked against them."""
    return not any(near_relu_kink(net, ref, l, i) for l in range(m, net.L + 1)
                   for i in range(1, net.sizes[l - 1] + 1))


def check_cell(net, trace, ref, q, l, j, k):
    d = explain(net, trace, q, l, j, k)
    L = net.L
    # what the derivation says it is
    assert (d.quantity, d.l) == (q, l)
    assert d.j == j and d.k == (k if q in ("w", "nabla_w") else None)
    assert d.lines and all(isinstance(s, str) and s for s in d.lines)
    assert isinstance(d.text, str) and d.text
    # the value shown is the trace's, it is what the last line ends with, and the terms
    # add up to it
    assert math.isfinite(d.value)
    np.testing.assert_allclose(d.value, trace_value(net, trace, q, l, j, k), rtol=1e-15, atol=0)
    assert d.lines[-1].endswith(d.shown), d.lines[-1]
    assert_shown_is_the_value(d)
    assert_terms_add_up(d)
    # every cell it names as used exists
    for u in d.uses:
        explain(net, trace, *u)

    # against the reference
    fd = dict(rtol=1e-6, atol=1e-8)   # where central differences enter
    if q in ("w", "b") or (q == "a" and l == 1):
        assert d.equation == "given" and d.uses == ()
        return
    if q == "z":
        assert d.equation == "forward" and d.factor == 1.0
        w_row, a_prev = np.asarray(net.w[l][j - 1]), ref.a[l - 1]
        np.testing.assert_allclose(d.terms[:-1], w_row * a_prev, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(d.terms[-1], net.b[l][j - 1], rtol=0, atol=0)
        np.testing.assert_allclose(d.value, ref.z[l][j - 1], rtol=1e-12, atol=1e-14)
        n_prev = net.sizes[l - 2]
        assert d.lines[-1].startswith("= ")
        if n_prev <= MAX_TERMS:       # every product is written out with its numbers
            expect = np.append(np.column_stack([w_row, trace.a[l - 1]]).ravel(), net.b[l][j - 1])
            np.testing.assert_allclose(operands(d.lines[-1]), expect, rtol=5e-4, atol=0)
        assert set(d.uses) == ({("w", l, j, kk) for kk in range(1, n_prev + 1)}
                               | {("a", l - 1, kk, None) for kk in range(1, n_prev + 1)}
                               | {("b", l, j, None)})
    elif q == "a":
        assert d.equation == "forward"
        np.testing.assert_allclose(d.value, ref.a[l][j - 1], rtol=1e-12, atol=1e-15)
        if net.activations[l] == "softmax":
            assert set(d.uses) == {("z", l, i, None) for i in range(1, net.sizes[l - 1] + 1)}
        else:
            assert d.uses == (("z", l, j, None),)
    elif q == "cost":
        assert d.equation == "cost"
        np.testing.assert_allclose(d.terms, ref.shares, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(d.value, math.fsum(ref.shares), rtol=1e-10, atol=1e-14)
        assert set(d.uses) == {("a", L, i, None) for i in range(1, net.sizes[-1] + 1)}
    elif q == "delta" and l == L:
        assert d.equation == "BP1"
        out, aj, yj = net.activations[L], ref.a[L][j - 1], trace.y[j - 1]
        if (out, net.cost) == ("sigmoid", "cross_entropy"):
            # σ' cancels: δ^L_j = a^L_j − y_j
            np.testing.assert_allclose(d.terms, (aj, -yj), rtol=1e-12, atol=1e-15)
        elif (out, net.cost) == ("softmax", "log_likelihood"):
            # Jᵀ(−y/a) = a Σ_k y_k − y
            np.testing.assert_allclose(d.terms, (aj * trace.y.sum(), -yj), rtol=1e-12,
                                       atol=1e-15)
        elif (out, net.cost) == ("softmax", "quadratic"):
            # δ^L_j = Σ_k J_kj ∂C/∂a_k, one term per output k
            np.testing.assert_allclose(d.terms, ref.J[:, j - 1] * ref.grad, **fd)
        elif out == "softmax":
            # cross-entropy on softmax: Jᵀ ∇_a C, one term per output k
            np.testing.assert_allclose(d.terms, ref.J[:, j - 1] * ref.grad, **fd)
        else:
            # ∂C/∂a^L_j times σ'(z^L_j)
            np.testing.assert_allclose(d.terms, (ref.grad[j - 1],), rtol=1e-10, atol=1e-14)
            if not near_relu_kink(net, ref, L, j):
                np.testing.assert_allclose(d.factor, ref.sp[L][j - 1], **fd)
    elif q == "delta":
        assert d.equation == "BP2"
        w_col = np.asarray(net.w[l + 1][:, j - 1])
        if smooth_from(net, ref, l + 1):
            np.testing.assert_allclose(d.terms, w_col * ref.delta[l + 1], **fd)
        if not near_relu_kink(net, ref, l, j):
            np.testing.assert_allclose(d.factor, ref.sp[l][j - 1], **fd)
        n_next = net.sizes[l]
        if n_next <= MAX_TERMS:
            expect = np.append(np.column_stack([w_col, trace.delta[l + 1]]).ravel(), d.factor)
            np.testing.assert_allclose(operands(d.lines[-1]), expect, rtol=5e-4, atol=1e-300)
        assert set(d.uses) == ({("w", l + 1, i, j) for i in range(1, n_next + 1)}
                               | {("delta", l + 1, i, None) for i in range(1, n_next + 1)}
                               | {("z", l, j, None)})
    elif q == "nabla_b":
        assert d.equation == "BP3"
        np.testing.assert_allclose(d.value, trace.delta[l][j - 1], rtol=0, atol=0)
        assert d.uses == (("delta", l, j, None),)
    else:
        assert d.equation == "BP4"
        np.testing.assert_allclose(d.value, trace.a[l - 1][k - 1] * trace.delta[l][j - 1],
                                   rtol=1e-15, atol=0)
        assert set(d.uses) == {("a", l - 1, k, None), ("delta", l, j, None)}
        a_in, d_out = trace.a[l - 1][k - 1], trace.delta[l][j - 1]
        np.testing.assert_allclose(operands(d.lines[-1]), (a_in, d_out), rtol=5e-4, atol=1e-300)
    if q in ("delta", "nabla_b", "nabla_w") and smooth_from(net, ref, l):
        expect = {"delta": ref.delta[l][j - 1], "nabla_b": ref.delta[l][j - 1],
                  "nabla_w": ref.a[l - 1][(k or 1) - 1] * ref.delta[l][j - 1]}[q]
        np.testing.assert_allclose(d.value, expect, **fd)


def example(rng, net):
    """An (x, y) that suits the network's cost."""
    x = rng.uniform(-1.0, 1.0, net.sizes[0])
    n = net.sizes[-1]
    if net.cost == "log_likelihood":
        y = rng.dirichlet(np.ones(n))
    elif net.cost == "cross_entropy" or net.activations[net.L] in ("sigmoid", "softmax"):
        y = rng.uniform(0.0, 1.0, n)
    else:
        y = rng.uniform(-1.0, 1.0, n)
    return x, y


def check_every_cell(net, x, y):
    trace = net.backprop(x, y)
    ref = Ref(net, trace.x, trace.y)
    seen = 0
    for cell in cells(net):
        check_cell(net, trace, ref, *cell)
        seen += 1
    # one cost, every a, and z, b, δ, ∂C/∂b, w, ∂C/∂w of layers 2..L
    n = net.sizes
    assert seen == 1 + sum(n) + sum(4 * n[l] + 2 * n[l] * n[l - 1] for l in range(1, len(n)))


# --- every cell, every activation × cost ------------------------------------------------

@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("out,cost", ACCEPTED)
def test_every_cell_of_every_combination(hidden, out, cost):
    net = Network.random([2, 3, 3, 3], [hidden, hidden, out], cost, seed=7)
    x, y = example(np.random.default_rng(1), net)
    check_every_cell(net, x, y)


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=5),
       data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_every_cell_on_random_networks(sizes, data, seed):
    hidden = [data.draw(st.sampled_from(HIDDEN)) for _ in sizes[1:-1]]
    out, cost = data.draw(st.sampled_from(ACCEPTED))
    # one softmax output is always 1: refused (see the test after this one)
    assume(not (out == "softmax" and sizes[-1] == 1))
    net = Network.random(sizes, hidden + [out], cost, seed=seed, init="scaled")
    x, y = example(np.random.default_rng(seed), net)
    check_every_cell(net, x, y)


def test_every_cell_where_an_activation_is_written_1_minus_epsilon():
    # a³₄ = 0.99996: the forward line of z⁴ writes it (1-3.742×10⁻⁵), one operand
    net = Network.random([2, 2, 4, 1], ["linear", "tanh", "sigmoid"], "quadratic",
                         seed=454466, init="scaled")
    x, y = example(np.random.default_rng(454466), net)
    assert r"(1-3.742\times10^{-5})" in explain(net, net.backprop(x, y), "z", 4, 1).lines[-1]
    check_every_cell(net, x, y)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy", "log_likelihood"])
def test_one_softmax_output_is_refused(cost):
    # a^L = softmax of one number = 1 always; with cross-entropy C_x = (1 − y)·∞
    with pytest.raises(ValueError, match="softmax"):
        Network.random([2, 1], "softmax", cost, seed=0)


def test_the_combinations_above_are_all_the_package_accepts():
    from backprop import ACTIVATIONS, COSTS
    assert set(OUTPUT) == set(ACTIVATIONS)
    assert set(HIDDEN) == {n for n, a in ACTIVATIONS.items() if not a.output_only}
    assert {c for _, c in ACCEPTED} == set(COSTS)
    for out in OUTPUT:
        for cost in COSTS:
            if (out, cost) not in ACCEPTED:
                with pytest.raises(ValueError):
                    Network.random([2, 2], out, cost)


# --- the hand-worked example ------------------------------------------------------------

@pytest.fixture
def hand():
    # The classic 2-2-2 sigmoid network with the quadratic cost.
    net = Network([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid", "quadratic")
    return net, net.backprop([0.05, 0.10], [0.01, 0.99])


def test_hand_worked_forward_pass_and_cost(hand):
    net, trace = hand
    # z²₁ = 0.15·0.05 + 0.20·0.10 + 0.35 = 0.0075 + 0.02 + 0.35 = 0.3775
    # z²₂ = 0.25·0.05 + 0.30·0.10 + 0.35 = 0.0125 + 0.03 + 0.35 = 0.3925
    # a²  = σ(z²) = (1/(1+e^{−0.3775}), 1/(1+e^{−0.3925})) = (0.593270, 0.596884)
    # z³₁ = 0.40·0.593270 + 0.45·0.596884 + 0.60 = 0.237308 + 0.268598 + 0.6 = 1.105906
    # z³₂ = 0.50·0.593270 + 0.55·0.596884 + 0.60 = 0.296635 + 0.328286 + 0.6 = 1.224921
    # a³  = (0.751365, 0.772928)
    # C   = ½(0.01 − 0.751365)² + ½(0.99 − 0.772928)² = 0.274811 + 0.023560 = 0.298371
    d = explain(net, trace, "z", 2, 1)
    np.testing.assert_allclose(d.value, 0.3775, rtol=1e-12)
    np.testing.assert_allclose(d.terms, (0.0075, 0.02, 0.35), rtol=1e-12)
    assert r"0.15\cdot0.05 + 0.2\cdot0.1 + 0.35 = 0.3775" in d.lines[-1]
    assert "w^{2}_{11}a^{1}_{1} + w^{2}_{12}a^{1}_{2} + b^{2}_{1}" in d.lines[1]
    np.testing.assert_allclose(explain(net, trace, "a", 2, 1).value, 0.593270, atol=5e-7)
    np.testing.assert_allclose(explain(net, trace, "a", 2, 2).value, 0.596884, atol=5e-7)
    np.testing.assert_allclose(explain(net, trace, "z", 3, 1).value, 1.105906, atol=5e-7)
    np.testing.assert_allclose(explain(net, trace, "a", 3, 1).value, 0.751365, atol=5e-7)
    np.testing.assert_allclose(explain(net, trace, "a", 3, 2).value, 0.772928, atol=5e-7)
    a = explain(net, trace, "a", 3, 1)
    assert r"\frac{1}{1 + e^{-1.106}} \approx 0.7514" in a.lines[-1]
    c = explain(net, trace, "cost", 3)
    np.testing.assert_allclose(c.value, 0.298371, atol=5e-7)
    np.testing.assert_allclose(c.terms, (0.274811, 0.023560), atol=5e-7)
    # ½·0.7414² + ½·0.2171² = 0.27483698 + 0.02356621 = 0.29840319
    assert r"\tfrac12(0.01-0.7514)^2 + \tfrac12(0.99-0.7729)^2 \approx 0.2984" in c.lines[-1]


def test_hand_worked_bp1_and_bp2(hand):
    net, trace = hand
    # δ³₁ = (a³₁ − y₁) σ'(z³₁) = (0.751365 − 0.01) · 0.751365 · 0.248635 = 0.741365 · 0.186816
    #     = 0.138499
    # δ³₂ = (0.772928 − 0.99) · 0.772928 · 0.227072 = −0.217072 · 0.175510 = −0.0380982
    d31 = explain(net, trace, "delta", 3, 1)
    assert d31.equation == "BP1"
    np.testing.assert_allclose(d31.value, 0.138499, atol=5e-7)
    np.testing.assert_allclose(d31.terms, (0.741365,), atol=5e-7)
    np.testing.assert_allclose(d31.factor, 0.186816, atol=5e-7)
    # as printed: 0.7414 · 0.1868 = 0.13849352
    assert r"(0.7514-0.01)\cdot0.1868 \approx 0.1385" in d31.lines[-1]
    np.testing.assert_allclose(explain(net, trace, "delta", 3, 2).value, -0.0380982, atol=5e-8)
    # σ'(z²₁) = a²₁(1 − a²₁) = 0.593270 · 0.406730 = 0.241301
    # δ²₁ = (w³₁₁ δ³₁ + w³₂₁ δ³₂) σ'(z²₁) = (0.40 · 0.1384986 + 0.50 · (−0.0380982)) · 0.241301
    #     = (0.0553994 − 0.0190491) · 0.241301 = 0.0363503 · 0.241301 = 0.00877135
    d = explain(net, trace, "delta", 2, 1)
    assert d.equation == "BP2"
    np.testing.assert_allclose(d.value, 0.00877135, atol=5e-9)
    np.testing.assert_allclose(d.terms, (0.0553994, -0.0190491), atol=5e-8)
    np.testing.assert_allclose(d.factor, 0.241301, atol=5e-7)
    text = "\n".join(d.lines)
    # the student sees the rule for this cell and every number plugged in
    assert r"w^{3}_{11}\delta^{3}_{1} + w^{3}_{21}\delta^{3}_{2}" in text
    assert r"0.4\cdot0.1385" in text
    assert r"0.5\cdot(-0.0381)" in text
    # 1 − a is printed from z (σ(−z)), never as 1 − 0.5933: 0.5933 · 0.4067 = 0.24129511
    assert r"a^{2}_{1}(1-a^{2}_{1}) = 0.5933\cdot0.4067 \approx 0.2413" in text
    # (0.0554 − 0.01905) · 0.2413 = 0.008771255
    assert d.lines[-1].endswith(r"\cdot0.2413 \approx 0.008771")


def test_hand_worked_bp3_and_bp4(hand):
    net, trace = hand
    # ∂C/∂w³₁₁ = a²₁ δ³₁ = 0.593270 · 0.138499 = 0.0821670
    d = explain(net, trace, "nabla_w", 3, 1, 1)
    np.testing.assert_allclose(d.value, 0.0821670, atol=5e-8)
    assert r"= 0.5933\cdot0.1385 \approx 0.08217" == d.lines[-1]   # 0.08217205
    assert r"\frac{\partial C}{\partial w^{3}_{11}} = a^{2}_{1}\,\delta^{3}_{1}" == d.lines[0]
    # ∂C/∂w²₁₁ = a¹₁ δ²₁ = x₁ δ²₁ = 0.05 · 0.00877135 = 0.000438568
    d = explain(net, trace, "nabla_w", 2, 1, 1)
    np.testing.assert_allclose(d.value, 0.000438568, atol=5e-10)
    assert d.lines[-1].endswith(r"0.05\cdot0.008771 \approx 0.0004386")   # 0.00043855
    # ∂C/∂b³₂ = δ³₂ = −0.0380982
    d = explain(net, trace, "nabla_b", 3, 2)
    np.testing.assert_allclose(d.value, -0.0380982, atol=5e-8)
    assert d.lines[0].endswith(r"\approx -0.0381")


def test_given_cells(hand):
    net, trace = hand
    d = explain(net, trace, "w", 3, 2, 1)
    assert (d.quantity, d.equation, d.value) == ("w", "given", 0.5)
    assert d.lines == ("w^{3}_{21} = 0.5",)
    d = explain(net, trace, "b", 2, 2)
    assert (d.quantity, d.k, d.value) == ("b", None, 0.35)
    d = explain(net, trace, "a", 1, 2)
    assert (d.quantity, d.equation, d.value) == ("a", "given", 0.1)
    assert d.lines == ("a^{1}_{2} = x_{2} = 0.1",)


# --- uses --------------------------------------------------------------------------------

def test_uses_of_a_hidden_delta_on_a_wider_network():
    net = Network.random([2, 3, 4, 2], seed=3)
    trace = net.backprop([0.3, -0.2], [0.0, 1.0])
    d = explain(net, trace, "delta", 2, 3)
    # δ²₃ comes from w³_{k3} and δ³_k for k = 1..4, and from z²₃ (through σ')
    assert set(d.uses) == {("w", 3, 1, 3), ("w", 3, 2, 3), ("w", 3, 3, 3), ("w", 3, 4, 3),
                           ("delta", 3, 1, None), ("delta", 3, 2, None),
                           ("delta", 3, 3, None), ("delta", 3, 4, None), ("z", 2, 3, None)}
    assert len(d.uses) == 9
    assert set(explain(net, trace, "nabla_w", 3, 4, 2).uses) == {("a", 2, 2, None),
                                                                 ("delta", 3, 4, None)}
    assert explain(net, trace, "nabla_b", 4, 2).uses == (("delta", 4, 2, None),)


def test_a_long_sum_is_elided_but_every_term_is_kept():
    net = Network.random([MAX_TERMS + 2, 1], "linear", seed=0)
    x = np.arange(1.0, MAX_TERMS + 3) / 10
    trace = net.backprop(x, [0.0])
    d = explain(net, trace, "z", 2, 1)
    assert len(d.terms) == MAX_TERMS + 3           # n_1 products and the bias
    assert_terms_add_up(d)
    assert r"\cdots" in d.lines[1] and r"\cdots" in d.lines[2]
    # the first three and the last two products are still written out
    w = net.w[2][0]
    shown = [0, 1, 2, MAX_TERMS, MAX_TERMS + 1]
    expect = np.append(np.column_stack([w[shown], x[shown]]).ravel(), net.b[2][0])
    np.testing.assert_allclose(operands(d.lines[2]), expect, rtol=5e-4, atol=0)
    assert d.lines[2].count(r"\cdot") - d.lines[2].count(r"\cdots") == 5


# --- bad indices -------------------------------------------------------------------------

@pytest.fixture
def net_324():
    net = Network.random([3, 2, 4], seed=5)
    return net, net.backprop([0.1, 0.2, 0.3], [0.0, 1.0, 0.0, 1.0])


@pytest.mark.parametrize("q,l,j,k,says", [
    ("delta", 1, 1, None, "2..3"),
    ("z", 1, 1, None, "2..3"),
    ("nabla_b", 4, 1, None, "2..3"),
    ("a", 0, 1, None, "1..3"),
    ("a", 4, 1, None, "1..3"),
    ("cost", 2, None, None, "3..3"),
    ("delta", 2, 0, None, "1..2"),
    ("delta", 2, 3, None, "1..2"),
    ("a", 1, 4, None, "1..3"),
    ("z", 3, None, None, "1..4"),
    ("nabla_w", 3, 1, None, "1..2"),
    ("nabla_w", 3, 1, 3, "1..2"),
    ("nabla_w", 2, 1, 0, "1..3"),
    ("w", 2, 1, None, "1..3"),
    ("w", 2, 1, 4, "1..3"),
])
def test_bad_indices_name_the_valid_range(net_324, q, l, j, k, says):
    net, trace = net_324
    with pytest.raises(ValueError, match=rf"{says}\b"):
        explain(net, trace, q, l, j, k)


def test_an_unknown_quantity_is_a_value_error(net_324):
    net, trace = net_324
    with pytest.raises(ValueError, match="quantit"):
        explain(net, trace, "sigma", 2, 1)


def test_a_bias_is_never_explained_as_a_weight(net_324):
    net, trace = net_324
    try:
        d = explain(net, trace, "b", 2, 1, 2)
    except ValueError:
        return          # refusing a column index for a vector is fine too
    assert d.quantity == "b"
    np.testing.assert_allclose(d.value, net.b[2][0], rtol=0, atol=0)


# --- saturated outputs -------------------------------------------------------------------

@pytest.mark.parametrize("out,cost", [("sigmoid", "cross_entropy"),
                                      ("softmax", "log_likelihood"),
                                      ("sigmoid", "quadratic")])
def test_explain_is_finite_when_the_outputs_saturate(out, cost):
    # x = 1: hidden z² = (1000, −1000) so a² = (1, 0) exactly; then
    # z³ = (1000·1 − 1000·0, −1000·1 + 1000·0) = (1000, −1000), a³ = (1, 0) in float64,
    # and the target is the opposite: every output is as wrong as it can be.
    net = Network([[[1000.0], [-1000.0]], [[1000.0, -1000.0], [-1000.0, 1000.0]]],
                  [[0.0, 0.0], [0.0, 0.0]], ["sigmoid", out], cost)
    y = [0.0, 1.0]
    trace = net.backprop([1.0], y)
    np.testing.assert_allclose(trace.z[3], (1000.0, -1000.0), rtol=0, atol=0)
    for cell in cells(net):
        d = explain(net, trace, *cell)
        assert math.isfinite(d.value) and math.isfinite(d.factor), cell
        assert all(math.isfinite(t) for t in d.terms), cell
        assert_terms_add_up(d)
        assert d.lines[-1].endswith(d.shown)
        if cell[0] == "a" and cell[1] > 1:
            # σ(±1000) is 1 or 0 in float64, but never printed so: 1 − 5.076×10⁻⁴³⁵
            assert re.fullmatch(r"(1-)?\d\.\d+\\times10\^\{-\d{3}\}", d.shown), d.shown
    if cost != "quadratic":
        # reduced BP1: δ³ = a³ − y
        expect = (1.0, -1.0)
        for j in (1, 2):
            np.testing.assert_allclose(explain(net, trace, "delta", 3, j).value,
                                       expect[j - 1], rtol=0, atol=1e-300)
        # the costs are ln-terms of e^{−1000}: 1000 per wrong output
        c = explain(net, trace, "cost", 3).value
        expect_cost = 2000.0   # −ln σ(−1000) twice, or −ln softmax(1000, −1000)_2
        np.testing.assert_allclose(c, expect_cost, rtol=1e-12)
