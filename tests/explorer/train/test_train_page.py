"""The Train page run by AppTest: what it shows after a data set change, a step, an epoch,
Play and Pause, a bad CSV, and the offer to fit a network that does not fit; and a picked
point arriving on Step through. Numbers are checked against the package.

AppTest cannot click a chart point: the pick test sets what the click's callback sets."""

from pathlib import Path

import numpy as np
import pytest
from helpers.apptest import charts, decode
from numpy.testing import assert_allclose, assert_array_equal
from streamlit.testing.v1 import AppTest

from backprop.learn import data, train
from explorer.presets import PRESETS
from explorer.train import curves, datasets

ROOT = Path(__file__).resolve().parents[3]
APP, TRAIN = str(ROOT / "app.py"), str(ROOT / "pages/4_Train.py")
STEP = str(ROOT / "pages/2_Step_through.py")
APOLOGY = "Sorry, something went wrong"


def of_kind(fig, kind):
    return [t for t in fig["data"] if (t.get("meta") or {}).get("kind") == kind]


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if APOLOGY in e.value]


def open_train(preset=None):
    at = AppTest.from_file(APP, default_timeout=30).run()
    if preset:
        at.selectbox(key="_preset").select(preset).run()
    at.switch_page(TRAIN).run()
    assert_clean(at)
    return at


def metrics(at):
    return {m.label: m.value for m in at.metric}


def accuracy(net, X, Y):
    """The share of rows whose largest aᴸⱼ is the one-hot target's class."""
    return np.mean(np.argmax(net.feedforward(X), axis=1) == np.argmax(Y, axis=1))


def test_the_page_shows_the_data_and_the_boundary_of_the_sessions_network():
    at = open_train()
    assert at.title[0].value == "Learn from data"
    assert [b.label for b in at.button] == ["Use a network that learns xor",
                                            "Step one mini-batch", "Run one epoch", "Play",
                                            "Reset"]
    net, d = at.session_state["net"], at.session_state["train_data"]
    (X, Y), (Xt, Yt) = d.split_for(net)
    # the figures of the starting weights, before any training
    assert metrics(at) == {"Epoch": "0", "Training cost C": f"{net.cost_of(X, Y):.4g}",
                           "Training accuracy": f"{accuracy(net, X, Y):.1%}",
                           "Test accuracy": f"{accuracy(net, Xt, Yt):.1%}"}
    fig = charts(at)["train_chart_boundary"]
    (heat,) = of_kind(fig, "aL")
    z, xs, ys = decode(heat["z"]), decode(heat["x"]), decode(heat["y"])
    assert z.shape == (50, 50)
    a = net.feedforward([xs[12], ys[40]])          # two outputs: (a₂ − a₁ + 1)/2
    assert_allclose(z[40, 12], (a[1] - a[0] + 1) / 2, rtol=1e-12)
    train_pts = of_kind(fig, "points")[0]
    assert_array_equal(np.column_stack([decode(train_pts["x"]), decode(train_pts["y"])]),
                       d.X[d.train])


def test_a_new_data_set_is_drawn_and_training_starts_again():
    at = open_train()
    at.button(key="train_step").click().run()
    at.selectbox(key="train_w_name").select("circles").run()
    assert_clean(at)
    ss = at.session_state
    assert ss["train_data"].name.startswith("circles") and ss["train_progress"].batch == 0
    X, _ = data.circles(200, 0.0, 0)
    pts = of_kind(charts(at)["train_chart_boundary"], "points")
    shown = np.vstack([np.column_stack([decode(t["x"]), decode(t["y"])]) for t in pts])
    assert_array_equal(np.sort(shown, axis=0), np.sort(X, axis=0))
    at.number_input(key="train_w_n").set_value(60).run()
    assert len(at.session_state["train_data"].X) == 60
    assert "60" in at.markdown[1].value


def test_step_takes_one_mini_batch_step():
    at = open_train()
    ss = at.session_state
    net0, d = ss["net"], ss["train_data"]
    at.button(key="train_step").click().run()
    assert_clean(at)
    (X, Y), _ = d.split_for(net0)
    rows = train.mini_batches(len(X), 10, 0, 0)[0]
    want = net0.step(net0.gradient(X[rows], Y[rows]), 3.0)
    got = at.session_state["train_progress"].net
    for l in net0.w:
        assert_allclose(got.w[l], want.w[l], rtol=1e-13, atol=1e-15)
    assert metrics(at)["Epoch"] == "0 + 1/16"


