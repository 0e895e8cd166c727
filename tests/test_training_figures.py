"""The Train page's figures: the numbers they draw against the package's, and valid Plotly."""

import numpy as np
import plotly.graph_objects as go
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from backprop import Network, train
from backprop.history import History
from explorer import curves, datasets, limits, minibatch, training
from explorer.upload import read_csv


def traces_of(fig, kind):
    return [t for t in fig["data"] if (t.get("meta") or {}).get("kind") == kind]


@pytest.fixture(scope="module")
def trained():
    d = datasets.generate("two moons", 120, 0.1, 0.25, 0)
    net0 = Network.random([2, 5, 3, 1], "sigmoid", "quadratic", seed=0)
    trn, tst = d.split_for(net0)
    net, h = train.SGD(net0, trn, 3, 10, 2.0, tst)
    return d, net, h


def test_boundary_heatmap_is_a_L_over_the_grid(trained):
    d, net, _ = trained
    fig = training.boundary_figure(d, net, train.Progress(net, 3, 2), ("test", 4))
    go.Figure(fig)
    assert fig["layout"]["meta"] == {"kind": "boundary", "epoch": 3, "batch": 2}
    (heat,) = traces_of(fig, "aL")
    xs, ys = heat["x"], heat["y"]
    assert len(xs) == len(ys) == limits.GRID
    lo = np.minimum(d.X.min(axis=0), -1)
    assert xs[0] < lo[0] and ys[0] < lo[1]          # the data lies inside the grid
    # row i, column j: a^L at (x₁, x₂) = (xs[j], ys[i]), worked out one point at a time
    for i, j in [(0, 0), (7, 31), (49, 49), (25, 3)]:
        a = net.feedforward([xs[j], ys[i]])
        assert_allclose(heat["z"][i, j], a[0], rtol=1e-12)


def test_points_are_the_data_train_and_test_marked_apart(trained):
    d, net, _ = trained
    fig = training.boundary_figure(d, net, None, ("test", 4))
    tr, te = traces_of(fig, "points")
    assert_array_equal(np.column_stack([tr["x"], tr["y"]]), d.X[d.train])
    assert_array_equal(np.column_stack([te["x"], te["y"]]), d.X[d.test])
    assert tr["marker"]["symbol"] != te["marker"]["symbol"]
    assert_array_equal(tr["customdata"][:, 0], 0)
    assert_array_equal(te["customdata"][:, 1], np.arange(len(d.test)))
    colours = np.array(training.CLASS_COLOURS)[d.c[d.train]]
    assert_array_equal(tr["marker"]["color"], colours)
    (pick,) = traces_of(fig, "pick")
    assert_array_equal([pick["x"][0], pick["y"][0]], d.X[d.test[4]])


def test_class_score_is_the_second_output_of_softmax():
    net = Network.random([2, 3, 2], ["tanh", "softmax"], "log_likelihood", seed=0)
    a = net.feedforward(np.random.default_rng(0).standard_normal((20, 2)))
    assert_allclose(training.class_score(a), a[:, 1], rtol=1e-12)
    assert_allclose(training.class_score(a[:, :1]), a[:, 0])


def test_many_classes_show_the_class_of_the_largest_output():
    d = read_csv(b"a,b,label\n0,0,x\n1,0,y\n0,1,z\n1,1,x\n", "t.csv", 0.0, 0)
    net = Network.random([2, 4, 3], seed=2)
    fig = training.boundary_figure(d, net)
    go.Figure(fig)
    (heat,) = traces_of(fig, "aL")
    xs, ys = heat["x"], heat["y"]
    assert heat["z"][10, 20] == np.argmax(net.feedforward([xs[20], ys[10]]))


def test_one_feature_draws_a_L_as_a_curve():
    d = datasets.generate("sine", 40, 0.05, 0.2, 0)
    net = Network.random([1, 4, 1], seed=0)
    fig = training.boundary_figure(d, net, None, ("train", 0))
    go.Figure(fig)
    (curve,) = traces_of(fig, "aL")
    assert_allclose(curve["y"], net.feedforward(curve["x"][:, None])[:, 0], rtol=1e-12)
    tr = traces_of(fig, "points")[0]
    assert_array_equal(tr["y"], d.c[d.train])        # the targets y


def test_curves_hold_the_history(trained):
    *_, h = trained
    fig = curves.curves_figure(h)
    go.Figure(fig)
    got = {t["name"]: t["y"] for t in fig["data"]}
    assert_array_equal(got["training cost"], h.cost)
    assert_array_equal(got["test accuracy"], h.test_accuracy)


def test_flow_holds_each_layer_per_epoch_on_a_log_axis(trained):
    *_, h = trained
    for name in curves.FLOW:
        fig = curves.flow_figure(h, name)
        go.Figure(fig)
        assert fig["layout"]["yaxis"]["type"] == "log"
        for t in fig["data"]:
            l = t["meta"]["l"]
            assert_array_equal(t["y"], [row[l - 2] for row in getattr(h, name)])


def test_flow_sentence_names_the_slowest_layer_and_the_ratio():
    h = History(cost=(1.0, 1.0), nabla_w_norm=((1e-3, 1.0, 1.0), (2e-5, 0.01, 0.05)))
    s = curves.flow_sentence(h)
    assert s.startswith("In epoch 2, layer 2 learned 2,500× more slowly than layer 4")
    assert "‖∂C/∂w²‖ = 2.0e-5" in s and "‖∂C/∂w⁴‖ = 0.050" in s
    same = History(cost=(1.0,), nabla_w_norm=((0.1, 0.12),))
    assert "same speed" in curves.flow_sentence(same)
    assert curves.flow_sentence(History()) is None
    zero = History(cost=(1.0,), nabla_w_norm=((0.0, 0.12),))
    assert "did not learn at all" in curves.flow_sentence(zero)
    fig = curves.flow_figure(zero)
    assert np.isnan(fig["data"][0]["y"][0])          # no 0 on a log axis


@pytest.mark.parametrize("m", [4, 9])
def test_the_mini_batch_figure_adds_up(trained, m):
    d, net, _ = trained
    (X, Y), _ = d.split_for(net)
    X, Y = X[:m], Y[:m]
    traces = [net.backprop(x, y) for x, y in zip(X, Y)]
    mean = net.gradient(X, Y)
    fig = minibatch.batch_figure(traces[:6], mean, 3, m)
    go.Figure(fig)
    examples, (mean_panel,) = traces_of(fig, "example"), traces_of(fig, "mean")
    assert len(examples) == min(m, 6)
    for t, tr in zip(examples, traces):
        assert_array_equal(t["z"], tr.nabla_w[3])
    assert_array_equal(mean_panel["z"], mean.nabla_w[3])
    # the mean of the per-example matrices is the batch gradient
    assert_allclose(np.mean([t.nabla_w[3] for t in traces], axis=0), mean_panel["z"],
                    rtol=0, atol=1e-12)
    text = minibatch.adds_up(traces, mean, 3, 6)
    assert f"/ {m} = {np.mean([t.nabla_w[3][0, 0] for t in traces]):.6g}" in text
    assert f"gives {mean.nabla_w[3][0, 0]:.6g}" in text
    assert ("first 6" in text) == (m > 6)
