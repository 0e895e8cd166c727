"""Data sets to learn from: seeded generators, pure functions of (n, noise, seed).

Each returns ``(X, Y)`` with one example per row, as scikit-learn's ``make_moons`` does:
X is n × n_1 (the inputs x = a^1), Y is n × 1 (a class in {0, 1} for one sigmoid output,
or the target of the sine) or, with ``one_hot=True``, n × 2 (one row (1, 0) or (0, 1) per
example, for a softmax output). The 2-D points lie in about [−1, 1]²; ``noise`` is the
standard deviation of Gaussian noise added to every x after its class is chosen, so large
noise mixes the classes.

    >>> X, Y = xor(200, noise=0.1, seed=0)
    >>> X.shape, Y.shape
    ((200, 2), (200, 1))
"""

import math
import operator
from dataclasses import dataclass
from typing import Callable

import numpy as np

PAD = 0.1   # xor keeps its points this far from the axes, so that 100 % is reachable


def _check(n, noise, seed):
    try:
        n, seed = operator.index(n), operator.index(seed)
    except TypeError:
        raise ValueError(f"n and seed must be whole numbers; got n={n!r:.20}, "
                         f"seed={seed!r:.20}") from None
    if n < 2:
        raise ValueError(f"n (the number of examples) must be at least 2; got {n}")
    if seed < 0:
        raise ValueError(f"the seed must be 0 or more; got {seed}")
    try:
        noise = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number; got {noise!r:.20}") from None
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number, 0 or more; got {noise}")
    return n, noise, np.random.default_rng(seed)


def _labelled(X, c, rng, noise, one_hot):
    """Add the noise, shuffle the rows, and write the classes c as Y."""
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(c))
    X, c = X[order], c[order]
    Y = np.eye(2)[c] if one_hot else c[:, None].astype(np.float64)
    return X, Y


def _halves(n):
    """Classes 0 and 1, half of the n examples each (class 0 gets the odd one)."""
    return np.repeat([0, 1], [n - n // 2, n // 2])


def xor(n=200, noise=0.0, seed=0, one_hot=False):
    """Four quadrants: class 1 where exactly one of x_1, x_2 is positive (exclusive or)."""
    n, noise, rng = _check(n, noise, seed)
    U = rng.uniform(-1.0, 1.0, (n, 2))
    X = np.sign(U) * (PAD + (1.0 - PAD) * np.abs(U))    # nothing within PAD of an axis
    c = (X[:, 0] * X[:, 1] < 0).astype(int)
    return _labelled(X, c, rng, noise, one_hot)


def circles(n=200, noise=0.0, seed=0, one_hot=False):
    """A disc of radius 0.5 (class 1) inside a ring from 0.7 to 1 (class 0)."""
    n, noise, rng = _check(n, noise, seed)
    c = _halves(n)
    r = np.where(c == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    t = rng.uniform(0.0, 2 * np.pi, n)
    return _labelled(np.column_stack([r * np.cos(t), r * np.sin(t)]), c, rng, noise, one_hot)


def gaussians(n=200, noise=0.0, seed=0, one_hot=False):
    """Two round clouds of spread 0.25, around (−0.5, −0.5) (class 0) and (0.5, 0.5)."""
    n, noise, rng = _check(n, noise, seed)
    c = _halves(n)
    X = (c[:, None] - 0.5) + 0.25 * rng.standard_normal((n, 2))
    return _labelled(X, c, rng, noise, one_hot)


def moons(n=200, noise=0.0, seed=0, one_hot=False):
    """Two interleaved half circles, as scikit-learn's make_moons, scaled into [−1, 1]²."""
    n, noise, rng = _check(n, noise, seed)
    c = _halves(n)
    t = rng.uniform(0.0, np.pi, n)
    X = np.where(c[:, None] == 0, np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    return _labelled((X - [0.5, 0.25]) / 1.5, c, rng, noise, one_hot)


def spiral(n=200, noise=0.0, seed=0, one_hot=False):
    """Two spirals wound 1¾ times round the origin, one per class."""
    n, noise, rng = _check(n, noise, seed)
    c = _halves(n)
    r = rng.uniform(0.05, 1.0, n)
    t = 1.75 * 2 * np.pi * r + np.pi * c
    return _labelled(np.column_stack([r * np.sin(t), r * np.cos(t)]), c, rng, noise, one_hot)


def sine(n=200, noise=0.0, seed=0, one_hot=False):
    """Regression in 1-D: y = ½ + 0.4 sin(πx) plus noise, x in [−1, 1], y kept in [0, 1]
    so that a sigmoid output can reach it."""
    n, noise, rng = _check(n, noise, seed)
    if one_hot:
        raise ValueError("the sine is a regression data set: its y is one number, not a class")
    x = rng.uniform(-1.0, 1.0, n)
    y = np.clip(0.5 + 0.4 * np.sin(np.pi * x) + noise * rng.standard_normal(n), 0.0, 1.0)
    return x[:, None], y[:, None]


@dataclass(frozen=True)
class DataSet:
    name: str
    make: Callable      # (n, noise, seed, one_hot=False) -> (X, Y)
    features: int       # n_1: the number of inputs
    classes: int        # 0 for regression
    blurb: str


DATASETS = {d.name: d for d in (
    DataSet("xor", xor, 2, 2, "Four quadrants; no straight line separates the classes."),
    DataSet("circles", circles, 2, 2, "A disc inside a ring."),
    DataSet("two gaussians", gaussians, 2, 2, "Two clouds; one straight line suffices."),
    DataSet("two moons", moons, 2, 2, "Two interleaved half circles."),
    DataSet("spiral", spiral, 2, 2, "Two spirals: hard, needs several hidden layers."),
    DataSet("sine", sine, 1, 0, "Regression: fit y = ½ + 0.4 sin(πx)."),
)}


def one_hot(c, k):
    """Class numbers c (n,) as one-hot rows, n × k."""
    return np.eye(k)[np.asarray(c, dtype=int)]


def targets(c, n_out):
    """Class numbers c as targets for n_out output neurons: a column of 0 and 1 for one
    output (two classes only), one-hot rows for n_out = the number of classes."""
    c = np.asarray(c, dtype=int)
    if n_out == 1:
        if c.size and c.max() > 1:
            raise ValueError("one output neuron can tell two classes apart, not "
                             f"{c.max() + 1}: give the output layer one neuron per class")
        return c[:, None].astype(np.float64)
    return one_hot(c, n_out)


def split_indices(n, test_fraction, seed):
    """(train rows, test rows) of n examples: a seeded shuffle, then the last
    round(n × test_fraction) rows for testing (at least one row stays for training)."""
    try:
        test_fraction = float(test_fraction)
    except (TypeError, ValueError):
        raise ValueError("the test fraction must be a number; "
                         f"got {test_fraction!r:.20}") from None
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"the test fraction must lie in [0, 1); got {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = min(int(round(n * test_fraction)), n - 1)
    return order[:n - n_test], order[n - n_test:]


def split(X, Y, test_fraction, seed):
    """((X_train, Y_train), (X_test, Y_test)), split as ``split_indices`` does."""
    train, test = split_indices(len(X), test_fraction, seed)
    return (X[train], Y[train]), (X[test], Y[test])
