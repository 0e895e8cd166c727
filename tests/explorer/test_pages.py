"""Page tests: every page of the explorer run by Streamlit's AppTest (no browser).

They check what each page shows, not only that it ran: the numbers in the heatmaps are the
package's for the same network, stepping changes the equation and the chart, a picked cell
shows its derivation, bad table cells are reported and leave the last valid network in use,
and the network survives page switches.

The Step page steps in the browser (its component, explorer/figures/chart.py): the tests
read what the browser shows from the component's data (tests/helpers/apptest.py) and set
the step where the page keeps it. AppTest cannot click a cell of the component or edit an
``st.data_editor``; the tests set what those would set: session_state["pick"] (what
``on_pick`` writes) and the editor's session_state value (the edited-rows delta the browser
sends). The component's own controls (Prev, Next, the slider, the keys) are the browser
tests' (tests/browser/).
"""

import json

import numpy as np
import pytest
from helpers.apptest import (
    APP,
    GRADIENT,
    NETWORK,
    PAGES,
    STEP,
    assert_clean,
    charts,
    column_with,
    decode,
    derivation,
    go_to,
    heatmaps,
    latex,
    open_page,
    outlines,
    pick,
    same_network,
    shown_step,
    stepper,
    subheader,
    text_of,
)
from numpy.testing import assert_allclose
from streamlit.testing.v1 import AppTest

from backprop import Network
from backprop.explain import explain
from backprop.explain.notation import num
from backprop.explain.steps import known, steps
from explorer import files, limits
from explorer.figures import chart
from explorer.presets import DEFAULT, PRESETS

# The default preset, "2-2-2 by hand", has 12 steps in this order.
INPUT, Z2, A2, Z3, A3, COST, BP1, BP2, BP3_3, BP4_3, BP3_2, BP4_2 = range(12)


# --- helpers -----------------------------------------------------------------------------

def package_values(net, trace, q, l):
    return np.asarray(getattr(net, q)[l] if q in ("w", "b") else getattr(trace, q)[l])


def state(at):
    """(net, trace, all_steps, step index) of the session, computed by the package."""
    ss = at.session_state
    net = ss["net"]
    trace = net.backprop(ss["x"], ss["y"])
    return net, trace, steps(net, trace), ss["step"]


def check_heatmaps(fig, net, trace, now):
    """Every heatmap of ``fig`` shows the package's numbers where they are known at this
    step, all-NaN where they are not; and its cells' hover labels say the same."""
    maps = heatmaps(fig)
    assert maps, "the figure has no heatmap"
    for (q, l), (heat, cells) in maps.items():
        z = decode(heat["z"])
        expected = package_values(net, trace, q, l)
        is_known = q in ("w", "b") or (q, l) in now
        assert heat["meta"]["known"] == is_known, (q, l)
        if expected.ndim == 2:
            assert z.shape == expected.shape, (q, l)
        else:   # a column n_l × 1, or the row (a^{l−1})ᵀ of the outer product
            assert z.shape in ((expected.size, 1), (1, expected.size)), (q, l, z.shape)
        if is_known:
            assert_allclose(z.ravel(), expected.ravel(), rtol=1e-12, atol=0, err_msg=f"{q}{l}")
            shown = [float(t.split(" = ")[1]) for t in cells["text"]]
            assert_allclose(shown, expected.ravel(), rtol=1e-5, atol=1e-12,
                            err_msg=f"hover labels of {q}{l}")
        else:
            assert np.isnan(z).all(), (q, l)
            assert all(t.endswith("not yet computed") for t in cells["text"]), (q, l)
    return maps


def edit(at, key, edited_rows):
    """What a browser sends after editing the data_editor ``key``: the edited-rows delta,
    row positions as strings and columns by name (None = an emptied cell)."""
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    return at.run()



def editor_values(at, key):
    return next(d for d in at.data_editor if d.key == key).value.to_numpy(float)




# --- every page runs -----------------------------------------------------------------------

@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_for_every_preset(page, preset):
    at = AppTest.from_file(APP, default_timeout=30).run()
    if preset != DEFAULT:
        at.selectbox(key="_preset").select(preset).run()
    if PAGES[page]:
        at.switch_page(PAGES[page]).run()
    assert_clean(at)
    assert at.title, "every page has a title"
    same_network(at.session_state["net"], PRESETS[preset].make()[0])


