"""backprop.explain.delta_terms: δ^l_k taken apart as the notes derive BP2, the parts
w^{l+1}_{jk} δ^{l+1}_j coming back from each neuron of layer l+1 adding up to ∂C/∂a^l_k
(checked by a finite difference on a^l_k), times σ'(z^l_k); at a softmax output the
Jacobian's terms J_{jk} ∂C/∂a^L_j add up to δ^L_k (checked against backpropagation's
δ^L, which reduces a − y without any Jacobian)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from backprop import Network
from backprop.explain import delta_terms

NETS = [([3, 4, 5, 2], ["tanh", "sigmoid", "sigmoid"], "quadratic"),
        ([2, 5, 3], ["relu", "softmax"], "log_likelihood"),
        ([3, 3, 4], ["sigmoid", "softmax"], "quadratic"),
        ([2, 3, 3, 3], ["tanh", "tanh", "softmax"], "log_likelihood")]


def example(sizes, acts, cost):
    net = Network.random(sizes, acts, cost, seed=3)
    rng = np.random.default_rng(3)
    y = np.eye(sizes[-1])[0] if cost == "log_likelihood" else rng.uniform(0, 1, sizes[-1])
    return net, rng.uniform(-1, 1, sizes[0]), y


def cost_with_a(net, trace, l, k, h):
    """C_x with a^l_k moved by h, the forward pass run again from layer l+1 on."""
    a = trace.a[l].copy()
    a[k - 1] += h
    for m in range(l + 1, net.L + 1):
        z = net.w[m] @ a + net.b[m]
        a = net._acts[m - 2].fn(z)
    return float(net._cost.fn(z, a, trace.y, net._acts[-1]))


@pytest.mark.parametrize("sizes, acts, cost", NETS)
def test_the_terms_add_up_to_the_slope_along_the_activation(sizes, acts, cost):
    net, x, y = example(sizes, acts, cost)
    trace = net.backprop(x, y)
    for l in range(2, net.L):
        for k in range(1, net.sizes[l - 1] + 1):
            t = delta_terms(net, trace, l, k)
            assert t.rule == "BP2" and len(t.terms) == net.sizes[l]
            assert_allclose(t.terms, net.w[l + 1][:, k - 1] * trace.delta[l + 1], rtol=0)
            h = 1e-6
            up, down = cost_with_a(net, trace, l, k, h), cost_with_a(net, trace, l, k, -h)
            numeric = (up - down) / (2 * h)
            assert_allclose(t.total, numeric, rtol=1e-6, atol=1e-9, err_msg=f"{l} {k}")
            assert_allclose(t.total * t.factor, t.delta, rtol=1e-12, atol=1e-15)
            assert t.delta == trace.delta[l][k - 1]
            assert t.labels[0] == f"w^{l + 1}_1{k} δ^{l + 1}_1"


@pytest.mark.parametrize("sizes, acts, cost", NETS[1:])
def test_a_softmax_output_adds_up_its_jacobian_terms(sizes, acts, cost):
    net, x, y = example(sizes, acts, cost)
    trace = net.backprop(x, y)
    L, a = net.L, trace.a[net.L]
    for k in range(1, net.sizes[-1] + 1):
        t = delta_terms(net, trace, L, k)
        jac = np.array([a[j] * ((j == k - 1) - a[k - 1]) for j in range(len(a))])
        assert t.rule == "softmax" and t.factor == 1.0
        assert_allclose(t.terms, jac * trace.grad_a, rtol=1e-12, atol=1e-15)
        assert_allclose(t.total, trace.delta[L][k - 1], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("l, k, says", [(1, 1, "layer l must lie between 2 and 4"),
                                        (2, 5, "neuron k of layer 2 must lie between 1 and 4"),
                                        (4, 1, "has one term")])
def test_what_has_no_terms_is_a_clear_value_error(l, k, says):
    net, x, y = example(*NETS[0])
    with pytest.raises(ValueError, match=says):
        delta_terms(net, net.backprop(x, y), l, k)
