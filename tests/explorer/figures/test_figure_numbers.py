"""Every plotly figure's text alternative (issue 23): an accessible name (st.plotly_chart's
``alt``, the chart's aria-label) that says what it shows with its state, and its numbers as
tables under "Numbers as a table". The tables are compared with the figure's own arrays
and with the package's numbers, not only found; what practice mode hides stays hidden."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers.apptest import assert_clean, charts, decode, go_to, open_page, pick
from numpy.testing import assert_allclose, assert_array_equal
from streamlit.runtime.state.common import user_key_from_element_id

from backprop.learn import train
from explorer.figures import network, numbers
from explorer.figures.numbers import bounded, heatmap_tables, printed
from explorer.presets import PRESETS
from explorer.train import numbers as train_numbers

HAND = "2-2-2 by hand"
NET, X, Y = PRESETS[HAND].make()
TRACE = NET.backprop(X, Y)
RTOL = 1e-5          # the tables print 6 significant digits


def names(at):
    """{chart key: accessible name} of the page's plotly charts."""
    return {user_key_from_element_id(c.proto.id): c.proto.alt for c in at.get("plotly_chart")}


def opened(at, key):
    """The tables under the chart ``key``'s "Numbers as a table", opened (what a click or
    Enter on the expander sends), as {accessible name: DataFrame of strings}."""
    at.session_state[f"{key}_numbers"] = True
    at.run()
    assert_clean(at)
    (box,) = [e for e in at.expander if e.label.startswith("Numbers as a table")
              and any(t.proto.alt.startswith(names(at)[key]) for t in e.get("table"))]
    return {t.proto.alt: t.value for t in box.get("table")}


def number(df):
    """The printed cells as floats ("–" is NaN)."""
    return df.replace("–", "nan").astype(float).to_numpy()


def index_numbers(df):
    return np.array([float(v) for v in df.index])


# --- the table-making functions -------------------------------------------------------------

def test_bounded_spreads_the_rows_and_keeps_the_first_and_the_last():
    df = pd.DataFrame({"v": np.arange(100.0)})
    got = bounded(df, 25)
    assert len(got) <= 25 and got.index[0] == 0 and got.index[-1] == 99
    assert len(bounded(df.iloc[:10], 25)) == 10


def test_printed_writes_six_significant_digits_and_nan_as_a_dash():
    df = pd.DataFrame({"v": [0.123456789, np.nan, -1.5e-7]}, index=[0.5, 1.0, 2.0])
    assert printed(df)["v"].tolist() == ["0.123457", "–", "-1.5e-07"]
    assert printed(df).index.tolist() == ["0.5", "1", "2"]


def test_the_network_figures_tables_hold_only_the_panels_it_shows():
    known = {("z", 2), ("a", 1), ("a", 2)}
    fig = network.network_figure(NET, TRACE, known=known)
    tables = heatmap_tables(fig, NET, TRACE)
    Z, A, D = numbers.KINDS["z"], numbers.KINDS["a"], numbers.KINDS["delta"]
    assert set(tables) == {Z, A, "not yet computed"}
    assert_allclose(tables[Z]["layer 2"], TRACE.z[2], rtol=0, atol=0)
    assert list(tables[Z].columns) == ["layer 2"]
    assert_allclose(tables[A][["layer 1", "layer 2"]].to_numpy().T,
                    [TRACE.a[1], TRACE.a[2]], rtol=0, atol=0)
    for q in ("z³", "a³", "δ²", "δ³"):
        assert q in tables["not yet computed"]
    assert numbers.heatmap_name(fig, "x") == "x: z³, a³, δ² and δ³ not yet computed"
    everything = heatmap_tables(network.network_figure(NET, TRACE), NET, TRACE)
    assert_allclose(everything[D]["layer 3"], TRACE.delta[3], rtol=0, atol=0)
    assert "not yet computed" not in everything


def test_a_focus_figures_tables_are_its_matrices_and_vectors():
    fig = network.outer_product_figure(NET, TRACE, 3)
    tables = heatmap_tables(fig, NET, TRACE)
    assert_allclose(tables["∂C/∂w³ (2 × 2)"].to_numpy(), TRACE.nabla_w[3], rtol=0, atol=0)
    assert_allclose(tables[numbers.KINDS["delta"]]["layer 3"], TRACE.delta[3], rtol=0, atol=0)
    assert_allclose(tables[numbers.KINDS["a"]]["layer 2"], TRACE.a[2], rtol=0, atol=0)
    curve = heatmap_tables(network.activation_figure(NET, TRACE, 2), NET, TRACE)
    (points,) = curve.values()
    assert_allclose(points.to_numpy(), np.column_stack([TRACE.z[2], TRACE.a[2]]), rtol=0)


