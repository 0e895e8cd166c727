"""The data set generators: shapes, bounds, labels, seeds, and what they refuse."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from backprop.learn import data
from backprop.learn.data import DATASETS

CLASSIFIERS = [d for d in DATASETS.values() if d.classes]


@pytest.mark.parametrize("d", DATASETS.values(), ids=DATASETS)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_one_example_a_row(d, n):
    X, Y = d.make(n, 0.1, 0)
    assert X.shape == (n, d.features) and X.dtype == np.float64
    assert Y.shape == (n, 1) and Y.dtype == np.float64
    assert np.isfinite(X).all() and np.isfinite(Y).all()


@pytest.mark.parametrize("d", CLASSIFIERS, ids=lambda d: d.name)
def test_labels_are_0_or_1_or_one_hot_rows_of_the_same_classes(d):
    X, Y = d.make(101, 0.2, 3)
    assert set(np.unique(Y)) == {0.0, 1.0}
    X1, Y1 = d.make(101, 0.2, 3, one_hot=True)
    assert Y1.shape == (101, 2)
    assert_array_equal(Y1.sum(axis=1), 1.0)
    assert_array_equal(X1, X)                        # the same points...
    assert_array_equal(np.argmax(Y1, axis=1), Y[:, 0])   # ...and the same classes


@pytest.mark.parametrize("d", [d for d in CLASSIFIERS if d.name != "xor"], ids=lambda d: d.name)
def test_two_class_sets_are_balanced(d):
    _, Y = d.make(201, 0.0, 1)
    assert Y.sum() == 100            # 100 of class 1, 101 of class 0


@pytest.mark.parametrize("d", DATASETS.values(), ids=DATASETS)
def test_same_seed_same_data_other_seed_other_data(d):
    X, Y = d.make(50, 0.1, 7)
    X2, Y2 = d.make(50, 0.1, 7)
    assert_array_equal(X, X2)
    assert_array_equal(Y, Y2)
    assert not np.array_equal(d.make(50, 0.1, 8)[0], X)


def test_xor_classes_are_the_exclusive_or_of_the_signs_and_keep_off_the_axes():
    X, Y = data.xor(500, 0.0, 0)
    assert_array_equal(Y[:, 0], (X[:, 0] > 0) != (X[:, 1] > 0))
    assert np.all(np.abs(X) >= data.PAD) and np.all(np.abs(X) <= 1.0)
    # every quadrant is used
    assert len({(a, b) for a, b in np.sign(X).astype(int)}) == 4


def test_circles_disc_inside_ring():
    X, Y = data.circles(400, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[Y[:, 0] == 1].max() <= 0.5
    inner, outer = r[Y[:, 0] == 0].min(), r[Y[:, 0] == 0].max()
    assert 0.7 <= inner and outer <= 1.0 + 1e-12


def test_gaussians_centres():
    X, Y = data.gaussians(4000, 0.0, 0)
    assert_allclose(X[Y[:, 0] == 0].mean(axis=0), [-0.5, -0.5], atol=0.02)
    assert_allclose(X[Y[:, 0] == 1].mean(axis=0), [0.5, 0.5], atol=0.02)
    assert_allclose(X[Y[:, 0] == 1].std(axis=0), [0.25, 0.25], atol=0.02)


def test_moons_are_make_moons_scaled():
    X, Y = data.moons(300, 0.0, 0)
    raw = X * 1.5 + [0.5, 0.25]                  # undo the scaling into [−1, 1]²
    top, bottom = raw[Y[:, 0] == 0], raw[Y[:, 0] == 1]
    assert_allclose(np.hypot(*top.T), 1.0, rtol=1e-12)              # (cos t, sin t)
    assert_allclose(np.hypot(bottom[:, 0] - 1, bottom[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(np.abs(X) <= 1.0 + 1e-12)


def test_spiral_radius_and_angle():
    X, Y = data.spiral(300, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all((r >= 0.05) & (r <= 1.0))
    t = 1.75 * 2 * np.pi * r + np.pi * Y[:, 0]
    assert_allclose(X, np.column_stack([r * np.sin(t), r * np.cos(t)]), atol=1e-12)


def test_sine_without_noise_is_the_curve_and_stays_in_0_1():
    X, Y = data.sine(100, 0.0, 0)
    assert np.all(np.abs(X) <= 1.0)
    assert_allclose(Y[:, 0], 0.5 + 0.4 * np.sin(np.pi * X[:, 0]), rtol=0, atol=1e-15)
    _, Yn = data.sine(1000, 0.5, 0)
    assert Yn.min() >= 0.0 and Yn.max() <= 1.0


def test_noise_moves_the_points_but_not_the_classes():
    X0, Y0 = data.circles(100, 0.0, 4)
    X1, Y1 = data.circles(100, 0.3, 4)
    assert_array_equal(Y0, Y1)
    assert 0.1 < np.std(X1 - X0) < 0.5


@pytest.mark.parametrize("args, words", [
    ((1, 0.1, 0), "at least 2"), (("5", 0.1, 0), "whole numbers"), ((5.0, 0.1, 0), "whole"),
    ((5, -0.1, 0), "0 or more"), ((5, float("nan"), 0), "finite"), ((5, "x", 0), "a number"),
    ((5, 0.1, -1), "seed"),
])
def test_bad_arguments_are_refused_with_a_reason(args, words):
    with pytest.raises(ValueError, match=words):
        data.xor(*args)


def test_sine_has_no_classes():
    with pytest.raises(ValueError, match="regression"):
        data.sine(10, 0.0, 0, one_hot=True)


def test_split_indices_partition_the_rows():
    train, test = data.split_indices(10, 0.3, 0)
    assert len(train) == 7 and len(test) == 3
    assert sorted(np.concatenate([train, test])) == list(range(10))
    assert_array_equal(data.split_indices(10, 0.3, 0)[1], test)
    assert len(data.split_indices(3, 0.9, 0)[0]) == 1        # one row always trains
    with pytest.raises(ValueError, match="test fraction"):
        data.split_indices(10, 1.0, 0)


def test_split_keeps_rows_together():
    X, Y = data.xor(20, 0.0, 0)
    (Xa, Ya), (Xb, Yb) = data.split(X, Y, 0.25, 1)
    assert len(Xa) == 15 and len(Xb) == 5
    rows = {tuple(x): y for x, y in zip(X.tolist(), Y[:, 0])}
    assert all(rows[tuple(x)] == y for x, y in zip(Xa.tolist() + Xb.tolist(),
                                                     list(Ya[:, 0]) + list(Yb[:, 0])))


def test_targets_for_one_or_several_outputs():
    assert_array_equal(data.targets([0, 1, 1], 1), [[0.0], [1.0], [1.0]])
    assert_array_equal(data.targets([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="one neuron per class"):
        data.targets([0, 1, 2], 1)
