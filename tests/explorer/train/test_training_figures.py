"""The Train page's figures: the numbers they draw against the package's, and valid Plotly."""

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from helpers.apptest import charts, decode
from numpy.testing import assert_allclose, assert_array_equal
from streamlit.testing.v1 import AppTest

from backprop import Network
from backprop.explain.notation import pretty
from backprop.learn import train
from backprop.learn.history import History
from explorer import limits
from explorer.train import classes, curves, datasets, minibatch, training
from explorer.train.upload import read_csv

ROOT = Path(__file__).resolve().parents[3]


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
    # two classes: circles and squares, filled for training and open for testing
    assert_array_equal(tr["marker"]["symbol"], np.where(d.c[d.train] == 0, 0, 1))
    assert_array_equal(te["marker"]["symbol"], np.where(d.c[d.test] == 0, 100, 101))
    assert_array_equal(tr["customdata"][:, 0], 0)
    assert_array_equal(te["customdata"][:, 1], np.arange(len(d.test)))
    colours = np.array(classes.CLASS_COLOURS)[d.c[d.train]]
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


def many_classes(k, n=8 * 16, seed=0, names=None):
    """Uploaded data of k classes (named c0, c1, … or ``names``), n points in a ring of k
    clusters, a quarter kept for testing."""
    rng = np.random.default_rng(seed)
    names = names or [f"c{j}" for j in range(k)]
    lines = ["a,b,label"]
    for i in range(n):
        j = i % k
        x = 2 * np.array([np.cos(2 * np.pi * j / k), np.sin(2 * np.pi * j / k)])
        x += rng.normal(0, 0.2, 2)
        lines.append(f"{x[0]:.4f},{x[1]:.4f},{names[j]}")
    return read_csv("\n".join(lines).encode(), "k.csv", 0.25, 0)


def plotly_symbol_numbers():
    """{name: number} of Plotly's marker symbols, from Plotly's own validator."""
    values = go.scatter.Marker()._get_validator("symbol").values
    # the list runs number, "number", name for each symbol
    return {values[i + 2]: values[i] for i in range(0, len(values), 3)}


def test_every_class_has_its_own_shape_filled_for_training_open_for_test():
    """No class rests on its colour alone (issue 23): sixteen classes, sixteen shapes, each
    point in its class's shape (Plotly's number for it; + 100, its open form, for a test
    point) and named in its hover; the legend names each class with its shape and colour,
    and says which is training and which is test."""
    assert len(set(classes.CLASS_SYMBOLS)) == len(classes.CLASS_COLOURS) == 16
    numbers = plotly_symbol_numbers()
    assert {s: numbers[s] for s in classes.CLASS_SYMBOLS} == \
        {s: classes.SYMBOL_CODES[s] for s in classes.CLASS_SYMBOLS}
    assert all(f"{s}-open" in numbers and numbers[f"{s}-open"] == numbers[s] + 100
               for s in classes.CLASS_SYMBOLS)
    d = many_classes(16)
    net = Network.random([2, 4, 16], ["sigmoid", "softmax"], "log_likelihood", seed=0)
    fig = training.boundary_figure(d, net, None, ("train", 2))
    go.Figure(fig)
    tr, te = traces_of(fig, "points")
    for t, rows, extra in ((tr, d.train, 0), (te, d.test, 100)):
        shapes = [classes.SYMBOL_CODES[classes.CLASS_SYMBOLS[c]] + extra for c in d.c[rows]]
        assert_array_equal(t["marker"]["symbol"], shapes)
        assert_array_equal(t["marker"]["color"], np.array(classes.CLASS_COLOURS)[d.c[rows]])
        assert list(t["text"]) == [d.classes[c] for c in d.c[rows]]
        assert "class %{text}" in t["hovertemplate"]
        assert t["showlegend"] is False
    assert set(d.c[d.train]) == set(range(16))       # every shape drawn
    entries = traces_of(fig, "legend")
    assert [e["name"] for e in entries] == [f"class {c}" for c in d.classes] + [
        "training: filled", "test: open"]
    for j, e in enumerate(entries[:16]):
        assert e["marker"]["symbol"] == classes.SYMBOL_CODES[classes.CLASS_SYMBOLS[j]]
        assert e["marker"]["color"] == classes.CLASS_COLOURS[j]
    assert [e["marker"]["symbol"] for e in entries[16:]] == [0, 100]
    # 18 entries, 2 to a row: 9 rows above the plot, which keeps its height
    lay = fig["layout"]
    assert lay["showlegend"] is True and lay["legend"]["orientation"] == "h"
    assert lay["margin"]["t"] - 15 == lay["height"] - 511 == 9 * training.LEGEND_ROW
    assert lay["legend"]["itemclick"] is False      # a click does not hide a class
    assert "each true class has its own shape" in training.legend(d)
    assert "Filled marks are training points, open marks test points" in training.legend(d)