def test_landing_page_says_what_and_where_to_start():
    at = open_page("app")
    assert at.title[0].value == "Backprop Explorer"
    text = "\n".join(m.value for m in at.markdown)
    assert "layer 1 is the input" in text
    assert "Step through" in text and DEFAULT in text
    assert "BP1" in latex(at) and "BP4" in latex(at)


def test_each_page_opens_on_its_own_first():
    """A page opened first (a deep link, a new session) sets up its own state."""
    for page in (NETWORK, STEP, GRADIENT):
        at = AppTest.from_file(APP, default_timeout=30)
        at.switch_page(page).run()      # the session's first run is this page, not app.py
        assert at.title and at.title[0].value != "Backprop Explorer"
        assert_clean(at)
        same_network(at.session_state["net"], PRESETS[DEFAULT].make()[0])


# --- Step through: the heatmaps hold the package's numbers --------------------------------

@pytest.mark.parametrize("preset", list(PRESETS))
def test_step_heatmaps_equal_the_package_at_every_step(preset):
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.selectbox(key="_preset").select(preset).run()
    at.switch_page(STEP).run()
    net, trace, all_steps, i = state(at)
    assert i == 0
    for i, step in enumerate(all_steps):
        assert_clean(at)
        assert at.session_state["step"] == i
        now = known(all_steps, i)
        figs = charts(at)
        network = figs["chart_network"]
        assert network["layout"]["meta"] == {"kinds": ["z", "a", "delta"], "L": net.L}
        maps = check_heatmaps(network, net, trace, now)
        assert set(maps) == ({("a", l) for l in range(1, net.L + 1)}
                             | {(q, l) for q in ("z", "delta") for l in range(2, net.L + 1)})
        if "chart_focus" in figs:
            focus = figs["chart_focus"]
            if focus["layout"]["meta"].get("curve"):      # σ drawn as a curve: a step's a^l
                assert step.kind == "a"
                points = next(t for t in focus["data"] if t["mode"] == "markers+text")
                assert_allclose(decode(points["x"]), trace.z[step.l], rtol=1e-12)
                assert_allclose(decode(points["y"]), trace.a[step.l], rtol=1e-12)
            else:
                check_heatmaps(focus, net, trace, now)
        else:
            assert step.kind in ("input", "cost", "BP1"), step.kind
        if i < len(all_steps) - 1:
            go_to(at, i + 1)
    # Next disabled at the last step: the browser tests; here, the last step is the last sent
    data = stepper(at)
    assert data["n"] == data["upto"] + 1 == len(data["steps"]) == len(all_steps)


def test_focus_figure_belongs_to_the_step():
    at = open_page("step")
    expected = {INPUT: None, Z2: {"quantity": "w", "l": 2}, A2: {"quantity": "a", "l": 2},
                COST: None, BP1: None, BP2: {"quantity": "w", "l": 3},
                BP3_3: {"quantity": "nabla_b", "l": 3}, BP4_3: {"quantity": "nabla_w", "l": 3}}
    for i, meta in expected.items():
        figs = charts(go_to(at, i))
        if meta is None:
            assert "chart_focus" not in figs, i
        else:
            shown = figs["chart_focus"]["layout"]["meta"]
            assert {k: shown.get(k) for k in meta} == meta, (i, shown)
    outer = charts(go_to(at, BP4_3))["chart_focus"]
    assert outer["layout"]["meta"].get("outer_product")
    assert set(heatmaps(outer)) == {("delta", 3), ("a", 2), ("nabla_w", 3)}


def test_unknown_quantities_are_all_nan_early_on():
    at = open_page("step")
    net, trace, all_steps, _ = state(at)
    maps = heatmaps(charts(at)["chart_network"])
    for (q, l), (heat, _cells) in maps.items():
        z = decode(heat["z"])
        if (q, l) == ("a", 1):          # step 1 is the input: only a^1 = x is known
            assert_allclose(z.ravel(), trace.a[1])
        else:
            assert np.isnan(z).all() and heat["meta"]["known"] is False, (q, l)
            assert "texttemplate" not in heat, "no numbers printed for unknown cells"
    maps = heatmaps(charts(go_to(at, COST))["chart_network"])   # forward pass done
    assert all(np.isnan(decode(h["z"])).all() for (q, _), (h, _c) in maps.items()
               if q == "delta")
    assert not any(np.isnan(decode(h["z"])).any() for (q, _), (h, _c) in maps.items()
                   if q in ("z", "a"))


