"""The Step page's nudge ("Nudge this number", explorer/step/nudging.py): the picked z, w or
b moved by Δ, the cost computed exactly (backprop.nudge), the tangent ΔC ≈ slope · Δ with
backpropagation's slope, the curve; hidden in practice mode until the cost and δ are."""

import re

import numpy as np
from helpers.apptest import assert_clean, charts, decode, go_to, open_page, pick
from numpy.testing import assert_allclose

from backprop import nudge


def nudged(at, cell):
    at = pick(at, cell)
    at.session_state["nudge_box"] = True        # what a click on the expander sends
    return at.run()


def test_a_picked_z_is_nudged_exactly_with_delta_as_the_slope():
    at = open_page("step")
    at = nudged(go_to(at, 8), ("delta", 2, 1, None))     # a δ cell nudges its z
    assert_clean(at)
    net, x, y = (at.session_state[k] for k in ("net", "x", "y"))
    trace = net.backprop(x, y)
    (slider,) = [s for s in at.slider if s.key == "nudge_z_2_1_None"]
    dz = slider.value
    exact = nudge(net, x, y, "z", 2, 1, deltas=[dz])
    text = "\n".join(e.value for e in at.latex)
    want = trace.delta[2][0] * dz
    assert r"\Delta C \approx \delta^{2}_{1}\,\Delta z^{2}_{1}" in text
    assert f"({trace.delta[2][0]:.6g})({dz:.4g}) = {want:.6g}" in text
    said = "\n".join(m.value for m in at.markdown)
    assert f"**{exact.costs[0] - exact.cost:.6g}**" in said
    fig = charts(at)["chart_nudge"]
    curve, tangent, points = fig["data"][-3:]
    d = np.asarray(decode(curve["x"]), float)
    assert_allclose(decode(curve["y"]), nudge(net, x, y, "z", 2, 1, deltas=d).costs,
                    rtol=1e-12, atol=0)
    assert_allclose(decode(tangent["y"]), trace.cost + trace.delta[2][0] * d,
                    rtol=1e-12, atol=1e-15)
    assert_allclose(decode(points["y"]), [trace.cost, exact.costs[0]], rtol=1e-12)


def test_a_weight_is_nudged_with_its_gradient_as_the_slope():
    at = nudged(go_to(open_page("step"), 10), ("nabla_w", 3, 2, 1))
    assert_clean(at)
    net, x, y = (at.session_state[k] for k in ("net", "x", "y"))
    g = net.backprop(x, y).nabla_w[3][1, 0]
    (slider,) = [s for s in at.slider if s.key == "nudge_w_3_2_1"]
    text = "\n".join(e.value for e in at.latex)
    assert r"a^{2}_{1}\delta^{3}_{2}\,\Delta w^{3}_{21}" in text
    assert f"({g:.6g})({slider.value:.4g})" in text


def test_an_activation_cannot_be_nudged_and_practice_hides_the_nudge():
    at = nudged(open_page("step"), ("a", 2, 1, None))
    assert any("Pick a z, δ" in c.value for c in at.caption)
    assert "chart_nudge" not in charts(at)
    at.session_state["practice"] = True
    at = nudged(go_to(at.run(), 1), ("z", 2, 1, None))   # the cost is not known yet
    assert any("hidden until you answer" in i.value for i in at.info)
    assert "chart_nudge" not in charts(at) and not [s for s in at.slider
                                                    if s.key.startswith("nudge_")]


def opened_terms(at, cell):
    at = pick(at, cell)
    at.session_state["terms_box"] = True         # what a click on the expander sends
    return at.run()


def test_a_picked_delta_is_taken_apart_term_by_term():
    """δ²₁ of the 2-2-2 network: the bars are w³_j1 δ³_j, j = 1, 2; the text gives their
    sum ∂C/∂a²₁ and δ²₁ = sum · σ′(z²₁), as backpropagation computed them."""
    at = opened_terms(go_to(open_page("step"), 8), ("delta", 2, 1, None))
    assert_clean(at)
    net, x, y = (at.session_state[k] for k in ("net", "x", "y"))
    trace = net.backprop(x, y)
    want = net.w[3][:, 0] * trace.delta[3]
    bars = charts(at)["chart_terms"]["data"][-1]
    assert bars["type"] == "bar" and bars["text"] == ["w³₁₁ δ³₁", "w³₂₁ δ³₂"]
    assert_allclose(decode(bars["y"]), want, rtol=1e-12, atol=0)
    said = "\n".join(m.value for m in at.markdown)
    assert f"**{want.sum():.6g}**" in said and f"**{trace.delta[2][0]:.6g}**" in said
    assert f"{trace.sp[2][0]:.6g}" in said


def test_terms_only_where_several_add_up():
    """A sigmoid output's δ has one term (BP1): no panel; an activation: none either."""
    at = go_to(open_page("step"), 7)
    for cell in (("delta", 3, 1, None), ("a", 2, 1, None)):
        at = opened_terms(at, cell)
        assert "chart_terms" not in charts(at)
        assert not [e for e in at.expander if "term by term" in e.label]


def test_a_nudge_outside_the_slider_stays_within_it():
    """What a raw websocket message could send for the slider: no Δ outside its range is
    used (Streamlit keeps the last value; the page clamps what it gets besides)."""
    at = nudged(go_to(open_page("step"), 8), ("z", 2, 1, None))
    (slider,) = [s for s in at.slider if s.key == "nudge_z_2_1_None"]
    for sent in (1e300, -1e300):
        at.session_state["nudge_z_2_1_None"] = sent
        at.run()
        assert_clean(at)
        text = "\n".join(e.value for e in at.latex)
        used = float(re.search(r"\)\((-?[\d.e+-]+)\) =", text).group(1))
        assert slider.min <= used <= slider.max, used