# --- Gradient check -------------------------------------------------------------------------

def test_the_cost_history_is_named_and_its_table_holds_the_figures_costs():
    at = open_page("gradient")
    for _ in range(3):
        at.button(key="sgd1").click().run()
    costs = at.session_state["history"].costs
    assert names(at)["chart_history"] == (
        f"Cost Cₓ of this example over 3 gradient-descent steps: from {costs[0]:.4g} to "
        f"{costs[-1]:.4g}")
    fig = charts(at)["chart_history"]
    (df,) = opened(at, "chart_history").values()
    assert_allclose(number(df)[:, 0], decode(fig["data"][0]["y"]), rtol=RTOL)
    assert_allclose(index_numbers(df), decode(fig["data"][0]["x"]), rtol=0)
    assert_allclose(number(df)[:, 0], costs, rtol=RTOL)


def test_the_speed_figure_is_named_and_its_table_holds_its_points():
    at = open_page("gradient")
    at.button(key="speed_go").click().run()
    assert_clean(at)
    fig = charts(at)["chart_speed"]
    rows = at.session_state["speed"]["rows"]
    name = names(at)["chart_speed"]
    assert name.startswith("Milliseconds for every ∂C/∂w") and f"{len(rows)} networks" in name
    (df,) = opened(at, "chart_speed").values()
    bp, fd = fig["data"]
    assert_allclose(number(df)[:, 0], decode(bp["x"]), rtol=0)
    assert_allclose(number(df)[:, 1], decode(bp["y"]), rtol=RTOL)
    assert_allclose(number(df)[:, 2], decode(fd["y"]), rtol=RTOL)


# --- Step page: the nudge and BP2's terms ---------------------------------------------------

def test_the_nudge_and_the_terms_are_named_and_tabled_with_their_numbers():
    at = pick(go_to(open_page("step"), 8), ("delta", 2, 1, None))
    at.session_state["nudge_box"] = True
    at.session_state["terms_box"] = True
    at.run()
    assert_clean(at)
    figs = charts(at)
    assert names(at)["chart_nudge"].startswith("Cost C against the nudge Δ of z²₁")
    tables = list(opened(at, "chart_nudge").values())
    curve, tangent, points = figs["chart_nudge"]["data"][-3:]
    chosen, along = tables
    assert_allclose(index_numbers(chosen)[0], decode(points["x"])[1], rtol=RTOL)
    assert_allclose(number(chosen)[0, 0], decode(points["y"])[1], rtol=RTOL)
    x = decode(curve["x"])
    rows = [int(np.argmin(np.abs(x - d))) for d in index_numbers(along)]
    assert_allclose(index_numbers(along), x[rows], rtol=RTOL, atol=1e-12)
    assert_allclose(number(along)[:, 0], decode(curve["y"])[rows], rtol=RTOL)
    assert_allclose(number(along)[:, 1], decode(tangent["y"])[rows], rtol=RTOL)
    assert index_numbers(along)[-1] == pytest.approx(x[-1])
    net, xx, yy = (at.session_state[k] for k in ("net", "x", "y"))
    trace = net.backprop(xx, yy)
    assert names(at)["chart_terms"] == (
        f"Bars of the 2 terms that make δ²₁: they add up to "
        f"{float(net.w[3][:, 0] @ trace.delta[3]):.6g}, and δ²₁ = {trace.delta[2][0]:.6g}")
    bars, adding = opened(at, "chart_terms").values()
    assert_allclose(number(bars[["value"]])[:, 0], decode(figs["chart_terms"]["data"][0]["y"]),
                    rtol=RTOL)
    assert_allclose(number(adding)[:, 0], [net.w[3][:, 0] @ trace.delta[3],
                                           trace.sp[2][0], trace.delta[2][0]], rtol=RTOL)


# --- Train page -----------------------------------------------------------------------------

