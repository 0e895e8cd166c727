"""Practice mode and the live class hide the asked step's numbers until the answer: no
hidden number may reach the browser in a figure, in any form. For every preset and every
step practice asks, the figures the Step page and the class's student page draw (and every
other figure that takes ``known``) are serialized as they travel (``heatmap.wire``, then
JSON), their base64 arrays decoded back to floats, and searched for every number that is
hidden at that step: as a float (relative 1e-9, either sign) and as text in the forms the
app prints numbers in. (Before this was fixed, each kind's colour range was its largest
|value| over all layers: at the BP1 question of the default network cmax was δ³₁ itself.)
"""

import base64
import json
import re

import numpy as np
import pytest
from helpers.hidden import printed

from backprop.explain.steps import steps
from explorer.figures import heatmap, network
from explorer.practice import questions
from explorer.presets import DEFAULT, PRESETS

KINDS = ("z", "a", "delta", "nabla_b", "nabla_w")
RTOL = 1e-9
DTYPES = {"f8": "<f8", "i4": "<i4"}


def numbers(obj):
    """Every number in a wire figure (parsed JSON), typed arrays decoded (NaN left out)."""
    if isinstance(obj, dict):
        if "bdata" in obj and obj.get("dtype") in DTYPES:
            raw = np.frombuffer(base64.b64decode(obj["bdata"]), DTYPES[obj["dtype"]])
            yield from (float(x) for x in raw if np.isfinite(x))
            return
        for v in obj.values():
            yield from numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from numbers(v)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool) and np.isfinite(obj):
        yield float(obj)


def value_table(net, trace, pairs):
    """{(quantity, l): its numbers, flat} for the (quantity, l) pairs given."""
    return {(q, l): np.ravel(trace.cost if q == "cost" else getattr(trace, q)[l])
            for q, l in pairs}


def hidden_and_shown(net, trace, known):
    """(hidden, shown): hidden is {description: value} of every number the figures may not
    show when ``known`` is what may be shown, leaving out 0 (every figure holds zeros) and
    any number that equals a shown one (∂C/∂b^l is δ^l by BP3, and is no secret once δ^l
    is shown); shown is every number that may be shown, w and b included."""
    pairs = [(q, l) for q in KINDS for l in heatmap.layers_of(net, q)] + [("cost", net.L)]
    every = value_table(net, trace, pairs)
    shown = np.concatenate([every[p] for p in every if p in known]
                           + [np.ravel(net.w[l]) for l in range(2, net.L + 1)]
                           + [np.ravel(net.b[l]) for l in range(2, net.L + 1)])
    absolute = np.abs(shown)
    hidden = {}
    for p in every:
        if p in known:
            continue
        q, l = p
        cols = net.sizes[l - 2] if q == "nabla_w" else 1
        for i, v in enumerate(every[p]):
            v = float(v)
            if v != 0 and not np.any(np.isclose(absolute, abs(v), rtol=RTOL, atol=0)):
                j, k = divmod(i, cols)
                hidden[f"{q}^{l}_{j + 1}" + (f",{k + 1}" if q == "nabla_w" else "")] = v
    return hidden, absolute


class Search:
    """The hidden numbers of one step, ready to be looked for in its figures."""

    def __init__(self, hidden, shown):
        self.names = list(hidden)
        self.values = np.abs(np.array(list(hidden.values()), float))
        shown_forms = {f for v in shown for f in printed(float(v))}
        names = {}                      # text form: the names of the numbers printed so
        for name, v in hidden.items():  # (a shown number printed alike is no leak)
            for f in printed(v) - shown_forms:
                names.setdefault(f, []).append(name)
        self.texts = {f: " = ".join(n) for f, n in names.items()}
        self.pattern = re.compile(r"(?<![\d.])(?:" + "|".join(
            re.escape(f) for f in sorted(self.texts, key=len, reverse=True)) + r")(?![\d])")

    def leaks(self, fig):
        """Where a hidden number shows up in ``fig`` as it travels: a list of findings."""
        text = json.dumps(heatmap.wire(fig))
        got = np.unique(np.abs(np.fromiter(numbers(json.loads(text)), float)))
        close = np.isclose(got[:, None], self.values[None, :], rtol=RTOL, atol=0)
        found = [f"{self.names[i]} = {float(self.values[i])!r} as the number {float(got[k])!r}"
                 for k, i in zip(*np.nonzero(close))]
        if self.texts:
            found += [f"{self.texts[m.group()]} as the text {m.group()!r}"
                      for m in self.pattern.finditer(text)]
        return list(dict.fromkeys(found))


def asked_steps(net, trace):
    """(all steps, [(step, known while its question is open), ...])."""
    all_steps = steps(net, trace)
    return all_steps, [(s, questions.visible(all_steps, s.index, revealed=False))
                       for s in all_steps if questions.asks(s)]


