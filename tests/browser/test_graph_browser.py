"""The notes' own arguments on the Step page, in a real Chromium (issue 22); the graph's
numbers without a browser are in tests/explorer/figures/test_graph.py:

- the network as a graph follows the steps: at every step each column of circles shows the
  quantity its title names, and each band of lines w, the terms wδ of BP2 or ∂C/∂w, with
  the package's numbers;
- a click on a line or a circle of the graph opens the derivation of the matching heatmap
  cell (backprop.explain.explain), and hovering a line names it with its value;
- the nudge: z²₁ moved by the slider's Δ, the exact ΔC read off the page is the cost of a
  forward pass written out here;
- BP2 term by term: the bars of δ²₁ add up to ∂C/∂a²₁ (Matt Mazur's 0.036350306).
"""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose
from step_dom import (
    BP2,
    NET,
    STEPPER,
    TIMEOUT,
    TRACE,
    N,
    X,
    Y,
    graph,
    graph_point,
    open_step_page,
    wait_for_drawn,
)

from backprop.explain import explain

SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
NUMBER = r"(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"    # a number, not the full stop after it
DERIVATION_JS = """() => [...document.querySelectorAll(
    '.bp-derivation .bp-der-body .katex-mathml annotation')].map(a => a.textContent)"""

# What the graph of the 2-2-2 network shows at each step, written out from the notes:
# the circles of layers 1..3, the lines into layers 2 and 3.
SHOWN = [
    ("a¹ ? ?", "w² w³"),                      # input
    ("a¹ z² ?", "w² w³"),                     # z²
    ("a¹ a² ?", "w² w³"),                     # a²
    ("a¹ a² z³", "w² w³"),                    # z³
    ("a¹ a² a³", "w² w³"),                    # a³
    ("a¹ a² a³", "w² w³"),                    # the cost
    ("a¹ a² δ³", "w² w³δ³"),                  # BP1: the terms of δ³ start flowing back
    ("a¹ δ² δ³", "w² w³δ³"),                  # BP2
    ("a¹ δ² δ³", "w² w³δ³"),                  # BP3, layer 3
    ("a¹ δ² δ³", "w² ∂C/∂w³"),                # BP4, layer 3
    ("a¹ δ² δ³", "w² ∂C/∂w³"),                # BP3, layer 2
    ("a¹ δ² δ³", "∂C/∂w² ∂C/∂w³"),            # BP4, layer 2
]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def column_values(title):
    """The numbers a column titled e.g. "δ³" must show."""
    name, l = title[0], int(title[1:].translate(str.maketrans("¹²³⁴⁵⁶", "123456")))
    return {"a": TRACE.a, "z": TRACE.z, "δ": TRACE.delta}[name][l]


def band_values(title, l):
    if title == f"w{str(l).translate(SUP)}":
        return NET.w[l]
    if title.startswith("∂C/∂w"):
        return np.outer(TRACE.delta[l], TRACE.a[l - 1])      # BP4, written out
    assert title == f"w{str(l).translate(SUP)}δ{str(l).translate(SUP)}", title
    return NET.w[l] * TRACE.delta[l][:, None]                # w^l_jk δ^l_j


def test_the_graph_follows_every_step_with_the_packages_numbers(page, app_server,
                                                                 page_errors):
    open_step_page(page, app_server)
    assert len(SHOWN) == N
    for i in range(N):
        if i:
            page.locator(f"{STEPPER} button.bp-next").click()
            wait_for_drawn(page, i)
        g = graph(page)
        cols, bands = SHOWN[i]
        assert " ".join(g["cols"][l][0] if g["cols"][l][0] != "?" else "?"
                        for l in (1, 2, 3)) == cols, i
        assert " ".join(g["bands"][l][0] for l in (2, 3)) == bands, i
        for l, (t, v) in g["cols"].items():
            if t == "?":
                assert np.isnan(v).all(), (i, l)
            else:   # data-v is the float64 as JavaScript prints it: it reads back exactly
                assert_allclose(v, column_values(t), rtol=0, atol=0)
        for l, (t, v) in g["bands"].items():
            assert_allclose(v, band_values(t, l), rtol=1e-15, atol=0)
    # BP2's terms add up column by column to ∂C/∂a² (Mazur: ∂E/∂out_h1 = 0.036350306)
    page.locator(f"{STEPPER} input.bp-slider").focus()
    for _ in range(N - 1 - BP2):
        page.keyboard.press("ArrowLeft")
    wait_for_drawn(page, BP2)
    terms = graph(page)["bands"][3][1]
    assert_allclose(terms.sum(axis=0)[0], 0.036350306, rtol=1e-7)
    assert page_errors == []


def check_derivation(page, cell):
    q, l, j, k = cell
    page.wait_for_selector(f'{STEPPER} .bp-derivation[data-cell="{q},{l},{j},{k or ""}"]',
                           timeout=TIMEOUT)
    d = explain(NET, TRACE, *cell)
    page.wait_for_function(f"() => ({DERIVATION_JS})().length === {len(d.lines)}",
                           timeout=TIMEOUT)
    assert page.locator(f"{STEPPER} .bp-der-head").text_content() == f"{d.equation} · {d.text}"
    assert page.evaluate(DERIVATION_JS) == list(d.lines)


