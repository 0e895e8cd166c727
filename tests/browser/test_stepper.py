"""The Step page's stepper (explorer/figures/chart.js, issue 21) in a real Chromium.

- Next, Prev and the keys → ← n p step; at every step the heading, the panels' data-known
  and the cells' data-v are the package's (backprop.explain.steps and the trace);
- stepping sends no websocket message (in practice mode, where each step goes to the
  server, the same count is not zero: the positive control);
- a reload, and the browser's Back after another page, come back at the step shown;
- a click on a cell shows the derivation backprop.explain.explain gives for it, for every
  cell at the last step; a cell not yet computed says at which step it is;
- a change in the sidebar keeps the step shown.
"""

import re

import numpy as np
import pytest
from conftest import wait_for_run
from step_dom import (
    BP2,
    NET,
    STEPPER,
    STEPS,
    TIMEOUT,
    TRACE,
    N,
    cell_centre,
    drawn,
    panels,
    title,
    wait_for_drawn,
)

from backprop.explain import explain
from backprop.explain.steps import steps
from explorer.presets import PRESETS
from explorer.step.picking import default_pick

KINDS = ("z", "a", "delta")       # the network figure's rows of panels

# Counts the messages the page sends on its websockets (window.__bpSent), from the start.
COUNT_SENDS = """(() => {
    const send = WebSocket.prototype.send;
    window.__bpSent = 0;
    WebSocket.prototype.send = function (...args) {
        window.__bpSent += 1;
        return send.apply(this, args);
    };
})();"""