def test_the_train_figures_are_named_and_tabled_with_the_packages_numbers():
    at = open_page("pages/4_Train.py")
    at.button(key="train_epoch").click().run()
    assert_clean(at)
    ss = at.session_state
    p, d = ss["train_progress"], ss["train_data"]
    (X, Y), (Xt, Yt) = d.split_for(p.net)
    cost, acc = train.scores(p.net, X, Y)
    _, test_acc = train.scores(p.net, Xt, Yt)
    got = names(at)
    assert got["train_chart_boundary"] == (
        f"Decision boundary and data, epoch 1: training cost {cost:.4g}, accuracy {acc:.1%}, "
        f"test accuracy {test_acc:.1%}")
    summary = opened(at, "train_chart_boundary")
    scores, per_class = summary.values()
    assert_allclose(number(scores), [[len(X), cost, 100 * acc],
                                     [len(Xt), train.scores(p.net, Xt, Yt)[0], 100 * test_acc]],
                    rtol=RTOL)
    pred = np.argmax(p.net.feedforward(X), axis=1)
    assert_array_equal(number(per_class)[:, :2],
                       np.column_stack([np.bincount(d.c[d.train], minlength=2),
                                        np.bincount(pred, minlength=2)]))

    h = p.history
    assert got["train_chart_curves"] == (f"Cost and accuracy per epoch, 1 epoch: cost "
                                         f"{h.cost[-1]:.4g}, accuracy {h.accuracy[-1]:.1%} "
                                         "at epoch 1")
    (curves,) = opened(at, "train_chart_curves").values()
    fig = charts(at)["train_chart_curves"]
    by_name = {t["name"]: decode(t["y"]) for t in fig["data"]}
    assert_allclose(number(curves[["training cost"]])[:, 0], by_name["training cost"],
                    rtol=RTOL)
    assert_allclose(number(curves[["test accuracy %"]])[:, 0],
                    100 * by_name["test accuracy"], rtol=RTOL)

    (flow,) = opened(at, "train_chart_flow").values()
    fig = charts(at)["train_chart_flow"]
    for t, col in zip(fig["data"], flow.columns):
        assert_allclose(number(flow[[col]])[:, 0], decode(t["y"]), rtol=RTOL)
    last = {l: float(v[-1]) for l, v in h.per_layer("nabla_w_norm").items()}
    assert got["train_chart_flow"] == (
        "Gradient flow ‖∂C/∂wˡ‖ per layer over 1 epoch, log scale; in epoch 1: "
        f"layer 2 {last[2]:.3g}, layer 3 {last[3]:.3g}")

    batch = opened(at, "train_chart_batch")
    fig = charts(at)["train_chart_batch"]
    heat = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert len(batch) == len(heat)
    for t, df in zip(heat, batch.values()):
        assert_allclose(number(df), decode(t["z"]), rtol=RTOL, atol=1e-12)


def test_a_long_training_keeps_the_curves_table_bounded_with_the_last_epoch():
    from backprop.learn.history import History
    h = History(cost=tuple(np.linspace(1, 0.1, 60)), accuracy=tuple(np.linspace(0.5, 1, 60)),
                test_cost=(np.nan,) * 60, test_accuracy=(np.nan,) * 60)
    (df,) = train_numbers.curves_table(h).values()
    assert len(df) <= numbers.MAX_ROWS and df.index[-1] == 60 and df.index[0] == 1
    assert list(df.columns) == ["training cost", "training accuracy %"]
    assert_allclose(df["training cost"], np.asarray(h.cost)[df.index - 1], rtol=0)


# --- the live class -------------------------------------------------------------------------

@pytest.fixture
def class_db(tmp_path, monkeypatch):
    from explorer.classroom import store
    monkeypatch.setenv(store.ENV, str(tmp_path / "class.sqlite3"))


def param(at, name):
    v = at.query_params.get(name)
    return v[0] if isinstance(v, list) else v


def announced(at):
    (c,) = [json.loads(c.proto.json) for c in at.get("bidi_component")
            if c.proto.component_name == "explorer.announce"]
    return c["text"]


def ask(teacher, step, cell=("delta", 2, 1, None)):
    teacher.selectbox(key="_teach_net").select(HAND).run()
    teacher.selectbox(key=f"_teach_step_{HAND}").select(step).run()
    teacher.selectbox(key=f"_teach_cell_{HAND}_{step}").select(cell).run()
    teacher.button(key="teach_ask").click().run()
    assert_clean(teacher)