def test_regions_are_labelled_with_the_class_predicted_there():
    """Each predicted class of the boundary is named in the plane, inside its region: the
    network gives that class at the label and at the grid cells around it."""
    d = many_classes(4, names=["setosa", "versicolor", "a<b>", "other"])
    net0 = Network.random([2, 8, 4], ["sigmoid", "softmax"], "log_likelihood", seed=0)
    net = train.SGD(net0, d.split_for(net0)[0], 30, 10, 1.0)[0]
    fig = training.boundary_figure(d, net)
    go.Figure(fig)
    (heat,) = traces_of(fig, "aL")
    labels = fig["layout"]["annotations"]
    xs, ys = heat["x"], heat["y"]
    drawn = sorted(set(heat["z"].ravel().astype(int)))
    assert len(labels) == len(drawn) == 4                # one label per predicted class
    step = np.array([xs[1] - xs[0], ys[1] - ys[0]])
    for label in labels:
        x = np.array([label["x"], label["y"]])
        j = int(np.argmax(net.feedforward(x)))
        assert label["text"] == f"<b>class {datasets.html(d.classes[j])}</b>"
        around = x + step * np.array([[1, 0], [-1, 0], [0, 1], [0, -1]])
        assert_array_equal(np.argmax(net.feedforward(around), axis=1), j)
    assert "<b>class a&lt;b&gt;</b>" in [a["text"] for a in labels]     # user text, escaped
    assert "labelled with the class the network predicts" in training.legend(d)


def test_two_classes_are_labelled_where_a_L_says_them():
    """Two classes, one output: class 1 where a^L_1 ≥ ½."""
    d = datasets.generate("two gaussians", 200, 0.1, 0.2, 0)
    net0 = Network.random([2, 3, 1], "sigmoid", "quadratic", seed=0)
    net = train.SGD(net0, d.split_for(net0)[0], 5, 10, 3.0)[0]
    fig = training.boundary_figure(d, net)
    labels = fig["layout"]["annotations"]
    assert sorted(a["text"] for a in labels) == ["<b>class 0</b>", "<b>class 1</b>"]
    for a in labels:
        said = int(net.feedforward([a["x"], a["y"]])[0] >= 0.5)
        assert a["text"] == f"<b>class {said}</b>"
    # regression: a heatmap of a^L, no class to name
    reg = datasets.generate("sine", 40, 0.05, 0.2, 0)
    assert not training.boundary_figure(reg, Network.random([1, 3, 1], seed=0))["layout"].get(
        "annotations")


def test_the_deepest_cell_of_each_region_by_hand():
    """Steps to another class or the edge: class 0 fills the left 4 columns of a 5 × 7
    grid, class 1 the right 3. Column 1 of class 0 is 2 steps from the edge and from
    class 1, its middle row 3 steps from the top and bottom: depth 2, first in row 1 at
    column 1 (row 2 ties with it)."""
    regions = np.zeros((5, 7), int)
    regions[:, 4:] = 1
    deep = classes.deepest(regions)
    assert deep == {0: (1, 1), 1: (1, 5)}
    regions[2, 5] = 2                                   # one cell alone: its own label
    assert classes.deepest(regions)[2] == (2, 5)


def test_one_feature_draws_a_L_as_a_curve():
    d = datasets.generate("sine", 40, 0.05, 0.2, 0)
    net = Network.random([1, 4, 1], seed=0)
    fig = training.boundary_figure(d, net, None, ("train", 0))
    go.Figure(fig)
    (curve,) = traces_of(fig, "aL")
    assert_allclose(curve["y"], net.feedforward(curve["x"][:, None])[:, 0], rtol=1e-12)
    tr = traces_of(fig, "points")[0]
    assert_array_equal(tr["y"], d.c[d.train])        # the targets y
    assert_array_equal(tr["marker"]["symbol"], 0)     # no class: filled circles, open for test
    assert_array_equal(traces_of(fig, "points")[1]["marker"]["symbol"], 100)


