"""Bad input raises ValueError with a message that says what to fix, in the notation's terms
(w^l is n_l × n_{l−1}, positions are 1-based: row j, column k)."""

import math
import re

import numpy as np
import pytest

from backprop import Network, numerical_gradient, validate

W2 = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]   # 3 × 2: n_2 = 3, n_1 = 2
W3 = [[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]     # 2 × 3: n_3 = 2
B2, B3 = [0.0, 0.0, 0.0], [0.0, 0.0]


def net232(**kw):
    return Network([W2, W3], [B2, B3], **kw)


def raises(pattern):
    return pytest.raises(ValueError, match=pattern)


# ------------------------------------------------------------------- weights and biases


def test_wrong_w_shape_names_the_layer_and_both_shapes():
    w3 = np.array(W3).T.tolist()                               # 3 × 2 instead of 2 × 3
    with raises(re.escape("w^3 must be 2 × 3 (n_3 × n_2) but is 3 × 2")):
        Network([W2, w3], [B2, B3])
    with raises(re.escape("w^3 must be 2 × 3 (n_3 × n_2) but is 2 × 2")):
        Network([W2, [[1, 2], [3, 4]]], [B2, B3])


def test_w_must_be_a_matrix():
    with raises(r"w\^2 must be a matrix .* has 1 dimensions"):
        Network([[1.0, 2.0], W3], [B2, B3])
    with raises(r"w\^3 must be a matrix .* has 3 dimensions"):
        Network([W2, [W3]], [B2, B3])


def test_b_must_be_a_vector():
    with raises(r"b\^2 must be a vector .* has 2 dimensions"):
        Network([W2, W3], [[B2], B3])


@pytest.mark.parametrize("b2,b3", [([0.0, 0.0], B3), ([0.0] * 4, B3), (B2, [0.0] * 3)],
                         ids=["b2-too-short", "b2-too-long", "b3-too-long"])
def test_wrong_b_length_names_b(b2, b3):
    # A bias vector of the wrong length must be reported as such, not as a wrong w^l.
    l, b = (2, b2) if len(b2) != 3 else (3, b3)
    with raises(rf"b\^{l}") as info:
        Network([W2, W3], [b2, b3])
    assert str(len(b)) in str(info.value)


def test_number_of_weights_and_biases_must_match():
    with raises("one weight matrix and one bias vector for each layer l = 2..L; "
                "got 2 weight matrices and 1 bias vectors"):
        Network([W2, W3], [B2])
    with raises("got 0 weight matrices and 0 bias vectors"):
        Network([], [])


@pytest.mark.parametrize("bad,what", [(math.nan, "NaN"), (math.inf, "an infinite number"),
                                      (-math.inf, "an infinite number")])
def test_nan_and_inf_in_w_b_x_y_are_named_with_their_position(bad, what):
    w2 = [row[:] for row in W2]
    w2[2][1] = bad
    with raises(re.escape(f"w^2 has {what} at row j=3, column k=2")):
        Network([w2, W3], [B2, B3])
    with raises(re.escape(f"b^3 has {what} at entry 2")):
        Network([W2, W3], [B2, [0.0, bad]])
    net = net232()
    with raises(re.escape(f"x has {what} at entry 1")):
        net.backprop([bad, 0.0], [0.0, 1.0])
    with raises(re.escape(f"y has {what} at entry 2")):
        net.backprop([0.0, 0.0], [0.0, bad])
    with raises(re.escape(f"X has {what} at row j=2, column k=1")):
        net.gradient([[0.0, 0.0], [bad, 0.0]], [[0.0, 1.0], [1.0, 0.0]])
    with raises(re.escape(f"Y has {what} at row j=1, column k=2")):
        net.gradient([[0.0, 0.0]], [[0.0, bad]])
    with raises(f"x has {what}"):
        numerical_gradient(net, [bad, 0.0], [0.0, 1.0])


def test_non_numeric_entry_is_refused():
    with raises(r"w\^2 must hold only numbers.*abc"):
        Network([[[1.0, "abc"], [3, 4], [5, 6]], W3], [B2, B3])
    with raises(r"b\^3 .* at entry 2"):      # NumPy reads None as NaN; the position is named
        Network([W2, W3], [B2, [0.0, None]])
    with raises(r"b\^3 must hold only numbers"):
        Network([W2, W3], [B2, [0.0, [1.0]]])
    with raises(r"x must hold only numbers"):
        net232().backprop(["abc", 1.0], [0.0, 1.0])


def test_ragged_rows_are_refused():
    with raises(r"w\^2 must hold only numbers, in rows of equal length: row j=2 has 1 "
                r"entries but row j=1 has 2"):
        Network([[[1.0, 2.0], [3.0], [5.0, 6.0]], W3], [B2, B3])


def test_huge_integers_are_refused_with_value_error():
    # 10**400 is a valid Python (and JSON) integer but no float64: a ValueError, not an
    # OverflowError, should say so.
    with raises(r"w\^2"):
        Network([[[10**400, 2.0], [3, 4], [5, 6]], W3], [B2, B3])
    with raises(r"^x"):
        net232().backprop([10**400, 1.0], [0.0, 1.0])
    with raises("eta"):
        net232().sgd_step([0.0, 1.0], [0.0, 1.0], eta=10**400)


def test_empty_layers_are_refused():
    with raises("at least one neuron"):
        Network([np.zeros((0, 2))], [np.zeros(0)])
    with raises("at least one neuron"):
        Network([[[]]], [[0.0]])


# ------------------------------------------------------------------- x, y, X, Y


def test_wrong_x_and_y_length():
    net = net232()
    with raises(re.escape("x must have n_1 = 2 entries but has 3")):
        net.backprop([1.0, 2.0, 3.0], [0.0, 1.0])
    with raises(re.escape("y must have n_3 = 2 entries but has 1")):
        net.backprop([1.0, 2.0], [0.0])
    with raises(r"x must be a vector .* has 2 dimensions"):
        net.backprop([[1.0, 2.0]], [0.0, 1.0])
    with raises(r"x must be a vector .* has 0 dimensions"):
        net.backprop(1.0, [0.0, 1.0])
    with raises(re.escape("x must have n_1 = 2 entries but has 3")):
        numerical_gradient(net, [1.0, 2.0, 3.0], [0.0, 1.0])
    with raises(re.escape("x must have n_1 = 2 entries")):
        net.sgd_step([1.0], [0.0, 1.0], eta=1.0)


def test_batch_shape_errors():
    net = net232()
    good_X, good_Y = np.zeros((4, 2)), np.zeros((4, 2))
    with raises(re.escape("X must be n_examples × n_1 = n_examples × 2, one example a row, "
                          "but is 4 × 3")):
        net.gradient(np.zeros((4, 3)), good_Y)
    with raises(re.escape("Y must be n_examples × n_3 = n_examples × 2, one example a row, "
                          "but is 2 × 4")):
        net.gradient(good_X, np.zeros((4, 2)).T[:2])
    with raises(re.escape("X and Y must have one row per example each, but X has 4 rows and "
                          "Y has 3")):
        net.gradient(good_X, np.zeros((3, 2)))
    with raises(r"X must be a matrix .* has 1 dimensions"):
        net.gradient([1.0, 2.0], good_Y)
    with raises("but is 0 × 2"):
        net.gradient(np.zeros((0, 2)), np.zeros((0, 2)))
    with raises("X and Y must have one row per example"):
        net.batch_sgd_step(good_X, np.zeros((3, 2)), eta=1.0)


# ------------------------------------------------------------------- names


def test_unknown_activation_and_cost():
    with raises("unknown activation 'sigmoidd' for layer 3: choose one of sigmoid, tanh, "
                "relu, linear, softmax"):
        net232(activations=["tanh", "sigmoidd"])
    with raises("unknown activation 'ReLU' for layer 2"):
        Network.random([2, 3, 2], activations="ReLU")
    with raises("unknown cost 'mse': choose one of quadratic, cross_entropy, log_likelihood"):
        net232(cost="mse")


def test_softmax_on_a_hidden_layer_is_refused():
    with raises(re.escape("softmax is allowed on the output layer only (layer L = 3), not "
                          "on hidden layer 2")):
        net232(activations=["softmax", "sigmoid"])
    with raises("softmax is allowed on the output layer only"):
        Network.random([2, 3, 2], activations="softmax")


def test_softmax_on_a_single_output_neuron_is_refused():
    with raises(re.escape("softmax on a single output neuron always gives a^3 = 1")):
        Network.random([2, 3, 1], activations=["tanh", "softmax"], cost="log_likelihood")


def test_cross_entropy_with_tanh_output_is_refused():
    # (the message is shown as it is in the sidebar: words, no raw a^L)
    with raises(re.escape("the cross_entropy cost takes the logarithm of the outputs, so "
                          "they must lie between 0 and 1: use sigmoid or softmax on the "
                          "output layer (layer 3), not tanh")):
        net232(activations=["sigmoid", "tanh"], cost="cross_entropy")


def test_log_likelihood_with_sigmoid_output_is_refused():
    # Issue 12: with sigmoid outputs, C = −Σ y ln a ignored every output whose target is 0,
    # so a³ = 0.4383 with y = 0 gave C = 0 and δ³ = 0. Nielsen defines the cost for softmax.
    says = re.escape("the log_likelihood cost belongs with a softmax output layer, not "
                     "sigmoid: use softmax on the output layer (layer 3), or the "
                     "cross_entropy cost for sigmoid outputs")
    with raises(says):
        Network.random([2, 3, 1], "sigmoid", "log_likelihood", seed=1)
    with raises(says):
        Network.random([2, 3, 2], "sigmoid").replace(cost="log_likelihood")


def test_wrong_number_of_activation_names():
    with raises(re.escape("give one activation for each layer l = 2..3 (2 names), not 3")):
        net232(activations=["sigmoid", "sigmoid", "sigmoid"])
    with raises(re.escape("(2 names), not 1")):
        net232(activations=["sigmoid"])


@pytest.mark.parametrize("activations", [[["sigmoid"], "sigmoid"], ["sigmoid", {"a": 1}]],
                         ids=["list", "dict"])
def test_activation_names_that_are_not_strings_raise_value_error(activations):
    # An unhashable entry (as a JSON file can hold) must not escape as TypeError.
    with raises("activation"):
        net232(activations=activations)


def test_cost_that_is_not_a_string_raises_value_error():
    with raises("cost"):
        net232(cost=["quadratic"])


# ------------------------------------------------------------------- learning rate, init


@pytest.mark.parametrize("eta,shown", [(0, "got 0.0"), (-0.5, "got -0.5"),
                                       (math.nan, "got nan"), (math.inf, "got inf")])
def test_eta_must_be_a_positive_finite_number(eta, shown):
    net = net232()
    with raises(re.escape("eta (the learning rate η) must be a finite number greater than 0; "
                          + shown)):
        net.sgd_step([0.0, 1.0], [1.0, 0.0], eta)
    with raises("eta"):
        net.batch_sgd_step([[0.0, 1.0]], [[1.0, 0.0]], eta)


@pytest.mark.parametrize("eta", ["abc", None, [0.1]])
def test_eta_must_be_a_number(eta):
    with raises(re.escape("eta (the learning rate η) must be a number; got")):
        net232().sgd_step([0.0, 1.0], [1.0, 0.0], eta)


def test_eps_of_numerical_gradient_must_be_positive():
    with raises("eps must be a finite number greater than 0"):
        numerical_gradient(net232(), [0.0, 1.0], [1.0, 0.0], eps=0)


def test_random_network_arguments():
    with raises(re.escape("sizes must list at least two layers of at least one neuron each, "
                          "e.g. [2, 3, 2]; got [2]")):
        Network.random([2])
    with raises(r"got \[2, 0, 1\]"):
        Network.random([2, 0, 1])
    with raises("unknown init 'xavier': choose one of standard, scaled, zeros"):
        Network.random([2, 3], init="xavier")



@pytest.mark.parametrize("value, lo, hi, message", [
    (2.0, 1, 5, "m must be a whole number; got 2.0"), (True, 0, 5, "whole number; got true"),
    ("3", 1, 5, "whole number; got '3'"), (0, 1, 5, "m must lie between 1 and 5; got 0"),
    (6, 1, 5, "between 1 and 5"), (-1, 0, None, "m must be 0 or more; got -1"),
    (0, 2, None, "m must be at least 2"), (9, None, 8, "m must be at most 8"),
    (10**200, 1, 5, "a whole number with too many digits")])
def test_whole_refuses_what_is_not_a_whole_number_in_range(value, lo, hi, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        validate.whole("m", value, lo, hi)


def test_whole_takes_numpy_integers_and_bounds_inclusively():
    assert validate.whole("m", np.int64(5), 1, 5) == 5 and validate.whole("m", 1, 1, 5) == 1
    assert type(validate.whole("m", np.int32(3))) is int
