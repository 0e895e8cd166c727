"""Tables (explorer.tables), network files and links (explorer.files), the hosted limits
(explorer.limits) and the presets (explorer.presets).
"""

import base64
import json
import zlib

import numpy as np
import pandas as pd
import pytest

from backprop import Network, numerical_gradient
from explorer import files, limits, tables
from explorer.presets import DEFAULT, PRESETS, default_network


def hand():
    net = Network([[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                  [[0.35, 0.35], [0.60, 0.60]], "sigmoid", "quadratic")
    return net, np.array([0.05, 0.10]), np.array([0.01, 0.99])


# --- tables ------------------------------------------------------------------------------

def test_matrix_table_labels_rows_j_and_columns_k():
    w = np.arange(6.0).reshape(2, 3)
    df = tables.matrix_table(w)
    assert list(df.index) == ["j=1", "j=2"]
    assert list(df.columns) == ["k=1", "k=2", "k=3"]
    assert df.loc["j=2", "k=1"] == 3.0 and df.loc["j=1", "k=3"] == 2.0
    assert all(df.dtypes == np.float64)


def test_vector_table_is_one_column_with_rows_j():
    df = tables.vector_table([0.5, -1.0, 2.0], "b²")
    assert list(df.index) == ["j=1", "j=2", "j=3"]
    assert list(df.columns) == ["b²"]
    np.testing.assert_allclose(df["b²"], [0.5, -1.0, 2.0], rtol=0, atol=0)


def test_parse_table_round_trips():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3))
    out = tables.parse_table("w^2", tables.matrix_table(w), w.shape)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, w, rtol=0, atol=0)
    b = rng.standard_normal(4)
    out = tables.parse_table("b^2", tables.vector_table(b, "b"), (4,))
    assert out.shape == (4,)
    np.testing.assert_allclose(out, b, rtol=0, atol=0)


def test_parse_table_reads_numbers_typed_as_text():
    df = pd.DataFrame({"k=1": ["1.5", " -2 "], "k=2": ["1e-3", "4"]}, index=["j=1", "j=2"],
                      dtype=object)
    np.testing.assert_allclose(tables.parse_table("w^2", df, (2, 2)),
                               [[1.5, 1e-3], [-2.0, 4.0]], rtol=0, atol=0)


def float_table(n=2, m=3):
    return tables.matrix_table(np.arange(1.0, n * m + 1).reshape(n, m))


@pytest.mark.parametrize("cell,says", [(None, "empty"), (np.nan, "empty"),
                                       (np.inf, "infinite"), (-np.inf, "infinite")])
def test_parse_table_names_a_bad_number_cell(cell, says):
    df = float_table()
    df.iloc[0, 1] = cell
    with pytest.raises(ValueError, match=r"w\^2: the cell at row j=1, column k=2 .*" + says):
        tables.parse_table("w^2", df, (2, 3))


@pytest.mark.parametrize("cell,says", [("abc", "holds 'abc', which is not a number"),
                                       ("", "empty"), ("   ", "empty"), (None, "empty"),
                                       ("1,5", "not a number")])
def test_parse_table_names_a_bad_text_cell(cell, says):
    df = float_table().astype(object)
    df.iloc[1, 2] = cell
    with pytest.raises(ValueError, match=r"row j=2, column k=3 .*" + says):
        tables.parse_table("w^2", df, (2, 3))


def test_parse_table_names_the_first_bad_cell_of_a_vector():
    df = tables.vector_table([1.0, 2.0, 3.0], "b").astype(object)
    df.iloc[2, 0] = "x"
    df.iloc[1, 0] = None
    with pytest.raises(ValueError, match=r"b\^3: the cell at row j=2 is empty") as e:
        tables.parse_table("b^3", df, (3,))
    assert "column" not in str(e.value)


def test_parse_table_wrong_row_count():
    with pytest.raises(ValueError, match="w\\^2 must be 3 × 3 .*but the table is 2 × 3"):
        tables.parse_table("w^2", float_table(2, 3), (3, 3))
    with pytest.raises(ValueError, match="must be 4 × 1 .*but the table is 3 × 1"):
        tables.parse_table("b^2", tables.vector_table([1.0, 2.0, 3.0], "b"), (4,))


def test_parse_table_wrong_column_count_says_columns():
    with pytest.raises(ValueError, match="column"):
        tables.parse_table("w^2", float_table(2, 2), (2, 3))