# --- Step through: stepping -----------------------------------------------------------------

def test_next_prev_and_slider_change_the_step_shown():
    # Prev/Next disabled at the ends and the slider itself: tests/browser/ (the component's)
    at = open_page("step")
    _, _, all_steps, _ = state(at)
    last = len(all_steps) - 1
    data = stepper(at)
    assert data["n"] == last + 1 and data["local"] and shown_step(at) == 0
    assert [s["title"] for s in data["steps"]] == [s.title for s in all_steps]   # in order
    assert subheader(at) == f"Step 1 of {last + 1} · {all_steps[0].title}"
    assert all_steps[0].numbers in latex(at)

    seen = [(subheader(at), latex(at), json.dumps(charts(at)["chart_network"]))]
    for i in range(1, 4):
        go_to(at, i)
        assert_clean(at)
        assert at.session_state["step"] == i == shown_step(at)
        assert subheader(at) == f"Step {i + 1} of {last + 1} · {all_steps[i].title}"
        assert all_steps[i].rule in latex(at) and all_steps[i].numbers in latex(at)
        seen.append((subheader(at), latex(at), json.dumps(charts(at)["chart_network"])))
    for field in range(3):  # subheader, equations and the network chart all changed
        assert len({s[field] for s in seen}) == len(seen), field

    go_to(at, 2)
    assert shown_step(at) == 2 and all_steps[2].title in subheader(at)

    go_to(at, last)
    assert_clean(at)
    assert shown_step(at) == last
    assert subheader(at).startswith(f"Step {last + 1} of {last + 1}")
    assert all_steps[last].numbers in latex(at)

    # a step past either end is kept in range
    go_to(at, last + 5)
    assert_clean(at)
    assert shown_step(at) == last == at.session_state["step"]
    go_to(at, -3)
    assert_clean(at)
    assert shown_step(at) == 0 == at.session_state["step"]


def test_step_index_is_clamped_when_the_network_shrinks():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.selectbox(key="_preset").select("Deep sigmoid chain").run()
    at.switch_page(STEP).run()
    _, _, all_steps, _ = state(at)
    go_to(at, len(all_steps) - 1)
    at.selectbox(key="_preset").select("XOR (2-2-1)").run()
    assert_clean(at)
    _, _, xor_steps, i = state(at)
    assert i == len(xor_steps) - 1
    data = stepper(at)
    assert shown_step(at) == i == data["n"] - 1 == len(data["steps"]) - 1   # the last step


# --- Step through: explain any number ---------------------------------------------------

def test_picked_cell_shows_its_derivation_with_the_numbers():
    # The worked example: δ²₁ = (0.40 · 0.1385 + 0.50 · (−0.0381)) · 0.2413 = 0.00877
    at = go_to(open_page("step"), BP2)
    pick(at, ("delta", 2, 1, None))
    assert_clean(at)
    shown = latex(at)
    assert r"0.4\cdot0.1385" in shown and r"0.5\cdot(-0.0381)" in shown
    assert "0.008771" in shown
    assert derivation(at)["equation"] == "BP2"
    assert derivation(at)["cell"] == ["delta", 2, 1, None]
    net, trace, _, _ = state(at)
    for line in explain(net, trace, "delta", 2, 1).lines:
        assert line in shown


def test_picked_cell_is_outlined_and_its_inputs_dotted():
    # the outlines' pixels and dashes are drawn by chart.js: tests/browser/
    at = pick(go_to(open_page("step"), BP2), ("delta", 2, 2, None))
    maps = heatmaps(charts(at)["chart_network"])
    marks = outlines(at)
    assert marks[("delta", 2, 2, None)] == "pick"                  # row j=2, the pick
    assert marks[("delta", 3, 1, None)] == "use"                   # what BP2 used
    assert marks[("z", 2, 2, None)] == "use"
    assert list(marks.values()).count("pick") == 1
    for q, l, j, _k in marks:     # each outline is on a cell of the network figure
        if q in ("z", "a", "delta"):
            assert j in maps[(q, l)][1]["customdata"][:, 2], (q, l, j)