def page_figures(net, trace, step, known):
    """The figures the Step page and the class's student page draw while the question of
    ``step`` is open: the step's own figure and the network so far, with the first asked
    cell outlined. The pages leave σ's curve out at an a-step; it is asked for here all
    the same, as focus_figure must then give none."""
    marks = heatmap.marks_for(questions.cells(net, step)[0])
    figs = [network.focus_figure(net, trace, step, known, marks),
            network.network_figure(net, trace, known=known, focus=(step.quantity, step.l),
                                   marks=marks)]
    return [f for f in figs if f is not None]


def other_figures(net, trace, known):
    """Every other figure that takes ``known``, for every layer."""
    figs = [network.network_figure(net, trace, ("z", "a", "delta", "nabla_b"), known)]
    for l in range(2, net.L + 1):
        figs += [network.matrix_figure(net, trace, "w", l, known),
                 network.matrix_figure(net, trace, "nabla_w", l, known),
                 network.outer_product_figure(net, trace, l, known),
                 network.bias_figure(net, trace, l, known)]
    return figs


def example(name):
    net, x, y = PRESETS[name].make()
    return net, net.backprop(x, y)


@pytest.mark.parametrize("name", list(PRESETS))
def test_no_hidden_number_reaches_the_page_figures(name):
    net, trace = example(name)
    all_steps, asked = asked_steps(net, trace)
    found, searched = [], 0
    for step, known in asked:
        hidden, shown = hidden_and_shown(net, trace, known)
        assert all(c[:2] not in known for c in questions.cells(net, step))
        searched += len(hidden)
        search = Search(hidden, shown)
        for fig in page_figures(net, trace, step, known):
            found += [f"step {step.index + 1} ({step.title}): {f}" for f in search.leaks(fig)]
    assert len(asked) == len(all_steps) - 1 and searched > 0
    assert found == [], "\n".join(found[:20])


@pytest.mark.parametrize("name", list(PRESETS))
def test_no_hidden_number_reaches_any_figure_that_takes_known(name):
    net, trace = example(name)
    found = []
    for step, known in asked_steps(net, trace)[1]:
        search = Search(*hidden_and_shown(net, trace, known))
        for fig in other_figures(net, trace, known):
            found += [f"step {step.index + 1} ({step.title}), {fig['layout']['meta']}: {f}"
                      for f in search.leaks(fig)]
    assert found == [], "\n".join(found[:20])


def test_the_search_finds_a_number_that_is_shown():
    """The same search finds δ³₁ of the default network once its question is answered, as
    a float and as text: a search that could find nothing would pass any code."""
    net, trace = example(DEFAULT)
    all_steps = steps(net, trace)
    bp1 = next(s for s in all_steps if s.kind == "BP1")
    d31 = float(trace.delta[3][0])
    asked = questions.visible(all_steps, bp1.index, revealed=False)
    revealed = questions.visible(all_steps, bp1.index, revealed=True)
    assert ("delta", 3) not in asked and ("delta", 3) in revealed
    fig = network.network_figure(net, trace, known=revealed)
    found = Search({"δ³₁": d31}, np.array([])).leaks(fig)
    assert any("as the number" in f for f in found) and any("as the text" in f for f in found)
    hidden, _ = hidden_and_shown(net, trace, asked)
    assert d31 in hidden.values()


def test_the_colour_range_is_the_largest_shown_value():
    """Each kind's range is its largest |value| over the layers that may be shown, shared by
    every figure of one step; 1 while none may be; over all layers with known=None."""
    net, trace = example("Deep sigmoid chain")
    all_steps = steps(net, trace)
    for step in all_steps:
        known = questions.visible(all_steps, step.index, revealed=False)
        for q in KINDS:
            layers = [l for l in heatmap.layers_of(net, q) if (q, l) in known]
            want = max((np.max(np.abs(getattr(trace, q)[l])) for l in layers), default=1.0)
            np.testing.assert_allclose(heatmap.scale(net, trace, q, known), want,
                                       rtol=0, atol=0)
        fig = network.network_figure(net, trace, known=known)
        np.testing.assert_allclose(fig["layout"]["coloraxis3"]["cmax"],
                                   heatmap.scale(net, trace, "delta", known), rtol=0, atol=0)
    for q in ("w", "b"):
        np.testing.assert_allclose(
            heatmap.scale(net, trace, q, frozenset()),
            max(np.max(np.abs(getattr(net, q)[l])) for l in range(2, net.L + 1)),
            rtol=0, atol=0)
    np.testing.assert_allclose(
        heatmap.scale(net, trace, "delta"),
        max(np.max(np.abs(trace.delta[l])) for l in range(2, net.L + 1)), rtol=0, atol=0)