def test_gradcheck_table_one_row_per_gradient():
    net = Network.random([3, 4, 2, 2], "tanh", "quadratic", seed=3)
    x, y = np.array([0.3, -0.2, 0.7]), np.array([0.1, 0.9])
    trace = net.backprop(x, y)
    numeric = numerical_gradient(net, x, y)
    df = tables.gradcheck_table(trace, numeric, net)
    assert list(df.index) == ["∂C/∂w²", "∂C/∂b²", "∂C/∂w³", "∂C/∂b³", "∂C/∂w⁴", "∂C/∂b⁴"]
    assert list(df.columns) == ["largest |backprop|", "largest |difference|",
                                "relative difference", "note"]
    assert (df["note"] == "").all()      # tanh: no kink; every gradient well above the noise
    for l in (2, 3, 4):
        np.testing.assert_allclose(df.loc[f"∂C/∂w{'²³⁴'[l - 2]}", "largest |backprop|"],
                                   np.max(np.abs(trace.nabla_w[l])), rtol=0, atol=0)
    assert (df["relative difference"] < 1e-7).all()
    assert (df["largest |difference|"] >= 0).all()


def test_gradcheck_table_shows_a_wrong_gradient():
    net, x, y = hand()
    trace = net.backprop(x, y)
    numeric = numerical_gradient(net, x, y)
    bad = numeric.nabla_w[3].copy()
    bad[1, 0] += 0.01
    wrong = type(numeric)(numeric.nabla_w.replace(3, bad), numeric.nabla_b, numeric.cost)
    df = tables.gradcheck_table(trace, wrong)
    np.testing.assert_allclose(df.loc["∂C/∂w³", "largest |difference|"], 0.01, rtol=1e-4)
    assert df.loc["∂C/∂w³", "relative difference"] > 0.05
    assert (df.drop(index="∂C/∂w³")["relative difference"] < 1e-7).all()


# --- files -------------------------------------------------------------------------------

def nets():
    yield hand()
    yield (Network.random([3, 4, 3], ["relu", "softmax"], "log_likelihood", seed=2),
           np.array([0.1, -0.2, 0.3]), np.array([0.0, 1.0, 0.0]))
    yield (Network.random([2, 3, 3, 1], ["tanh", "linear", "sigmoid"], "cross_entropy", seed=4),
           np.array([1.0, -1.0]), np.array([0.25]))


@pytest.mark.parametrize("i", range(3))
@pytest.mark.parametrize("as_bytes", [False, True])
def test_dumps_loads_round_trip(i, as_bytes):
    net, x, y = list(nets())[i]
    text = files.dumps(net, x, y)
    net2, x2, y2 = files.loads(text.encode() if as_bytes else text)
    assert net2.sizes == net.sizes
    assert net2.activations.values() == net.activations.values()
    assert net2.cost == net.cost
    for l in net.w:
        np.testing.assert_allclose(net2.w[l], net.w[l], rtol=0, atol=0)
        np.testing.assert_allclose(net2.b[l], net.b[l], rtol=0, atol=0)
    np.testing.assert_allclose(x2, x, rtol=0, atol=0)
    np.testing.assert_allclose(y2, y, rtol=0, atol=0)
    np.testing.assert_allclose(net2.backprop(x2, y2).cost, net.backprop(x, y).cost,
                               rtol=0, atol=0)


def doc():
    net, x, y = hand()
    return json.loads(files.dumps(net, x, y))


def load_doc(d):
    return files.loads(json.dumps(d))


def test_loads_rejects_a_file_too_large():
    data = b" " * (limits.MAX_UPLOAD_BYTES + 1)
    with pytest.raises(ValueError, match=f"at most {limits.MAX_UPLOAD_BYTES:,} bytes"):
        files.loads(data)
    # just below the limit, the size is fine (and the blank document is not JSON)
    with pytest.raises(ValueError, match="not valid JSON"):
        files.loads(b" " * limits.MAX_UPLOAD_BYTES)


@pytest.mark.parametrize("data", [b"{nope", b"", b"\x80\x81", "{'single': 'quotes'}"])
def test_loads_rejects_what_is_not_json(data):
    with pytest.raises(ValueError, match="not valid JSON"):
        files.loads(data)


@pytest.mark.parametrize("data", [b"[1, 2]", b"3", b'"text"', b"null"])
def test_loads_rejects_json_that_is_not_an_object(data):
    with pytest.raises(ValueError, match="one JSON object"):
        files.loads(data)


def test_loads_rejects_a_string_inside_the_weights():
    d = doc()
    d["weights"][0][0][1] = "0.2"
    with pytest.raises(ValueError, match="weights must hold only numbers"):
        load_doc(d)