def test_the_class_figures_tables_and_the_questions_arrival(class_db):
    teacher = open_page("pages/6_Teach.py")
    teacher.button(key="teach_open").click().run()
    code = param(teacher, "class")
    student = open_page("pages/5_Class.py")
    student.text_input(key="_class_code").set_value(code)
    student.text_input(key="_class_nickname").set_value("Ada")
    student.button(key="class_join").click().run()
    assert_clean(student)
    assert announced(student) == ""                   # no question yet: nothing to say
    ask(teacher, 7)                                   # BP2: δ² = ((w³)ᵀ δ³) ∘ σ′(z²)
    student.run()
    assert announced(student) == "New question from the teacher: what is δ²₁? (question 1)"
    student.run()
    assert announced(student) == ""                   # said once, on arrival

    name = names(student)["class_chart_network"]
    assert name.startswith("Heatmaps of z, a and δ for layers 1 to 3, at step 8 of")
    assert name.endswith(": δ² not yet computed")
    tables = opened(student, "class_chart_network")
    shown = {k.split("table: ")[1][0]: v for k, v in tables.items()}
    assert set(shown) == {"z", "a", "δ"}
    assert_allclose(number(shown["z"]), np.column_stack([TRACE.z[2], TRACE.z[3]]), rtol=RTOL)
    assert_allclose(number(shown["a"]), np.column_stack([TRACE.a[1], TRACE.a[2], TRACE.a[3]]),
                    rtol=RTOL)
    assert_allclose(number(shown["δ"]), TRACE.delta[3][:, None], rtol=RTOL)
    assert list(shown["δ"].columns) == ["layer 3"]          # δ², the question, is not there
    assert any("not yet computed: δ²" in c.value.lower() for c in student.caption)

    student.text_input(key="_class_answer").set_value(f"{TRACE.delta[2][0]:.6f}")
    student.button(key="class_send").click().run()
    assert_clean(student)
    teacher.run()
    fig = charts(teacher)["teach_histogram"]
    assert names(teacher)["teach_histogram"] == (
        f"Histogram of the class's answers, 1 answers, the right answer "
        f"{TRACE.delta[2][0]:.4g} marked")
    (bins,) = opened(teacher, "teach_histogram").values()
    for t in fig["data"]:
        assert_allclose(number(bins[[t["name"]]])[:, 0], decode(t["y"]), rtol=0)
    assert number(bins[["all"]]).sum() == 1

    ask(teacher, 7, ("delta", 2, 2, None))            # a new question arrives
    student.run()
    assert announced(student) == "New question from the teacher: what is δ²₂? (question 2)"


def test_the_boundary_summary_of_three_named_classes_and_of_a_regression():
    from backprop import Network
    from explorer.train import datasets
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    c = np.arange(30) % 3
    d = datasets.split_data("three", X, c, ("*a*", "b_|", "<c>"), 0.2, 0)
    net = Network.random([2, 4, 3], seed=0)
    scores, per_class = train_numbers.boundary_tables(d, net).values()
    (Xtr, Ytr), _ = d.split_for(net)
    cost, acc = train.scores(net, Xtr, Ytr)
    assert_allclose(scores.loc["training"].to_numpy(), [len(d.train), cost, 100 * acc],
                    rtol=1e-12)
    # class names from a file are text: st.table reads Markdown, so their marks are escaped
    assert per_class.index.tolist() == [r"\*a\*", r"b\_\|", r"\<c\>"]
    want = np.bincount(np.argmax(net.feedforward(X[d.test]), axis=1), minlength=3)
    assert_array_equal(per_class["test: predicted"], want)
    assert_array_equal(per_class["training: true"], np.bincount(c[d.train], minlength=3))

    r = datasets.split_data("sine", X[:, :1], X[:, 1], (), 0.0, 0)
    tables = train_numbers.boundary_tables(r, Network.random([1, 3, 1], seed=0))
    assert list(tables) == ["cost and accuracy"]
    assert list(tables["cost and accuracy"].columns) == ["points", "cost C"]


def test_the_histograms_table_counts_each_bar_of_the_figure():
    from explorer.classroom import live
    rows = [("a", 0.5, True, None, "0.5"), ("b", 0.5, True, None, "0.5"),
            ("c", 0.7, False, "no_sigma_prime", "0.7"), ("d", 99.0, False, None, "99")]
    t = live.tally(4, 4, rows)
    fig = live.histogram(t, 0.5)
    tables = numbers.histogram_tables(fig, t.mistakes)
    bins = tables["answers per bin"]
    for bar in fig["data"]:
        assert_array_equal(bins[bar["name"]], np.asarray(bar["y"]).astype(int))
    assert bins["all"].sum() == sum(np.sum(bar["y"]) for bar in fig["data"])
    assert tables["answers per diagnosed mistake"]["students"].tolist() == [1]