def test_an_epoch_fills_the_curves_and_the_gradient_flow():
    at = open_train()
    at.button(key="train_epoch").click().run()
    assert_clean(at)
    ss = at.session_state
    p, d = ss["train_progress"], ss["train_data"]
    assert (p.epoch, p.batch) == (1, 0)
    (X, Y), (Xt, Yt) = d.split_for(p.net)
    cost = p.net.cost_of(X, Y)
    assert metrics(at)["Training cost C"] == f"{cost:.4g}"
    figs = charts(at)
    curves = {t["name"]: decode(t["y"]) for t in figs["train_chart_curves"]["data"]}
    assert_allclose(curves["training cost"], [cost], rtol=1e-12)
    acc = np.mean(np.argmax(p.net.feedforward(Xt), axis=1) == np.argmax(Yt, axis=1))
    assert_allclose(curves["test accuracy"], [acc])
    flow = figs["train_chart_flow"]
    assert [t["name"] for t in flow["data"]] == ["layer 2", "layer 3 (output)"]
    assert any(m.value.startswith("**In epoch 1, layer") for m in at.markdown)


def test_play_trains_and_pause_stops_at_once():
    at = open_train()
    at.button(key="train_play").click().run()
    assert_clean(at)
    ss = at.session_state
    assert ss["train_playing"] is True
    moved = (ss["train_progress"].epoch, ss["train_progress"].batch)
    assert moved != (0, 0)                       # the run after the click was a tick
    assert at.button(key="train_play").label == "Pause"
    assert at.button(key="train_step").disabled
    assert any("Pause to see" in c.value for c in at.caption)
    at.button(key="train_play").click().run()
    assert at.session_state["train_playing"] is False
    stopped = at.session_state["train_progress"]
    at.run()
    assert at.session_state["train_progress"] is stopped
    assert at.button(key="train_play").label == "Play"


def uploader(at):
    """The uploader as the page shows it now (a refused file gives it a new key)."""
    (up,) = at.get("file_uploader")
    return at.file_uploader(key=up.key)


