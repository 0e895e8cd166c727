"""The Step page's own component (explorer/figures/chart.py): what a click or a step may send
back, what the page sends it, and clicks and steps sent over a raw websocket as any client
can. The steps' numbers: tests/explorer/test_step_payload.py."""

import json
import sys
from pathlib import Path

import pytest
from helpers.apptest import STEPPER, STEPPER_STATE, assert_clean, go_to, open_page, stepper
from streamlit.runtime.state.common import user_key_from_element_id

from backprop.explain.notation import QUANTITIES
from explorer.figures import chart
from explorer.presets import default_network
from explorer.step.picking import LABELS

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from benchmarks.loadclient import AppSession, run_sync  # noqa: E402

W, B, DELTA, NABLA_W, COST = (QUANTITIES.index(q) for q in ("w", "b", "delta", "nabla_w",
                                                              "cost"))


@pytest.mark.parametrize("value, want", [
    ([DELTA, 2, 1, 0], ("delta", 2, 1, None)),
    ([DELTA, 3, 2, 0], ("delta", 3, 2, None)),
    ([QUANTITIES.index("a"), 1, 2, 0], ("a", 1, 2, None)),     # the input layer has a
    ([W, 3, 2, 1], ("w", 3, 2, 1)),
    ([NABLA_W, 2, 1, 2], ("nabla_w", 2, 1, 2)),
    ([B, 2, 2, 0], ("b", 2, 2, None)),
    ([4.0, 2.0, 1.0, 0.0], ("delta", 2, 1, None)),    # JSON may carry 2 as 2.0
])
def test_pick_of_a_cell(value, want):
    net, _, _ = default_network()       # 2-2-2
    assert chart.pick_of(value, net) == want


@pytest.mark.parametrize("value", [
    None, "4,2,1,0", {"0": 4, "1": 2, "2": 1, "3": 0}, [DELTA, 2, 1], [DELTA, 2, 1, 0, 0],
    [DELTA, 2, "1", 0], [DELTA, 2, True, 0], [DELTA, 2, None, 0], [DELTA, 2, [1], 0],
    [DELTA, 2, 1.5, 0], [DELTA, 2, float("nan"), 0], [DELTA, 2, float("inf"), 0],
    [DELTA, 2, 10 ** 400, 0], [DELTA, 2, 1e300, 0],
    [-1, 2, 1, 0], [len(QUANTITIES), 2, 1, 0],          # no such quantity
    [DELTA, 1, 1, 0], [DELTA, 4, 1, 0], [W, 1, 1, 1],   # no such layer for it
    [DELTA, 2, 0, 0], [DELTA, 2, 3, 0], [W, 2, 1, 0], [W, 2, 1, 3],   # no such row/column
    [DELTA, 2, 1, 1],                                   # a vector has no column
    [COST, 3, 0, 0],                                    # the cost is no cell of a figure
])
def test_pick_of_refuses_what_is_no_cell(value):
    net, _, _ = default_network()
    assert chart.pick_of(value, net) is None


def stepper_element(at):
    """(element id, data) of the Step page's component."""
    (c,) = [c for c in at.get("bidi_component") if c.proto.component_name == STEPPER]
    assert user_key_from_element_id(c.proto.id) == "stepper"
    return c.proto.id, json.loads(c.proto.json)


def sent_stepper(session):
    """The data of the Step page's component as a websocket session last received it, with
    its state (see helpers.apptest.stepper)."""
    sent = {e.bidi_component.component_name: json.loads(e.bidi_component.json)
            for e, _ in session.page.values() if e.WhichOneof("type") == "bidi_component"}
    return {**sent[STEPPER], **sent.get(STEPPER_STATE, {})}


def test_the_stepper_is_one_element_sent_once_for_every_step():
    """The component keeps its element (its id does not depend on its data) while the step
    changes, and every step is in its data from the first run: a step changes only "step",
    which the browser does not need (it steps by itself), and no figure goes separately."""
    at = open_page("step")
    before_id, before = stepper_element(at)
    assert before["n"] == len(before["steps"]) == before["upto"] + 1
    assert stepper(at)["step"] == 0
    go_to(at, 1)
    assert_clean(at)
    after_id, after = stepper_element(at)
    assert after_id == before_id
    assert stepper(at)["step"] == 1
    # the steps as sent are the same; only what the browser keeps by itself may differ
    def steps_sent(data):
        return {k: v for k, v in data.items() if k != "step"}
    assert steps_sent(after) == steps_sent(before) and "steps" in after
    assert not at.get("plotly_chart")
    assert not [c for c in at.get("bidi_component")
                if c.proto.component_name not in (STEPPER, STEPPER_STATE)]


def test_the_chart_loads_plotly_js_and_katex_from_their_packages(server):
    """The addresses the component loads plotly.js and KaTeX from are the file of the
    installed plotly package and the vendored KaTeX, served by Streamlit once the page has
    run."""
    from urllib.request import urlopen

    _, data = stepper_element(open_page("step"))
    assert (data["src"], data["katex"]) == (chart.SRC, chart.KATEX)

    async def visit():
        async with AppSession(server) as s:
            return await s.open("Step_through")
    assert run_sync(visit()).problems == []
    for address, file in ((data["src"], chart._PLOTLY_DIR / "plotly.min.js"),
                          (data["katex"], chart._KATEX_DIR / "katex.min.js")):
        with urlopen(f"{server}/{address.removeprefix('./')}", timeout=30) as r:
            body = r.read()
        assert body == file.read_bytes(), address


