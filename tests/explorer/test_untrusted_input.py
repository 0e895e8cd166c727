"""What a user (or a hostile client) types, uploads, links or sends is bounded, checked and
shown as plain text (issue 7, items 2 to 6): the table editors take plain cell edits only,
deep nesting and Python's own error texts never reach the page, a name in a link cannot
write Markdown, links or HTML into a message, text typed into a number cell is reported,
and the messages say what was really wrong, in the notation of the tables."""

import base64
import json
import re
import sys
import zlib

import numpy as np
import pytest
from helpers.apptest import APP, GRADIENT, assert_clean, column_with, open_page, same_network
from numpy.testing import assert_allclose
from streamlit.testing.v1 import AppTest

from backprop import Network, validate
from backprop.explain.notation import pretty
from explorer import files, limits, tables
from explorer.presets import DEFAULT, PRESETS

PUNCT = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""


def link_of(doc):
    data = json.dumps(doc).encode()
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode().rstrip("=")


def hand_doc(**changes):
    net, x, y = PRESETS[DEFAULT].make()
    return {**json.loads(files.dumps(net, x, y)), **changes}


def nested(depth, leaf=1):
    """[[...[leaf]...]], ``depth`` lists deep (built without recursion)."""
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def open_link(link):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params[files.LINK_KEY] = link
    return at.run()


def shown(body):
    """What Markdown shows for ``body`` if every ASCII punctuation mark in it is escaped;
    fails if one is not (it could then start emphasis, a link, an image or HTML)."""
    bare = re.sub(r"\\[" + re.escape(PUNCT) + "]", "", body)
    assert not set(bare) & set(PUNCT), f"unescaped Markdown in {body!r}"
    assert "\n" not in body
    return re.sub(r"\\([" + re.escape(PUNCT) + "])", r"\1", body)


def python_texts(text):
    """Phrases of Python's own error messages."""
    return [p for p in ("codec", "0xff", "set_int_max_str_digits", "Exceeds the limit",
                        "Expecting", "char ", "Traceback", "recursion", "Errno")
            if p in text]


# --- item 3: deep nesting ------------------------------------------------------------------

@pytest.mark.parametrize("depth", [40, 600, 990, 5000])
def test_deep_nesting_is_a_value_error_saying_so(depth):
    with pytest.raises(ValueError, match="nests too deeply"):
        validate.as_array("x", nested(depth), 1)
    with pytest.raises(ValueError, match="nests too deeply"):
        Network([nested(depth)], [[0.0]])


def test_a_nesting_check_does_not_depend_on_the_stack_left():
    limit = sys.getrecursionlimit()
    deep = nested(120)
    sys.setrecursionlimit(150)
    try:
        with pytest.raises(ValueError, match="nests too deeply"):
            validate.as_array("x", deep, 1)
    finally:
        sys.setrecursionlimit(limit)


REPRO = {"weights": [[[0.25, 0.25], [0.25, 0.25]]], "biases": [[0, 0]], "x": nested(600)}


def test_the_deep_link_of_the_review_is_a_value_error():
    with pytest.raises(ValueError, match="x nests too deeply"):
        files.from_link(link_of(REPRO))
    with pytest.raises(ValueError, match="x nests too deeply"):
        files.loads(json.dumps(REPRO))


def test_a_deep_link_shows_a_message_and_the_preset():
    at = open_link(link_of(REPRO))
    assert_clean(at)
    errors = [shown(e.value) for e in at.error]
    assert len(errors) == 1 and "nests too deeply" in errors[0], errors
    same_network(at.session_state["net"], PRESETS[DEFAULT].make()[0])
    assert at.sidebar.selectbox(key="_preset").value == DEFAULT


def test_a_deep_upload_shows_a_message_and_keeps_the_network():
    at = open_page("network")
    at.sidebar.number_input(key="_seed").set_value(5).run()
    before = at.session_state["net"]
    at.file_uploader(key="_upload").upload(
        "deep.json", json.dumps({**hand_doc(), "y": nested(800)}).encode(),
        "application/json").run()
    assert_clean(at)
    assert any("y nests too deeply" in shown(e.value) for e in at.error)
    same_network(at.session_state["net"], before)


