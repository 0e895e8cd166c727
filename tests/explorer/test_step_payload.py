"""The Step page's component data (explorer/step/payload.py) and the step numbers its
browser sends back (explorer/figures/chart.step_of, url_step), checked against the package.

Each step's derivation is the package's explanation of the step's first cell, each step's
known panels are what practice lets be seen, and in practice mode the payload holds no
step after the open question and none of its answers, in any printed form or float."""

import json

import numpy as np
import pytest
from helpers.hidden import found, printed, typed_arrays
from numpy.testing import assert_allclose
from streamlit.testing.v1 import AppTest

from backprop import Network
from backprop.explain import explain
from backprop.explain.steps import known, steps
from explorer.figures import chart
from explorer.practice import questions
from explorer.presets import PRESETS
from explorer.step import payload
from explorer.step.picking import default_pick


def example(preset):
    net, x, y = PRESETS[preset].make()
    trace = net.backprop(x, y)
    return net, x, y, trace, steps(net, trace)


def cell(c):
    return [c[0], c[1], c[2], c[3]]


def values(net, trace, q, l):
    """Every number of quantity q of layer l, flat."""
    if q == "cost":
        return np.atleast_1d(np.asarray(trace.cost, dtype=float))
    v = getattr(net, q)[l] if q in ("w", "b") else getattr(trace, q)[l]
    return np.asarray(v, dtype=float).ravel()


def secrets(net, trace, all_steps, i):
    """The values step i asks for, less any value the student may see already (∂C/∂b = δ
    is asked at BP3 after δ is shown; the input's a¹ = x): those reveal nothing."""
    before = questions.visible(all_steps, i, revealed=False)
    asked = questions.visible(all_steps, i, revealed=True) - before
    seen = np.concatenate([values(net, trace, q, l) for q, l in before] +
                          [values(net, trace, q, l) for q in ("w", "b") for l in net.w])
    hidden = np.concatenate([values(net, trace, q, l) for q, l in sorted(asked)])
    return [v for v in hidden if not np.isclose(seen, v, rtol=1e-9, atol=0).any()]


PRACTICE_CASES = [(p, i) for p in PRESETS for i in range(1, len(example(p)[4]))]


# --- the steps as sent --------------------------------------------------------------------

@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_steps_derivation_is_the_packages_of_its_first_cell(preset):
    net, _, _, trace, all_steps = example(preset)
    data = payload.payload(net, trace, all_steps)
    assert data["n"] == len(all_steps) == len(data["steps"]) and data["upto"] == len(all_steps) - 1
    for step, sent in zip(all_steps, data["steps"]):
        pick = default_pick(step)
        d = explain(net, trace, *pick)
        assert sent["derivation"] == {"cell": cell(pick), "equation": d.equation,
                                      "text": d.text, "lines": list(d.lines),
                                      "uses": [cell(u) for u in d.uses]}, step.title
        assert sent["marks"][-1] == [cell(pick), "pick"]
        assert sorted(map(tuple, (m[0] for m in sent["marks"][:-1]))) == \
            sorted(tuple(cell(u)) for u in d.uses)
        assert (sent["title"], sent["rule"], sent["numbers"]) == \
            (step.title, step.rule, step.numbers)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_steps_known_panels_are_what_practice_lets_be_seen(preset):
    net, _, _, trace, all_steps = example(preset)
    data = payload.payload(net, trace, all_steps)
    for i, sent in enumerate(data["steps"]):
        want = sorted(f"{q}:{l}" for q, l in questions.visible(all_steps, i, True)
                      if q in payload.NETWORK_KINDS)
        assert sent["known"] == want, i
        assert set(want) == {f"{q}:{l}" for q, l in known(all_steps, i)
                             if q in payload.NETWORK_KINDS}


def test_the_network_figure_holds_the_packages_numbers():
    net, _, _, trace, all_steps = example("2-2-2 by hand")
    fig = payload.payload(net, trace, all_steps)["figures"]["network"]
    maps = [t for t in fig["data"] if t["type"] == "heatmap"]
    assert {(t["meta"]["quantity"], t["meta"]["l"]) for t in maps} == \
        {("a", 1)} | {(q, l) for q in ("z", "a", "delta") for l in (2, 3)}
    for t in maps:
        z = next(typed_arrays(t["z"]))
        assert_allclose(z, values(net, trace, t["meta"]["quantity"], t["meta"]["l"]),
                        rtol=0, atol=0)


