"""The network as a graph (explorer/figures/graph.py): its numbers are the package's, its
terms add up as BP2 says, its view follows the steps, and it holds nothing practice hides.

References: Matt Mazur's worked example ("A Step by Step Backpropagation Example"), which
the preset "2-2-2 by hand" is (his ∂E/∂out_h1 = 0.036350306, ∂E/∂w5 = 0.082167041), and
finite differences of the cost for the terms' sums."""

import base64

import numpy as np
import pytest
from helpers.apptest import assert_clean, go_to, open_page, stepper
from helpers.hidden import found, printed, typed_arrays
from numpy.testing import assert_allclose

from backprop import Network
from backprop.explain.steps import steps
from explorer.figures import graph
from explorer.figures.heatmap import scale
from explorer.practice import questions
from explorer.presets import DEFAULT, PRESETS
from explorer.step import payload

H = 1e-6


def example(preset):
    net, x, y = PRESETS[preset].make()
    trace = net.backprop(x, y)
    return net, x, y, trace, steps(net, trace)


def decoded(spec):
    v = np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<f8")
    return v.reshape([int(s) for s in spec["shape"].split(",")]) if "shape" in spec else v


def test_mazurs_worked_example():
    net, x, y, trace, _ = example(DEFAULT)
    g = graph.graph(net, trace)
    t = decoded(g["edges"]["terms"]["layers"]["3"]["v"])
    # w³₁₁ δ³₁ and w³₂₁ δ³₂: the two parts of ∂C/∂a²₁, by hand from his δ's
    assert_allclose(t[:, 0], [0.40 * 0.138498562, 0.50 * -0.038098236], rtol=1e-7)
    assert_allclose(t[:, 0].sum(), 0.036350306, rtol=1e-7)
    assert_allclose(decoded(g["edges"]["nabla_w"]["layers"]["3"]["v"])[0, 0], 0.082167041,
                    rtol=1e-7)
    assert g["nodes"]["delta"]["layers"]["3"]["text"] == ["0.138", "-0.038"]
    assert g["nodes"]["delta"]["layers"]["3"]["hover"][0] == "δ^3_1 = 0.138499"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_the_graphs_numbers_are_the_packages(preset):
    net, x, y, trace, _ = example(preset)
    g = graph.graph(net, trace)
    assert g["sizes"] == list(net.sizes)
    for q in graph.NODE_KINDS:
        for l, layer in g["nodes"][q]["layers"].items():
            want = getattr(trace, q)[int(l)]
            assert_allclose(decoded(layer["v"]), want, rtol=0, atol=0)
            assert [float(h.split(" = ")[1]) for h in layer["hover"]] == pytest.approx(
                want, rel=1e-5, abs=1e-12)
        assert g["nodes"][q]["cmax"] == scale(net, trace, q)
    for l in range(2, net.L + 1):
        e = {k: decoded(g["edges"][k]["layers"][str(l)]["v"]) for k in graph.EDGE_KINDS}
        assert_allclose(e["w"], net.w[l], rtol=0, atol=0)
        assert_allclose(e["nabla_w"], np.outer(trace.delta[l], trace.a[l - 1]), rtol=1e-12,
                        atol=1e-15)
        assert_allclose(e["terms"], net.w[l] * trace.delta[l][:, None], rtol=1e-12, atol=0)


@pytest.mark.parametrize("seed", range(6))
def test_the_terms_add_up_to_the_slope_of_the_cost_along_a(seed):
    """Column k of layer l's terms adds up to ∂C/∂a^{l−1}_k, checked by a central finite
    difference of the cost with a^{l−1}_k moved, and times σ'(z^{l−1}_k) to δ^{l−1}_k."""
    rng = np.random.default_rng(seed)
    sizes = list(rng.integers(2, 5, size=4))
    net = Network.random(sizes, "tanh", "quadratic", seed=seed)
    x, y = rng.normal(size=sizes[0]), rng.uniform(size=sizes[-1])
    trace = net.backprop(x, y)
    g = graph.graph(net, trace)
    for l in range(3, net.L + 1):
        sums = decoded(g["edges"]["terms"]["layers"][str(l)]["v"]).sum(axis=0)
        for k in range(1, sizes[l - 2] + 1):
            def cost(h, k=k, l=l):
                a = trace.a[l - 1].copy()
                a[k - 1] += h
                for m in range(l, net.L + 1):
                    z = net.w[m] @ a + net.b[m]
                    a = np.tanh(z)
                return 0.5 * np.sum((a - y) ** 2)
            fd = (cost(H) - cost(-H)) / (2 * H)
            assert_allclose(sums[k - 1], fd, rtol=1e-6, atol=1e-9)
        assert_allclose(sums * (1 - np.tanh(trace.z[l - 1]) ** 2), trace.delta[l - 1],
                        rtol=1e-12, atol=1e-15)