@pytest.mark.parametrize("data, says", [
    (b"\xff\xfe{}", "is not text"),
    (b'{"weights": [[[1' + b"1" * 5000 + b']]], "biases": [[0]]}', "too many digits"),
    (b'{"weights": [[[1.0]]], "biases": [[0]], "x": [' + b"9" * 5000 + b"]}", "too many digits"),
    (b'{"weights": [[[1.0]]] "biases": [[0]]}', "not valid JSON"),
    (b"{nope", "not valid JSON"),
])
def test_python_error_texts_are_replaced_by_the_apps_words(data, says):
    for read in (files.loads, lambda d: files.from_link(
            base64.urlsafe_b64encode(zlib.compress(d, 9)).decode())):
        with pytest.raises(ValueError) as e:
            read(data)
        assert says in str(e.value) and not python_texts(str(e.value)), str(e.value)


def test_an_upload_that_is_not_text_says_so_on_the_page():
    at = open_page("network")
    at.file_uploader(key="_upload").upload("n.json", b"\xff" * 100, "application/json").run()
    assert_clean(at)
    texts = [shown(e.value) for e in at.error]
    assert len(texts) == 1 and "is not text" in texts[0] and not python_texts(texts[0])


# --- item 4: what a user wrote is plain text --------------------------------------------

EVIL = ["**Session expired.** [Log in again](https://evil.example/login) "
        "![](https://evil.example/pixel.png)",
        "see https://evil.example/login now",
        "www.evil.example",
        "<img src='https://evil.example/p.png'><b>bold</b>",
        "$x^2$ :red[alarm] :material/warning: # head\n\n- list",
        "x" * 60_000]


@pytest.mark.parametrize("evil", EVIL)
@pytest.mark.parametrize("field", ["cost", "activations"])
def test_a_name_in_a_link_is_shown_as_short_plain_text(evil, field):
    at = open_link(link_of(hand_doc(**{field: evil})))
    assert_clean(at)
    assert len(at.error) == 1
    text = shown(at.error[0].value)
    flat = " ".join(evil.split())
    assert pretty(flat[:30]) in text         # the start of it is quoted (x^2 written x²) ...
    assert len(text) < 300                   # ... shortened to 40 characters
    assert len(flat) <= 40 or pretty(flat[:41]) not in text
    assert "pixel.png" not in text


def test_an_uploaded_files_name_is_plain_text_too():
    at = open_page("network")
    name = "**bold** [x](https://evil.example) <b>" + "n" * 80 + ".json"
    at.file_uploader(key="_upload").upload(name, b"{}", "application/json").run()
    assert_clean(at)
    text = shown(at.error[0].value)
    assert "**bold** [x](" in text and "n" * 60 not in text


def test_validate_quotes_a_long_name_shortened():
    for call in (lambda: validate.cost_name("c" * 60_000, "sigmoid", 3),
                 lambda: validate.activation_names(["a" * 60_000], 2),
                 lambda: Network.from_dict({**hand_doc(), "format": "f" * 60_000})):
        with pytest.raises(ValueError) as e:
            call()
        assert len(str(e.value)) < 200 and not re.search(r"(.)\1{40}", str(e.value))


# --- item 5: text in a number cell ---------------------------------------------------------

def edit(at, key, row, column, value):
    at.session_state[key] = {"edited_rows": {str(row): {column: value}}, "added_rows": [],
                             "deleted_rows": []}
    return at.run()


@pytest.mark.parametrize("typed, says", [
    ("abc", "holds 'abc', which is not a number"), ("-", "holds '-', which is not a number"),
    ("", "is empty"), ("1e400", "is infinite"), ("2000", "between −1000 and 1000")])
def test_text_typed_into_a_cell_is_reported_and_the_numbers_kept(typed, says):
    at = open_page("network")
    before, v = at.session_state["net"], at.session_state["version"]
    edit(at, f"w2_{v}", 0, "k=2", typed)
    assert_clean(at)
    beside = [shown(e.value) for e in column_with(at, f"w2_{v}").error]
    assert len(beside) == 1 and says in beside[0] and "last valid w²" in beside[0], beside
    same_network(at.session_state["net"], before)