# --- practice mode: nothing asked reaches the browser -------------------------------------

@pytest.mark.parametrize("preset, i", PRACTICE_CASES)
def test_practice_sends_no_later_step_and_no_answer(preset, i):
    net, _, _, trace, all_steps = example(preset)
    data = payload.payload(net, trace, all_steps, upto=i, hidden=i)
    assert data["n"] == len(all_steps) and data["upto"] == i
    assert len(data["steps"]) == i + 1                       # no step after the question
    assert data["steps"][i]["numbers"] is None               # nor its numbers
    assert all(s["numbers"] is not None for s in data["steps"][:i])
    assert "lines" not in data["steps"][i]["derivation"]
    text = json.dumps(data)
    arrays = [a for a in typed_arrays(data) if a.dtype.kind == "f"]
    assert arrays, "the figures' numbers are typed arrays"
    for v in secrets(net, trace, all_steps, i):
        for form in printed(v):
            assert not found(form, text), (all_steps[i].title, form)
        for a in arrays:
            assert not np.isclose(a, v, rtol=1e-9, atol=0).any(), (all_steps[i].title, v)


def test_the_answer_check_finds_an_answer_that_is_sent():
    """The search above finds the answer when it is sent: the same payload, revealed."""
    net, _, _, trace, all_steps = example("2-2-2 by hand")
    i = 1                                                    # z² = w² a¹ + b²
    (v, *_) = secrets(net, trace, all_steps, i)
    assert_allclose(v, 0.15 * 0.05 + 0.20 * 0.10 + 0.35, rtol=1e-12)
    data = payload.payload(net, trace, all_steps, upto=i, hidden=None)
    assert any(found(f, json.dumps(data)) for f in printed(v))
    assert any(np.isclose(a, v, rtol=1e-9, atol=0).any() for a in typed_arrays(data))
    assert found("0.3775", "x 0.3775}") and not found("0.3775", "10.37751")


# --- the step numbers the browser sends back ----------------------------------------------

@pytest.mark.parametrize("value", ["0", "-1", "1e3", "9999", "abc", "", " 1", "1.0",
                                   True, False, 1.5, None, [1], -1, 12, 1e300,
                                   float("nan"), float("inf")])
def test_step_of_refuses_what_is_no_step(value):
    assert chart.step_of(value, 12) is None


@pytest.mark.parametrize("value", ["²", "١"])
def test_step_of_refuses_non_ascii_digits(value):
    assert chart.step_of(value, 12) is None


def test_step_of_takes_the_steps_from_one():
    n = 12
    assert [chart.step_of(str(i), n) for i in range(1, n + 1)] == list(range(n))
    assert [chart.step_of(i, n) for i in range(n)] == list(range(n))    # a trigger's index
    assert chart.step_of(3.0, n) == 3 and type(chart.step_of(3.0, n)) is int
    assert chart.step_of(str(n + 1), n) is None and chart.step_of(n, n) is None


def url_step_page():
    import streamlit as st

    from explorer.figures import chart

    st.write(repr(chart.url_step(12)))


@pytest.mark.parametrize("query, want", [
    ("3", 2), ("12", 11), ("13", None), ("0", None), ("1" * 100_000, None), ("12345", None),
    ("", None), ("abc", None), (["2", "5"], 4)])
def test_url_step_is_the_addresss_last_step_bounded(query, want):
    at = AppTest.from_function(url_step_page, default_timeout=30)
    at.query_params["step"] = query
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value == repr(want)


def test_url_step_without_a_step_is_none():
    at = AppTest.from_function(url_step_page, default_timeout=30).run()
    assert at.markdown[0].value == "None"


# --- size ----------------------------------------------------------------------------------

def test_6_layers_of_16_fit_in_one_message():
    """benchmarks/payload_size.py prints the sizes (447 kB measured, derivations included);
    here, a bound that catches a payload grown to more than about twice that."""
    net = Network.random([16] * 6, seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, 16), rng.uniform(0, 1, 16)
    trace = net.backprop(x, y)
    data = payload.payload(net, trace, steps(net, trace))
    assert len(json.dumps(data).encode()) < 1_000_000
