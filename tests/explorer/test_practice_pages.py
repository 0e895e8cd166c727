"""Practice mode and lesson links on the Step page, run by AppTest (no browser).

The expected numbers are worked out here from the network's weights (the 2-2-2 preset,
round numbers), not taken from the page's own code. In practice mode each step goes through
the server (the component's trigger "step", done by ``go_to``); what the component shows is
read from its data (tests/helpers/apptest.py).
"""

import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from helpers.apptest import (
    APP,
    NETWORK,
    assert_clean,
    charts,
    go_to,
    heatmaps,
    latex,
    open_page,
    shown_step,
    stepper,
    subheader,
)
from streamlit.testing.v1 import AppTest

from explorer import files
from explorer.lesson import links
from explorer.presets import PRESETS

HAND = "2-2-2 by hand"
# z²₁ of the 2-2-2 preset: 0.15·0.05 + 0.20·0.10 + 0.35
Z2_1 = 0.15 * 0.05 + 0.20 * 0.10 + 0.35
Z2_1_NO_BIAS = Z2_1 - 0.35


def step_page(query=None):
    return open_page("step", query)


def practice_on(at):
    next(t for t in at.toggle if t.label.startswith("Practice")).set_value(True).run()
    assert_clean(at)
    return at


def check(at, *answers):
    for box, text in zip(at.text_input, answers):
        box.input(text)
    next(b for b in at.button if b.label == "Check").click().run()
    assert_clean(at)
    return at


def known_of(at, quantity, l):
    heat, _ = heatmaps(charts(at)["chart_network"])[(quantity, l)]
    return heat["meta"]["known"]


def texts(elements):
    return " ".join(e.value for e in elements)


def numbers_hidden(at):
    """Whether the step's numbers are withheld: the component then shows "The numbers of
    this step stay hidden until you answer." in their place."""
    return stepper(at)["steps"][shown_step(at)]["numbers"] is None


def test_practice_hides_the_steps_numbers_until_answered_right():
    at = practice_on(step_page())
    go_to(at, 1)                                  # step 2: z² = w² a¹ + b²
    assert [t.label for t in at.text_input] == ["z²₁"]
    assert not known_of(at, "z", 2)
    assert numbers_hidden(at)
    assert "0.3775" not in latex(at)
    sent = json.dumps(stepper(at))
    assert "0.3775" not in sent and repr(Z2_1) not in sent and stepper(at)["upto"] == 1
    check(at, f"{Z2_1:.4f}")
    assert known_of(at, "z", 2) and not numbers_hidden(at)
    assert "right first time" in texts(at.success)
    assert "0.3775" in latex(at)
    assert "Score: 1 right first time · 0 right after the hint · 0 shown" in texts(at.caption)


def test_with_practice_off_nothing_is_hidden_or_asked():
    at = step_page()
    go_to(at, 1)
    assert known_of(at, "z", 2) and not at.text_input


def test_a_forgotten_bias_is_diagnosed_then_hinted_then_shown():
    at = practice_on(step_page())
    go_to(at, 1)
    check(at, f"{Z2_1_NO_BIAS:.4f}")
    warning = texts(at.warning)
    assert "bias" in warning and "not right" in warning
    assert not known_of(at, "z", 2)
    # the hint: the numbers plugged in, but not the result
    hint = [l.value for l in at.latex if r"\cdot" in l.value]
    assert hint and not any("0.3775" in h for h in hint)
    next(b for b in at.button if b.label == "Show me").click().run()
    assert known_of(at, "z", 2)
    assert "Score: 0 right first time · 0 right after the hint · 1 shown" in texts(at.caption)


def test_right_after_a_wrong_answer_counts_as_after_the_hint():
    at = practice_on(step_page())
    go_to(at, 1)
    check(at, "0.5")
    check(at, f"{Z2_1:.4f}")
    assert "Score: 0 right first time · 1 right after the hint · 0 shown" in texts(at.caption)


@pytest.mark.parametrize("bad", ["", "abc", "0,3775", "1/3", "**0.3**", "9" * 400])
def test_a_bad_answer_gets_a_message_and_is_no_attempt(bad):
    at = practice_on(step_page())
    go_to(at, 1)
    check(at, bad)
    assert at.error, "a bad answer must be reported"
    assert not at.warning and not any(b.label == "Show me" for b in at.button)
    assert "0 right first time · 0 right after the hint · 0 shown" in texts(at.caption)
    assert "**" not in texts(at.error)
    check(at, f"{Z2_1:.4f}")
    assert "1 right first time" in texts(at.caption)   # the bad one was not counted