def test_a_click_sent_over_a_raw_websocket_picks_only_a_cell(server):
    """Whatever a client sends as the component's click or step, the page answers without
    an error and keeps the cell it explains and its step; a real cell's click changes the
    cell, a real step the step."""
    cell = {"cell": [DELTA, 2, 1, 0], "step": 7}
    bad_steps = ("abc", "1e3", "0", -1, 99, 1.5, True, None, [3], 1e300, "9" * 5000)
    hostile = ["not json", json.dumps([{"event": "pick"}]),
               json.dumps([{"event": "pick", "value": [DELTA, 2, 1, 0]}]),   # no step
               json.dumps([{"event": "pick", "value": {**cell, "cell": [DELTA, 2, 99, 0]}}]),
               json.dumps([{"event": "pick", "value": {**cell, "extra": 1}}]),
               json.dumps([{"event": "pick", "value": {"cell": [DELTA, 2, 1, 0]}}]),
               json.dumps([{"event": "pick", "value": "x" * 100_000}]),
               json.dumps([{"event": "pick", "value": {**cell, "cell": list(range(100_000))}}]),
               json.dumps([{"event": "other", "value": cell}]),
               json.dumps({"event": "pick", "value": {**cell, "cell": [W, 9, 1, 1]}})]
    hostile += [json.dumps([{"event": "pick", "value": {**cell, "step": v}}]) for v in bad_steps]
    hostile += [json.dumps([{"event": e, "value": v}]) for e in ("step", "at") for v in bad_steps]

    async def main():
        async with AppSession(server) as s:
            run = await s.open("Step_through")
            assert run.problems == []
            start = s.value("_pq")
            for raw in hostile:
                run = await s.send_event("stepper", "pick", raw=raw)
                assert run.problems == [], raw[:80]
                assert s.value("_pq") == start, raw[:80]
                assert sent_stepper(s)["step"] == 0 and sent_stepper(s)["picked"] is None
            # Nested deeper than Python's recursion limit, the text makes Streamlit's own
            # json.loads fail before any code of the app runs (as it would for any JSON
            # widget with a callback, st.plotly_chart's selection included). The page
            # shows Streamlit's redacted notice, never Python's text, and the next run
            # is as before.
            run = await s.send_event("stepper", "pick", raw="[" * 5000 + "]" * 5000)
            assert not any("Recursion" in p or "Traceback" in p for p in run.problems)
            run = await s.rerun()
            assert run.problems == [] and s.value("_pq") == start
            run = await s.send_event("stepper", "at", 3)          # the browser is at 3
            assert run.problems == [] and sent_stepper(s)["step"] == 3
            assert sent_stepper(s)["seq"] == 0 and s.value("_pq") == LABELS["z"]
            run = await s.send_event("stepper", "pick", cell)     # a click at BP2
            assert run.problems == []
            picked = sent_stepper(s)["picked"]
            assert sent_stepper(s)["step"] == 7 and sent_stepper(s)["seq"] == 0
            return start, s.value("_pq"), s.value("_pl"), s.value("_pj"), picked

    start, q, l, j, picked = run_sync(main())       # the selectboxes show their labels
    assert start != LABELS["delta"]
    assert (q, l, j) == (LABELS["delta"], "2", 1)
    assert picked["step"] == 7 and picked["cell"] == ["delta", 2, 1, None]
    assert picked["equation"] == "BP2"


def test_a_step_sent_with_stale_explain_widgets_explains_the_new_steps_cell(server):
    """A rerun that moves the step explains the new step's cell, whatever the explain
    widgets (_pq, _pl) carry. A browser whose reruns overlap (steps asked faster than the
    page answers; seen in Chromium, 7 quick presses of →) sends those widgets' values from
    an earlier run; on_keys must not take them for a pick. In practice mode every step is
    the component's trigger "step", sent here with the stale widgets, as a browser does."""
    z3, a3 = 3, 4

    async def main():
        async with AppSession(server) as s:
            await s.open("Step_through")
            run = await s.set("_practice", True)
            assert run.problems == [] and sent_stepper(s)["local"] is False
            await s.send_event("stepper", "step", z3)      # explains z³₁: widgets z, 3
            shown = (s.value("_pq"), s.value("_pl"))
            s.fill("_pq", LABELS["a"])       # what the same widgets held at the a² step
            s.fill("_pl", "2")
            run = await s.send_event("stepper", "step", a3)   # to A3: a³ = σ(z³)
            assert run.problems == []
            return shown, sent_stepper(s), (s.value("_pq"), s.value("_pl"))

    shown, data, widgets = run_sync(main())
    assert shown == (LABELS["z"], "3")
    assert data["step"] == a3 and data["steps"][a3]["title"].startswith("Forward, layer 3")
    assert widgets == (LABELS["a"], "3")
    cell = (data["picked"] if data["picked"] and data["picked"]["step"] == a3
            else data["steps"][a3]["derivation"])["cell"]
    assert cell == ["a", 3, 1, None]        # the A3 step's own cell, a³₁ (hidden: asked)


@pytest.mark.parametrize("event, value", [
    ("at", "²"), ("step", "²"), ("pick", {"cell": [DELTA, 2, 1, 0], "step": "²"})])
def test_a_step_that_is_a_non_ascii_digit_is_ignored(server, event, value):
    async def main():
        async with AppSession(server) as s:
            await s.open("Step_through")
            run = await s.send_event("stepper", event, value)
            return run.problems, sent_stepper(s)["step"]

    assert run_sync(main()) == ([], 0)