def test_one_feature_many_outputs_draws_each_a_L_j_in_its_own_dash():
    d = read_csv(b"x,label\n0,a\n1,b\n2,c\n3,a\n", "t.csv", 0.0, 0)
    fig = training.boundary_figure(d, Network.random([1, 3, 3], seed=0))
    go.Figure(fig)
    lines = traces_of(fig, "aL")
    assert len({t["line"]["dash"] for t in lines}) == len(lines) == 3
    assert [t["name"] for t in lines] == [f"a<sup>L</sup><sub>{j}</sub>" for j in (1, 2, 3)]
    # the legend's rows: 3 lines, 3 classes, 2 splits, 2 to a row
    assert fig["layout"]["height"] - 451 == 4 * training.LEGEND_ROW


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


# --- the figures as a student sees them (issue 19, section 4) ------------------------------

def one_epoch(sizes=(2, 4, 2), m=10, seed=0):
    d = datasets.generate("xor", 200, 0.0, 0.2, 0)
    net0 = Network.random(list(sizes), "sigmoid", "quadratic", seed=seed)
    trn, tst = d.split_for(net0)
    return net0, trn, train.SGD(net0, trn, 1, m, 3.0, tst)[1]


def test_after_the_first_epoch_every_line_shows_its_one_point():
    """One epoch: one point a line. A line of one point draws nothing, so each is a
    marker, on an epoch axis around 1 (not 0–2), with a tick at 1."""
    *_, h = one_epoch()
    assert h.epochs == 1
    figs = [curves.curves_figure(h)] + [curves.flow_figure(h, name) for name in curves.FLOW]
    for fig in figs:
        go.Figure(fig)
        assert fig["data"]
        for t in fig["data"]:
            assert "markers" in t["mode"], (fig["layout"]["meta"], t["name"])
            assert np.asarray(t["marker"]["size"])[0] >= 6
        for k in ("xaxis", "xaxis2"):
            ax = fig["layout"].get(k)
            if ax:
                lo, hi = ax["range"]
                assert lo < 1 < hi and lo > 0 and hi < 2, ax
                assert (ax["tick0"], ax["dtick"]) == (1, 1)
    # the gradient flow's log axis holds a tick (a power of ten) below and above its points
    for name in curves.FLOW:
        fig = curves.flow_figure(h, name)
        lo, hi = fig["layout"]["yaxis"]["range"]
        logs = np.log10([t["y"][0] for t in fig["data"]])
        assert lo <= logs.min() and logs.max() <= hi
        assert np.floor(hi) - np.ceil(lo) >= 0          # a whole power of ten in the range


def test_two_points_make_a_line_and_a_point_between_gaps_a_marker(trained):
    *_, h = trained                                     # three epochs
    for t in curves.curves_figure(h)["data"]:
        assert t["mode"] == "lines"
    # epochs 1 and 3 have a layer that did not learn (0: no point on a log axis)
    gaps = History(cost=(1.0,) * 3, nabla_w_norm=((0.0, 1.0), (0.5, 1.0), (0.0, 1.0)))
    first, out = curves.flow_figure(gaps)["data"]
    assert first["mode"] == "lines+markers"
    assert_array_equal(np.asarray(first["marker"]["size"]) > 0, [False, True, False])
    assert out["mode"] == "lines"


def test_the_gradient_flow_says_what_it_draws_and_draws_it():
    """meanⱼ |meanₓ δˡₓⱼ| of every mini-batch, averaged over the epoch's mini-batches,
    replayed here one example at a time (backprop per example, not net.gradient)."""
    net0, (X, Y), h = one_epoch()
    net, per_batch, per_example = net0, [], []
    for rows in train.mini_batches(len(X), 10, 0, 0):
        deltas = {l: np.array([net.backprop(X[r], Y[r]).delta[l] for r in rows])
                  for l in net.w}                       # (m, n_l)
        per_batch.append([np.mean(np.abs(deltas[l].mean(axis=0))) for l in net.w])
        per_example.append([np.mean(np.abs(deltas[l])) for l in net.w])
        net = train.update_mini_batch(net, (X[rows], Y[rows]), 3.0)[0]
    fig = curves.flow_figure(h, "delta_mean")
    drawn = [t["y"][0] for t in fig["data"]]
    assert_allclose(drawn, np.mean(per_batch, axis=0), rtol=1e-12)
    # read the other way (the mean size of one example's δ) it is larger: the title says which
    assert (np.mean(per_example, axis=0) > 1.5 * np.array(drawn)).all()
    title = fig["layout"]["yaxis"]["title"]["text"]
    assert "meanⱼ |meanₓ δˡₓⱼ|" in title and "epoch mean" in title
    assert "mean |δ" not in title
    for t in fig["data"]:
        l = t["meta"]["l"]
        assert f"meanⱼ |meanₓ δ{pretty(f'^{l}')}ₓⱼ|" in t["hovertemplate"]
        assert "averaged over the epoch's mini-batches" in t["hovertemplate"]
    assert "∂C/∂bˡⱼ" in curves.FLOW["delta_mean"][1]


