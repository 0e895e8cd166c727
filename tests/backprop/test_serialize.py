"""A Network to a JSON-safe dict and back; every malformed dict raises ValueError."""

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import ACTIVATIONS, Network

HIDDEN = ("sigmoid", "tanh", "relu", "linear")


def good():
    return Network.random([2, 3, 2], activations=["tanh", "softmax"], cost="log_likelihood",
                          seed=4).to_dict()


def with_(**changes):
    d = good()
    d.update(changes)
    return d


def assert_same_network(a, b):
    # A round trip must give back the very same numbers, so equality is exact here.
    assert a.sizes == b.sizes and a.cost == b.cost
    assert a.activations.values() == b.activations.values()
    for l in a.w:
        np.testing.assert_array_equal(a.w[l], b.w[l])
        np.testing.assert_array_equal(a.b[l], b.b[l])
        assert b.w[l].dtype == np.float64 and not b.w[l].flags.writeable


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       hidden=st.sampled_from(HIDDEN), out=st.sampled_from(list(ACTIVATIONS)),
       seed=st.integers(0, 2**32 - 1), init=st.sampled_from(["standard", "scaled", "zeros"]))
def test_round_trip_through_json(sizes, hidden, out, seed, init):
    cost = "log_likelihood" if out == "softmax" else "quadratic"
    if out == "softmax":
        sizes[-1] = max(sizes[-1], 2)           # softmax needs two outputs or more
    net = Network.random(sizes, activations=[hidden] * (len(sizes) - 2) + [out], cost=cost,
                         seed=seed, init=init)
    d = json.loads(json.dumps(net.to_dict()))
    assert_same_network(net, Network.from_dict(d))


def test_to_dict_layout():
    net = Network([[[1.0, 2.0]]], [[0.5]], "sigmoid", "cross_entropy")
    assert net.to_dict() == {"format": "backprop-explorer/network", "version": 1,
                             "sizes": [2, 1], "activations": ["sigmoid"],
                             "cost": "cross_entropy", "weights": [[[1.0, 2.0]]],
                             "biases": [[0.5]]}
    json.dumps(net.to_dict(), allow_nan=False)     # plain JSON, no NaN or numpy types


def test_a_hand_written_dict_with_defaults():
    # format, version, sizes, activations and cost may be left out
    net = Network.from_dict({"weights": [[[1, 2], [3, 4]]], "biases": [[0, 1]]})
    assert net.sizes == (2, 2) and net.cost == "quadratic"
    assert net.activations.values() == ("sigmoid",)
    np.testing.assert_allclose(net.w[2], [[1, 2], [3, 4]], rtol=0)


def test_from_dict_does_not_keep_the_callers_lists():
    d = good()
    net = Network.from_dict(d)
    kept = np.array(d["weights"][0])
    d["weights"][0][0][0] = 99.0
    np.testing.assert_array_equal(net.w[2], kept)


def test_from_dict_leaves_the_dict_alone():
    d = good()
    kept = copy.deepcopy(d)
    Network.from_dict(d)
    assert d == kept


@pytest.mark.parametrize("d", [None, [1, 2], "weights", 3], ids=["None", "list", "str", "int"])
def test_not_a_dict(d):
    with pytest.raises(ValueError, match="must be a JSON object \\(a dict\\), not"):
        Network.from_dict(d)


def test_wrong_format_and_version():
    with pytest.raises(ValueError, match="not a Backprop Explorer network: format is "
                                         "'keras', expected 'backprop-explorer/network'"):
        Network.from_dict(with_(format="keras"))
    with pytest.raises(ValueError, match="version 2 is not supported"):
        Network.from_dict(with_(version=2))


@pytest.mark.parametrize("key,named", [("weights", "missing weights"),
                                       ("biases", "missing biases")])
def test_missing_weights_or_biases(key, named):
    d = good()
    del d[key]
    with pytest.raises(ValueError, match=named):
        Network.from_dict(d)


def test_missing_both():
    with pytest.raises(ValueError, match="missing weights and biases"):
        Network.from_dict({"format": "backprop-explorer/network"})


@pytest.mark.parametrize("bad", ["0.5", True, False, None, "abc", [0.5]],
                         ids=["numeric-text", "true", "false", "null", "text", "list"])
def test_weights_and_biases_hold_only_numbers(bad):
    d = good()
    d["weights"][1][0][2] = bad
    with pytest.raises(ValueError, match="weights must (hold only numbers|be a list)"):
        Network.from_dict(d)
    d = good()
    d["biases"][0][1] = bad
    with pytest.raises(ValueError, match="biases must (hold only numbers|be a list)"):
        Network.from_dict(d)