def test_the_whole_vector_can_be_asked():
    at = practice_on(step_page())
    go_to(at, 1)
    next(t for t in at.toggle if t.label.startswith("Ask the whole")).set_value(True).run()
    assert [t.label for t in at.text_input] == ["z²₁", "z²₂"]
    z2_2 = 0.25 * 0.05 + 0.30 * 0.10 + 0.35
    check(at, f"{Z2_1:.4f}", "1")
    assert "z²₂" in texts(at.warning) and not known_of(at, "z", 2)
    check(at, f"{Z2_1:.4f}", f"{z2_2:.4f}")
    assert known_of(at, "z", 2)


def test_a_lesson_link_opens_at_its_step_and_cell_with_practice_and_hidden_controls():
    net, x, y = PRESETS[HAND].make()
    les = links.Lesson(step=7, cell=("delta", 2, 2, None), practice=True,
                       hide=frozenset({"preset", "cost"}), lock=frozenset({"init"}))
    at = step_page({"net": files.to_link(net, x, y), **links.to_params(les)})
    assert subheader(at).startswith("Step 8 of 12") and shown_step(at) == 7
    assert [t.label for t in at.text_input] == ["δ²₂"]
    labels = [s.label for s in at.sidebar.selectbox]
    assert "Preset" not in labels and "Cost" not in labels
    assert next(s for s in at.sidebar.selectbox if s.label == "Initial weights").disabled
    assert at.sidebar.number_input(key="_seed").disabled


def test_the_lesson_builder_and_exports_are_drawn_only_while_open_and_keep_choices():
    """Closed, the two expanders under the explanation send no widgets (a click on Next
    stays light); open, the lesson link follows the step and the choices, which survive
    closing and reopening."""
    at = step_page()
    assert not at.code and not at.multiselect and not at.radio
    assert {"Copy a lesson link (for teachers)",
            "Export: NumPy script, worksheet, Moodle quiz"} <= {e.label for e in at.expander}
    at.session_state["lesson_builder"] = True          # what a click on the expander sends
    at.session_state["exports"] = True
    at.run()
    assert_clean(at)
    assert [r.label for r in at.radio] == ["Blank or ask", "Worksheet format"]
    at.multiselect(key="_lesson_hide").select("cost").run()
    go_to(at, 1)
    les = links.from_params(dict(parse_qsl(urlsplit(at.code[0].value).query)))
    assert les.step == 1 and les.hide == frozenset({"cost"}) and les.practice
    at.session_state["lesson_builder"] = False
    at.run()
    assert not at.code and not at.multiselect
    at.session_state["lesson_builder"] = True
    at.run()
    assert at.multiselect(key="_lesson_hide").value == ["cost"]


def test_a_locked_control_ignores_a_change_sent_anyway():
    les = links.Lesson(lock=frozenset({"init"}))
    at = step_page(links.to_params(les))
    w_before = at.session_state["net"].w[2].copy()
    seed = at.sidebar.number_input(key="_seed")
    seed.proto.disabled = False        # what a raw websocket message can send anyway
    seed.set_value(5).run()
    np.testing.assert_array_equal(at.session_state["net"].w[2], w_before)
    assert at.session_state["seed"] == 0 and at.sidebar.number_input(key="_seed").value == 0


@pytest.mark.parametrize("query", [{"step": "99"}, {"cell": "delta.9.1"},
                                   {"hide": "[x](https://evil.example)"},
                                   {"practice": "maybe"}])
def test_a_bad_lesson_link_gets_a_message_and_the_default_network(query):
    at = step_page(query)
    message = texts(at.error)
    assert "lesson in this link could not be used" in message
    assert "evil" not in message
    assert at.session_state["preset"] == HAND
    assert subheader(at).startswith("Step 1 of")


def test_a_lesson_that_locks_editing_shows_the_tables_without_editors_or_upload():
    net, x, y = PRESETS[HAND].make()
    les = links.Lesson(lock=frozenset({"edit"}))
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in {"net": files.to_link(net, x, y), **links.to_params(les)}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(NETWORK).run()
    assert_clean(at)
    assert not list(at.data_editor)
    assert not list(at.get("file_uploader"))
    assert "keeps its network" in texts(at.info)
    shown = [d.value for d in at.dataframe]       # x, y, then w² and b², w³ and b³
    assert len(shown) == 2 + 2 * (net.L - 1)
    np.testing.assert_allclose(shown[2].to_numpy(float), net.w[2], rtol=0, atol=0)
    # what a raw websocket message could still send for an editor is not there to take it
    at.session_state[f"w2_{at.session_state['version']}"] = {"edited_rows": {"0": {"1": "9"}}}
    at.run()
    np.testing.assert_array_equal(at.session_state["net"].w[2], net.w[2])


def test_without_a_lock_the_network_page_has_its_editors():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(NETWORK).run()
    assert len(list(at.data_editor)) == 2 + 2 * (at.session_state["net"].L - 1)
    assert list(at.get("file_uploader"))