SI = re.compile(r"^(SI|B|SI extended)$")


def number_formats(fig):
    """The number format of every axis and colour bar of a figure that prints numbers: its
    d3 tickformat if it has one, else its exponent format (Plotly's default, "B", where
    none is set)."""
    out = {}
    for k, v in fig["layout"].items():
        ax = v if re.fullmatch(r"[xy]axis\d*", k) else (
            v.get("colorbar", {}) if k.startswith("coloraxis") else None)
        if ax is not None and ax.get("showticklabels", True) and ax.get("visible", True):
            out[k] = ax.get("tickformat") or ax.get("exponentformat", "B")
    return out


def test_no_training_figure_prints_si_prefixes(trained):
    d, net, h = trained
    traces = [net.backprop(x, y) for x, y in zip(*(a[:4] for a in d.split_for(net)[0]))]
    mean = net.gradient(*(a[:4] for a in d.split_for(net)[0]))
    batch = minibatch.batch_figure(traces, mean, 2, 4)
    assert "coloraxis" in number_formats(batch)
    # the colour bar labels both its ends, ± the largest |∂C/∂w²| drawn, as plain numbers
    bar = batch["layout"]["coloraxis"]["colorbar"]
    top = max(np.max(np.abs(g.nabla_w[2])) for g in traces + [mean])
    assert_allclose(bar["tickvals"], [-top, 0, top], rtol=1e-15)
    for text, v in zip(bar["ticktext"], bar["tickvals"]):
        assert re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", text), text
        assert_allclose(float(text), v, rtol=0.05)   # two significant digits or more
    for fig in (batch, curves.curves_figure(h), curves.flow_figure(h, "delta_mean")):
        formats = number_formats(fig)
        assert formats and not [k for k, f in formats.items() if SI.match(f)], formats
    # the boundary figure, as the page sends it
    formats = number_formats(curves.plain_numbers(training.boundary_figure(d, net)))
    assert formats and not [k for k, f in formats.items() if SI.match(f)], formats


def panels(fig):
    """[(kind, i, (x0, x1), (y0, y1))] of a mini-batch figure's heatmaps, in pixels of
    the plot area (y downwards)."""
    lay = fig["layout"]
    w = lay["width"] - lay["margin"]["l"] - lay["margin"]["r"]
    h = lay["height"] - lay["margin"]["t"] - lay["margin"]["b"]
    out = []
    for t in fig["data"]:
        xd = lay["xaxis" + t["xaxis"][1:]].get("domain", [0, 1])
        yd = lay["yaxis" + t["yaxis"][1:]].get("domain", [0, 1])
        out.append((t["meta"]["kind"], t["meta"]["i"], (xd[0] * w, xd[1] * w),
                    ((1 - yd[1]) * h, (1 - yd[0]) * h)))
    return out


@pytest.mark.parametrize("sizes, l", [((2, 4, 2), 3), ((2, 3, 3, 3, 3, 1), 6),
                                      ((2, 2, 2), 3), ((2, 16, 16, 2), 3), ((2, 16, 2), 2),
                                      ((2, 1, 2), 2)])
def test_the_mean_comes_first_and_the_examples_wrap(sizes, l):
    """The mean, the point of the figure, is the first panel, at the left: on screen in a
    box of any width. The examples follow in rows, the whole at most MAX_WIDTH wide,
    each panel as large as the mean and none over another."""
    net = Network.random(list(sizes), "sigmoid", "quadratic", seed=1)
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(-1, 1, (10, 2)), np.eye(sizes[-1])[rng.integers(0, sizes[-1], 10)]
    traces = [net.backprop(x, y) for x, y in zip(X, Y)]
    fig = minibatch.batch_figure(traces[:6], net.gradient(X, Y), l, 10, np.arange(6) + 40)
    go.Figure(fig)
    ps = panels(fig)
    assert [(k, i) for k, i, *_ in ps] == [("mean", 0)] + [("example", i) for i in range(1, 7)]
    _, _, (mx0, mx1), (my0, _) = ps[0]
    assert mx0 == pytest.approx(0) and my0 == pytest.approx(minibatch.TITLE)
    assert fig["layout"]["width"] <= minibatch.MAX_WIDTH
    sizes_px = {(round(x1 - x0, 6), round(y1 - y0, 6)) for _, _, (x0, x1), (y0, y1) in ps}
    assert len(sizes_px) == 1
    for a in range(len(ps)):
        for b in range(a):
            (ax0, ax1), (ay0, ay1) = ps[a][2:]
            (bx0, bx1), (by0, by1) = ps[b][2:]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (ps[a], ps[b])
    assert all(0 <= v <= 1 for k in fig["layout"] if re.fullmatch(r"[xy]axis\d*", k)
               for v in fig["layout"][k]["domain"])
    assert_array_equal(fig["data"][0]["z"], net.gradient(X, Y).nabla_w[l])


