"""Jupyter's view of a Network and a Trace: a table per layer, in the notation."""

import numpy as np
import pytest
from helpers.html_reader import tables

from backprop import Network
from backprop import html_tables as ht

# 2-3-2 with hand-picked weights: w^2 is n_2 × n_1 = 3 × 2, w^3 is n_3 × n_2 = 2 × 3
W2 = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]
B2 = [0.01, -0.02, 0.03]
W3 = [[0.7, -0.8, 0.9], [-1.0, 1.1, -1.2]]
B3 = [0.5, -0.5]
X, Y = [0.5, -1.0], [1.0, 0.0]
RTOL = 5e-4    # four significant digits: rounding moves a number by at most half a unit


def numbers(cells):
    return np.array([float(c) for c in cells])


def check_network_tables(found, net):
    """One table per layer l = 2..L: row j holds j, b^l_j, then w^l_{j1..jk}."""
    assert [t["caption"].split(":")[0] for t in found] == ["Layer 2", "Layer 3 (output)"]
    for l, table in zip((2, 3), found):
        assert table["head"][:2] == ["j", f"b{l}j"]
        assert table["head"][2:] == [f"w{l}j{k}" for k in range(1, net.sizes[l - 2] + 1)]
        assert [r[0] for r in table["rows"]] == [str(j) for j in range(1, net.sizes[l - 1] + 1)]
        got = np.array([numbers(r[1:]) for r in table["rows"]])
        want = np.column_stack([net.b[l], net.w[l]])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)


def check_trace_tables(found, trace):
    """Layer 1 holds x; layer l = 2..L: z, a, σ', (y at L), δ, ∂C/∂b, ∂C/∂w^l_{jk}."""
    assert len(found) == trace.L
    np.testing.assert_allclose(numbers(r[1] for r in found[0]["rows"]), trace.a[1], rtol=RTOL)
    for l, table in zip(range(2, trace.L + 1), found[1:]):
        head = ["j", f"z{l}j", f"a{l}j", f"σ′(z{l}j)"] + (["yj"] if l == trace.L else []) \
            + [f"δ{l}j", f"∂C/∂b{l}j"]
        assert table["head"][:len(head)] == head
        n_prev = trace.a[l - 1].shape[0]
        assert table["head"][len(head):] == [f"∂C/∂w{l}j{k}" for k in range(1, n_prev + 1)]
        got = np.array([numbers(r[1:]) for r in table["rows"]])
        cols = [trace.z[l], trace.a[l], trace.sp[l]] + ([trace.y] if l == trace.L else []) \
            + [trace.delta[l], trace.nabla_b[l]]
        np.testing.assert_allclose(got, np.column_stack(cols + [trace.nabla_w[l]]),
                                   rtol=RTOL, atol=0)


@pytest.fixture
def net():
    return Network([W2, W3], [B2, B3], "sigmoid", "quadratic")


def test_network_renders_a_table_per_layer_with_its_numbers(net):
    check_network_tables(tables(net._repr_html_()), net)


def test_trace_renders_a_table_per_layer_with_its_numbers(net):
    trace = net.backprop(X, Y)
    html = trace._repr_html_()
    check_trace_tables(tables(html), trace)
    assert f"C<sub>x</sub> = {trace.cost:.4g}" in html


def test_repr_stays_as_it_was(net):
    assert repr(net) == "Network(sizes=[2, 3, 2], activations=[sigmoid, sigmoid], cost='quadratic')"
    assert repr(net.backprop(X, Y)).startswith("Trace(nabla_w=Layers({2: array(")


def test_a_large_layer_is_cut_to_its_first_and_last_rows_and_columns():
    net = Network.random([784, 100, 10], seed=0, init="scaled")
    layer2 = tables(net._repr_html_())[0]
    assert "784 × 100" not in layer2["caption"] and "100 × 784" in layer2["caption"]
    assert [r[0] for r in layer2["rows"]] == ["1", "2", "3", "4", "5", "6", "⋮", "100"]
    assert layer2["head"] == ["j", "b2j", "w2j1", "w2j2", "w2j3", "w2j4", "⋯", "w2j784"]
    last = layer2["rows"][-1]
    np.testing.assert_allclose(numbers([last[1], last[2], last[-1]]),
                               [net.b[2][99], net.w[2][99, 0], net.w[2][99, 783]], rtol=RTOL)


def test_softmax_output_leaves_out_its_jacobian():
    net = Network.random([2, 3], activations="softmax", cost="log_likelihood", seed=1)
    out = tables(net.backprop([1.0, 2.0], [0.0, 0.0, 1.0])._repr_html_())[1]
    assert out["head"][:5] == ["j", "z2j", "a2j", "yj", "δ2j"]


def test_every_text_is_escaped():
    assert ht.symbol("<b>", 2, "&") == "&lt;b&gt;<sup>2</sup><sub>&amp;</sub>"
    assert ht.number(float("nan")) == "nan" and ht.number(-1e-7) == "-1e-07"