def test_weights_of_the_wrong_depth():
    with pytest.raises(ValueError, match="weights must be a list, but is float"):
        Network.from_dict(with_(weights=[1.0, 2.0]))
    with pytest.raises(ValueError, match="weights must be a list, but is str"):
        Network.from_dict(with_(weights="[[1, 2]]"))
    with pytest.raises(ValueError, match="biases must be a list, but is dict"):
        Network.from_dict(with_(biases={"2": [0, 0, 0]}))


def from_json_with(token):
    """The good network as JSON text with w^2_{21} written as ``token``, read back."""
    d = good()
    d["weights"][0][1][0] = "HERE"
    return json.loads(json.dumps(d).replace('"HERE"', token))


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_from_json_are_refused(token):
    # Python's json reads NaN and Infinity, and 1e400 as inf
    with pytest.raises(ValueError, match=r"w\^2 has (NaN|an infinite number) at row j=2, "
                                         r"column k=1"):
        Network.from_dict(from_json_with(token))


def test_huge_json_integer_is_refused_with_value_error():
    # json reads 1 followed by 400 zeros as a Python int, too big for a float64
    d = from_json_with("1" + "0" * 400)
    assert d["weights"][0][1][0] == 10**400
    with pytest.raises(ValueError, match=r"w\^2"):
        Network.from_dict(d)


def test_sizes_inconsistent_with_weights():
    with pytest.raises(ValueError, match="sizes lists 4 layers, but there are 2 weight "
                                         "matrices"):
        Network.from_dict(with_(sizes=[2, 3, 2, 1]))
    with pytest.raises(ValueError, match=r"w\^2 must be 4 × 2 \(n_2 × n_1\) but is 3 × 2"):
        Network.from_dict(with_(sizes=[2, 4, 2]))
    with pytest.raises(ValueError, match=r"w\^3 must be 3 × 3 \(n_3 × n_2\) but is 2 × 3"):
        Network.from_dict(with_(sizes=[2, 3, 3]))
    with pytest.raises(ValueError, match="sizes must be whole numbers of at least 1"):
        Network.from_dict(with_(sizes=[2, "3", 2]))
    with pytest.raises(ValueError, match="sizes must be a list"):
        Network.from_dict(with_(sizes="2-3-2"))


def test_ragged_weights_with_sizes_say_which_row():
    # Without sizes, NumPy's own check reports the ragged rows; with sizes given the message
    # must not read "must be 3 × 2 but is 3 × 2".
    d = good()
    d["weights"][0][1] = [1.0]
    with pytest.raises(ValueError) as info:
        Network.from_dict(d)
    message = str(info.value)
    assert "w^2" in message and "row j=2 has 1 entries" in message, message
    assert "must be 3 × 2 (n_2 × n_1) but is 3 × 2" not in message, message
    del d["sizes"]
    with pytest.raises(ValueError, match=r"w\^2 must hold only numbers, in rows of equal "
                                         r"length: row j=2 has 1 entries"):
        Network.from_dict(d)


def test_biases_inconsistent_with_weights():
    d = good()
    d["biases"] = [[0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(ValueError, match=r"\^2"):
        Network.from_dict(d)


def test_unknown_activation_and_cost():
    with pytest.raises(ValueError, match="unknown activation 'swish' for layer 2"):
        Network.from_dict(with_(activations=["swish", "softmax"]))
    with pytest.raises(ValueError, match="unknown activation 'gelu' for layer 2"):
        Network.from_dict(with_(activations="gelu"))
    with pytest.raises(ValueError, match="activations must be a name or a list of names"):
        Network.from_dict(with_(activations={"2": "tanh"}))
    with pytest.raises(ValueError, match="unknown cost 'hinge'"):
        Network.from_dict(with_(cost="hinge"))
    with pytest.raises(ValueError, match="cost must be a name"):
        Network.from_dict(with_(cost=None))
    with pytest.raises(ValueError, match="softmax is allowed on the output layer only"):
        Network.from_dict(with_(activations=["softmax", "softmax"]))
    with pytest.raises(ValueError, match="log_likelihood cost belongs with a softmax output"):
        Network.from_dict(with_(activations=["tanh", "tanh"]))
    with pytest.raises(ValueError, match="sigmoid or softmax on the output layer"):
        Network.from_dict(with_(activations=["tanh", "tanh"], cost="cross_entropy"))


def test_a_file_with_log_likelihood_on_sigmoid_outputs_says_what_to_change():
    with pytest.raises(ValueError, match="use softmax on the output layer .*, or the "
                                         "cross_entropy cost for sigmoid outputs"):
        Network.from_dict(with_(activations=["tanh", "sigmoid"]))
    with pytest.raises(ValueError, match="give one activation for each layer"):
        Network.from_dict(with_(activations=["tanh"]))


def test_activation_list_holding_a_list_raises_value_error():
    # JSON can hold any value in the list; an unhashable one must not escape as TypeError.
    with pytest.raises(ValueError, match="activation"):
        Network.from_dict(with_(activations=[["tanh"], "softmax"]))
