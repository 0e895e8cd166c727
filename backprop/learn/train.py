"""Mini-batch stochastic gradient descent, in the words of Nielsen's network.py.

``SGD(net, training_data, epochs, mini_batch_size, eta, test_data)`` shuffles the training
data at the start of every epoch with a generator seeded by (seed, epoch), splits it into
mini-batches of m = ``mini_batch_size`` examples (the last may be smaller), and steps each
with ``update_mini_batch``: w ← w − η (∂C/∂w + (λ/n) w), b ← b − η ∂C/∂b, where ∂C/∂w is
the mean gradient ``net.gradient`` over the mini-batch and λ the L2 regularisation of
Nielsen's chapter 3 (n: the size of the training set). Nothing trains in place: it returns
a new Network and a History. The same seed gives the same History, bit for bit, whether
the epochs run in one call or mini-batch by mini-batch (``run``).

If a step makes a weight, a bias or the cost NaN or infinite (or larger than ``max_abs``),
training stops on the last network before that step and ``History.diverged`` says where.
"""

import math
import operator
from dataclasses import replace

import numpy as np

from .. import validate
from ..layers import Layers
from ..trace import Gradient
from .history import Divergence, History, Progress, accuracy, scores

__all__ = ["SGD", "Divergence", "History", "Progress", "accuracy", "batches_per_epoch",
           "mini_batches", "run", "scores", "shuffled", "update_mini_batch"]