def hover(page, point, tries=10):
    """Point the mouse at ``point`` of the graph (circle or line); returns where it is and
    the tip shown. The page may still move the graph as it settles (the heatmaps' zoom,
    typeset equations): the point is found again until the tip shows."""
    tip = page.locator(".bp-graph .bp-tip")
    for _ in range(tries):
        page.mouse.move(0, 0)
        at = graph_point(page, *point)
        page.mouse.move(at["x"], at["y"])
        try:
            tip.wait_for(state="visible", timeout=2_000)
            return at, tip.text_content()
        except Exception:       # playwright's TimeoutError: pointed before the graph moved
            continue
    raise AssertionError(f"no tip over {point} in {tries} tries")


@pytest.mark.parametrize("step, point, cell, tip", [
    # forward: a line is a weight
    (2, (3, 2, 1), ("w", 3, 2, 1), "w^3_21 = 0.5"),
    (2, (2, 1), ("z", 2, 1, None), "z^2_1 = 0.3775"),
    # BP2: a line is the term w³₂₁ δ³₂, explained by the δ²₁ it flows into
    (BP2 + 1, (3, 2, 1), ("delta", 2, 1, None),
     "w^3_21·δ^3_2 = {:.6g}, a term of ∂C/∂a^2_1".format(0.5 * TRACE.delta[3][1])),
    (BP2 + 1, (3, 1), ("delta", 3, 1, None), "δ^3_1 = {:.6g}".format(TRACE.delta[3][0])),
    # BP4: a line is ∂C/∂w
    (N, (3, 1, 1), ("nabla_w", 3, 1, 1), "∂C/∂w^3_11 = {:.6g}".format(0.082167041)),
    (N, (2, 2, 1), ("nabla_w", 2, 2, 1),
     "∂C/∂w^2_21 = {:.6g}".format(TRACE.nabla_w[2][1, 0])),
])
def test_a_click_on_the_graph_explains_its_number(page, app_server, page_errors, step, point,
                                                  cell, tip):
    open_step_page(page, app_server, step)
    at, said = hover(page, point)
    assert said == tip
    page.mouse.click(at["x"], at["y"])
    check_derivation(page, cell)
    # outlined in the graph: the circle, or the line on its halo
    assert page.locator(".bp-graph .bp-picked").count() == 1
    assert page_errors == []


def cost(a3):
    return 0.5 * np.sum((a3 - Y) ** 2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def cost_with_z21(dz):
    """The forward pass from layer 2 on with z²₁ moved by dz, written out."""
    z2 = NET.w[2] @ X + NET.b[2]
    z2[0] += dz
    return cost(sigmoid(NET.w[3] @ sigmoid(z2) + NET.b[3]))


def test_nudging_a_neuron_gives_the_exact_change_of_the_cost(page, app_server, page_errors):
    open_step_page(page, app_server, BP2 + 1)        # δ²₁ picked: its z²₁ is nudged
    page.get_by_text("Nudge this number", exact=False).first.click()
    slider = page.locator('[data-testid="stSlider"] input[type="range"]').last
    text = page.get_by_text("Computed exactly", exact=False)
    text.wait_for(timeout=TIMEOUT)
    c0 = cost_with_z21(0.0)
    assert_allclose(c0, TRACE.cost, rtol=1e-15)
    for press in range(2):
        if press:
            slider.focus()
            page.keyboard.press("ArrowRight")      # one step of the slider: Δ + 2/100
            page.wait_for_function(
                "(old) => ![...document.querySelectorAll('p')].some(p => p.textContent"
                " === old)", arg=text.text_content(), timeout=TIMEOUT)
        said = text.text_content()
        dz = float(re.search(r"moved by Δ = " + NUMBER, said).group(1))
        change = float(re.search(r"− C = " + NUMBER, said).group(1))
        assert dz == [0.5, 0.52][press], said
        assert_allclose(change, cost_with_z21(dz) - c0, rtol=5e-6)
        # and the tangent beside it: ΔC ≈ δ²₁ Δ, with backpropagation's δ²₁
        latex = page.locator(".katex-mathml annotation").filter(
            has_text="Delta C").last.text_content()
        assert f"= ({TRACE.delta[2][0]:.6g})({dz:.4g})" in latex, latex
    assert page_errors == []


def test_bp2s_bars_add_up_to_the_slope_along_a(page, app_server, page_errors):
    open_step_page(page, app_server, BP2 + 1)
    page.get_by_text("term by term (BP2)", exact=False).first.click()
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .some(p => p.data && p.data.some(t => t.type === 'bar'))""", timeout=TIMEOUT)
    bars = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .flatMap(p => p.data).filter(t => t.type === 'bar').map(t => Array.from(t.y))""")
    assert len(bars) == 1
    want = [0.40 * 0.138498562, 0.50 * -0.038098236]      # w³ₖ₁ δ³ₖ, Mazur's δ's by hand
    assert_allclose(bars[0], want, rtol=1e-7)
    assert_allclose(sum(bars[0]), 0.036350306, rtol=1e-7)
    said = page.get_by_text("They add up to", exact=False).text_content()
    total = float(re.search(NUMBER.join(("= ", ", which")), said).group(1))
    assert_allclose(total, sum(bars[0]), rtol=5e-6)
    delta = float(re.search("to δ²₁ = " + NUMBER, said).group(1))
    assert_allclose(delta, TRACE.delta[2][0], rtol=5e-6)
    assert page_errors == []