@pytest.mark.parametrize("keep_sizes", [True, False])
def test_loads_rejects_too_many_layers(keep_sizes):
    L = limits.MAX_LAYERS + 1
    net = Network.random([2] * L, seed=0)
    d = json.loads(files.dumps(net, [0, 0], [0, 0]))
    if not keep_sizes:
        del d["sizes"]
    with pytest.raises(ValueError, match=f"{L} layers.*{limits.MAX_LAYERS}"):
        load_doc(d)
    # the largest allowed is fine
    net = Network.random([2] * limits.MAX_LAYERS, seed=0)
    files.loads(files.dumps(net, [0, 0], [0, 0]))


def test_loads_rejects_too_many_neurons():
    n = limits.MAX_NEURONS + 1
    net = Network.random([2, n, 2], seed=0)
    with pytest.raises(ValueError, match=f"layer 2 has {n} neurons; at most "
                                         f"{limits.MAX_NEURONS}"):
        files.loads(files.dumps(net, [0, 0], [0, 0]))
    net = Network.random([2, limits.MAX_NEURONS, 2], seed=0)
    files.loads(files.dumps(net, [0, 0], [0, 0]))


def with_entry(where, value):
    d = doc()
    target = d
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return d


ENTRIES = [(("weights", 1, 1, 0), "w\\^3"), (("biases", 0, 1), "b\\^2"), (("x", 0), "x"),
           (("y", 1), "y")]


@pytest.mark.parametrize("where,name", ENTRIES)
def test_loads_rejects_an_entry_above_max_abs(where, name):
    load_doc(with_entry(where, limits.MAX_ABS))
    load_doc(with_entry(where, -limits.MAX_ABS))
    with pytest.raises(ValueError, match=rf"{name} has an entry of size 1500\b.*entries must "
                                         "lie between −1000 and 1000"):
        load_doc(with_entry(where, -1500.0))


@pytest.mark.parametrize("where,name", ENTRIES[:1])
def test_an_entry_just_above_max_abs_is_shown_as_above_it(where, name):
    with pytest.raises(ValueError, match=rf"{name} has an entry of size 1000\.5"):
        load_doc(with_entry(where, 1000.5))


@pytest.mark.parametrize("key,value,says", [("x", [0.1, 0.2, 0.3], "x must have n_1 = 2"),
                                            ("x", [0.1], "x must have n_1 = 2"),
                                            ("y", [0.1, 0.2, 0.3], "y must have n_3 = 2"),
                                            ("x", "0.1, 0.2", "x must"),
                                            ("cost", "hinge", "unknown cost"),
                                            ("activations", "swish", "unknown activation")])
def test_loads_rejects_a_bad_example_or_name(key, value, says):
    d = doc()
    d[key] = value
    with pytest.raises(ValueError, match=says):
        load_doc(d)


@pytest.mark.parametrize("token,says", [("NaN", "NaN"), ("Infinity", "infinite"),
                                        ("-Infinity", "infinite")])
def test_loads_rejects_nan_and_infinity_tokens(token, says):
    # json.loads accepts these tokens, so they arrive as floats
    text = files.dumps(*hand())
    assert "0.15" in text
    with pytest.raises(ValueError, match=rf"w\^2 has (an )?{says}.* row j=1, column k=1"):
        files.loads(text.replace("0.15", token, 1))
    d = doc()
    d["x"][1] = float(token.replace("Infinity", "inf"))
    with pytest.raises(ValueError, match=rf"x has (an )?{says}.* entry 2"):
        load_doc(d)


@pytest.mark.parametrize("data", ["[" * 30000 + "]" * 30000,
                                  '{"weights": ' + "[" * 30000 + "]" * 30000 + "}"])
def test_loads_rejects_a_deeply_nested_document(data):
    assert len(data) <= limits.MAX_UPLOAD_BYTES
    with pytest.raises(ValueError):
        files.loads(data)


def test_a_link_to_a_deeply_nested_document_is_a_value_error():
    link = base64.urlsafe_b64encode(zlib.compress(b"[" * 30000 + b"]" * 30000, 9)).decode()
    assert len(link) < 200
    with pytest.raises(ValueError):
        files.from_link(link)


