"""Mini-batch SGD: the batch gradient as a mean of traces, learning xor, seeds, divergence,
and the History's numbers checked against the package's own one-example backprop."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from backprop import Network
from backprop.learn import data, train
from backprop.learn.train import SGD, Progress, mini_batches, run, update_mini_batch

XOR_EPOCHS = 30   # the stated budget: the network below reaches 100 % by epoch 16


def xor_net(seed=0):
    return Network.random([2, 8, 1], ["tanh", "sigmoid"], "cross_entropy", seed=seed,
                          init="scaled")


def as_bytes(history):
    """Every number of a History, as bytes: equal bytes are equal bit for bit."""
    parts = [history.cost, history.accuracy, history.test_cost, history.test_accuracy,
             history.nabla_w_norm, history.delta_mean]
    return b"".join(np.asarray(p, dtype=np.float64).tobytes() for p in parts)


@pytest.mark.parametrize("sizes, acts, cost, one_hot", [
    ([2, 8, 8, 2], "sigmoid", "quadratic", True),
    ([2, 5, 1], ["relu", "sigmoid"], "cross_entropy", False),
    ([2, 4, 3, 2], ["tanh", "tanh", "softmax"], "log_likelihood", True),
])
def test_mean_of_the_per_example_traces_is_the_batch_gradient(sizes, acts, cost, one_hot):
    X, Y = data.moons(60, 0.1, 2, one_hot=one_hot)
    net = Network.random(sizes, acts, cost, seed=5, init="scaled")
    for rows in mini_batches(len(X), 10, seed=3, epoch=1)[:3]:
        traces = [net.backprop(x, y) for x, y in zip(X[rows], Y[rows])]
        grad = net.gradient(X[rows], Y[rows])
        for l in net.w:
            assert_allclose(np.mean([t.nabla_w[l] for t in traces], axis=0), grad.nabla_w[l],
                            rtol=0, atol=1e-12)
            assert_allclose(np.mean([t.nabla_b[l] for t in traces], axis=0), grad.nabla_b[l],
                            rtol=0, atol=1e-12)
        assert_allclose(np.mean([t.cost for t in traces]), grad.cost, rtol=1e-12)


def test_mini_batches_cover_every_row_once_per_epoch():
    pieces = mini_batches(23, 5, seed=1, epoch=0)
    assert [len(p) for p in pieces] == [5, 5, 5, 5, 3]
    assert sorted(np.concatenate(pieces)) == list(range(23))
    assert not np.array_equal(np.concatenate(pieces),
                              np.concatenate(mini_batches(23, 5, seed=1, epoch=1)))


def test_update_mini_batch_steps_on_the_mean_trace_gradient_with_weight_decay():
    X, Y = data.circles(8, 0.0, 0)
    net = Network.random([2, 3, 1], "sigmoid", "quadratic", seed=1)
    eta, lmbda, n = 0.7, 2.0, 40
    new, grad = update_mini_batch(net, (X, Y), eta, lmbda, n)
    traces = [net.backprop(x, y) for x, y in zip(X, Y)]
    for l in net.w:
        mean_w = sum(t.nabla_w[l] for t in traces) / len(traces)
        mean_b = sum(t.nabla_b[l] for t in traces) / len(traces)
        # w ← (1 − ηλ/n) w − η mean ∂C_x/∂w;  b ← b − η mean δ
        assert_allclose(new.w[l], (1 - eta * lmbda / n) * net.w[l] - eta * mean_w,
                        rtol=1e-12, atol=1e-15)
        assert_allclose(new.b[l], net.b[l] - eta * mean_b, rtol=1e-12, atol=1e-15)
        assert_allclose(grad.nabla_w[l], mean_w, rtol=0, atol=1e-12)   # reported without λ


def test_a_fixed_network_learns_xor_to_100_percent_within_the_stated_epochs():
    X, Y = data.xor(200, 0.0, 0)
    net0 = xor_net()
    assert train.accuracy(net0, X, Y) < 0.75
    net, history = SGD(net0, (X, Y), XOR_EPOCHS, 10, 0.5, seed=0)
    assert history.accuracy[-1] == 1.0
    assert train.accuracy(net, X, Y) == 1.0
    assert history.cost[-1] < history.cost[0] / 5
    assert history.diverged is None


def test_sgd_never_trains_in_place():
    X, Y = data.xor(40, 0.0, 0)
    net0 = xor_net()
    w0 = [w.copy() for w in net0.w.values()]
    net, _ = SGD(net0, (X, Y), 2, 10, 0.5)
    assert net is not net0
    for w, before in zip(net0.w.values(), w0):
        assert_array_equal(w, before)
    assert not np.array_equal(net.w[2], net0.w[2])


def test_same_seed_same_history_bit_for_bit_other_seed_another():
    X, Y = data.spiral(120, 0.1, 0, one_hot=True)
    (Xa, Ya), test = data.split(X, Y, 0.25, 0)
    net0 = Network.random([2, 6, 6, 2], ["tanh", "relu", "softmax"], "log_likelihood", seed=2)
    args = ((Xa, Ya), 4, 7, 0.3, test, 0.5)
    a = SGD(net0, *args, seed=11)
    b = SGD(net0, *args, seed=11)
    assert as_bytes(a[1]) == as_bytes(b[1])
    for l in net0.w:
        assert a[0].w[l].tobytes() == b[0].w[l].tobytes()
    assert as_bytes(SGD(net0, *args, seed=12)[1]) != as_bytes(a[1])


def test_running_mini_batch_by_mini_batch_gives_the_same_history_as_sgd():
    X, Y = data.moons(50, 0.1, 1)
    net0 = xor_net(3)
    _, whole = SGD(net0, (X, Y), 3, 8, 1.0, (X[:10], Y[:10]), seed=4)
    p = Progress(net0)
    for chunk in [1, 5, 2, 7, 3, 100]:       # 3 epochs of ⌈50/8⌉ = 7 mini-batches = 21
        left = 21 - p.epoch * 7 - p.batch
        p = run(p, (X, Y), 8, 1.0, (X[:10], Y[:10]), seed=4, batches=min(chunk, left))
    assert (p.epoch, p.batch) == (3, 0)
    assert as_bytes(p.history) == as_bytes(whole)


def test_history_figures_of_one_full_batch_epoch_are_the_gradient_of_its_network():
    # m = n: one mini-batch an epoch, so each epoch's per-layer figures are those of the
    # gradient of the network the epoch started with, and its cost that of the one it ended
    X, Y = data.gaussians(30, 0.0, 0)
    net0 = Network.random([2, 4, 3, 1], "sigmoid", "quadratic", seed=0)
    lmbda = 0.4
    net1, h = SGD(net0, (X, Y), 2, 30, 2.0, lmbda=lmbda)
    g0 = net0.gradient(X, Y)
    for l in net0.w:
        assert_allclose(h.nabla_w_norm[0][l - 2], np.sqrt(np.sum(g0.nabla_w[l] ** 2)),
                        rtol=1e-12)
        assert_allclose(h.delta_mean[0][l - 2], np.mean(np.abs(g0.nabla_b[l])), rtol=1e-12)
    assert_array_equal(h.per_layer("nabla_w_norm")[3], [h.nabla_w_norm[0][1],
                                                         h.nabla_w_norm[1][1]])
    reg = lmbda / (2 * 30) * sum(np.sum(w ** 2) for w in net1.w.values())
    assert_allclose(h.cost[-1], net1.cost_of(X, Y) + reg, rtol=1e-12)
    a = net1.feedforward(X)[:, 0]
    assert h.accuracy[-1] == np.mean((a >= 0.5) == (Y[:, 0] == 1))
    assert math.isnan(h.test_cost[-1]) and math.isnan(h.test_accuracy[-1])   # no test data


def test_regression_has_a_cost_but_no_accuracy():
    X, Y = data.sine(40, 0.05, 0)
    _, h = SGD(Network.random([1, 6, 1], "sigmoid", "quadratic", seed=0), (X, Y), 2, 10, 1.0,
               (X, Y))
    assert len(h.cost) == 2 and all(math.isfinite(c) for c in h.cost + h.test_cost)
    assert all(math.isnan(a) for a in h.accuracy + h.test_accuracy)


def test_a_huge_learning_rate_stops_with_the_divergence_report():
    X, Y = data.gaussians(40, 0.0, 0)
    net0 = Network.random([2, 6, 6, 1], ["relu", "relu", "linear"], "quadratic", seed=0)
    net, h = SGD(net0, (X, Y), 50, 5, 1e6)
    d = h.diverged
    assert d is not None and d.epoch <= 5 and d.layer in net0.w
    assert d.how in ("NaN", "infinite")
    assert all(np.isfinite(v).all() for v in net.w.values() + net.b.values())
    # the network kept is the one before the step that overflowed
    steps = (d.epoch - 1) * 8 + d.batch - 1
    before = run(Progress(net0), (X, Y), 5, 1e6, batches=steps).net
    for l in net0.w:
        assert_array_equal(net.w[l], before.w[l])
    for words in (f"epoch {d.epoch}", f"layer {d.layer}", "smaller learning rate", "1e+06"):
        assert words in d.message
    # and going on changes nothing
    again = run(Progress(net, d.epoch - 1, d.batch - 1, h), (X, Y), 5, 1e6, batches=10)
    assert again.net is net and again.history.diverged == d


def test_weights_beyond_max_abs_stop_training_too():
    X, Y = data.gaussians(40, 0.0, 0)
    net0 = Network.random([2, 1], "linear", "quadratic", seed=0)   # grows geometrically
    net, h = SGD(net0, (X, Y), 200, 40, 5.0, max_abs=20.0)
    assert h.diverged is not None and h.diverged.how == "larger than 20"
    assert max(np.max(np.abs(v)) for v in net.w.values() + net.b.values()) <= 20.0


@pytest.mark.parametrize("kw, words", [
    (dict(mini_batch_size=0), "at least 1"), (dict(mini_batch_size=2.5), "whole number"),
    (dict(eta=-1.0), "greater than 0"), (dict(eta=float("nan")), "finite"),
    (dict(lmbda=-1.0), "0 or more"), (dict(epochs=-1), "0 or more"),
])
def test_bad_settings_are_refused(kw, words):
    X, Y = data.xor(20, 0.0, 0)
    args = dict(epochs=1, mini_batch_size=5, eta=1.0) | kw
    with pytest.raises(ValueError, match=words):
        SGD(xor_net(), (X, Y), **args)


def test_data_that_does_not_fit_the_network_is_refused():
    X, Y = data.xor(20, 0.0, 0, one_hot=True)
    with pytest.raises(ValueError, match="n_3"):
        SGD(xor_net(), (X, Y), 1, 5, 1.0)
    with pytest.raises(ValueError, match="rows"):
        SGD(xor_net(), (X, Y[:10, :1]), 1, 5, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        SGD(xor_net(), (np.full((4, 2), np.nan), np.zeros((4, 1))), 1, 5, 1.0)


def test_step_still_refuses_what_would_break_a_network():
    net = xor_net()
    g = net.gradient(*data.xor(10, 0.0, 0))
    bad = type(g)(g.nabla_w.replace(2, np.full_like(g.nabla_w[2], np.nan)), g.nabla_b, g.cost)
    with pytest.raises(ValueError, match="NaN"):
        net.step(bad, 1.0)
    wrong = type(g)(g.nabla_w.replace(2, np.zeros((3, 8, 2))), g.nabla_b, g.cost)  # broadcasts
    with pytest.raises(ValueError, match="w\\^2"):
        net.step(wrong, 1.0)
    new = net.step(g, 1.0)
    with pytest.raises(ValueError):
        new.w[2][0, 0] = 1.0                    # read-only, as every network's arrays
