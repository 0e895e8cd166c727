"""The exports (backprop.export): the NumPy script run in a fresh interpreter gives the
trace's numbers; the worksheet hides its blanks and its key holds the package's values; the
Moodle quiz is well-formed Moodle XML whose answers are the package's values.

Layer numbering is that of NOTATION.md: layer 1 is the input, w^l is n_l × n_{l−1}.
"""

import ast
import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import import_module

import numpy as np
import pytest

from backprop import Network
from backprop.explain import explain
from backprop.explain.steps import steps
from backprop.export import moodle_quiz, numpy_script, worksheet

HIDDEN = ("sigmoid", "tanh", "relu", "linear")
OUTPUT = ("sigmoid", "tanh", "relu", "linear", "softmax")
# The log costs take ln a^L: the package accepts cross_entropy for sigmoid and softmax
# outputs, and the log-likelihood for softmax only.
ACCEPTED = [(out, cost) for cost in ("quadratic", "cross_entropy", "log_likelihood")
            for out in OUTPUT if cost == "quadratic" or out == "softmax"
            or (cost, out) == ("cross_entropy", "sigmoid")]


# --- the NumPy script ------------------------------------------------------------------

def run_script(text, tmp_path):
    """Run ``text`` as a file in a fresh, isolated interpreter (-I: neither the repo nor
    PYTHONPATH on sys.path) from an empty directory; return {(quantity, l): array}."""
    path = tmp_path / "backprop_example.py"
    path.write_text(text, encoding="utf-8")
    run = subprocess.run([sys.executable, "-I", str(path)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""           # not even a RuntimeWarning
    out = {}
    for line in run.stdout.splitlines():
        q, l, rows, cols, *vals = line.split()
        assert (q, int(l)) not in out, line
        out[q, int(l)] = np.array([float(v) for v in vals]).reshape(int(rows), int(cols))
    return out


def assert_matches_trace(printed, net, trace):
    L = net.L
    assert set(printed) == ({("a", 1), ("cost", L)} | {
        (q, l) for l in range(2, L + 1) for q in ("z", "a", "sp", "delta", "nabla_b", "nabla_w")})
    np.testing.assert_array_equal(printed["a", 1][:, 0], trace.x)   # repr() round-trips
    np.testing.assert_allclose(printed["cost", L][0, 0], trace.cost, rtol=1e-12, atol=0)
    for l in range(2, L + 1):
        for q in ("z", "a", "delta", "nabla_b"):
            np.testing.assert_allclose(printed[q, l][:, 0], getattr(trace, q)[l],
                                       rtol=1e-12, atol=0, err_msg=f"{q}^{l}")
        np.testing.assert_allclose(printed["nabla_w", l], trace.nabla_w[l], rtol=1e-12, atol=0)
        sp = printed["sp", l]
        np.testing.assert_allclose(sp if sp.shape[1] > 1 else sp[:, 0], trace.sp[l],
                                   rtol=1e-12, atol=0, err_msg=f"sp^{l}")


@pytest.mark.parametrize("out, cost", ACCEPTED)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_script_prints_the_trace(hidden, out, cost, tmp_path):
    # two hidden layers, the second with the next hidden activation, so mixed networks
    # run too; x holds numbers whose decimal form is long (0.1 + 0.2) or tiny
    second = HIDDEN[(HIDDEN.index(hidden) + 1) % len(HIDDEN)]
    net = Network.random([3, 4, 3, 3], [hidden, second, out], cost,
                         seed=HIDDEN.index(hidden) * 10 + OUTPUT.index(out))
    x, y = [0.1 + 0.2, -1.3, 1e-300], [0.0, 1.0, 0.25]
    text = numpy_script(net, x, y)
    imports = {a.name.split(".")[0] for node in ast.walk(ast.parse(text))
               if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
    assert imports == {"numpy"}
    assert_matches_trace(run_script(text, tmp_path), net, net.backprop(x, y))


@pytest.mark.parametrize("out, cost", [(o, c) for o, c in ACCEPTED if o in ("sigmoid", "softmax")])
def test_script_keeps_the_stable_forms_on_saturated_outputs(out, cost, tmp_path):
    # z^L of several tens: a^L rounds to 0 or 1, where ln a and a/(1 − a) taken from a
    # would be infinite; the script takes them from z, as the package does
    net = Network([[[40.0, -1.0], [-38.0, 2.0], [1.0, 45.0]]], [[0.5, -0.5, 1.0]], out, cost)
    x, y = [1.0, 0.2], [0.0, 1.0, 1.0]
    trace = net.backprop(x, y)
    assert np.isfinite(trace.cost) and np.all(np.isfinite(trace.delta[2]))
    assert_matches_trace(run_script(numpy_script(net, x, y), tmp_path), net, trace)


def test_script_states_the_notation_and_every_equation():
    net = Network.random([2, 3, 2], ["tanh", "sigmoid"], "cross_entropy", seed=3)
    text = numpy_script(net, [0.5, -1.0], [1.0, 0.0])
    assert "layer 1 is the input" in text
    for comment in ("z^2 = w^2 a^1 + b^2", "z^3 = w^3 a^2 + b^3", "a^3 = σ(z^3)",
                    "(BP1) δ^L = a^L − y", "(BP2) δ^2 = ((w^3)ᵀ δ^3) ∘ σ'(z^2)",
                    "(BP3) ∂C/∂b^l = δ^l", "(BP4) ∂C/∂w^l = δ^l (a^(l-1))ᵀ"):
        assert "# " + comment in text, comment
    assert "w[3] = np.array([\n    [" in text


def test_script_refuses_a_bad_example():
    net = Network.random([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="x must have n_1 = 2 entries"):
        numpy_script(net, [1.0, 2.0, 3.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        numpy_script(net, [1.0, 2.0], [float("nan"), 1.0])


# --- the worksheet ---------------------------------------------------------------------

class Page(HTMLParser):
    """Every tag (checked to nest properly), the page's text, and each table by caption."""

    VOID = {"meta", "br", "hr", "img", "link", "input"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.stack, self.text = [], [], [], []
        self.tables, self._caption, self._row = {}, None, None
        self.feed(text)
        self.close()
        assert self.stack == [], f"unclosed tags: {self.stack}"

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [v or "" for _, v in attrs]
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "table":
            self._rows = []
        elif tag == "tr":
            self._rows.append([])
        elif tag == "td":
            self._rows[-1].append("")
        elif tag == "caption":
            self._caption = ""

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag == "table":
            self.tables[self._caption] = self._rows

    def handle_data(self, data):
        self.text.append(data)
        if self.stack[-1:] == ["td"]:
            self._rows[-1][-1] += data
        elif self.stack[-1:] == ["caption"]:
            self._caption += data


_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
LABEL_TEX = {"z": "z^{{{}}}", "a": "a^{{{}}}", "delta": r"\delta^{{{}}}", "cost": "C_x",
             "nabla_b": r"\frac{{\partial C}}{{\partial b^{{{}}}}}",
             "nabla_w": r"\frac{{\partial C}}{{\partial w^{{{}}}}}"}
LABEL_TEXT = {"z": "z{}", "a": "a{}", "delta": "δ{}", "cost": "Cₓ", "nabla_b": "∂C/∂b{}",
              "nabla_w": "∂C/∂w{}"}


def matrix(sheet, fmt, q, l):
    """The cells of quantity q of layer l as the worksheet shows them, as text rows."""
    sup = str(l).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    if fmt == "html":
        return Page(sheet).tables[LABEL_TEXT[q].format(sup)]
    label = re.escape(LABEL_TEX[q].format(l) + r" = \begin{bmatrix}")
    body = re.search(label + r"(.*?)\\end\{bmatrix\}\$\$", sheet).group(1)
    return [row.split(" & ") for row in body.split(r" \\ ")]


def cell_of(trace, q, l, r, c):
    if q == "cost":
        return trace.cost
    return trace.nabla_w[l][r, c] if q == "nabla_w" else getattr(trace, q)[l][r]


def blank_numbers(sheet, fmt, net, trace):
    """{cell (q, l, j, k): n} for every cell shown as the blank (n); and the shown text of
    every other cell."""
    blanks, shown = {}, {}
    for q in ("z", "a", "cost", "delta", "nabla_b", "nabla_w"):
        for l in ([net.L] if q == "cost" else range(2, net.L + 1)):
            for r, row in enumerate(matrix(sheet, fmt, q, l)):
                for c, text in enumerate(row):
                    cell = (q, l, None if q == "cost" else r + 1, c + 1 if q == "nabla_w" else None)
                    m = re.fullmatch(r"(?:\\boxed\{)?\((\d+)\)\}?", text.strip())
                    if m:
                        blanks[cell] = int(m.group(1))
                    else:
                        shown[cell] = text.strip()
    return blanks, shown


def key_answers(key, fmt):
    """{n: the answer the key gives for blank (n)}."""
    text = "".join(Page(key).text) if fmt == "html" else key
    found = re.findall(r"\((\d+)\) [^\n]*\n+Answer: [*`]?([-+.\deE]+)", text)
    return {int(n): float(v) for n, v in found}


WORKSHEET_NETS = [
    # (sizes, activations, cost, x, y, blanks)
    ([2, 3, 2], "sigmoid", "quadratic", [0.5, -1.2], [1.0, 0.0],
     [("z", 2, 1, None), ("a", 3, 2, None), ("cost", 3, None, None), ("delta", 3, 1, None),
      ("delta", 2, 3, None), ("nabla_w", 2, 2, 1), ("nabla_b", 3, 2, None)]),
    ([3, 4, 3], ["tanh", "softmax"], "log_likelihood", [0.3, -0.7, 2.0], [0.0, 1.0, 0.0],
     [("nabla_w", 3, 1, 4), ("delta", 2, 2, None), ("a", 3, 3, None), ("z", 3, 1, None)]),
    # x_1 = 1: ∂C/∂w^2_j1 = δ^2_j; linear and relu (z > 0) layers: a = z
    ([2, 3, 3, 2], ["relu", "linear", "sigmoid"], "cross_entropy", [1.0, 0.4], [0.0, 1.0],
     [("delta", 2, 1, None), ("delta", 2, 2, None), ("delta", 2, 3, None), ("z", 2, 1, None),
      ("z", 2, 2, None), ("z", 2, 3, None), ("a", 3, 2, None), ("nabla_b", 4, 1, None)]),
]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("case", range(len(WORKSHEET_NETS)))
def test_worksheet_hides_its_blanks_and_the_key_holds_the_answers(case, fmt):
    sizes, acts, cost, x, y, asked = WORKSHEET_NETS[case]
    net = Network.random(sizes, acts, cost, seed=case + 7)
    trace = net.backprop(x, y)
    sheet, key = worksheet(net, x, y, asked, fmt=fmt)
    blanks, shown = blank_numbers(sheet, fmt, net, trace)
    # every asked cell is a blank; blanks are numbered 1, 2, … in the order they appear
    assert set(asked) <= set(blanks)
    assert sorted(blanks.values()) == list(range(1, len(blanks) + 1))
    order = [sheet.index(f"({n})") for n in range(1, len(blanks) + 1)]
    assert order == sorted(order)
    # a blank's number is nowhere in the worksheet, at any precision a reader could use
    for cell in blanks:
        v = float(cell_of(trace, cell[0], cell[1], (cell[2] or 1) - 1, (cell[3] or 1) - 1))
        for digits in range(4, 11):
            s = f"{v:.{digits}g}"
            if len(s.lstrip("-")) >= 5:
                assert s not in sheet, (cell, s)
    # the other cells show their numbers
    for (q, l, j, k), text in shown.items():
        v = cell_of(trace, q, l, (j or 1) - 1, (k or 1) - 1)
        np.testing.assert_allclose(float(text.replace("×10", "e").translate(_SUP).replace(
            "⁻", "-").replace(r"\times10^{", "e").rstrip("}")), v, rtol=5e-6, atol=1e-300)
    # the key: one answer per blank, the package's value, with explain's derivation
    answers = key_answers(key, fmt)
    assert set(answers) == set(blanks.values())
    for cell, n in blanks.items():
        d = explain(net, trace, *cell)
        np.testing.assert_allclose(answers[n], d.value, rtol=1e-9, atol=1e-300)
        for line in d.lines:
            assert (f"<code>{html.escape(line)}</code>" if fmt == "html" else f"$${line}$$") in key
    # every step is there with its equation
    for s in steps(net, trace):
        for tex in (s.rule, s.shapes):
            assert (f"<code>{html.escape(tex)}</code>" if fmt == "html" else f"$${tex}$$") in sheet


def test_worksheet_blanks_the_twins_of_a_blank():
    # BP3 prints δ^l_j again as ∂C/∂b^l_j; x_1 = 1 prints δ^2_j again as ∂C/∂w^2_j1
    net = Network.random([2, 3, 2], "sigmoid", "quadratic", seed=4)
    trace = net.backprop([1.0, 0.3], [0.0, 1.0])
    sheet, _ = worksheet(net, [1.0, 0.3], [0.0, 1.0], [("delta", 2, 2, None)])
    blanks, _ = blank_numbers(sheet, "markdown", net, trace)
    assert set(blanks) == {("delta", 2, 2, None), ("nabla_b", 2, 2, None), ("nabla_w", 2, 2, 1)}
    sheet, _ = worksheet(net, [0.5, 0.3], [0.0, 1.0], [("nabla_b", 3, 1, None)])
    blanks, _ = blank_numbers(sheet, "markdown", net, net.backprop([0.5, 0.3], [0.0, 1.0]))
    assert set(blanks) == {("delta", 3, 1, None), ("nabla_b", 3, 1, None)}


def test_worksheet_html_is_self_contained_and_escaped():
    # relu's σ' is written [z > 0]: the > must reach the page as text, escaped
    net = Network.random([2, 3, 2], ["relu", "sigmoid"], "quadratic", seed=1)
    x, y = [1.0, 2.0], [0.0, 1.0]
    sheet, key = worksheet(net, x, y, [("delta", 2, 1, None), ("a", 2, 1, None)], fmt="html")
    for page in (sheet, key):
        assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
        parsed = Page(page)
        assert not {"script", "link", "iframe", "img", "object", "embed"} & set(parsed.tags)
        assert not any("//" in v or v.lower().startswith(("http", "javascript"))
                       for v in parsed.attrs)
    line = explain(net, net.backprop(x, y), "delta", 2, 1).lines[2]
    assert ">" in line and html.escape(line) in key and line not in key
    assert line in "".join(Page(key).text)


@pytest.mark.parametrize("blanks, message", [
    ([("w", 2, 1, 1)], "only computed numbers"),
    ([("a", 1, 1, None)], "only computed numbers"),
    ([("delta", 4, 1, None)], "layers 2..3, not layer 4"),
    ([("delta", 2, 9, None)], "j must be a neuron of layer 2: 1..3"),
    ([("nabla_w", 2, 1, None)], "k must be a neuron of layer 1"),
    ([("z", "2", 1, None)], "l must be a whole number"),
    (["delta"], "a cell is"),
    ("delta", "as a list"),
    ([("cost", 3, None, None)] * 201, "at most 200"),
])
def test_worksheet_refuses_bad_blanks(blanks, message):
    net = Network.random([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match=re.escape(message)):
        worksheet(net, [0.1, 0.2], [0.0, 1.0], blanks)


def test_worksheet_refuses_an_unknown_format():
    net = Network.random([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="fmt must be one of markdown, html"):
        worksheet(net, [0.1, 0.2], [0.0, 1.0], [], fmt="pdf")


# --- the Moodle quiz -------------------------------------------------------------------

def questions(xml_text):
    root = ET.fromstring(xml_text.encode("utf-8"))
    assert root.tag == "quiz"
    return root


def network_of(question_html, activations, cost):
    """The network, x and y that a question prints, read back from its tables."""
    tables = Page(question_html).tables
    num = {c.translate(_SUP): [[float(t) for t in row] for row in rows]
           for c, rows in tables.items()}
    L = max(int(c[1:]) for c in num if c[0] == "w")
    net = Network([num[f"w{l}"] for l in range(2, L + 1)],
                  [[r[0] for r in num[f"b{l}"]] for l in range(2, L + 1)], activations, cost)
    return net, [r[0] for r in num["x"]], [r[0] for r in num["y"]]


QUIZ_CASES = [
    ([2, 3, 2], "sigmoid", "quadratic",
     [("delta", 2, 1, None), ("nabla_w", 3, 2, 3), ("cost", 3, None, None), ("a", 3, 1, None)]),
    ([3, 4, 3], ["relu", "softmax"], "log_likelihood", [("delta", 2, 4, None), ("z", 3, 2, None)]),
    ([2, 2, 2, 2], ["tanh", "linear", "sigmoid"], "cross_entropy", [("nabla_b", 2, 1, None)]),
]


@pytest.mark.parametrize("sizes, acts, cost, cells", QUIZ_CASES)
def test_moodle_quiz_is_moodle_xml_with_the_packages_answers(sizes, acts, cost, cells):
    N = 6
    root = questions(moodle_quiz(sizes, acts, cost, cells, variants=N, seed=11, name="Week 3"))
    qs = list(root)
    assert [q.get("type") for q in qs] == (["category"] + ["numerical"] * N) * len(cells)
    for i, cell in enumerate(cells):
        category, *variants = qs[i * (N + 1):(i + 1) * (N + 1)]
        path = category.findtext("category/text")
        assert path.startswith("$course$/top/Week 3/") and path.count("/") == 3
        answers, texts = [], []
        for v, q in enumerate(variants, start=1):
            assert q.findtext("name/text").endswith(f"variant {v}")
            assert q.find("questiontext").get("format") == "html"
            text = q.findtext("questiontext/text")
            net, x, y = network_of(text, acts, cost)
            d = explain(net, net.backprop(x, y), *cell)
            (answer,) = q.findall("answer")
            assert answer.get("fraction") == "100"
            value = float(answer.findtext("text"))
            np.testing.assert_allclose(value, d.value, rtol=1e-15, atol=0)
            # the practice rule (relative 1e-3 or absolute 5e-4, whichever is looser), or
            # narrower where a slip comes close, but never below 1e-4 of the answer; the
            # question says which
            tol = float(answer.findtext("tolerance"))
            assert 1e-4 * abs(d.value) <= tol <= max(1e-3 * abs(d.value), 5e-4)
            assert f"within ± {answer.findtext('tolerance')} of the exact value" in \
                "".join(Page(q.findtext("questiontext/text")).text)
            feedback = q.findtext("generalfeedback/text")
            assert q.find("generalfeedback").get("format") == "html"
            assert all(f"\\[{html.escape(line)}\\]" in feedback for line in d.lines)
            Page(text), Page(feedback)          # both are well-formed HTML
            answers.append(value)
            texts.append(text)
        assert len(set(answers)) == N and len(set(texts)) == N   # neighbours differ


def test_moodle_quiz_is_reproducible_from_its_seed():
    args = ([2, 3, 2], "sigmoid", "quadratic", [("delta", 2, 1, None)])
    assert moodle_quiz(*args, variants=3, seed=5) == moodle_quiz(*args, variants=3, seed=5)
    assert moodle_quiz(*args, variants=3, seed=5) != moodle_quiz(*args, variants=3, seed=6)
    # variant v depends on (seed, v) only: more variants keep the first ones
    few = list(questions(moodle_quiz(*args, variants=2, seed=5)))
    more = list(questions(moodle_quiz(*args, variants=4, seed=5)))
    for q in few + more:
        q.tail = None                                   # the indentation after it
    assert [ET.tostring(q) for q in few] == [ET.tostring(q) for q in more[:3]]


def test_moodle_quiz_name_is_plain_text():
    xml_text = moodle_quiz([2, 2, 2], "sigmoid", "quadratic", [("nabla_w", 3, 1, 2)],
                           variants=1, name='<script>alert("x")</script> & Co / week' + "é" * 99)
    root = questions(xml_text)
    assert root.find(".//script") is None and "<script" not in xml_text
    path = root.findtext("question/category/text")
    assert path.startswith("$course$/top/script alert( x ) script Co week")
    assert path.count("/") == 3                      # one for the name, ∂C∕∂w kept whole
    assert len(path.split("/")[2]) <= 60


@pytest.mark.parametrize("kwargs, message", [
    (dict(variants=0), "variants must lie between 1 and 50"),
    (dict(variants=51), "variants must lie between 1 and 50"),
    (dict(variants=2.5), "variants must be a whole number"),
    (dict(seed=-1), "seed must lie between"),
    (dict(name="  <>  "), "at least one letter or digit"),
    (dict(sizes=[2, 17, 2]), "n_2 must lie between 1 and 16"),
    (dict(sizes=[2] * 7), "sizes must list 2 to 6 layers"),
    (dict(cells=[("w", 2, 1, 1)]), "only computed numbers"),
    (dict(cells=[("delta", 2, 1, None)] * 21), "at most 20 cells"),
    (dict(cost="cross_entropy", activations="tanh"), "must lie between 0 and 1"),
])
def test_moodle_quiz_refuses_bad_input(kwargs, message):
    args = dict(sizes=[2, 3, 2], activations="sigmoid", cost="quadratic",
                cells=[("delta", 2, 1, None)])
    args.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        moodle_quiz(**args)


# --- the Moodle quiz as a teacher imports it ----------------------------------------------

def numerical(root):
    return root.findall("question[@type='numerical']")


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_moodle_quiz_accepts_no_classic_slip():
    # The repro: 2-3-1, tanh then sigmoid, quadratic cost, ∂C/∂w²₁₁ = x₁ δ²₁. With
    # the practice rule's absolute 5e-4, the answer of a student who left σ′ out of δ²₁ was
    # accepted in 9 of 50 variants (variant 3: right −0.0637402, slip −0.064191). Each
    # slip is recomputed here by hand from the printed numbers and carried to ∂C/∂w²₁₁.
    root = questions(moodle_quiz([2, 3, 1], ["tanh", "sigmoid"], "quadratic",
                                 [("nabla_w", 2, 1, 1)], variants=50, seed=0))
    qs = numerical(root)
    assert len(qs) == 50
    for q in qs:
        net, x, y = network_of(q.findtext("questiontext/text"), ["tanh", "sigmoid"],
                               "quadratic")
        w2, b2, w3, b3 = net.w[2], net.b[2], net.w[3], net.b[3]
        x, y = np.array(x), np.array(y)

        def answer(b2=b2, b3=b3, sp2=None, sp3=None, grad=None, a1=None):
            """∂C/∂w²₁₁ of the forward pass and BP1, BP2, BP4 written out, with the parts
            a slip changes passed in as functions of (z, a)."""
            z2 = w2 @ x + b2
            a2 = np.tanh(z2)
            z3 = w3 @ a2 + b3
            a3 = sigmoid(z3)
            d3 = (grad or (lambda a: a - y))(a3) * (sp3 or (lambda z, a: a * (1 - a)))(z3, a3)
            d2 = (w3.T @ d3) * (sp2 or (lambda z, a: 1 - a * a))(z2, a2)
            return (a2[0] if a1 else x[0]) * d2[0]

        right = answer()
        slips = {
            "σ′ left out of δ²": answer(sp2=lambda z, a: np.ones_like(z)),
            "σ′ left out of δ³": answer(sp3=lambda z, a: np.ones_like(z)),
            "σ′(a) in δ²": answer(sp2=lambda z, a: 1 - np.tanh(a) ** 2),
            "σ′(a) in δ³": answer(sp3=lambda z, a: sigmoid(a) * (1 - sigmoid(a))),
            "σ′ = 1 − a² written with z in δ²": answer(sp2=lambda z, a: 1 - z * z),
            "σ′ = a(1 − a) written with z in δ³": answer(sp3=lambda z, a: z * (1 - z)),
            "y − a for a − y": answer(grad=lambda a: y - a),
            "½ of the cost forgotten": answer(grad=lambda a: 2 * (a - y)),
            "a² for a¹ in BP4": answer(a1=True),
            "b² forgotten": answer(b2=0 * b2),
            "b³ forgotten": answer(b3=0 * b3),
            "0": 0.0,
        }
        (a,) = q.findall("answer")
        value, tol = float(a.findtext("text")), float(a.findtext("tolerance"))
        np.testing.assert_allclose(value, right, rtol=1e-12, atol=0)
        for what, slip in slips.items():
            # out of reach: a student who made the slip and rounded a little is still wrong
            assert abs(slip - value) >= 2 * tol, (q.findtext("name/text"), what, slip, value, tol)


def dead_relu(sizes, activations, cost, rng):
    """A 2-2-2 draw whose hidden relus are off for x (z² < 0), so δ² is 0, and negative
    0 where (w³)ᵀδ³ < 0."""
    net = Network([[[0.5, 0.5], [0.5, 0.5]], [[0.5, -0.5], [-0.5, 0.5]]],
                  [[-2.0, -2.0], [0.1, -0.2]], activations, cost)
    return net, np.array([0.5, 0.5]), np.array([1.0, 0.0])


def test_moodle_quiz_says_when_an_answer_is_0_and_never_prints_minus_0(monkeypatch):
    export_quiz = import_module("backprop.export.quiz")  # the module, not quiz()
    net, x, y = dead_relu(None, ["relu", "sigmoid"], "quadratic", None)
    trace = net.backprop(x, y)
    # w³ᵀδ³ is negative at neuron 1, so δ²₁ = (w³ᵀδ³)₁ · 0 is the float −0.0
    assert np.signbit(trace.delta[2][0]) and trace.delta[2][0] == 0
    monkeypatch.setattr(export_quiz, "_variant", dead_relu)
    args = ([2, 2, 2], ["relu", "sigmoid"], "quadratic",
            [("delta", 2, 1, None), ("delta", 3, 1, None)])
    xml_text = export_quiz.moodle_quiz(*args, variants=2, seed=3)
    # no −0 as a number, in any form (a minus between two operands is no sign)
    assert not re.search(r"(?<![\w).\]}])[-−]0(?![.\d])", xml_text)
    made = export_quiz.quiz(*args, variants=2, seed=3)
    assert made.xml == xml_text
    dead, alive = (numerical(questions(made.xml))[i:i + 2] for i in (0, 2))
    for q in dead:
        assert q.findtext("answer/text") == "0"
        assert "its answer is 0" in q.findtext("generalfeedback/text")
        assert q.findtext("name/text").endswith("(see its note)")
    for q in alive:
        assert float(q.findtext("answer/text")) != 0 and "Note" not in q.findtext(
            "generalfeedback/text")
    assert made.notes == ("δ²₁, variant 1: its answer is 0.", "δ²₁, variant 2: its answer is 0.")


def test_moodle_quiz_redraws_a_dead_relu():
    # 6-6-3-3 relu: with one network per variant, 10 of 20 questions had the answer 0
    cells = [("delta", 2, j, None) for j in range(1, 7)] + [
        ("nabla_w", 3, 1, k) for k in range(1, 7)] + [("delta", 3, 2, None), ("z", 3, 1, None)]
    made = quiz_of([6, 6, 3, 3], "relu", "quadratic", cells, variants=5, seed=34)
    answers = [float(q.findtext("answer/text")) for q in numerical(questions(made.xml))]
    assert len(answers) == 70 and all(v != 0 for v in answers)
    assert made.notes == ()


def quiz_of(*args, **kwargs):
    from backprop.export.quiz import quiz
    return quiz(*args, **kwargs)


# C_x as Nielsen writes each cost, in LaTeX, with L the output layer
COST_TEX = {"quadratic": r"\tfrac12\lVert y-a^L\rVert^2",
            "cross_entropy": r"-\sum_j\left[y_j\ln a^L_j+(1-y_j)\ln(1-a^L_j)\right]",
            "log_likelihood": r"-\sum_j y_j\ln a^L_j"}


@pytest.mark.parametrize("out, cost", ACCEPTED)
def test_moodle_quiz_prints_the_cost_wherever_the_answer_depends_on_it(out, cost):
    cells = [("z", 3, 1, None), ("a", 2, 1, None), ("cost", 3, None, None), ("delta", 3, 2, None),
             ("delta", 2, 1, None), ("nabla_b", 2, 2, None), ("nabla_w", 3, 1, 2)]
    root = questions(moodle_quiz([2, 2, 2], ["tanh", out], cost, cells, variants=2, seed=1))
    qs = numerical(root)
    for i, cell in enumerate(cells):
        for q in qs[2 * i:2 * i + 2]:
            text = q.findtext("questiontext/text")
            formula = f"\\(C_x = {html.escape(COST_TEX[cost])}\\), where L = 3 is the output layer"
            assert (formula in text) == (cell[0] not in ("z", "a")), (cell, text[-400:])
            not_ll = "it is not the log-likelihood −Σ_j y_j ln a^L_j"
            assert (not_ll in text) == (formula in text and (out, cost) == ("softmax",
                                                                            "cross_entropy"))


@pytest.mark.parametrize("name, category", [
    ('<script>alert("x")</script> & Co / week', "script alert( x ) script Co week"),
    ("$course$/top/../Other", "course top .. Other"),
    ("Week\n3\x00\u202e\u200b end", "Week 3 end"),
    ("]]><!-- &amp; &#60; -->", "-- amp #60 --"),
    ("x" * 10**6, "x" * 60),
    ("Élan vital, week 3", "Élan vital, week 3"),
])
def test_moodle_quiz_category_is_plain_bounded_text(name, category):
    made = quiz_of([2, 2, 2], "sigmoid", "quadratic", [("nabla_w", 3, 1, 2)], variants=1,
                   name=name)
    assert made.name == category
    root = questions(made.xml)                       # parses: everything is escaped
    assert root.findtext("question/category/text") == f"$course$/top/{category}/∂C∕∂w³₁₂"
    assert numerical(root)[0].findtext("name/text") == f"{category}: ∂C/∂w³₁₂, variant 1"
    assert "<script" not in made.xml and "<!--" not in made.xml


def test_moodle_quiz_of_another_seed_or_name_differs_everywhere():
    args = ([2, 3, 2], "sigmoid", "quadratic", [("delta", 2, 1, None)])
    a, b = quiz_of(*args, variants=3, seed=1, name="A"), quiz_of(*args, variants=3, seed=2,
                                                                  name="B")
    qa, qb = numerical(questions(a.xml)), numerical(questions(b.xml))
    assert {q.findtext("name/text") for q in qa}.isdisjoint(q.findtext("name/text") for q in qb)
    assert {q.findtext("answer/text") for q in qa}.isdisjoint(
        q.findtext("answer/text") for q in qb)


# --- the quiz on the Step page ----------------------------------------------------------

def exports_open():
    """A fresh session on the Step page (the default network) with the exports open."""
    from helpers.apptest import APP, STEP, assert_clean
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(STEP).run()
    at.session_state["exports"] = True                 # what a click on the expander sends
    at.run()
    assert_clean(at)
    return at


def shown_category(at):
    (line,) = [t.value for t in at.text if t.value.startswith("Category: ")]
    return line


def test_two_exports_with_the_default_settings_differ_in_category_and_seed():
    made = []
    for _ in range(2):
        at = exports_open()
        seed = at.number_input(key="_quiz_seed").value
        q = at.session_state["quiz_made"][1]
        assert q.seed == seed and 100_000 <= seed < 1_000_000
        assert q.name == f"Backpropagation 2-2-2 seed {seed}"
        assert shown_category(at) == f"Category: $course$/top/{q.name}/… · seed {seed}"
        made.append(q)
    assert made[0].seed != made[1].seed          # one in 900,000 to fail by chance
    paths = [{c.text for c in questions(q.xml).iter("text") if c.text.startswith("$course$")}
             for q in made]
    assert paths[0].isdisjoint(paths[1])
    names = [{q.findtext("name/text") for q in numerical(questions(m.xml))} for m in made]
    assert names[0].isdisjoint(names[1])


def test_the_teacher_chooses_the_seed_and_a_hostile_category_name_stays_plain():
    at = exports_open()
    at.number_input(key="_quiz_seed").set_value(42).run()
    # set_value: past the box's max_chars, as a raw websocket message can send
    at.text_input(key="_quiz_name").set_value(
        "**Week 3** <b>x</b> [link](http://e.example) / $x$" + "é" * 10_000).run()
    q = at.session_state["quiz_made"][1]
    # Streamlit cuts the text to the box's 60 characters; the quiz keeps letters, digits
    # and a little punctuation of them
    assert q.seed == 42 and q.name == "Week 3 b x b link (http: e.example) x " + "é" * 10
    assert shown_category(at) == f"Category: $course$/top/{q.name}/… · seed 42"
    assert q.xml == moodle_quiz([2, 2, 2], "sigmoid", "quadratic", [("delta", 3, 1, None)],
                                variants=10, seed=42, name=q.name)


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_worksheet_never_prints_minus_0(fmt):
    net, x, y = dead_relu(None, ["relu", "sigmoid"], "quadratic", None)
    assert np.signbit(net.backprop(x, y).delta[2][0])          # δ²₁ is the float −0.0
    for text in worksheet(net, x, y, [("delta", 2, 1, None), ("nabla_w", 2, 1, 2)], fmt):
        assert not re.search(r"(?<![\w).\]}])[-−]0(?![.\d])", text)


def test_after_a_download_the_next_quiz_gets_a_fresh_seed_unless_one_was_typed():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from explorer.step import downloads
        if st.session_state.get("downloaded"):
            downloads._downloaded()                # the download button's on_click

    at = AppTest.from_function(script)
    at.session_state["quiz_seed"], at.session_state["downloaded"] = 123456, True
    at.run()
    assert at.session_state["quiz_seed"] != 123456
    at.session_state["quiz_seed"], at.session_state["quiz_seed_typed"] = 42, True
    at.run()
    assert at.session_state["quiz_seed"] == 42


def test_the_page_names_each_question_that_could_not_be_made_non_trivial(monkeypatch):
    export_quiz = import_module("backprop.export.quiz")  # the module, not quiz()

    def balanced(sizes, activations, cost, rng):
        # w = 0, b = 0: a³ = σ(0) = ½ = y, so δ³ = 0 in every draw
        net = Network([np.zeros((2, 2)), np.zeros((2, 2))], [np.zeros(2), np.zeros(2)],
                      activations, cost)
        return net, np.array([0.3, 0.1]), np.array([0.5, 0.5])

    monkeypatch.setattr(export_quiz, "_variant", balanced)
    at = exports_open()
    (warning,) = at.warning
    shown = re.sub(r"\\(.)", r"\1", warning.value)      # as plain text: every mark escaped
    assert shown.startswith("10 question(s) could not be made as they should")
    assert "δ³₁, variant 1: its answer is 0. δ³₁, variant 2" in shown
    assert shown.endswith("δ³₁, variant 5: its answer is 0. … and 5 more.")


def test_slips_carried_to_the_asked_cell_match_a_hand_computation():
    from backprop.export.slips import slipped
    # tanh then sigmoid with the cross-entropy, where σ′(z³) cancels: δ³ = a³ − y
    net = Network([[[0.4, -0.3], [0.2, 0.5], [-0.6, 0.1]], [[0.3, -0.2, 0.5], [0.1, 0.4, -0.3]]],
                  [[0.1, -0.2, 0.3], [0.05, -0.1]], ["tanh", "sigmoid"], "cross_entropy")
    x, y = np.array([0.3, -0.4]), np.array([1.0, 0.0])
    w2, b2, w3, b3 = net.w[2], net.b[2], net.w[3], net.b[3]

    def dw(d3, z2=None):
        """∂C/∂w²₁₁ = x₁ δ²₁ with δ² = (w³)ᵀδ³ ∘ tanh′(z²) (BP2, BP4)."""
        z2 = w2 @ x + b2 if z2 is None else z2
        return x[0] * ((w3.T @ d3) * (1 - np.tanh(z2) ** 2))[0]

    z2 = w2 @ x + b2
    z3 = w3 @ np.tanh(z2) + b3
    a3 = sigmoid(z3)
    z3_no_b2 = w3 @ np.tanh(w2 @ x) + b3
    expected = {
        "bias forgotten in z in z2": dw(sigmoid(z3_no_b2) - y, z2=w2 @ x),
        "z given where σ(z) was asked in a3": dw(z3 - y),          # a³ := z³, then a³ − y
        "σ′(zᴸ) multiplied in where it cancels in δ3": dw((a3 - y) * a3 * (1 - a3)),
        "σ′ = a(1 − a) written with z in δ3": dw((a3 - y) / (a3 * (1 - a3)) * z3 * (1 - z3)),
        "sign of a − y flipped in δ3": dw(y - a3),
    }
    cell = ("nabla_w", 2, 1, 1)
    got = {what: v for v, what in slipped(net, net.backprop(x, y), [cell])[cell]}
    for what, v in expected.items():
        np.testing.assert_allclose(got[what], v, rtol=1e-12, atol=0, err_msg=what)

    # softmax with the quadratic cost: δ³ = J(z³)ᵀ (a³ − y); cut to its diagonal, a(1 − a)
    net = Network([[[0.4, -0.3], [0.2, 0.5]], [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]]],
                  [[0.1, -0.2], [0.05, -0.1, 0.2]], ["sigmoid", "softmax"], "quadratic")
    x, y = np.array([0.3, -0.4]), np.array([0.0, 1.0, 0.0])
    a2 = sigmoid(net.w[2] @ x + net.b[2])
    z3 = net.w[3] @ a2 + net.b[3]
    a3 = np.exp(z3) / np.exp(z3).sum()
    J = np.diag(a3) - np.outer(a3, a3)
    for what, d3 in {"softmax Jacobian cut to its diagonal in δ3": (a3 - y) * a3 * (1 - a3),
                     "½ of the quadratic cost forgotten in δ3": J.T @ (2 * (a3 - y)),
                     "σ′(z) left out in δ3": a3 - y}.items():
        cell = ("delta", 2, 2, None)
        got = {w: v for v, w in slipped(net, net.backprop(x, y), [cell])[cell]}
        np.testing.assert_allclose(got[what], ((net.w[3].T @ d3) * a2 * (1 - a2))[1],
                                   rtol=1e-12, atol=0, err_msg=what)


def test_the_tolerance_keeps_each_slip_out_by_one_tolerance_more():
    from backprop.export.slips import separating_tolerance as sep
    rule = 5e-4                                     # the practice rule at 0.1: max(5e-4, 1e-4)
    assert sep(0.1, [], rule) == (5e-4, [])
    # a slip 2⁻¹¹ = 4.8828125e-4 away: ±2⁻¹² = 2.44140625e-4 around each (printed 2.4e-4,
    # rounded down to two digits), so the two do not meet
    assert sep(0.5, [(0.5 + 2**-11, "s")], rule) == (2.4e-4, [])
    # 0 counts as a slip: at 2⁻¹¹ the tolerance is 2⁻¹² (2.4e-4), so 0 is out
    assert sep(2**-11, [], rule) == (2.4e-4, [])
    # gap 3.4567e-4 → 1.7e-4; a NaN (a slip through a log of a negative a) is no answer
    assert sep(0.5, [(0.5 - 3.4567e-4, "s"), (float("nan"), "n")], rule) == (1.7e-4, [])
    # a slip 1e-6 away would need ±5e-7, below 1e-4 of the answer: the rule stays, and the
    # slip is named; an unchanged value (the slip changed nothing) is no slip
    assert sep(0.1, [(0.100001, "close"), (0.1, "same")], rule) == (5e-4, [(0.100001, "close")])
    assert sep(0.0, [(3e-4, "in"), (7e-4, "out")], rule) == (5e-4, [(3e-4, "in")])