def test_the_view_follows_the_steps_of_2_2_2():
    net, x, y, trace, all_steps = example(DEFAULT)
    views = [graph.view(net, s, questions.visible(all_steps, i, True))
             for i, s in enumerate(all_steps)]
    want = [  # nodes, edges, column, band: written out from the steps' order
        ([("a", None, None)], ["w", "w"], 1, None),       # input
        ([("a", "z", None)], ["w", "w"], 2, 2),           # z²
        ([("a", "a", None)], ["w", "w"], 2, None),        # a²
        ([("a", "a", "z")], ["w", "w"], 3, 3),            # z³
        ([("a", "a", "a")], ["w", "w"], 3, None),         # a³
        ([("a", "a", "a")], ["w", "w"], None, None),      # cost
        ([("a", "a", "delta")], ["w", "terms"], 3, None),  # BP1
        ([("a", "delta", "delta")], ["w", "terms"], 2, 3),  # BP2: terms of layer 3
        ([("a", "delta", "delta")], ["w", "terms"], 3, None),  # BP3 ∂C/∂b³
        ([("a", "delta", "delta")], ["w", "nabla_w"], None, 3),  # BP4 ∂C/∂w³
        ([("a", "delta", "delta")], ["w", "nabla_w"], 2, None),  # BP3 ∂C/∂b²
        ([("a", "delta", "delta")], ["nabla_w", "nabla_w"], None, 2),  # BP4 ∂C/∂w²
    ]
    assert [s.kind for s in all_steps] == ["input", "z", "a", "z", "a", "cost", "BP1", "BP2",
                                           "BP3", "BP4", "BP3", "BP4"]
    assert [(v["nodes"], v["edges"], v["column"], v["band"]) for v in views] == \
        [(list(n[0]), e, c, b) for n, e, c, b in want]


def test_an_asked_quantity_is_a_question_mark_until_answered():
    net, x, y, trace, all_steps = example(DEFAULT)
    bp2 = 7
    hidden = graph.view(net, all_steps[bp2], questions.visible(all_steps, bp2, False))
    assert hidden["nodes"] == ["a", None, "delta"]
    z3 = 3
    assert graph.view(net, all_steps[z3], questions.visible(all_steps, z3, False))[
        "nodes"] == ["a", "a", None]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_the_graph_holds_only_what_known_lets_be_shown(preset):
    """A positive control for the payload's search (test_step_payload): every number of a
    hidden δ, its terms and ∂C/∂w are absent, and present once known."""
    net, x, y, trace, all_steps = example(preset)
    i = next(s.index for s in all_steps if s.kind == "BP1")
    before = questions.visible(all_steps, i, False)
    g = graph.graph(net, trace, before)
    L = net.L
    assert str(L) not in g["nodes"]["delta"]["layers"]
    assert g["edges"]["terms"]["layers"] == {} and g["edges"]["nabla_w"]["layers"] == {}
    arrays = np.concatenate([a for a in typed_arrays(g)])
    seen = trace.a[L]    # softmax + log-likelihood: δ^L = a^L − y, a^L_j itself where y_j = 0
    for v in [v for v in trace.delta[L] if not np.isclose(seen, v, rtol=1e-9, atol=0).any()]:
        assert not np.isclose(arrays, v, rtol=1e-9, atol=0).any()
        assert not any(found(f, repr(g)) for f in printed(v))
    after = graph.graph(net, trace, questions.visible(all_steps, i, True))
    arrays = np.concatenate([a for a in typed_arrays(after)])
    assert all(np.isclose(arrays, v, rtol=1e-9, atol=0).any() for v in trace.delta[L])


def test_the_payload_carries_the_graph_and_each_steps_view():
    net, x, y, trace, all_steps = example(DEFAULT)
    data = payload.payload(net, trace, all_steps)
    assert data["graph"]["sizes"] == list(net.sizes)
    for i, s in enumerate(data["steps"]):
        assert s["graph"] == graph.view(net, all_steps[i], questions.visible(all_steps, i,
                                                                              True))
    # a click on a line of terms explains the δ it flows into
    assert data["quantities"][data["graph"]["pick"]["terms"]] == "delta"
    assert data["quantities"][data["graph"]["pick"]["nabla_w"]] == "nabla_w"


def test_the_step_page_sends_the_graph_of_the_sidebars_network():
    """AppTest: the Step page's component data carries the graph of the session's network
    and example, and each step's view; in practice mode, at the BP1 question, δ³ is in no
    circle or line until answered."""
    at = open_page("step")
    assert_clean(at)
    data = stepper(at)
    net, x, y = (at.session_state[k] for k in ("net", "x", "y"))
    trace = net.backprop(x, y)
    layer = data["graph"]["nodes"]["delta"]["layers"][str(net.L)]
    assert_allclose(decoded(layer["v"]), trace.delta[net.L], rtol=0, atol=0)
    assert [s["graph"]["nodes"] for s in data["steps"]][-1] == \
        ["a"] + ["delta"] * (net.L - 1)
    bp1 = next(i for i, s in enumerate(data["steps"]) if s["title"].startswith("BP1"))
    at = go_to(at, bp1)
    at.toggle[0].set_value(True).run()     # practice: predict each number first
    data = stepper(at)
    assert data["upto"] == bp1 and data["steps"][bp1]["numbers"] is None
    assert str(net.L) not in data["graph"]["nodes"]["delta"]["layers"]
    assert data["graph"]["edges"]["terms"]["layers"] == {}
    assert data["steps"][bp1]["graph"]["nodes"][-1] is None