def test_cells_are_edited_as_text_so_the_browser_sends_what_was_typed():
    """A number column turns "abc" into 0 in the browser before the server sees it."""
    at = open_page("network")
    for d in at.data_editor:
        config = json.loads(d.proto.columns)
        cells = {c: v for c, v in config.items() if c in d.value.columns}
        assert cells and len(cells) == len(d.value.columns), config
        assert all(v["type_config"]["type"] == "text" for v in cells.values()), config


def test_cells_show_every_digit_and_an_edit_keeps_the_others_exact():
    at = open_page("network")
    at.sidebar.number_input(key="_seed").set_value(3).run()
    net, v = at.session_state["net"], at.session_state["version"]
    shown_w3 = next(d for d in at.data_editor if d.key == f"w3_{v}").value
    assert_allclose(shown_w3.to_numpy(float), net.w[3], rtol=0, atol=0)
    edit(at, f"w3_{v}", 1, "k=1", " −0.25 ")
    w3 = net.w[3].copy()
    w3[1, 0] = -0.25
    assert_allclose(at.session_state["net"].w[3], w3, rtol=0, atol=0)
    assert_allclose(at.session_state["net"].w[2], net.w[2], rtol=0, atol=0)


def test_the_page_says_what_range_a_cell_takes():
    at = open_page("network")
    assert any(f"{limits.MAX_ABS:g}" in m.value for m in [*at.markdown, *at.caption])


# --- item 2: editor states that are not plain cell edits ---------------------------------

SHAPE_2x2 = tables.matrix_table(np.zeros((2, 2)))


