"""backprop.nudge: the notes' definition of δ, computed exactly. Moving z^l_j by Δ changes
the cost by about δ^l_j Δ (a weight: a^{l−1}_k δ^l_j Δ, a bias: δ^l_j Δ). References: the
difference quotient as Δ → 0, a 1-1-1 network written out by hand, and an independent
forward pass in plain Python (math, loops) on random networks; relu's kink."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from backprop import Network, nudge

CASES = [
    ([3, 4, 2], "sigmoid", "quadratic"),
    ([2, 5, 3, 2], ["tanh", "tanh", "sigmoid"], "cross_entropy"),
    ([3, 4, 3], ["relu", "softmax"], "log_likelihood"),
    ([2, 3, 3], ["tanh", "linear"], "quadratic"),
]


def example(sizes, acts, cost, seed=1):
    net = Network.random(sizes, acts, cost, seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, sizes[0])
    y = rng.uniform(0.1, 0.9, sizes[-1])
    if cost == "log_likelihood":
        y = np.eye(sizes[-1])[1]
    return net, x, y


def places(net):
    """Every z^l_j, w^l_jk and b^l_j of ``net``, as (what, l, j, k)."""
    for l in range(2, net.L + 1):
        for j in range(1, net.sizes[l - 1] + 1):
            yield "z", l, j, None
            yield "b", l, j, None
            for k in range(1, net.sizes[l - 2] + 1):
                yield "w", l, j, k


@pytest.mark.parametrize("sizes, acts, cost", CASES)
def test_the_difference_quotient_tends_to_the_slope(sizes, acts, cost):
    """(C(Δ) − C(0)) / Δ → δ^l_j (or a^{l−1}_k δ^l_j) as Δ → 0, to 1e-6, for every z, w and
    b; the slope is backpropagation's own."""
    net, x, y = example(sizes, acts, cost)
    trace = net.backprop(x, y)
    h = 1e-7
    for what, l, j, k in places(net):
        n = nudge(net, x, y, what, l, j, k, deltas=[h, -h])
        want = trace.nabla_w[l][j - 1, k - 1] if what == "w" else trace.delta[l][j - 1]
        assert n.slope == want
        assert_allclose((n.costs[0] - n.cost) / h, n.slope, rtol=1e-6, atol=1e-6,
                        err_msg=f"{what} {l} {j} {k}")
        assert_allclose((n.costs[0] - n.costs[1]) / (2 * h), n.slope, rtol=1e-6, atol=1e-8,
                        err_msg=f"{what} {l} {j} {k}")
        assert_allclose(n.cost, trace.cost, rtol=1e-12, atol=1e-15)


def test_the_gap_from_the_tangent_shrinks_as_the_square_of_the_nudge():
    """ΔC ≈ δ Δz is first order: halving Δ quarters the gap (a smooth network)."""
    net, x, y = example(*CASES[0])
    n = nudge(net, x, y, "z", 2, 1, deltas=[1e-2, 5e-3, 0.0])
    assert n.gap[2] == 0.0 and n.tangent[2] == n.cost
    assert_allclose(n.gap[0] / n.gap[1], 4.0, rtol=0.02)


def sigma(t):
    return 1.0 / (1.0 + math.exp(-t))


def test_a_network_of_one_neuron_a_layer_by_hand():
    """1-1-1, sigmoid, quadratic: C(Δ) = ½ (σ(w³ σ(z² + Δ) + b³) − y)², and a weight w²
    moves z² by x Δ."""
    w2, b2, w3, b3, x, y = 0.7, -0.2, -1.3, 0.4, 0.9, 0.25
    net = Network([[[w2]], [[w3]]], [[b2], [b3]], "sigmoid", "quadratic")
    deltas = np.linspace(-2, 2, 9)
    z2 = w2 * x + b2
    want = [0.5 * (sigma(w3 * sigma(z2 + d) + b3) - y) ** 2 for d in deltas]
    assert_allclose(nudge(net, [x], [y], "z", 2, 1, deltas=deltas).costs, want,
                    rtol=1e-13, atol=0)
    want = [0.5 * (sigma(w3 * sigma((w2 + d) * x + b2) + b3) - y) ** 2 for d in deltas]
    assert_allclose(nudge(net, [x], [y], "w", 2, 1, 1, deltas=deltas).costs, want,
                    rtol=1e-13, atol=0)
    want = [0.5 * (sigma((w3 + d) * sigma(z2) + b3) - y) ** 2 for d in deltas]
    assert_allclose(nudge(net, [x], [y], "w", 3, 1, 1, deltas=deltas).costs, want,
                    rtol=1e-13, atol=0)