@pytest.mark.parametrize("cell", [
    ("z", 3, 2, None), ("a", 2, 1, None), ("a", 1, 2, None), ("cost", 3, None, None),
    ("delta", 3, 2, None), ("nabla_b", 2, 2, None), ("nabla_w", 3, 2, 1), ("w", 2, 1, 2),
    ("b", 3, 1, None)])
def test_any_cell_at_the_last_step_shows_the_package_derivation(cell):
    at = open_page("step")
    _, _, all_steps, _ = state(at)
    at = pick(go_to(at, len(all_steps) - 1), cell)
    assert_clean(at)
    net, trace, _, _ = state(at)
    d = explain(net, trace, *cell)
    shown = latex(at)
    for line in d.lines:
        assert line in shown
    assert num(d.value) in shown
    assert "message" not in derivation(at) and derivation(at)["lines"] == list(d.lines)


def test_cell_not_yet_computed_names_the_step_that_computes_it():
    at = open_page("step")
    _, _, all_steps, _ = state(at)
    for cell, first in ((("delta", 2, 1, None), BP2), (("nabla_w", 2, 2, 1), BP4_2),
                        (("z", 3, 1, None), Z3)):
        pick(at, cell)
        assert_clean(at)
        shown = derivation(at)
        assert shown["tone"] == "warning" and "lines" not in shown, cell
        text = shown["message"]
        assert f"step {first + 1}" in text and all_steps[first].title in text, text
        assert explain(*state(at)[:2], *cell).lines[-1] not in latex(at)


def test_keyboard_path_picks_a_cell_with_widgets():
    at = open_page("step")
    _, _, all_steps, _ = state(at)
    at = go_to(at, len(all_steps) - 1)
    at.selectbox(key="_pq").select("nabla_w").run()
    at.selectbox(key="_pl").select(3).run()
    at.number_input(key="_pj").set_value(2).run()
    at.number_input(key="_pk").set_value(1).run()
    assert_clean(at)
    assert at.session_state["pick"] == ("nabla_w", 3, 2, 1)
    net, trace, _, _ = state(at)
    for line in explain(net, trace, "nabla_w", 3, 2, 1).lines:
        assert line in latex(at)
    # the bounds follow the layer: j ≤ n_3, k ≤ n_2
    assert at.number_input(key="_pj").max == net.sizes[2]
    assert at.number_input(key="_pk").max == net.sizes[1]


def test_stepping_resets_the_pick_to_the_new_steps_default():
    at = pick(go_to(open_page("step"), BP2), ("a", 1, 2, None))
    assert at.session_state["pick"] == ("a", 1, 2, None)
    assert derivation(at)["cell"] == ["a", 1, 2, None]
    go_to(at, BP2 + 1)
    assert at.session_state["pick"] is None
    assert derivation(at)["cell"] == ["nabla_b", 3, 1, None]
    assert outlines(at)[("nabla_b", 3, 1, None)] == "pick"
    net, trace, _, _ = state(at)
    for line in explain(net, trace, "nabla_b", 3, 1).lines:   # BP3 for layer 3: cell j=1
        assert line in latex(at)
    assert explain(net, trace, "a", 1, 2).lines[-1] not in latex(at)


# The step changed with stale explain widgets: tests/explorer/figures/test_chart.py (a raw
# websocket sends the step's trigger with them, in the order Streamlit calls their callbacks).


def test_the_slider_numbers_the_steps_as_the_heading_does():
    """The step's number the page shows and keeps in its address counts from 1, as "Step i
    of N" does (the slider, min 1 max N, is the browser tests')."""
    at = go_to(open_page("step"), BP2)
    _, _, all_steps, _ = state(at)
    n = stepper(at)["n"]
    assert n == len(all_steps)
    assert subheader(at).startswith(f"Step {BP2 + 1} of {n}")
    assert chart.step_of(str(BP2 + 1), n) == BP2 == shown_step(at)
    assert [chart.step_of(str(i), n) for i in (1, n)] == [0, n - 1]
    assert chart.step_of("0", n) is None and chart.step_of(str(n + 1), n) is None