# The LaTeX of the derivation's KaTeX lines (KaTeX keeps it in the MathML annotation).
DERIVATION_JS = """() => [...document.querySelectorAll(
    '.bp-derivation .bp-der-body .katex-mathml annotation')].map(a => a.textContent)"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def open_step_page(page, base, query=""):
    page.goto(f"{base}/Step_through{query}", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)


def check_step(page, i, net=NET, trace=None, all_steps=None):
    """The page shows step i (0-based) of ``net``'s example as the package computes it:
    the heading, the slider, the address, and the network figure (the z, a and δ panels
    computed at steps 0..i known, with the trace's numbers; the others without any)."""
    trace = trace if trace is not None else TRACE
    all_steps = all_steps if all_steps is not None else STEPS
    n = len(all_steps)
    assert drawn(page) == i
    assert title(page) == f"Step {i + 1} of {n} · {all_steps[i].title}"
    slider = page.locator(f"{STEPPER} input.bp-slider")
    assert slider.input_value() == str(i + 1) and slider.get_attribute("max") == str(n)
    assert re.search(rf"[?&]step={i + 1}(&|$)", page.url), page.url
    done = {(s.quantity, s.l) for s in all_steps[: i + 1] if s.quantity in KINDS}
    chart = panels(page)
    assert set(chart) == {(q, l) for q in KINDS for l in range(1, net.L + 1)
                          if q == "a" or l > 1}, sorted(chart)
    for (q, l), (known, v) in chart.items():
        assert known == ((q, l) in done), (i, q, l)
        if known:   # data-v is the float64 as JavaScript prints it: it reads back exactly
            np.testing.assert_allclose(v.ravel(), getattr(trace, q)[l], rtol=0, atol=0)
        else:
            assert np.isnan(v).all(), (i, q, l)
    prev, nxt = (page.locator(f"{STEPPER} button.bp-{b}") for b in ("prev", "next"))
    assert prev.is_disabled() == (i == 0) and nxt.is_disabled() == (i == n - 1)


def go(page, i, how):
    """Step once by ``how`` (a button's class or a key) and wait for step i."""
    if how in ("next", "prev"):
        page.locator(f"{STEPPER} button.bp-{how}").click()
    else:
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press(how)
    wait_for_drawn(page, i)


def test_next_prev_and_the_keys_step_through_the_packages_numbers(page, app_server,
                                                                  page_errors):
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    check_step(page, 0)
    for i in range(1, N):
        go(page, i, "next")
        check_step(page, i)
    for i, how in ((N - 2, "prev"), (N - 3, "ArrowLeft"), (N - 4, "p"), (N - 3, "ArrowRight"),
                   (N - 2, "n"), (N - 3, "P"), (N - 2, "N")):
        go(page, i, how)
        check_step(page, i)
    # keys typed into a widget are the widget's: Row j (a number input) keeps its →
    row = page.locator('[data-testid="stNumberInput"]').filter(
        has=page.get_by_text("Row j", exact=True)).locator("input")
    row.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    check_step(page, N - 2)
    assert page_errors == []


def sent(page):
    return page.evaluate("() => window.__bpSent")


def messages_while_stepping(page, start):
    """Press Next 5 times, then → 5 times, from step ``start``, waiting for each step to be
    drawn, then 500 ms more: the number of websocket messages the page sent meanwhile."""
    before = sent(page)
    i = start
    for _ in range(5):
        i += 1
        go(page, i, "next")
    for _ in range(5):
        i += 1
        go(page, i, "ArrowRight")
    page.wait_for_timeout(500)
    return sent(page) - before


def test_stepping_sends_no_message_to_the_server(page, app_server, page_errors):
    page.add_init_script(COUNT_SENDS)
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    page.wait_for_timeout(500)       # what the page sends when it opens
    assert sent(page) > 0, "the counter sees the page's messages"
    assert messages_while_stepping(page, 0) == 0
    check_step(page, 10)
    assert page_errors == []


def test_in_practice_mode_each_step_goes_to_the_server(page, app_server, page_errors):
    """The positive control of the test above: where a step does go to the server (a
    practice question is asked at each step), the same count sees every step."""
    page.add_init_script(COUNT_SENDS)
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    page.get_by_text("Practice: predict each number first").click()
    page.wait_for_function("() => ((window.__bpStepper || {}).state || {}).local === false",
                           timeout=TIMEOUT)
    wait_for_run(page)
    page.wait_for_timeout(500)
    assert messages_while_stepping(page, 0) >= 10
    assert title(page).startswith(f"Step 11 of {N}")
    assert page_errors == []


def test_a_reload_comes_back_at_the_step_shown(page, app_server, page_errors):
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    for i in range(1, 8):
        go(page, i, "next" if i % 2 else "ArrowRight")
    go(page, 8, "n")
    page.reload(timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_drawn(page, 8)
    check_step(page, 8)
    assert page_errors == []



def test_back_from_another_page_comes_back_at_the_step_shown(page, app_server, page_errors):
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    for i in range(1, 6):
        go(page, i, "next")
    page.locator('[data-testid="stSidebar"]').get_by_role(
        "link", name="Gradient check and descent").click()
    page.locator("h1").filter(has_text="Check the gradient").wait_for(timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    page.go_back(timeout=TIMEOUT)
    page.locator("h1").filter(has_text="Step through one example").wait_for(timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_drawn(page, 5)
    check_step(page, 5)
    assert page_errors == []


def test_a_sidebar_link_back_to_the_page_comes_back_at_the_step_shown(page, app_server,
                                                                    page_errors):
    """Left by one link and come back by another (no Back, no ?step= in the address): the
    page shows the step it showed, and the server is told it (practice asks there)."""
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    for i in range(1, 6):
        go(page, i, "next")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("link", name="Gradient check and descent").click()
    page.locator("h1").filter(has_text="Check the gradient").wait_for(timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    sidebar.get_by_role("link", name="Step through one example").click()
    page.locator("h1").filter(has_text="Step through one example").wait_for(timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    wait_for_drawn(page, 5)
    check_step(page, 5)
    page.get_by_text("Practice: predict each number first").click()
    page.get_by_text("Your turn:").wait_for(timeout=TIMEOUT)
    wait_for_drawn(page, 5)
    assert title(page).startswith(f"Step 6 of {len(STEPS)}")
    assert page_errors == []


def click(page, cell):
    at = cell_centre(page, cell)
    assert at, f"no cell {cell} shown"
    page.mouse.click(at["x"], at["y"])


def wait_for_derivation_of(page, cell):
    q, l, j, k = cell
    page.wait_for_selector(f'{STEPPER} .bp-derivation[data-cell="{q},{l},{j},{k or ""}"]',
                           timeout=TIMEOUT)


def check_derivation(page, cell):
    """The derivation shown is explain()'s for ``cell``: its equation, text and lines."""
    wait_for_derivation_of(page, cell)
    d = explain(NET, TRACE, *cell)
    page.wait_for_function(f"() => ({DERIVATION_JS})().length === {len(d.lines)}",
                           timeout=TIMEOUT)
    assert page.locator(f"{STEPPER} .bp-derivation h4").text_content() \
        == "Where does this number come from?"
    assert page.locator(f"{STEPPER} .bp-der-head").text_content() == f"{d.equation} · {d.text}"
    assert page.evaluate(DERIVATION_JS) == list(d.lines)
    # the clicked cell outlined, the cells its number uses dotted
    assert page.locator(f"{STEPPER} .bp-net .bp-mark-pick").count() >= (cell[0] in KINDS)


CLICKED = (("a", 2, 2, None), ("delta", 2, 1, None), ("z", 3, 2, None), ("a", 1, 2, None),
           ("w", 3, 2, 1))


def test_every_cell_at_the_last_step_is_clickable_and_explained(page, app_server,
                                                                 page_errors):
    """At the last step every number is known: each cell of the network figure and of the
    figure beside the equation (BP4's outer product) answers a click with its derivation."""
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    page.locator(f"{STEPPER} input.bp-slider").focus()
    page.keyboard.press("End")
    wait_for_drawn(page, N - 1)
    cells = page.evaluate("""() => [...document.querySelectorAll('.bp-fig')]
        .filter(f => f.offsetParent !== null).flatMap(f => [...f.querySelectorAll('.bp-cell')])
        .map(c => [c.parentElement.dataset.q, Number(c.parentElement.dataset.l),
                   Number(c.dataset.j), c.dataset.k === '' ? null : Number(c.dataset.k)])""")
    expected = sum(NET.sizes[l - 1] for q in KINDS for l in range(1, NET.L + 1)
                   if q == "a" or l > 1)
    assert len(cells) > expected, "the network's cells and those beside the equation"
    for cell in map(tuple, cells):
        click(page, cell)
        check_derivation(page, cell)
    check_step(page, N - 1)
    assert page_errors == []


def test_a_cell_not_yet_computed_says_where_it_is(page, app_server, page_errors):
    open_step_page(page, app_server, "?step=2")
    wait_for_drawn(page, 1)
    click(page, ("delta", 3, 1, None))
    wait_for_derivation_of(page, ("delta", 3, 1, None))
    first = next(s for s in STEPS if (s.quantity, s.l) == ("delta", 3))
    note = page.locator(f"{STEPPER} .bp-derivation .bp-note")
    note.wait_for(timeout=TIMEOUT)
    assert f"computed at step {first.index + 1} ({first.title})" in note.text_content()
    check_step(page, 1)
    assert page_errors == []


def test_a_click_on_a_cell_shows_its_derivation(page, app_server, page_errors):
    """Stepped to BP2 in the browser (z, a and δ of every layer known), each clicked cell of
    the network figure, and of w³ beside the equation, is explained; the step stays. δ²₁
    (the issue's worked example) comes second, so its click must change what is shown."""
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    for i in range(1, BP2 + 1):
        go(page, i, "next")
    check_derivation(page, default_pick(STEPS[BP2]))     # δ²₁, the step's own
    for cell in CLICKED:
        click(page, cell)
        check_derivation(page, cell)
        check_step(page, BP2)
    assert page_errors == []



@pytest.mark.parametrize("at", [BP2, 3])
def test_a_page_opened_at_a_step_shows_its_figure_beside_the_equation(page, app_server,
                                                                     page_errors, at):
    open_step_page(page, app_server, f"?step={at + 1}")
    wait_for_drawn(page, at)
    page.wait_for_timeout(1500)      # the warm-up of the other steps, when idle
    focus = panels(page, ".bp-focus-fig")
    assert focus is not None and set(focus) == {("w", 3)}, focus
    check_step(page, at)
    assert page_errors == []


def choose_preset(page, name):
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text="Preset"))
    box.click()
    page.get_by_role("option", name=name).click()


def test_a_sidebar_change_keeps_the_step_shown(page, app_server, page_errors):
    """Stepped to step 6 in the browser, then another preset with more steps: the page
    shows step 6 of the new network, with its numbers."""
    name = "Deep sigmoid chain"
    net, x, y = PRESETS[name].make()
    trace = net.backprop(x, y)
    other = steps(net, trace)
    assert len(other) >= N
    open_step_page(page, app_server)
    wait_for_drawn(page, 0)
    for i in range(1, 6):
        go(page, i, "next")
    choose_preset(page, name)
    page.wait_for_function(f"""(n) => (document.querySelector('{STEPPER} h3.bp-title') || {{}})
        .textContent.includes(' of ' + n + ' ·')""", arg=len(other), timeout=TIMEOUT)
    wait_for_run(page)
    check_step(page, 5, net, trace, other)
    assert page_errors == []
