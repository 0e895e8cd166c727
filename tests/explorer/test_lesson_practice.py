"""Lesson links (explorer.lesson.links) and the practice records (explorer.practice.questions),
without a browser or a page."""

from urllib.parse import parse_qsl

import pytest

from backprop.explain import explain
from backprop.explain.steps import known, steps
from explorer.lesson import links
from explorer.practice import questions
from explorer.presets import PRESETS


def hand():
    return PRESETS["2-2-2 by hand"].make()


# --- lesson links ------------------------------------------------------------------------

def test_a_lesson_round_trips_through_its_query_string():
    want = links.Lesson(step=7, cell=("delta", 2, 1, None), practice=True,
                        hide=frozenset({"preset", "cost"}), lock=frozenset({"init"}))
    params = dict(parse_qsl(links.query("LINK", want)))
    assert params["net"] == "LINK"
    assert params["step"] == "8" and params["cell"] == "delta.2.1" and params["practice"] == "1"
    assert links.from_params(params) == want


def test_a_weight_gradient_cell_keeps_its_column():
    got = links.from_params({"cell": "nabla_w.3.2.1"})
    assert got.cell == ("nabla_w", 3, 2, 1)
    assert links.from_params({"cell": "cost.3"}).cell == ("cost", 3, None, None)


def test_no_lesson_parameters_is_no_lesson():
    assert links.from_params({}) is None
    assert links.from_params({"net": "abc"}) is None


@pytest.mark.parametrize("params, says", [
    ({"step": "0"}, "step"), ({"step": "-1"}, "step"), ({"step": "1e3"}, "step"),
    ({"step": "٣"}, "step"),   # a digit, but not an ASCII one
    ({"step": "9" * 200}, "longer than"),
    ({"cell": "delta"}, "cell"), ({"cell": "bogus.2.1"}, "cell"), ({"cell": "delta.2.x"}, "cell"),
    ({"cell": "delta.2.1.1.1"}, "cell"),
    ({"practice": "yes"}, "practice"),
    ({"hide": "preset,**bold**"}, "control"), ({"lock": "x" * 121}, "longer than"),
])
def test_bad_lesson_parameters_are_value_errors(params, says):
    with pytest.raises(ValueError, match=says):
        links.from_params(params)


def test_a_lesson_error_does_not_echo_what_the_link_said():
    with pytest.raises(ValueError) as e:
        links.from_params({"hide": "[click](https://evil.example)"})
    assert "evil" not in str(e.value) and "[" not in str(e.value)


def test_fit_checks_the_step_and_the_cell_against_the_network():
    net, x, y = hand()
    n = len(steps(net, net.backprop(x, y)))
    ok = links.Lesson(step=n - 1, cell=("nabla_w", 2, 2, 2))
    assert links.fit(ok, net, n) is ok
    for bad in (links.Lesson(step=n), links.Lesson(cell=("delta", 4, 1, None)),
                links.Lesson(cell=("delta", 2, 3, None)), links.Lesson(cell=("w", 2, 1, None)),
                links.Lesson(cell=("nabla_w", 2, 1, 3)), links.Lesson(cell=("cost", 3, 1, None)),
                links.Lesson(cell=("a", 2, 1, 1))):
        with pytest.raises(ValueError):
            links.fit(bad, net, n)


def test_hidden_controls_are_locked_too():
    les = links.Lesson(hide=frozenset({"cost"}), lock=frozenset({"seed"}))
    assert not les.shows("cost") and les.locks("cost")
    assert les.shows("seed") and les.locks("seed")
    assert les.shows("preset") and not les.locks("preset")


# --- practice ----------------------------------------------------------------------------

def test_the_asked_cell_is_the_lessons_then_the_picked_then_in_turn():
    net, x, y = hand()
    all_steps = steps(net, net.backprop(x, y))
    bp4 = next(s for s in all_steps if s.kind == "BP4" and s.l == 3)
    assert questions.cells(net, bp4)[:3] == [("nabla_w", 3, 1, 1), ("nabla_w", 3, 1, 2),
                                             ("nabla_w", 3, 2, 1)]
    assert questions.choose(net, bp4, 0) == ("nabla_w", 3, 1, 1)
    assert questions.choose(net, bp4, 5) == ("nabla_w", 3, 1, 2)   # 5 mod 4 cells
    assert questions.choose(net, bp4, 0, picked=("nabla_w", 3, 2, 2)) == ("nabla_w", 3, 2, 2)
    assert questions.choose(net, bp4, 0, picked=("delta", 3, 1, None)) == ("nabla_w", 3, 1, 1)
    assert questions.choose(net, bp4, 0, picked=("nabla_w", 3, 2, 2),
                            lesson_cell=("nabla_w", 3, 2, 1)) == ("nabla_w", 3, 2, 1)


def test_a_steps_own_numbers_are_hidden_until_revealed():
    net, x, y = hand()
    all_steps = steps(net, net.backprop(x, y))
    i = next(s.index for s in all_steps if s.kind == "BP2")
    hidden = questions.visible(all_steps, i, revealed=False)
    assert ("delta", 2) not in hidden and ("delta", 3) in hidden
    assert questions.visible(all_steps, i, revealed=True) == known(all_steps, i)
    assert not questions.asks(all_steps[0]) and questions.asks(all_steps[i])


def test_the_score_counts_each_outcome():
    q = questions.Question(step=3, cells=(("z", 3, 1, None),))
    right_first = questions.answer(q, True, [1.0])
    assert right_first.done == "first"
    after = questions.answer(questions.answer(q, False, [2.0]), True, [1.0])
    assert after.done == "hint" and after.wrong == 1 and after.tried == 2
    assert after.last == (1.0,)
    shown = questions.show(questions.answer(q, False, [2.0]))
    assert questions.answer(shown, True, [1.0]) == shown      # answered once, scored once
    assert questions.show(right_first) == right_first
    with pytest.raises(ValueError):
        questions.answer(q, True, [1.0, 2.0])
    score = questions.Score()
    for done in (right_first.done, after.done, shown.done, "first"):
        score = score.add(done)
    assert (score.first, score.hint, score.shown, score.total) == (2, 1, 1, 4)


def test_the_hint_is_the_derivation_without_its_result():
    net, x, y = hand()
    trace = net.backprop(x, y)
    d = explain(net, trace, "delta", 2, 1)
    lines = questions.hint(d.lines)
    assert lines[:-1] == d.lines[:-1]
    assert lines[-1] != d.lines[-1] and d.lines[-1].startswith(lines[-1])
    result = d.lines[-1][len(lines[-1]):]
    assert "=" in result or r"\approx" in result
    assert "\\cdot" in lines[-1]   # the plugged-in numbers stay


def test_exports_never_ask_a_given_number():
    from explorer.step.downloads import _blanks

    net, x, y = hand()
    all_steps = steps(net, net.backprop(x, y))
    first = all_steps[0]                       # the input: a¹ = x is given
    assert _blanks(net, all_steps, first, ("a", 1, 1, None), "the explained cell") == \
        [("delta", 3, 1, None)]
    assert _blanks(net, all_steps, first, ("a", 1, 1, None), "this step") == \
        [("delta", 3, 1, None), ("delta", 3, 2, None)]
    bp4 = next(s for s in all_steps if s.kind == "BP4")
    assert _blanks(net, all_steps, bp4, ("w", 3, 1, 1), "the explained cell") == \
        [("nabla_w", 3, 1, 1)]
    assert _blanks(net, all_steps, bp4, ("z", 2, 2, None), "the explained cell") == \
        [("z", 2, 2, None)]