@pytest.mark.parametrize("state, says", [
    ({"edited_rows": {}, "added_rows": [{"k=1": 1}], "deleted_rows": []}, "added or removed"),
    ({"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}, "added or removed"),
    ({"edited_rows": {"2": {"k=1": 1}}, "added_rows": [], "deleted_rows": []}, "no row"),
    ({"edited_rows": {"-1": {"k=1": 1}}, "added_rows": [], "deleted_rows": []}, "no row"),
    ({"edited_rows": {"x": {"k=1": 1}}, "added_rows": [], "deleted_rows": []}, "no row"),
    ({"edited_rows": {"0": {"k=9": 1}}, "added_rows": [], "deleted_rows": []}, "no column"),
    ({"edited_rows": {"0": {"_index": "j=7"}}, "added_rows": [], "deleted_rows": []},
     "no column"),
    ({"edited_rows": {"0": {"k=1": [1, 2]}}, "added_rows": [], "deleted_rows": []}, "a cell"),
    ({"edited_rows": {"0": {"k=1": "1" * 100}}, "added_rows": [], "deleted_rows": []},
     "characters"),
    ({"edited_rows": {"0": ["k=1"]}, "added_rows": [], "deleted_rows": []}, "a cell"),
    ({"edited_rows": [], "added_rows": [], "deleted_rows": []}, "a cell"),
    ({"edited_rows": {}, "added_rows": [], "deleted_rows": [], "column_order": []},
     "added or removed"),
    ("not a state", "a cell"),
])
def test_an_editor_state_that_is_not_a_plain_cell_edit_is_refused(state, says):
    with pytest.raises(ValueError, match=says):
        tables.check_edits(state, SHAPE_2x2)


def test_plain_cell_edits_are_accepted():
    for state in (None, {}, {"edited_rows": {}, "added_rows": [], "deleted_rows": []},
                  {"edited_rows": {"1": {"k=2": "0.5"}, 0: {"k=1": None, "k=2": 3}},
                   "added_rows": [], "deleted_rows": []}):
        tables.check_edits(state, SHAPE_2x2)


@pytest.mark.parametrize("rows", [1, 8000])
def test_added_rows_are_refused_beside_the_table_and_the_network_kept(rows):
    at = open_page("network")
    before, v, x = at.session_state["net"], at.session_state["version"], at.session_state["x"]
    at.session_state[f"x_{v}"] = {"edited_rows": {"0": {"x": "0.7"}},
                                  "added_rows": [{"_index": f"r{i}", "x": 1}
                                                 for i in range(rows)],
                                  "deleted_rows": []}
    at.run()
    assert_clean(at)
    beside = [shown(e.value) for e in column_with(at, f"x_{v}").error]
    assert len(beside) == 1 and "added or removed" in beside[0], beside
    assert_allclose(at.session_state["x"], x, rtol=0, atol=0)
    same_network(at.session_state["net"], before)
    assert len(next(d for d in at.data_editor if d.key == f"x_{v}").value) == len(x)


# --- item 6: the learning rate and the wording of messages --------------------------------

@pytest.mark.parametrize("eta", [1e9, -5.0, 0.0])
def test_an_eta_out_of_range_is_reported_and_no_step_taken(eta):
    at = open_page("gradient")
    before = at.session_state["net"]
    at.number_input(key="_eta").set_value(eta).run()
    assert_clean(at)
    assert at.number_input(key="_eta").value == eta         # the η shown ...
    errors = [shown(e.value) for e in at.error]
    assert any("between 0.0001 and 100" in e for e in errors), errors
    assert at.button(key="sgd1").disabled and at.button(key="sgd10").disabled
    same_network(at.session_state["net"], before)           # ... is not replaced by another
    at.number_input(key="_eta").set_value(2.0).run()
    at.button(key="sgd1").click().run()
    x, y = at.session_state["x"], at.session_state["y"]
    same_network(at.session_state["net"], before.sgd_step(x, y, 2.0))


def test_an_entry_just_above_the_limit_is_shown_with_its_digits():
    with pytest.raises(ValueError, match=r"size 1000\.0000001, above 1000"):
        limits.check_magnitude("w^2", np.array([1000.0000001]))


def test_a_file_too_large_says_its_size_in_bytes():
    with pytest.raises(ValueError) as e:
        files.loads(b" " * 65_548)
    assert "65,548 bytes" in str(e.value) and "65,536 bytes" in str(e.value), str(e.value)


@pytest.mark.parametrize("sizes", [[-2, -2], [2, 0], [2.5, 2], [True, 2], [2, "2"]])
def test_sizes_that_are_not_positive_whole_numbers_are_refused_as_such(sizes):
    with pytest.raises(ValueError, match="sizes must be whole numbers of at least 1"):
        Network.from_dict({**hand_doc(), "sizes": sizes + [2]})


def test_messages_on_the_page_write_w_as_the_tables_do():
    from test_history import linear_221

    w2_bad = hand_doc(weights=[[[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]], [[0.4, 0.45], [0.5, 0.55]]])
    at = open_link(link_of(w2_bad))
    assert "w²" in shown(at.error[0].value) and "w^2" not in shown(at.error[0].value)
    at.switch_page("pages/1_Network.py").run()
    at.file_uploader(key="_upload").upload("n.json", json.dumps(w2_bad).encode(),
                                           "application/json").run()
    texts = [shown(e.value) for e in at.error]
    assert any("w²" in t for t in texts) and not any("w^" in t for t in texts), texts
    at.file_uploader(key="_upload").upload("lin.json", linear_221(), "application/json").run()
    at.switch_page(GRADIENT).run()
    at.number_input(key="_eta").set_value(100.0).run()
    at.button(key="sgd10").click().run()     # step 2 would make w entries above 1000
    texts = [shown(e.value) for e in at.error]
    assert any("No step taken" in t and re.search("w[²³]", t) for t in texts), texts
    assert not any("^" in t for t in texts), texts


def test_gradient_matrices_show_significant_digits():
    at = open_page("gradient")
    config = json.loads(at.dataframe[0].proto.columns)        # ∂C/∂w² is 0.000458 here
    assert config["largest |backprop|"]["type_config"]["format"] == "%.4g", config
    matrices = at.dataframe[1:3]
    assert len(matrices) == 2
    for d in matrices:
        config = json.loads(d.proto.columns)
        assert set(config) == set(d.value.columns)
        assert all(c["type_config"]["format"] == "%.4g" for c in config.values()), config