def test_a_bad_csv_is_reported_and_the_last_data_set_stays():
    at = open_train()
    before = at.session_state["train_data"]
    uploader(at).set_value(
        ("my *data*.csv", b"x1,x2,label\n1,2,a\nfoo,1,b\n3,0,a\n", "text/csv")).run()
    assert_clean(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert r"my \*data\*\.csv" in errors[0]            # the file name is shown as it is
    shown = errors[0].replace("\\", "")                   # as Markdown renders it
    assert "column “x1”, row 2: “foo” is not a number" in shown
    assert "The last data set stays" in shown
    assert at.session_state["train_data"] is before
    assert uploader(at).value is None             # the refused file is not left in it
    uploader(at).set_value(
        ("good.csv", b"x1,x2,label\n1,2,a\n-1,1,b\n3,0,a\n0.5,0.5,b\n", "text/csv")).run()
    assert_clean(at)
    assert not at.error
    d = at.session_state["train_data"]
    assert d.name == "good.csv" and d.classes == ("a", "b") and len(d.X) == 4


def test_a_network_that_does_not_fit_is_offered_one_click_that_fits_it():
    at = open_train()
    at.number_input(key="_n_1").set_value(3).run()
    assert_clean(at)
    (warning,) = [w.value for w in at.warning]
    assert "n₁ = 3 inputs" in warning and "2 features" in warning
    assert [b.label for b in at.button] == ["Use a network that learns xor"]
    assert not at.get("plotly_chart")
    at.button(key="train_fit").click().run()
    assert_clean(at)
    net = at.session_state["net"]
    assert net.sizes == (2, 8, 1) and not at.warning        # the recipe for xor
    assert at.session_state["train_progress"].net is net
    assert "Play" in [b.label for b in at.button]
    # the output too: three outputs for two classes
    at.number_input(key="_n_3").set_value(3).run()
    assert "3 neurons" in at.warning[0].value and "2 classes" in at.warning[0].value
    at.button(key="train_fit").click().run()
    assert at.session_state["net"].sizes == (2, 8, 1)


def test_the_default_network_is_named_too_small_for_xor_and_the_fit_learns_it():
    at = open_train()
    (info,) = [i.value for i in at.info if "too small" in i.value]
    assert "2 hidden neurons: likely too small to learn xor" in info
    assert "2-8-1" in info and "100% training accuracy within 50 epochs" in info
    assert "Play" in [b.label for b in at.button]            # training is not blocked
    at.button(key="train_fit").click().run()
    assert_clean(at)
    ss = at.session_state
    net, r = ss["net"], datasets.RECIPES["xor"]
    assert net.sizes == (2, 8, 1) and list(net.activations.values()) == ["tanh", "sigmoid"]
    assert (ss["train_eta"], ss["train_m"], net.cost) == (r.eta, r.m, "cross_entropy")
    assert not [i for i in at.info if "too small" in i.value]
    for _ in range(r.epochs):
        at.session_state["train_progress"] = trainer_advance(ss)
    assert ss["train_progress"].history.accuracy[-1] == 1.0


def trainer_advance(ss):
    """One epoch, as Run one epoch does (without a rerun of the page each time)."""
    from explorer.train import trainer

    trainer.run_epoch(ss)
    return ss["train_progress"]


def test_a_picked_point_is_the_example_on_step_through():
    at = open_train()
    at.button(key="train_epoch").click().run()
    ss = at.session_state
    d, net = ss["train_data"], ss["train_progress"].net
    row = d.train[7]
    x, y = d.X[row], np.eye(2)[d.c[row]]
    # what on_pick sets, through state.set_network: the trained network and the point
    ss["net"], ss["x"], ss["y"] = net, x, y
    ss["train_synced"], ss["train_point"], ss["train_point_at"] = net, ("train", 7), (1, 0)
    at.run()
    assert_clean(at)
    (note,) = [s.value for s in at.success]
    assert "Point 7 of the train points" in note and "weights of epoch 1:" in note
    assert at.session_state["train_progress"].epoch == 1         # training goes on
    assert len(of_kind(charts(at)["train_chart_boundary"], "pick")) == 1
    at.switch_page(STEP).run()
    assert_clean(at)
    fig = charts(at)["chart_network"]
    a1 = [t for t in fig["data"] if t["type"] == "heatmap" and t["meta"]["quantity"] == "a"
          and t["meta"]["l"] == 1][0]
    assert_array_equal(decode(a1["z"]).ravel(), x)
    assert at.session_state["net"] is net


def test_a_divergence_is_reported_with_what_to_try():
    at = open_train()
    at.selectbox(key="_act_2").select("relu").run()
    at.selectbox(key="_act_3").select("linear").run()
    at.number_input(key="train_w_eta").set_value(100.0).run()
    for _ in range(5):
        at.button(key="train_epoch").click().run()
        if at.session_state["train_progress"].history.diverged:
            break
    d = at.session_state["train_progress"].history.diverged
    assert d is not None
    assert any("smaller learning rate" in e.value and "Press Reset" in e.value
               for e in at.error)
    assert at.button(key="train_epoch").disabled and at.button(key="train_play").disabled


def test_the_mini_batch_section_adds_up():
    at = open_train()
    fig = charts(at)["train_chart_batch"]
    examples = [decode(t["z"]) for t in of_kind(fig, "example")]
    (mean,) = [decode(t["z"]) for t in of_kind(fig, "mean")]
    net = at.session_state["net"]
    ss = at.session_state
    X, Y = ss["train_data"].split_for(net)[0]
    rows = train.mini_batches(len(X), 10, 0, 0)[0]
    assert_allclose(mean, net.gradient(X[rows], Y[rows]).nabla_w[3], rtol=1e-12)
    for z, r in zip(examples, rows):
        assert_allclose(z, net.backprop(X[r], Y[r]).nabla_w[3], rtol=1e-12)
    assert any(r"\frac{1}{m}\sum_x C_x" in e.value for e in at.latex)


@pytest.mark.parametrize("dataset", ["xor", "circles", "two gaussians", "two moons", "spiral"])
def test_every_generator_draws(dataset):
    at = open_train()
    at.selectbox(key="train_w_name").select(dataset).run()
    at.button(key="train_epoch").click().run()
    assert_clean(at)
    assert {"train_chart_boundary", "train_chart_curves", "train_chart_flow",
            "train_chart_batch"} <= set(charts(at))


def test_the_sine_needs_one_input_and_is_fitted():
    at = open_train()
    at.selectbox(key="train_w_name").select("sine").run()
    assert "1 feature" in at.warning[0].value
    at.button(key="train_fit").click().run()
    at.button(key="train_epoch").click().run()
    assert_clean(at)
    assert at.session_state["net"].sizes == (1, 8, 1)
    assert "Test cost" in metrics(at)
    assert of_kind(charts(at)["train_chart_boundary"], "aL")[0]["type"] == "scatter"
    assert curves.flow_sentence(at.session_state["train_progress"].history)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_trains_or_is_offered_a_fit(preset):
    at = open_train(preset)
    net = at.session_state["net"]
    if net.sizes[0] != 2:                       # the softmax classifier has 3 inputs
        assert "Use a network that learns xor" in [b.label for b in at.button]
        at.button(key="train_fit").click().run()
        assert_clean(at)
    at.button(key="train_epoch").click().run()
    assert_clean(at)
    p = at.session_state["train_progress"]
    assert p.epoch == 1 and p.history.epochs == 1
    assert {"train_chart_boundary", "train_chart_curves", "train_chart_flow"} <= set(charts(at))


def test_after_a_mid_epoch_pause_the_page_shows_the_figures_of_the_weights_on_screen():
    at = open_train()
    at.button(key="train_epoch").click().run()
    for _ in range(8):
        at.button(key="train_step").click().run()
    assert_clean(at)
    ss = at.session_state
    p, d = ss["train_progress"], ss["train_data"]
    assert (p.epoch, p.batch) == (1, 8)
    (X, Y), (Xt, Yt) = d.split_for(p.net)
    # of the weights after 1 epoch and 8 of its 16 mini-batches, not of epoch 1's end
    assert metrics(at) == {"Epoch": "1 + 8/16", "Training cost C": f"{p.net.cost_of(X, Y):.4g}",
                           "Training accuracy": f"{accuracy(p.net, X, Y):.1%}",
                           "Test accuracy": f"{accuracy(p.net, Xt, Yt):.1%}"}
    assert p.net.cost_of(X, Y) != pytest.approx(p.history.cost[-1], rel=1e-3)
    assert any("those of epoch 1 + 8 of 16 mini-batches" in c.value for c in at.caption)
    # a point clicked now is the example on these weights, and says so
    row = d.train[3]
    ss["net"], ss["x"], ss["y"] = p.net, d.X[row], np.eye(2)[d.c[row]]
    ss["train_synced"], ss["train_point"], ss["train_point_at"] = p.net, ("train", 3), (1, 8)
    at.run()
    (note,) = [s.value for s in at.success]
    assert "on the weights of epoch 1 + 8 of 16 mini-batches:" in note


def test_every_refused_file_gets_its_own_message_and_none_stays_stale():
    at = open_train()
    uploader(at).set_value(("first.csv", b"x1,x2,label\n1,2,a\nfoo,1,b\n", "text/csv")).run()
    assert "first" in at.error[0].value
    big = b"x1,x2,label\n" + b"0.5,0.25,a\n" * 100_000          # 1.1 MB: over the limit
    uploader(at).set_value(("big.csv", big, "text/csv")).run()
    assert_clean(at)
    (error,) = [e.value.replace("\\", "") for e in at.error]
    assert "Could not use big.csv: the file holds 1,074 kB; at most 1,024 kB (1 MB)" in error
    assert "first" not in error
    assert uploader(at).value is None
    # the uploader states the limits that hold
    (up,) = at.get("file_uploader")
    assert "At most 1,000 rows, 16 features, 32 characters a cell and 1 MB" in up.label
    assert up.proto.max_upload_size_mb == 1


def test_pause_is_one_run_of_the_controls_that_stops_the_timers(server):
    """Against a real server, as the browser does it: Play, two ticks, then Pause while
    a tick is on its way (the page's component first says which network is on screen).
    Pause is answered by one fragment run (no run of the whole page, which took seconds on
    a busy server) that tells the browser to stop both timers, and training stops at the
    network that was on screen, not the one the tick went on to."""
    import asyncio
    import sys

    sys.path.insert(0, str(ROOT))
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from benchmarks.loadclient import AppSession, run_sync
    from benchmarks.loadtrain import _send, press_pause, shown_position

    async def scenario():
        async with AppSession(server) as s:
            await s.open("Train")
            await s.click("train_play")
            timers = dict(s.auto_reruns)
            assert len(timers) == 2                         # the boundary's and the curves'
            for _ in range(2):
                at = shown_position(await s.auto_rerun())
            tick = next(iter(timers))
            await _send(s, tick, auto=True)                 # a tick on its way ...
            await press_pause(s, at)                        # ... and Pause
            stopped, full_runs, done = set(), 0, False
            while not done:              # the tick's answer (maybe cut short), then Pause's
                fm = ForwardMsg()
                fm.ParseFromString(await asyncio.wait_for(s.ws.recv(), 30))
                kind = fm.WhichOneof("type")
                if kind == "new_session" and not fm.metadata.run.fragment_ids:
                    full_runs += 1
                elif kind == "stop_auto_rerun":
                    stopped |= set(fm.stop_auto_rerun.fragment_ids)
                elif kind == "script_finished":
                    assert fm.script_finished in (ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                                                  ForwardMsg.FINISHED_EARLY_FOR_RERUN)
                    done = fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN and \
                        bool(stopped)
            await _send(s, tick, auto=True)                 # the timer's last, late tick
            run = await s.rerun()
            return at, shown_position(run), stopped, set(timers), full_runs, s

    at, paused, stopped, timers, full_runs, s = run_sync(scenario())
    assert full_runs == 0
    assert stopped == timers
    assert s.widget("train_play", "button").proto.label == "Play"
    assert paused == at