def shuffled(n, seed, epoch):
    """The order of the n training examples in epoch ``epoch`` (from 0): a permutation
    drawn by a generator seeded with (seed, epoch)."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def mini_batches(n, m, seed, epoch):
    """The rows of each mini-batch of epoch ``epoch``: its shuffle cut into pieces of m."""
    order = shuffled(n, seed, epoch)
    return [order[k:k + m] for k in range(0, n, m)]


def update_mini_batch(net, mini_batch, eta, lmbda=0.0, n=1):
    """(new network, the mini-batch's Gradient ∂C/∂w, ∂C/∂b without the λ term): one step
    on the mean gradient over the rows of mini_batch = (X, Y)."""
    grad = net.gradient(*mini_batch)
    step = grad
    if lmbda:
        decay = lmbda / n
        step = Gradient(Layers(2, [g + decay * w for g, w in zip(grad.nabla_w.values(),
                                                                  net.w.values())]),
                        grad.nabla_b, grad.cost)
    return net.step(step, eta), grad


def _data(name, data, net):
    if data is None:
        return None
    try:
        X, Y = data
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (X, Y)") from None
    X = validate.batch(f"X of the {name}", X, net.sizes[0], "n_1")
    Y = validate.batch(f"Y of the {name}", Y, net.sizes[-1], f"n_{net.L}")
    if len(X) != len(Y):
        raise ValueError(f"the {name} has {len(X)} rows of X but {len(Y)} of Y")
    return X, Y


def _settings(mini_batch_size, eta, lmbda):
    m = validate.whole("the mini-batch size m", mini_batch_size, 1)
    eta = validate.positive_number("eta (the learning rate η)", eta)
    lmbda = float(lmbda)
    if not (math.isfinite(lmbda) and lmbda >= 0):
        raise ValueError(f"λ (the L2 regularisation) must be 0 or more; got {lmbda}")
    return m, eta, lmbda


def _find_overflow(net, eta, lmbda, n, batch, max_abs):
    """(layer, what, how) of the first layer whose gradient or new w, b is not finite (or
    above max_abs) after a step on ``batch``; None if the step is fine."""
    grad = net.gradient(*batch)
    decay = lmbda / n
    for l in net.w:
        w, b = net.w[l], net.b[l]
        gw, gb = grad.nabla_w[l], grad.nabla_b[l]
        for name, g, new in ((f"w^{l}", gw, w - eta * (gw + decay * w)),
                             (f"b^{l}", gb, b - eta * gb)):
            for v in (g, new):
                if not np.isfinite(v).all():
                    return l, name, "NaN" if np.isnan(v).any() else "infinite"
            if np.max(np.abs(new)) > max_abs:
                return l, name, f"larger than {max_abs:g}"
    if not math.isfinite(grad.cost):
        return net.L, "the cost C", "infinite"
    return None


def _too_large(net, max_abs):
    return any(np.max(np.abs(v)) > max_abs for v in net.w.values() + net.b.values())


def run(progress, training_data, mini_batch_size, eta, test_data=None, lmbda=0.0, seed=0,
        batches=1, max_abs=math.inf):
    """The Progress after ``batches`` more mini-batches (fewer if a step diverges),
    picking up where ``progress`` stopped. Ends each finished epoch with its History entry:
    cost and accuracy on training_data and test_data, and the per-layer figures."""
    net = progress.net
    X, Y = _data("training data", training_data, net)
    test = _data("test data", test_data, net)
    m, eta, lmbda = _settings(mini_batch_size, eta, lmbda)
    n, L = len(X), net.L
    epoch, b, history = progress.epoch, progress.batch, progress.history
    sums = list(progress.sums) or [0.0] * (2 * (L - 1))
    todo, grads = operator.index(batches), []
    with np.errstate(all="ignore"):   # overflow is caught below, not warned about
        while todo > 0 and history.diverged is None:
            order = shuffled(n, seed, epoch)
            Xs, Ys, count = X[order], Y[order], batches_per_epoch(n, m)
            while b < count and todo > 0:
                batch = (Xs[b * m:(b + 1) * m], Ys[b * m:(b + 1) * m])   # views, not copies
                error = None
                try:
                    new, grad = update_mini_batch(net, batch, eta, lmbda, n)
                    ok = math.isfinite(grad.cost) and not (max_abs < math.inf
                                                           and _too_large(new, max_abs))
                except ValueError as e:   # a Network refuses NaN and infinite weights
                    error, ok = e, False
                if not ok:
                    bad = _find_overflow(net, eta, lmbda, n, batch, max_abs)
                    if bad is None:
                        raise error
                    history = replace(history, diverged=Divergence(epoch + 1, b + 1, *bad, eta))
                    break
                grads.append(grad)
                net, b, todo = new, b + 1, todo - 1
            _add_figures(sums, grads, L)
            grads = []
            if b == count:
                history = _close_epoch(history, net, (X, Y), test, lmbda, n,
                                       [s / b for s in sums], L)
                epoch, b, sums = epoch + 1, 0, [0.0] * (2 * (L - 1))
    return Progress(net, epoch, b, history, tuple(sums))


def _add_figures(sums, grads, L):
    """Add each mini-batch's ‖∂C/∂wˡ‖ and mean_j |∂C/∂bˡ_j| to the running sums, one
    mini-batch after another (a cumulative sum adds in order, so the sums do not depend
    on where a run stopped)."""
    if not grads:
        return
    for i, l in enumerate(range(2, L + 1)):
        W = np.stack([g.nabla_w[l] for g in grads])                  # (batches, n_l, n_{l−1})
        B = np.abs(np.stack([g.nabla_b[l] for g in grads]))
        for k, v in ((i, np.sqrt(np.einsum("bjk,bjk->b", W, W))),
                     (L - 1 + i, B.sum(axis=1) / B.shape[1])):
            sums[k] = float(np.add.accumulate(np.concatenate([[sums[k]], v]))[-1])


def _close_epoch(history, net, train, test, lmbda, n, means, L):
    cost, acc = scores(net, *train, lmbda, n)
    test_cost, test_acc = scores(net, *test, lmbda, n) if test else (math.nan, math.nan)
    return replace(
        history, cost=history.cost + (cost,), accuracy=history.accuracy + (acc,),
        test_cost=history.test_cost + (test_cost,),
        test_accuracy=history.test_accuracy + (test_acc,),
        nabla_w_norm=history.nabla_w_norm + (tuple(means[:L - 1]),),
        delta_mean=history.delta_mean + (tuple(means[L - 1:]),))


def SGD(net, training_data, epochs, mini_batch_size, eta, test_data=None, lmbda=0.0,
        seed=0, max_abs=math.inf):
    """Train ``net`` for ``epochs`` epochs of mini-batch SGD on training_data = (X, Y);
    return (the new network, its History). ``net`` itself is unchanged."""
    epochs = validate.whole("epochs", epochs, 0)
    n = len(_data("training data", training_data, net)[0])
    m = _settings(mini_batch_size, eta, lmbda)[0]
    p = run(Progress(net), training_data, mini_batch_size, eta, test_data, lmbda, seed,
            epochs * batches_per_epoch(n, m), max_abs)
    return p.net, p.history


def batches_per_epoch(n, m):
    """The number of mini-batches in an epoch of n examples: ⌈n / m⌉."""
    return -(-n // m)