def test_the_examples_are_named_examples_not_x():
    """x₁ and x₂ are the input features on the boundary's axes: the examples of the
    mini-batch are "example 1, 2, …", and the hover says which training point each is."""
    net = Network.random([2, 3, 2], "sigmoid", "quadratic", seed=0)
    X, Y = np.array([[0.1, 0.2], [0.3, -0.4], [1.0, 0.5]]), np.eye(2)[[0, 1, 1]]
    traces = [net.backprop(x, y) for x, y in zip(X, Y)]
    fig = minibatch.batch_figure(traces, net.gradient(X, Y), 3, 3, [17, 4, 120])
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert "example 1" in titles and "example 3" in titles
    assert not [t for t in titles if re.search(r"x[₀-₉]", t)], titles
    hovers = [t["hovertemplate"] for t in fig["data"]]
    assert "example 2 (train point 4): ∂Cₓ/∂w³" in hovers[2]
    assert "mean over the m = 3 examples: ∂C/∂w³" in hovers[0]


def test_the_batch_is_named_with_its_weights():
    p = train.Progress(None, 4, 2)
    s = minibatch.batch_name(p, 16, 10)
    assert "mini-batch 3 of 16 of epoch 5" in s and "weights of epoch 4 + 2 of 16 mini-batches" in s
    assert "weights of epoch 4 (" in minibatch.batch_name(train.Progress(None, 4, 0), 16, 10)
    assert "starting weights" in minibatch.batch_name(train.Progress(None), 16, 10)


def test_the_page_names_the_next_mini_batch_and_rings_its_points():
    """After two steps the mini-batch figure shows the third mini-batch of epoch 1 on the
    weights after two steps: the page says so, and rings its points on the boundary.
    The weights are replayed here from the starting network."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.switch_page(str(ROOT / "pages/4_Train.py")).run()
    for _ in range(2):
        at.button(key="train_step").click().run()
    assert not at.exception
    ss = at.session_state
    d = ss["train_data"]
    X, Y = d.split_for(ss["train_init"])[0]
    net = ss["train_init"]
    for rows in train.mini_batches(len(X), 10, 0, 0)[:2]:
        net = train.update_mini_batch(net, (X[rows], Y[rows]), 3.0)[0]
    rows = train.mini_batches(len(X), 10, 0, 0)[2]
    (said,) = [m.value for m in at.markdown if "next step takes" in m.value]
    assert "mini-batch 3 of 16 of epoch 1" in said
    assert "weights of epoch 0 + 2 of 16 mini-batches" in said
    figs = charts(at)
    (ring,) = traces_of(figs["train_chart_boundary"], "batch")
    assert_array_equal(np.column_stack([decode(ring["x"]), decode(ring["y"])]), X[rows])
    batch = figs["train_chart_batch"]
    grads = [net.backprop(X[r], Y[r]).nabla_w[3] for r in rows]
    for t in traces_of(batch, "example"):
        i = t["meta"]["i"]
        assert_allclose(decode(t["z"]), grads[i - 1], rtol=1e-12, atol=0)
        assert f"train point {rows[i - 1]})" in t["hovertemplate"]
    (mean,) = traces_of(batch, "mean")
    assert_allclose(decode(mean["z"]), np.mean(grads, axis=0), rtol=1e-10, atol=1e-15)

    at.button(key="train_epoch").click().run()       # to the end of epoch 1
    (said,) = [m.value for m in at.markdown if "next step takes" in m.value]
    assert "mini-batch 1 of 16 of epoch 2" in said and "weights of epoch 1 (" in said
    (ring,) = traces_of(charts(at)["train_chart_boundary"], "batch")
    rows = train.mini_batches(len(X), 10, 0, 1)[0]
    assert_array_equal(np.column_stack([decode(ring["x"]), decode(ring["y"])]), X[rows])
    # one epoch: every line of the curves and the gradient flow shows its point
    for key in ("train_chart_curves", "train_chart_flow"):
        for t in charts(at)[key]["data"]:
            assert "markers" in t["mode"], (key, t["name"])