def test_a_page_opened_with_a_step_in_its_address_starts_there():
    """A reload or the Back button brings the address the component keeps (?step=, from
    1); an older address sent again with a later rerun does not move the step back."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["step"] = str(BP2 + 1)
    at.run()
    at.switch_page(STEP).run()
    assert_clean(at)
    assert shown_step(at) == BP2 and subheader(at).startswith(f"Step {BP2 + 1} of")
    go_to(at, BP4_2)                 # stepped in the browser: the same address comes along
    assert shown_step(at) == BP4_2
    at.run()
    assert shown_step(at) == BP4_2
    at.query_params["step"] = str(Z3 + 1)     # a new address: the Back button
    at.run()
    assert_clean(at)
    assert shown_step(at) == Z3


def test_a_step_in_the_address_that_is_no_number_is_ignored():
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["step"] = "²"
    at.run()
    at.switch_page(STEP).run()
    assert_clean(at)
    assert shown_step(at) == 0


# --- the sidebar -----------------------------------------------------------------------

def test_sidebar_bounds_come_from_limits():
    at = open_page("step")
    assert (at.number_input(key="_L").min, at.number_input(key="_L").max) == (
        limits.MIN_LAYERS, limits.MAX_LAYERS)
    for l in range(1, 4):
        n = at.number_input(key=f"_n_{l}")
        assert (n.min, n.max) == (1, limits.MAX_NEURONS)
    assert (at.number_input(key="_seed").min, at.number_input(key="_seed").max) == (
        0, limits.MAX_SEED)
    # the largest network the limits allow builds and draws
    at.number_input(key="_L").set_value(limits.MAX_LAYERS).run()
    for l in range(1, limits.MAX_LAYERS + 1):
        at.number_input(key=f"_n_{l}").set_value(limits.MAX_NEURONS).run()
    assert_clean(at)
    assert at.session_state["net"].sizes == (limits.MAX_NEURONS,) * limits.MAX_LAYERS
    check_heatmaps(charts(at)["chart_network"], *state(at)[:2], known(*state(at)[2:]))


def test_oversized_upload_is_refused_and_the_network_kept():
    """The limits are re-checked on every way in, not only in the widgets."""
    at = open_page("network")
    before = at.session_state["net"]
    big = Network.random([2, limits.MAX_NEURONS + 1, 2], seed=0)
    at.file_uploader(key="_upload").upload(
        "big.json", files.dumps(big, [0, 0], [0, 0]).encode(), "application/json").run()
    assert_clean(at)
    assert any(f"at most {limits.MAX_NEURONS}" in text_of(e) for e in at.error)
    same_network(at.session_state["net"], before)


def test_changing_layers_and_neurons_rebuilds_the_network():
    at = open_page("step")
    at.number_input(key="_L").set_value(4).run()
    assert at.session_state["net"].L == 4
    at.number_input(key="_n_3").set_value(5).run()
    assert_clean(at)
    net = at.session_state["net"]
    assert net.sizes[2] == 5
    same_network(net, Network.random(net.sizes, list(net.activations.values()), net.cost,
                                     seed=0, init="standard"))
    assert at.session_state["preset"] != DEFAULT
    check_heatmaps(charts(at)["chart_network"], *state(at)[:2], known(*state(at)[2:]))


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_loads(preset):
    at = open_page("step")
    at.number_input(key="_seed").set_value(11).run()    # move away from the preset first
    at.selectbox(key="_preset").select(preset).run()
    assert_clean(at)
    net, x, y = PRESETS[preset].make()
    same_network(at.session_state["net"], net)
    assert_allclose(at.session_state["x"], x)
    assert_allclose(at.session_state["y"], y)
    assert at.session_state["step"] == 0 or subheader(at).startswith("Step")
    assert PRESETS[preset].blurb in [c.value for c in at.sidebar.caption]
    assert f"In use: {'-'.join(map(str, net.sizes))}" in "\n".join(
        c.value for c in at.sidebar.caption)
    check_heatmaps(charts(at)["chart_network"], *state(at)[:2], known(*state(at)[2:]))


def test_incompatible_cost_shows_a_message_and_keeps_the_network():
    at = open_page("step")
    at.selectbox(key="_act_3").select("tanh").run()
    assert_clean(at)
    before = at.session_state["net"]
    assert before.activations[3] == "tanh"
    at.selectbox(key="_cost").select("cross_entropy").run()
    assert_clean(at)
    errors = [text_of(e) for e in at.sidebar.error]
    assert len(errors) == 1 and "cross_entropy" in errors[0] and "tanh" in errors[0]
    same_network(at.session_state["net"], before)
    assert "quadratic cost" in at.sidebar.caption[-1].value
    assert at.selectbox(key="_cost").value == "quadratic"      # the refused choice undone
    # a compatible output activation, then the cost: both taken, and the message goes
    at.selectbox(key="_act_3").select("sigmoid").run()
    assert_clean(at)
    assert not at.sidebar.error
    at.selectbox(key="_cost").select("cross_entropy").run()
    assert_clean(at)
    assert not at.sidebar.error
    assert at.session_state["net"].cost == "cross_entropy"
    np.testing.assert_array_equal(at.session_state["net"].w[3], before.w[3])


def assert_widgets_show(at, net, preset, init="standard", seed=0):
    """Every sidebar widget shows the network ``net``: the one in use."""
    same_network(at.session_state["net"], net)
    shows = {"preset": at.selectbox(key="_preset").value, "L": at.number_input(key="_L").value,
             "cost": at.selectbox(key="_cost").value, "init": at.selectbox(key="_init").value,
             "seed": at.number_input(key="_seed").value}
    shows.update({f"n_{l}": at.number_input(key=f"_n_{l}").value for l in range(1, net.L + 1)})
    shows.update({f"act_{l}": at.selectbox(key=f"_act_{l}").value for l in net.activations})
    want = {"preset": preset, "L": net.L, "cost": net.cost, "init": init, "seed": seed}
    want.update({f"n_{l}": n for l, n in enumerate(net.sizes, start=1)})
    want.update({f"act_{l}": act for l, act in net.activations.items()})
    assert shows == want
    sizes = "-".join(map(str, net.sizes))
    assert at.sidebar.caption[-1].value == (
        f"In use: {sizes}, {', '.join(net.activations.values())}; {net.cost} cost.")


# (what to change in the sidebar, what the refusal says): each refused by the network
REFUSALS = {
    "sigmoid output with log-likelihood": (
        lambda at: at.selectbox(key="_act_3").select("sigmoid"), "belongs with a softmax"),
    "log-likelihood with a sigmoid output": (
        lambda at: at.selectbox(key="_cost").select("log_likelihood"), "belongs with a softmax"),
    "one softmax output": (
        lambda at: at.number_input(key="_n_3").set_value(1), "single output neuron"),
    "tanh output with cross-entropy": (
        lambda at: at.selectbox(key="_act_3").select("tanh"), "between 0 and 1"),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_after_a_refused_change_every_widget_shows_the_network_in_use(refusal):
    # Issue 19, section 7: σ of layer 3 = sigmoid while the cost is log-likelihood is
    # refused and softmax kept, but the σ box went on showing "sigmoid"
    at = open_page("step")
    at.selectbox(key="_preset").select("Softmax classifier").run()   # softmax, log-likelihood
    at.selectbox(key="_cost").select("cross_entropy").run()          # softmax, cross-entropy
    if refusal.startswith("sigmoid output"):
        at.selectbox(key="_cost").select("log_likelihood").run()     # softmax, log-likelihood
    if refusal.startswith("log-likelihood with"):
        at.selectbox(key="_act_3").select("sigmoid").run()           # sigmoid, cross-entropy
    assert_clean(at)
    assert not at.sidebar.error
    net, preset = at.session_state["net"], at.selectbox(key="_preset").value
    assert_widgets_show(at, net, preset)

    change, says = REFUSALS[refusal]
    change(at).run()
    assert_clean(at)
    assert_widgets_show(at, net, preset)
    errors = [text_of(e) for e in at.sidebar.error]
    assert len(errors) == 1 and says in errors[0] and errors[0].startswith("Not changed"), errors
    for page in (NETWORK, APP, STEP):        # and so on every page, run after run
        at.switch_page(page).run()
        assert_clean(at)
        assert_widgets_show(at, net, preset)
    # the next change starts from what is in use, and a change taken clears the message
    at.number_input(key="_seed").set_value(4).run()
    assert_clean(at)
    assert not at.sidebar.error
    same_network(at.session_state["net"], Network.random(
        net.sizes, list(net.activations.values()), net.cost, seed=4))
    assert_widgets_show(at, at.session_state["net"], "(your own)", seed=4)


def test_a_refused_change_keeps_the_preset_in_use_named():
    at = open_page("step")
    net = at.session_state["net"]
    at.selectbox(key="_cost").select("log_likelihood").run()        # sigmoid outputs: refused
    assert_clean(at)
    assert len(at.sidebar.error) == 1
    assert_widgets_show(at, net, DEFAULT)
    assert PRESETS[DEFAULT].blurb in [c.value for c in at.sidebar.caption]


# --- switching pages keeps the network -------------------------------------------------

def test_switching_pages_keeps_the_network_and_the_step():
    at = open_page("step")
    at.number_input(key="_seed").set_value(7).run()
    net = at.session_state["net"]
    same_network(net, Network.random([2, 2, 2], "sigmoid", "quadratic", seed=7))
    go_to(at, BP2)

    at.switch_page(NETWORK).run()
    assert_clean(at)
    same_network(at.session_state["net"], net)
    assert at.number_input(key="_seed").value == 7
    assert_allclose(editor_values(at, f"w2_{at.session_state['version']}"), net.w[2])
    assert_allclose(editor_values(at, f"b3_{at.session_state['version']}").ravel(), net.b[3])

    at.switch_page(GRADIENT).run()
    assert_clean(at)
    same_network(at.session_state["net"], net)

    at.switch_page(STEP).run()
    assert_clean(at)
    same_network(at.session_state["net"], net)
    assert at.session_state["step"] == BP2 and "BP2" in subheader(at)
    check_heatmaps(charts(at)["chart_network"], *state(at)[:2], known(*state(at)[2:]))


def test_switching_pages_keeps_a_preset_and_its_widgets():
    at = open_page("app")
    at.selectbox(key="_preset").select("Softmax classifier").run()
    for page in (NETWORK, STEP, GRADIENT, APP):
        at.switch_page(page).run()
        assert_clean(at)
        assert at.selectbox(key="_preset").value == "Softmax classifier"
        assert at.selectbox(key="_cost").value == "log_likelihood"
        assert at.selectbox(key="_act_3").value == "softmax"
        same_network(at.session_state["net"], PRESETS["Softmax classifier"].make()[0])


# --- the Network page: editing tables ---------------------------------------------------

def test_network_tables_show_the_network():
    at = open_page("network")
    net, v = at.session_state["net"], at.session_state["version"]
    assert [d.key for d in at.data_editor] == [f"x_{v}", f"y_{v}", f"w2_{v}", f"b2_{v}",
                                               f"w3_{v}", f"b3_{v}"]
    for l in net.w:
        df = next(d for d in at.data_editor if d.key == f"w{l}_{v}").value
        assert list(df.index) == [f"j={j}" for j in range(1, net.sizes[l - 1] + 1)]
        assert list(df.columns) == [f"k={k}" for k in range(1, net.sizes[l - 2] + 1)]
        assert_allclose(df.to_numpy(float), net.w[l])
        assert_allclose(editor_values(at, f"b{l}_{v}").ravel(), net.b[l])
    assert_allclose(editor_values(at, f"x_{v}").ravel(), at.session_state["x"])
    assert_allclose(editor_values(at, f"y_{v}").ravel(), at.session_state["y"])


@pytest.mark.parametrize("value, says", [
    (None, "is empty"), (float("inf"), "is infinite"), ("inf", "is infinite"),
    (float("nan"), "which is not a number"),
    (2 * limits.MAX_ABS, f"between −{limits.MAX_ABS:g} and {limits.MAX_ABS:g}")])
def test_bad_weight_cell_is_reported_beside_its_table_and_the_network_kept(value, says):
    at = open_page("network")
    before, v = at.session_state["net"], at.session_state["version"]
    edit(at, f"w2_{v}", {"0": {"k=2": value}})
    assert_clean(at)
    beside = [text_of(e) for e in column_with(at, f"w2_{v}").error]
    assert len(beside) == 1 and says in beside[0] and "last valid" in beside[0], beside
    assert len(at.error) == 1, "the message appears once, beside w²"
    same_network(at.session_state["net"], before)
    # the other pages go on using the last valid network
    at.switch_page(STEP).run()
    assert_clean(at)
    same_network(at.session_state["net"], before)


def test_valid_edit_changes_the_network_everywhere():
    at = open_page("network")
    v = at.session_state["version"]
    edit(at, f"w3_{v}", {"1": {"k=1": 0.9}})
    assert_clean(at)
    assert not at.error
    net = at.session_state["net"]
    assert net.w[3][1, 0] == 0.9
    assert net.w[3][0, 0] == 0.4 and net.w[2][0, 0] == 0.15     # nothing else moved
    at.switch_page(STEP).run()
    at = go_to(at, BP1)
    assert_clean(at)
    net, trace, all_steps, i = state(at)
    assert net.w[3][1, 0] == 0.9
    check_heatmaps(charts(at)["chart_network"], net, trace, known(all_steps, i))


def test_bad_cell_keeps_what_was_typed_in_the_other_tables():
    at = open_page("network")
    before, v = at.session_state["net"], at.session_state["version"]
    at.session_state[f"b2_{v}"] = {"edited_rows": {"1": {"b²": 0.25}}, "added_rows": [],
                                   "deleted_rows": []}
    at.session_state[f"x_{v}"] = {"edited_rows": {"0": {"x": 0.5}}, "added_rows": [],
                                  "deleted_rows": []}
    edit(at, f"w2_{v}", {"1": {"k=1": None}})
    assert_clean(at)
    assert len(at.error) == 1 and "the last valid w²" in text_of(at.error[0])
    net = at.session_state["net"]
    np.testing.assert_array_equal(net.w[2], before.w[2])            # the bad table: kept
    assert net.b[2][1] == 0.25 and at.session_state["x"][0] == 0.5  # the good ones: used


def test_bad_input_vector_cell_is_reported_and_x_kept():
    at = open_page("network")
    v = at.session_state["version"]
    x = at.session_state["x"].copy()
    edit(at, f"x_{v}", {"1": {"x": None}})
    assert_clean(at)
    beside = [text_of(e) for e in column_with(at, f"x_{v}").error]
    assert len(beside) == 1 and "row j=2" in beside[0], beside
    assert_allclose(at.session_state["x"], x)


# --- the Gradient check page ------------------------------------------------------------

def test_gradient_check_table_shows_tiny_differences():
    at = open_page("gradient")
    table = at.dataframe[0].value
    net = at.session_state["net"]
    assert len(table) == 2 * (net.L - 1)       # ∂C/∂w^l and ∂C/∂b^l for l = 2..L
    assert (table["largest |difference|"] < 1e-8).all(), table
    assert (table["relative difference"] < 1e-6).all(), table
    assert (table["largest |backprop|"] > 1e-4).all(), "the gradient is not trivially 0"


def test_one_gradient_step_lowers_the_cost():
    at = open_page("gradient")
    net0, x, y = at.session_state["net"], at.session_state["x"], at.session_state["y"]
    c0 = net0.cost_of(x, y)
    assert at.number_input(key="_eta").value == 0.5
    assert at.metric[0].value == f"{c0:.6g}"
    at.button(key="sgd1").click().run()
    assert_clean(at)
    net1 = at.session_state["net"]
    same_network(net1, net0.sgd_step(x, y, 0.5))
    c1 = net1.cost_of(x, y)
    assert c1 < c0
    assert at.metric[0].value == f"{c1:.6g}"
    assert float(at.metric[0].proto.delta) < 0
    at.button(key="sgd10").click().run()
    assert_clean(at)
    assert at.session_state["net"].cost_of(x, y) < c1
    history = charts(at)["chart_history"]["data"][0]
    assert len(decode(history["y"])) == 12
    assert np.all(np.diff(decode(history["y"])) < 0)


def test_learning_rate_is_used_and_bounded():
    """The bounds are the page's to check (tests/explorer/test_untrusted_input.py): a browser that
    refuses an η out of range keeps sending the old one while showing the new."""
    at = open_page("gradient")
    eta = at.number_input(key="_eta")
    assert (eta.min, eta.max) == (None, None)
    net0, x, y = at.session_state["net"], at.session_state["x"], at.session_state["y"]
    at.number_input(key="_eta").set_value(2.0).run()
    at.button(key="sgd1").click().run()
    assert_clean(at)
    same_network(at.session_state["net"], net0.sgd_step(x, y, 2.0))