def test_links_round_trip():
    for net, x, y in nets():
        link = files.to_link(net, x, y)
        assert set(link) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789-_")
        net2, x2, y2 = files.from_link(link)
        for l in net.w:
            np.testing.assert_allclose(net2.w[l], net.w[l], rtol=0, atol=0)
        np.testing.assert_allclose(x2, x, rtol=0, atol=0)
        np.testing.assert_allclose(y2, y, rtol=0, atol=0)
    # the largest networks do not fit in a link (the page then offers none), and a link
    # that long is refused rather than half read
    net = Network.random([limits.MAX_NEURONS] * limits.MAX_LAYERS, seed=0)
    link = files.to_link(net, np.zeros(16), np.zeros(16))
    assert len(link) > files.MAX_LINK_CHARS
    with pytest.raises(ValueError, match="longer than"):
        files.from_link(link)


def test_bad_links_are_value_errors():
    link = files.to_link(*hand())
    for bad in (link[:-12], link[: len(link) // 2], "%%%%", "", "A" * 7):
        with pytest.raises(ValueError):
            files.from_link(bad)
    with pytest.raises(ValueError, match="longer than"):
        files.from_link("A" * (files.MAX_LINK_CHARS + 1))
    with pytest.raises(ValueError):
        files.from_link(None)
    # a zip bomb: a few hundred characters that inflate to a megabyte are cut off
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 10**6, 9)).decode()
    assert len(bomb) < files.MAX_LINK_CHARS
    with pytest.raises(ValueError, match="kB"):
        files.from_link(bomb)


# --- limits and presets ------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_build_within_limits(name):
    p = PRESETS[name]
    assert p.name == name and p.blurb
    net, x, y = p.make()
    limits.check_network(net, x, y)
    assert len(x) == net.sizes[0] and len(y) == net.sizes[-1]
    assert limits.MIN_LAYERS <= net.L <= limits.MAX_LAYERS
    trace = net.backprop(x, y)
    assert np.isfinite(trace.cost)
    # a preset survives a download and upload unchanged
    net2, x2, y2 = files.loads(files.dumps(net, x, y))
    np.testing.assert_allclose(net2.backprop(x2, y2).cost, trace.cost, rtol=0, atol=0)


def test_the_default_is_the_hand_worked_network():
    assert DEFAULT in PRESETS
    net, x, y = default_network()
    # C = ½(0.01 − 0.751365)² + ½(0.99 − 0.772928)² = 0.298371 (see test_explain.py)
    np.testing.assert_allclose(net.backprop(x, y).cost, 0.298371, atol=5e-7)


def test_the_softmax_preset_has_a_one_hot_target():
    net, x, y = PRESETS["Softmax classifier"].make()
    assert net.activations[net.L] == "softmax" and net.cost == "log_likelihood"
    assert sorted(y) == [0.0] * (len(y) - 1) + [1.0]


def test_the_deep_chain_delta_shrinks_going_back():
    net, x, y = PRESETS["Deep sigmoid chain"].make()
    trace = net.backprop(x, y)
    L = net.L
    assert L >= 5 and set(net.activations.values()) == {"sigmoid"}
    mean = {l: float(np.mean(np.abs(trace.delta[l]))) for l in range(2, L + 1)}
    for l in range(2, L - 1):
        assert mean[l] < mean[l + 1], mean
    # σ' ≤ ¼ each time: over L − 2 steps back, the error shrinks by orders of magnitude
    assert mean[2] < mean[L - 1] / 10


def test_check_network_limits():
    ok = Network.random([limits.MAX_NEURONS, 2], seed=0)
    limits.check_network(ok, np.full(16, limits.MAX_ABS), [-limits.MAX_ABS, 0])
    with pytest.raises(ValueError, match=f"{limits.MAX_LAYERS + 1} layers"):
        limits.check_network(Network.random([1] * (limits.MAX_LAYERS + 1), seed=0))
    with pytest.raises(ValueError, match="layer 1 has 17 neurons"):
        limits.check_network(Network.random([17, 2], seed=0))
    big = ok.replace(biases=[[0.0, 1001.0]])
    with pytest.raises(ValueError, match=r"b\^2 has an entry of size 1001"):
        limits.check_network(big)
    with pytest.raises(ValueError, match="y has an entry"):
        limits.check_network(ok, np.zeros(16), [0, 1e4])


def test_check_eta():
    assert limits.check_eta(limits.ETA_MIN) == limits.ETA_MIN
    assert limits.check_eta("0.5") == 0.5
    assert limits.check_eta(limits.ETA_MAX) == limits.ETA_MAX
    for bad in (0.0, -1.0, limits.ETA_MIN / 2, limits.ETA_MAX * 2, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="learning rate"):
            limits.check_eta(bad)