ACTS = {"sigmoid": lambda z: [sigma(t) for t in z], "tanh": lambda z: [math.tanh(t) for t in z],
        "relu": lambda z: [max(t, 0.0) for t in z], "linear": lambda z: list(z),
        "softmax": lambda z: [math.exp(t - max(z)) / sum(math.exp(s - max(z)) for s in z)
                              for t in z]}
COSTS = {"quadratic": lambda a, y: 0.5 * sum((p - q) ** 2 for p, q in zip(a, y)),
         "cross_entropy": lambda a, y: -sum(q * math.log(p) + (1 - q) * math.log(1 - p)
                                           for p, q in zip(a, y)),
         "log_likelihood": lambda a, y: -sum(q * math.log(p) for p, q in zip(a, y))}


def by_hand(net, x, y, what, l, j, k, d):
    """The cost with one number moved by d, by plain Python loops (no NumPy)."""
    a = list(map(float, x))
    for m in range(2, net.L + 1):
        w, b = net.w[m].tolist(), net.b[m].tolist()
        if what == "w" and m == l:
            w[j - 1][k - 1] += d
        if what == "b" and m == l:
            b[j - 1] += d
        z = [sum(wi * ai for wi, ai in zip(row, a)) + bi for row, bi in zip(w, b)]
        if what == "z" and m == l:
            z[j - 1] += d
        a = ACTS[net.activations[m]](z)
    return COSTS[net.cost](a, list(map(float, y)))


@pytest.mark.parametrize("sizes, acts, cost", CASES)
def test_the_curve_equals_an_independent_forward_pass(sizes, acts, cost):
    net, x, y = example(sizes, acts, cost, seed=7)
    deltas = np.linspace(-3, 3, 13)
    for what, l, j, k in places(net):
        n = nudge(net, x, y, what, l, j, k, deltas=deltas)
        want = [by_hand(net, x, y, what, l, j, k, d) for d in deltas]
        assert_allclose(n.costs, want, rtol=1e-10, atol=1e-13, err_msg=f"{what} {l} {j} {k}")


def test_a_relu_at_its_kink_has_two_one_sided_slopes():
    """z²₁ = 0 exactly on a relu: backpropagation uses σ'(0) = 0, so δ²₁ = 0; the cost
    rises one way and is flat the other, and the nudge says the neuron crosses its kink."""
    net = Network([[[1.0, -1.0], [0.5, 0.5]], [[2.0, -1.0]]], [[0.0, 0.1], [0.3]],
                  ["relu", "sigmoid"], "quadratic")
    x, y = [0.5, 0.5], [0.0]                 # z²₁ = 0.5 − 0.5 + 0 = 0
    trace = net.backprop(x, y)
    assert trace.z[2][0] == 0.0 and trace.delta[2][0] == 0.0
    h = 1e-6
    n = nudge(net, x, y, "z", 2, 1, deltas=[h, -h])
    assert n.slope == 0.0 and (2, 1) in n.kinks
    right, left = (n.costs[0] - n.cost) / h, (n.cost - n.costs[1]) / h
    assert left == 0.0 and abs(right) > 0.1
    # the one-sided slope the right side sees: σ'(z³) (a³ − y) w³₁₁
    a3 = trace.a[3][0]
    assert_allclose(right, a3 * (1 - a3) * (a3 - y[0]) * 2.0, rtol=1e-5)
    assert nudge(net, x, y, "z", 2, 2, deltas=[h, -h]).kinks == ()


@pytest.mark.parametrize("args, kwargs, says", [
    (("a", 2, 1), {}, "can nudge z, w, b"),
    (("z", 1, 1), {}, "layer l must lie between 2 and 3"),
    (("z", 2, 5), {}, "neuron j of layer 2 must lie between 1 and 4"),
    (("w", 2, 1), {}, "needs k"),
    (("b", 2, 1, 1), {}, "k is for a weight"),
    (("w", 2, 1, 4), {}, "neuron k of layer 1 must lie between 1 and 3"),
    (("z", 2, 1), {"deltas": [0.1, float("nan")]}, "deltas has NaN at entry 2"),
    (("z", 2, 1), {"deltas": []}, "deltas must hold 1 to"),
    (("z", 2, 1), {"deltas": np.zeros(20_000)}, "deltas must hold 1 to"),
    (("z", 2, 1), {"deltas": [["0.1"]]}, "deltas must hold only numbers"),
])
def test_a_bad_argument_is_a_clear_value_error(args, kwargs, says):
    net, x, y = example(*CASES[0])
    with pytest.raises(ValueError, match=says.replace("(", r"\(")):
        nudge(net, x, y, *args, **{"deltas": [0.1], **kwargs})
