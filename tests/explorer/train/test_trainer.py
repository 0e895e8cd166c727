"""The Train page's state and actions (explorer.train.trainer) on a plain dict as session state:
each button's work checked against the package's own gradient and step."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from backprop import Network
from backprop.learn import train
from explorer import limits
from explorer.train import trainer, upload


def session(net=None, **kw):
    ss = {"net": net or Network.random([2, 4, 1], ["tanh", "sigmoid"], "cross_entropy",
                                       seed=1, init="scaled")}
    trainer.ensure(ss)
    ss.update(kw)
    return ss


def training_rows(ss):
    d, net = ss["train_data"], ss["train_init"]
    return d.split_for(net)[0]


def test_ensure_fills_in_the_defaults_once():
    ss = session()
    assert ss["train_gen"] == trainer.DEFAULT_GEN and ss["train_data"].X.shape == (200, 2)
    assert ss["train_progress"].net is ss["net"] and ss["train_progress"].epoch == 0
    trainer.step_batch(ss)
    trainer.ensure(ss)
    assert ss["train_progress"].batch == 1           # nothing changed: nothing restarts


def test_a_new_network_elsewhere_restarts_training_but_the_same_numbers_do_not():
    ss = session()
    trainer.step_batch(ss)
    ss["net"] = ss["net"].replace()                  # the Network page rebuilds it as it is
    trainer.ensure(ss)
    assert ss["train_progress"].batch == 1
    ss["net"] = Network.random([2, 4, 1], seed=9)     # the sidebar: new weights
    trainer.ensure(ss)
    assert ss["train_progress"].batch == 0 and ss["train_init"] is ss["net"]


def test_step_is_one_gradient_step_on_the_first_mini_batch():
    ss = session(train_eta=0.7, train_m=8)
    X, Y = training_rows(ss)
    rows = train.mini_batches(len(X), 8, ss["train_gen"]["seed"], 0)[0]
    net0 = ss["net"]
    want = net0.step(net0.gradient(X[rows], Y[rows]), 0.7)
    trainer.step_batch(ss)
    got = ss["train_progress"].net
    for l in net0.w:
        assert_allclose(got.w[l], want.w[l], rtol=1e-13, atol=1e-15)
        assert_allclose(got.b[l], want.b[l], rtol=1e-13, atol=1e-15)


def test_next_batch_is_the_one_the_next_step_takes():
    ss = session(train_m=16)
    trainer.step_batch(ss)
    X, Y = trainer.next_batch(ss)
    net = ss["train_progress"].net
    trainer.step_batch(ss)
    want = net.step(net.gradient(X, Y), ss["train_eta"])
    assert_array_equal(ss["train_progress"].net.w[2], want.w[2])


def test_run_epoch_finishes_the_epoch_then_runs_whole_ones():
    ss = session(train_m=10)        # 160 training rows: 16 mini-batches an epoch
    assert trainer.per_epoch(ss) == 16
    trainer.step_batch(ss)
    trainer.run_epoch(ss)
    p = ss["train_progress"]
    assert (p.epoch, p.batch, p.history.epochs) == (1, 0, 1)
    trainer.run_epoch(ss)
    assert ss["train_progress"].epoch == 2
    X, Y = training_rows(ss)
    _, h = train.SGD(ss["train_init"], (X, Y), 2, 10, ss["train_eta"],
                     ss["train_data"].split_for(ss["net"])[1], seed=0, max_abs=limits.MAX_ABS)
    assert ss["train_progress"].history.cost == h.cost


def test_a_new_batch_size_mid_epoch_starts_the_epoch_again():
    ss = session()
    trainer.step_batch(ss)
    trainer.on_batch_size(ss, 1000)
    assert ss["train_m"] == limits.MAX_BATCH and ss["train_progress"].batch == 0


class Clock:
    def __init__(self, step):
        self.t, self.step, self.calls = 0.0, step, 0

    def __call__(self):
        self.calls += 1
        self.t += self.step
        return self.t


def test_a_tick_does_nothing_unless_playing():
    ss = session()
    assert trainer.tick(ss) is False
    assert ss["train_progress"].batch == 0 and ss["train_progress"].epoch == 0


def test_a_tick_stops_when_its_time_is_up():
    ss = session(train_m=10)
    trainer.play(ss, True)
    clock = Clock(0.01)            # each look at the clock: 10 ms later
    assert trainer.tick(ss, seconds=0.025, clock=clock) is True
    p = ss["train_progress"]
    # t0 = 0.01; pieces start at 0.02 and 0.03, not at 0.04: two pieces of 16 // 4 = 4
    assert (p.epoch, p.batch) == (0, 8)


def test_a_tick_trains_at_most_epochs_per_tick():
    ss = session(train_m=50)
    trainer.play(ss, True)
    trainer.tick(ss, seconds=100.0, clock=Clock(0.0))
    assert ss["train_progress"].epoch == limits.EPOCHS_PER_TICK


def test_play_pauses_itself_after_play_epochs(monkeypatch):
    monkeypatch.setattr(limits, "PLAY_EPOCHS", 3)
    ss = session(train_m=100)
    trainer.play(ss, True)
    assert trainer.tick(ss, seconds=100.0, clock=Clock(0.0)) is False
    assert ss["train_playing"] is False and ss["train_progress"].epoch == 3


def test_a_divergence_pauses_play_and_keeps_finite_weights():
    ss = session(Network.random([2, 6, 1], ["relu", "linear"], "quadratic", seed=0),
                 train_eta=100.0)
    trainer.play(ss, True)
    for _ in range(20):
        if not trainer.tick(ss, seconds=100.0, clock=Clock(0.0)):
            break
    p = ss["train_progress"]
    assert ss["train_playing"] is False and p.history.diverged is not None
    assert all(np.max(np.abs(v)) <= limits.MAX_ABS for v in p.net.w.values())


def test_play_needs_a_network_that_fits():
    ss = session(Network.random([3, 4, 1]))
    trainer.play(ss, True)
    assert ss["train_playing"] is False


def test_the_epoch_cap(monkeypatch):
    monkeypatch.setattr(limits, "MAX_EPOCHS", 1)
    ss = session(train_m=100)
    trainer.run_epoch(ss)
    trainer.run_epoch(ss)
    assert ss["train_progress"].epoch == 1 and "Reset" in ss["train_msg"]["train"]


def test_reset_goes_back_to_the_first_network():
    ss = session()
    trainer.run_epoch(ss)
    trainer.play(ss, True)
    trainer.reset(ss)
    assert ss["train_progress"].net is ss["train_init"] and ss["train_progress"].epoch == 0
    assert ss["train_playing"] is False


@pytest.mark.parametrize("points, want", [
    ([{"customdata": [0, 5]}], ("train", 5)),
    ([{"customdata": {"0": 1, "1": 3}}], ("test", 3)),
    ([{"x": 1}, {"customdata": [1, 2]}], ("test", 2)),
    ([{"customdata": [2, 5]}], None), ([{"customdata": [0, -1]}], None),
    ([{"customdata": [0, 10**9]}], None), ([{"customdata": ["a", 1]}], None),
    ([{"customdata": [0, 1, 2, 3]}], None), (None, None), (["junk"], None),
])
def test_pick_from_points(points, want):
    assert trainer.pick_from_points(points) == want


def test_a_point_becomes_x_and_its_target_for_the_network():
    ss = session(Network.random([2, 3, 2], seed=0))
    trainer.run_epoch(ss)
    d = ss["train_data"]
    x, y, net = trainer.point(ss, "test", 2)
    assert_array_equal(x, d.X[d.test[2]])
    assert_array_equal(y, np.eye(2)[d.c[d.test[2]]])
    assert net is ss["train_progress"].net
    with pytest.raises(ValueError):
        trainer.point(ss, "test", 999)
    ss["net"] = net
    trainer.picked(ss, ("test", 2))
    trainer.ensure(ss)
    assert ss["train_progress"].epoch == 1      # training goes on from the trained network


def test_a_data_setting_regenerates_but_only_splits_an_upload_again():
    ss = session()
    trainer.set_gen(ss, "noise", 0.2)
    assert ss["train_gen"]["noise"] == 0.2 and ss["train_data"].name.startswith("xor")
    up = upload.read_csv(b"a,b,label\n" + b"".join(b"%d,%d,%d\n" % (i, -i, i % 2)
                                                     for i in range(20)), "u.csv", 0.2, 0)
    trainer.set_data(ss, up)
    trainer.set_gen(ss, "test", 0.5)
    assert ss["train_data"].X is up.X and len(ss["train_data"].test) == 10
    trainer.set_gen(ss, "name", "circles")           # a generator setting: back to generated
    assert ss["train_data"].name.startswith("circles")
    with pytest.raises(ValueError, match="noise"):
        trainer.set_gen(ss, "noise", 9.0)
    assert ss["train_gen"]["noise"] == 0.2             # the last good settings stay


@pytest.mark.parametrize("key, value, words", [
    ("train_eta", 1e9, "learning rate"), ("train_eta", float("nan"), "learning rate"),
    ("train_m", 0, "mini-batch"), ("train_m", 2.5, "mini-batch"),
    ("train_lmbda", 11.0, "λ"), ("train_lmbda", float("inf"), "λ"),
])
def test_settings_out_of_bounds_train_nothing_and_say_why(key, value, words):
    ss = session(**{key: value})
    trainer.play(ss, True)
    trainer.step_batch(ss)
    assert ss["train_progress"].batch == 0 and not ss["train_playing"]
    assert words in ss["train_msg"]["train"]


def test_ticks_that_come_late_train_less():
    ss = session(train_m=10)                           # pieces of 16 // 4 = 4 mini-batches
    trainer.play(ss, True)
    clock = Clock(0.01)

    def done():
        return ss["train_progress"].batch + 16 * ss["train_progress"].epoch

    trainer.tick(ss, seconds=0.095, clock=clock)      # the first: 9 pieces, one each 0.01 s
    assert done() == 36 and not ss["train_busy"]
    clock.t += 0.05                                    # the next on time: 0.15 s later
    trainer.tick(ss, seconds=0.095, clock=clock)
    assert done() == 72 and not ss["train_busy"]
    clock.t += 1.0                                     # the next a second late:
    trainer.tick(ss, seconds=0.095, clock=clock)      # 0.095 × 0.2 s, one piece
    assert done() == 76 and ss["train_busy"]
    clock.t += 0.05
    trainer.tick(ss, seconds=0.095, clock=clock)      # on time again
    assert done() == 112 and not ss["train_busy"]
    trainer.play(ss, False)
    trainer.play(ss, True)                             # a new Play starts afresh
    assert "train_tick_start" not in ss and not ss["train_busy"]


def test_pause_goes_back_to_the_network_on_screen_whenever_the_browser_says_which():
    ss = session(train_m=10)
    trainer.play(ss, True)
    shown = []
    for _ in range(3):                      # three ticks, each drawn
        trainer.tick(ss, seconds=100.0, clock=Clock(0.0))
        shown.append(ss["train_progress"])
        trainer.drawn(ss, ss["train_progress"])
    on_screen = shown[1]                    # the browser had not drawn the third yet
    at = (on_screen.epoch, on_screen.batch)
    assert ss["train_progress"] is not on_screen
    trainer.paused_at(ss, at)               # the browser's message first ...
    assert ss["train_playing"] and ss["train_progress"] is shown[2]
    trainer.play(ss, False)                 # ... then the Pause button's
    assert ss["train_progress"] is on_screen
    # the other order: Pause's run first, the browser's message after it
    trainer.play(ss, True)
    trainer.tick(ss, seconds=100.0, clock=Clock(0.0))
    before = ss["train_progress"]
    trainer.drawn(ss, before)
    trainer.tick(ss, seconds=100.0, clock=Clock(0.0))
    trainer.play(ss, False)
    assert ss["train_progress"] is not before
    trainer.paused_at(ss, (before.epoch, before.batch))
    assert ss["train_progress"] is before
    # and back on the same road: the replay from there reaches what the third tick had
    X, Y = training_rows(ss)
    net, _ = train.SGD(ss["train_init"], (X, Y), before.epoch, 10, ss["train_eta"],
                       seed=0, max_abs=limits.MAX_ABS)
    assert_array_equal(net.w[2], before.net.w[2])


def test_a_late_or_unknown_screen_position_takes_nothing_back():
    ss = session(train_m=10)
    trainer.play(ss, True)
    trainer.drawn(ss, ss["train_progress"])
    start = ss["train_progress"]
    trainer.tick(ss, seconds=100.0, clock=Clock(0.0))
    trainer.play(ss, False)
    trainer.step_batch(ss)                  # a step after Pause ...
    stepped = ss["train_progress"]
    trainer.paused_at(ss, (start.epoch, start.batch))   # ... then a late message
    assert ss["train_progress"] is stepped
    trainer.play(ss, True)
    trainer.tick(ss, seconds=100.0, clock=Clock(0.0))
    now = ss["train_progress"]
    trainer.play(ss, False)
    trainer.paused_at(ss, (999, 3))         # never drawn in this Play
    assert ss["train_progress"] is now


@pytest.mark.parametrize("value, want", [
    ([3, 4], (3, 4)), ([0, 0], (0, 0)), ((3, 4), None), ([3], None), ([3, 4, 5], None),
    ([3.0, 4], None), ([True, 4], None), ([-1, 4], None), ([10**7, 0], None), ("3,4", None),
    (None, None), ({"0": 3, "1": 4}, None)])
def test_the_screen_position_a_browser_sends_is_checked(value, want):
    from explorer.train.training import paused_at

    assert paused_at(value) == want
