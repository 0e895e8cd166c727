"""Backpropagation checked against central finite differences for every activation × cost
the package accepts, against a network worked by hand, and the batch gradient against the
mean of per-example gradients.

Layer numbering is that of NOTATION.md: layer 1 is the input, w^l is n_l × n_{l−1}.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import ACTIVATIONS, COSTS, Network, numerical_gradient

HIDDEN = ("sigmoid", "tanh", "relu", "linear")
OUTPUT = ("sigmoid", "tanh", "relu", "linear", "softmax")
# The log costs take ln a^L, so the package accepts them only where a^L lies in (0, 1); the
# log-likelihood, as in Nielsen's chapter 3, only for a softmax output layer.
ACCEPTED = [(out, cost) for cost in ("quadratic", "cross_entropy", "log_likelihood")
            for out in OUTPUT if cost == "quadratic" or out in ("sigmoid", "softmax")
            and (cost, out) != ("log_likelihood", "sigmoid")]
REFUSED = [(out, cost) for cost in ("cross_entropy", "log_likelihood")
           for out in OUTPUT if out not in ("sigmoid", "softmax")] \
    + [("sigmoid", "log_likelihood")]

# Hypothesis: modest example counts keep this file well under 20 s on two cores.
SETTINGS = settings(max_examples=50, deadline=None)


def test_the_lists_above_cover_every_activation_and_cost():
    # A new activation or cost must be added here, or the checks below would skip it.
    assert set(OUTPUT) == set(ACTIVATIONS)
    assert set(HIDDEN) == {n for n, act in ACTIVATIONS.items() if not act.output_only}
    assert {c for _, c in ACCEPTED} == set(COSTS)
    assert len(ACCEPTED) == 8 and len(REFUSED) == 7


def target(rng, n, out, cost):
    """A y that suits the cost: probabilities for the log costs, anything for quadratic."""
    if cost == "log_likelihood":
        return rng.dirichlet(np.ones(n))           # sums to 1, as log-likelihood expects
    if cost == "cross_entropy":
        return rng.uniform(0.0, 1.0, n)
    return rng.uniform(-1.0, 1.0, n) if out in ("tanh", "linear") else rng.uniform(0.0, 1.0, n)


def near_a_kink(net, trace, margin=1e-4):
    """True if some relu layer has a z within ``margin`` of 0, where σ' jumps and central
    differences straddle the kink (ε = 1e-6 moves z by far less than the margin)."""
    return any(net.activations[l] == "relu" and np.any(np.abs(trace.z[l]) <= margin)
               for l in trace.z)


def assert_matches_finite_differences(net, x, y):
    trace = net.backprop(x, y)
    num = numerical_gradient(net, x, y, eps=1e-6)
    grads = list(trace.nabla_w.values()) + list(trace.nabla_b.values())
    # Central differences err by about ε² (truncation) plus 1e-16·C/ε (rounding), so the
    # absolute tolerance is 1e-7 of the size of the gradient (at least 1e-7).
    scale = max(1.0, abs(trace.cost), *(float(np.max(np.abs(g))) for g in grads))
    for l in net.w:
        np.testing.assert_allclose(trace.nabla_w[l], num.nabla_w[l], rtol=1e-5,
                                   atol=1e-7 * scale, err_msg=f"∂C/∂w^{l} of {net!r}")
        np.testing.assert_allclose(trace.nabla_b[l], num.nabla_b[l], rtol=1e-5,
                                   atol=1e-7 * scale, err_msg=f"∂C/∂b^{l} of {net!r}")
    np.testing.assert_allclose(trace.cost, num.cost, rtol=1e-12, atol=1e-300)


@st.composite
def problems(draw, out, cost):
    """A random network of random sizes ending in ``out`` with ``cost``, and an example."""
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    if out == "softmax":
        sizes[-1] = draw(st.integers(2, 5))    # softmax needs two outputs or more
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=len(sizes) - 2,
                           max_size=len(sizes) - 2))
    seed = draw(st.integers(0, 2**32 - 1))
    init = draw(st.sampled_from(["standard", "scaled"]))
    net = Network.random(sizes, activations=hidden + [out], cost=cost, seed=seed, init=init)
    rng = np.random.default_rng(seed + 1)
    x = rng.uniform(-2.0, 2.0, sizes[0])
    y = target(rng, sizes[-1], out, cost)
    return net, x, y


@pytest.mark.parametrize("out,cost", ACCEPTED)
@SETTINGS
@given(data=st.data())
def test_backprop_matches_finite_differences(out, cost, data):
    net, x, y = data.draw(problems(out, cost))
    trace = net.backprop(x, y)
    assume(not near_a_kink(net, trace))
    assert_matches_finite_differences(net, x, y)


@pytest.mark.parametrize("out,cost", ACCEPTED)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_hidden_activation_with_every_output_and_cost(hidden, out, cost):
    # Each of the 36 combinations explicitly, on a fixed 3-4-3-3 network, so none of them
    # depends on what Hypothesis happens to draw.
    net = Network.random([3, 4, 3, 3], activations=[hidden, hidden, out], cost=cost, seed=7)
    rng = np.random.default_rng(11)
    x = rng.uniform(-1.0, 1.0, 3)
    y = target(rng, 3, out, cost)
    assert not near_a_kink(net, net.backprop(x, y)), "this seed puts a relu z at its kink"
    assert_matches_finite_differences(net, x, y)


@pytest.mark.parametrize("out,cost", REFUSED)
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
def test_log_costs_are_refused_unless_the_output_suits_them(hidden, out, cost):
    says = {"cross_entropy": f"the cross_entropy cost takes the logarithm of the outputs.*"
                             f"sigmoid or softmax on the output layer \\(layer 3\\).*{out}",
            "log_likelihood": f"the log_likelihood cost belongs with a softmax output layer, "
                              f"not {out}: use softmax on the output layer \\(layer 3\\), or "
                              f"the cross_entropy cost for sigmoid outputs"}[cost]
    with pytest.raises(ValueError, match=says):
        Network.random([2, 3, 2], activations=[hidden, out], cost=cost)
    # ... also when switching the cost or the activations of an accepted network
    with pytest.raises(ValueError, match=says):
        Network.random([2, 3, 2], activations=[hidden, out]).replace(cost=cost)
    ok = {"cross_entropy": "sigmoid", "log_likelihood": "softmax"}[cost]
    with pytest.raises(ValueError, match=says):
        Network.random([2, 3, 2], [hidden, ok], cost=cost).replace(activations=[hidden, out])


# ---------------------------------------------------------------------------------------
# A 2-2-2 sigmoid network with the quadratic cost, worked by hand.
#
# The input is x = (ln 3, ln 2), so that every z^2_j is the logarithm of a rational r and
# σ(ln r) = 1/(1 + 1/r) = r/(1 + r) is rational too; w^3, b^3 are picked so that z^3 = 0.
#
#   w^2 = [[1,  0],     b^2 = [0, 0]
#          [1, -1]]
#   w^3 = [[2, -5],     b^3 = [1.5, -3]
#          [4,  0]]
#   y   = (1, 0)
#
# Forward pass
#   z^2_1 = 1·ln 3 + 0·ln 2 + 0 = ln 3        a^2_1 = 3/(1+3)     = 3/4
#   z^2_2 = 1·ln 3 − 1·ln 2 + 0 = ln(3/2)     a^2_2 = (3/2)/(5/2) = 3/5
#   z^3_1 = 2·(3/4) − 5·(3/5) + 1.5 = 1.5 − 3 + 1.5 = 0     a^3_1 = σ(0) = 1/2
#   z^3_2 = 4·(3/4) + 0·(3/5) − 3   = 3 − 3          = 0     a^3_2 = 1/2
#   C_x = ½‖y − a^3‖² = ½((1 − 1/2)² + (0 − 1/2)²) = ½(1/4 + 1/4) = 1/4
#
# σ'(z) = a(1 − a)
#   σ'(z^3) = (1/2·1/2, 1/2·1/2) = (1/4, 1/4)
#   σ'(z^2) = (3/4·1/4, 3/5·2/5) = (3/16, 6/25)
#
# BP1  δ^3 = (a^3 − y) ∘ σ'(z^3) = (−1/2, 1/2) ∘ (1/4, 1/4) = (−1/8, 1/8)
# BP2  (w^3)ᵀ δ^3 = (2·(−1/8) + 4·(1/8), −5·(−1/8) + 0·(1/8)) = (1/4, 5/8)
#      δ^2 = (1/4, 5/8) ∘ (3/16, 6/25) = (3/64, 30/200) = (3/64, 3/20)
# BP3  ∂C/∂b^3 = δ^3 = (−1/8, 1/8);   ∂C/∂b^2 = δ^2 = (3/64, 3/20)
# BP4  ∂C/∂w^3 = δ^3 (a^2)ᵀ = [[−1/8·3/4, −1/8·3/5],  = [[−3/32, −3/40],
#                              [ 1/8·3/4,  1/8·3/5]]     [ 3/32,  3/40]]
#      ∂C/∂w^2 = δ^2 xᵀ = [[3/64·ln 3, 3/64·ln 2],
#                          [3/20·ln 3, 3/20·ln 2]]
# ---------------------------------------------------------------------------------------
LN2, LN3 = math.log(2), math.log(3)
HAND_NET = dict(weights=[[[1, 0], [1, -1]], [[2, -5], [4, 0]]], biases=[[0, 0], [1.5, -3]])
HAND_X, HAND_Y = [LN3, LN2], [1, 0]


def test_hand_worked_2_2_2_sigmoid_network():
    net = Network(HAND_NET["weights"], HAND_NET["biases"], "sigmoid", "quadratic")
    t = net.backprop(HAND_X, HAND_Y)
    tight = dict(rtol=1e-14, atol=1e-15)

    np.testing.assert_allclose(t.z[2], [LN3, LN3 - LN2], **tight)
    np.testing.assert_allclose(t.a[2], [3 / 4, 3 / 5], **tight)
    np.testing.assert_allclose(t.z[3], [0, 0], **tight)
    np.testing.assert_allclose(t.a[3], [1 / 2, 1 / 2], **tight)
    np.testing.assert_allclose(t.cost, 1 / 4, **tight)
    np.testing.assert_allclose(t.sp[3], [1 / 4, 1 / 4], **tight)
    np.testing.assert_allclose(t.sp[2], [3 / 16, 6 / 25], **tight)
    np.testing.assert_allclose(t.delta[3], [-1 / 8, 1 / 8], **tight)          # BP1
    np.testing.assert_allclose(t.delta[2], [3 / 64, 3 / 20], **tight)         # BP2
    np.testing.assert_allclose(t.nabla_b[3], [-1 / 8, 1 / 8], **tight)        # BP3
    np.testing.assert_allclose(t.nabla_b[2], [3 / 64, 3 / 20], **tight)
    np.testing.assert_allclose(t.nabla_w[3], [[-3 / 32, -3 / 40],             # BP4
                                              [3 / 32, 3 / 40]], **tight)
    np.testing.assert_allclose(t.nabla_w[2], [[3 / 64 * LN3, 3 / 64 * LN2],
                                              [3 / 20 * LN3, 3 / 20 * LN2]], **tight)


def test_hand_worked_gradient_step():
    # One step with η = 4 from the network above:
    #   w^3 − 4 ∂C/∂w^3 = [[2 + 3/8, −5 + 3/10], [4 − 3/8, 0 − 3/10]]
    #   b^3 − 4 ∂C/∂b^3 = [1.5 + 1/2, −3 − 1/2] = [2, −3.5]
    #   b^2 − 4 ∂C/∂b^2 = [−3/16, −3/5]
    net = Network(HAND_NET["weights"], HAND_NET["biases"])
    new = net.sgd_step(HAND_X, HAND_Y, eta=4)
    np.testing.assert_allclose(new.w[3], [[2.375, -4.7], [3.625, -0.3]], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(new.b[3], [2, -3.5], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(new.b[2], [-3 / 16, -3 / 5], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(new.w[2], [[1 - 3 / 16 * LN3, -3 / 16 * LN2],
                                          [1 - 3 / 5 * LN3, -1 - 3 / 5 * LN2]],
                               rtol=1e-14, atol=1e-15)


def test_hand_worked_network_also_passes_finite_differences():
    assert_matches_finite_differences(Network(HAND_NET["weights"], HAND_NET["biases"]),
                                      HAND_X, HAND_Y)


# ---------------------------------------------------------------------------------------
# Batch gradient: C = (1/n) Σ_x C_x, so ∇C is the mean of the per-example gradients.
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("out,cost", ACCEPTED)
@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
       hidden=st.sampled_from(HIDDEN), n_examples=st.integers(1, 8),
       seed=st.integers(0, 2**32 - 1))
def test_batch_gradient_is_the_mean_of_per_example_gradients(out, cost, sizes, hidden,
                                                            n_examples, seed):
    if out == "softmax":
        sizes[-1] = max(sizes[-1], 2)           # softmax needs two outputs or more
    net = Network.random(sizes, activations=[hidden] * (len(sizes) - 2) + [out],
                         cost=cost, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n_examples, sizes[0]))
    Y = np.array([target(rng, sizes[-1], out, cost) for _ in range(n_examples)])
    grad = net.gradient(X, Y)
    traces = [net.backprop(x, y) for x, y in zip(X, Y)]
    scale = max(1.0, *(float(np.max(np.abs(g))) for t in traces for g in t.nabla_w.values()))
    for l in net.w:
        np.testing.assert_allclose(grad.nabla_w[l], np.mean([t.nabla_w[l] for t in traces], 0),
                                   rtol=1e-10, atol=1e-12 * scale, err_msg=f"w^{l}")
        np.testing.assert_allclose(grad.nabla_b[l], np.mean([t.nabla_b[l] for t in traces], 0),
                                   rtol=1e-10, atol=1e-12 * scale, err_msg=f"b^{l}")
        assert grad.nabla_w[l].shape == net.w[l].shape
        assert grad.nabla_b[l].shape == net.b[l].shape
    np.testing.assert_allclose(grad.cost, np.mean([t.cost for t in traces]), rtol=1e-12,
                               atol=1e-300)
    np.testing.assert_allclose(net.cost_of(X, Y), grad.cost, rtol=1e-12, atol=1e-300)


def test_batch_gradient_with_saturated_hidden_layers_is_the_mean_of_the_examples():
    # Large batches (the hypothesis test above has few rows) and weights large enough that
    # hidden z reach ±700 and more, where σ is taken from e^z: σ, σ' and BP2 of the batch
    # path (σ' in z's memory, (w^{l+1})ᵀ δ^{l+1} in a^{l+1}'s) against one example at a time.
    rng = np.random.default_rng(7)
    net = Network.random([5, 40, 30, 3], activations="sigmoid", cost="cross_entropy", seed=3)
    w = {l: net.w[l] * (300.0 if l == 2 else 1.0) for l in net.w}
    net = net.replace(weights=[w[l] for l in sorted(w)])
    X = rng.uniform(-2, 2, (64, 5))
    Y = rng.uniform(0, 1, (64, 3))
    z2 = X @ net.w[2].T + net.b[2]
    assert np.abs(z2).max() > 700 and np.abs(z2).min() < 5      # both sides of the switch
    grad = net.gradient(X, Y)
    traces = [net.backprop(x, y) for x, y in zip(X, Y)]
    for l in net.w:
        np.testing.assert_allclose(grad.nabla_w[l], np.mean([t.nabla_w[l] for t in traces], 0),
                                   rtol=1e-10, atol=1e-14, err_msg=f"w^{l}")
        np.testing.assert_allclose(grad.nabla_b[l], np.mean([t.nabla_b[l] for t in traces], 0),
                                   rtol=1e-10, atol=1e-14, err_msg=f"b^{l}")
    np.testing.assert_allclose(grad.cost, np.mean([t.cost for t in traces]), rtol=1e-12)


def test_batch_gradient_of_one_row_is_that_examples_gradient():
    net = Network(HAND_NET["weights"], HAND_NET["biases"])
    grad = net.gradient([HAND_X], [HAND_Y])
    np.testing.assert_allclose(grad.nabla_w[2], [[3 / 64 * LN3, 3 / 64 * LN2],
                                                 [3 / 20 * LN3, 3 / 20 * LN2]],
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(grad.nabla_b[3], [-1 / 8, 1 / 8], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(grad.cost, 1 / 4, rtol=1e-14, atol=1e-15)
