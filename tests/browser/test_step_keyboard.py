"""The Step page by keyboard and screen reader (issue 23), in a real Chromium:

- the first Tab from the page's top reaches a skip link that takes the focus to Next,
  where the sidebar's widgets would take dozens of presses;
- → and ← step, and each new step is announced (an aria-live region);
- a cell of the figures is reached with Tab, the arrows move between cells and Enter
  explains it: the derivation backprop.explain.explain gives;
- the network figure's accessible name says the step, and "Numbers as a table" holds the
  figure's numbers (compared with the package's trace);
- a practice answer's verdict is announced.
"""

import pytest
from numpy.testing import assert_allclose
from step_dom import (
    BP2,
    NET,
    STEPPER,
    STEPS,
    TIMEOUT,
    TRACE,
    N,
    open_step_page,
    wait_for_drawn,
)

from backprop.explain import explain

DERIVATION_JS = """() => [...document.querySelectorAll(
    '.bp-derivation .bp-der-body .katex-mathml annotation')].map(a => a.textContent)"""
FOCUSED_JS = """() => { const e = document.activeElement;
    return [e.className, e.id, e.getAttribute('aria-label') || e.textContent]; }"""
# Every element Tab can reach, in order, until ``stop`` (a CSS selector) is reached.
TABS_UNTIL_JS = """(stop) => document.activeElement.matches(stop)"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def focused(page):
    return page.evaluate(FOCUSED_JS)


def tabs_until(page, selector, most=80):
    """Tab presses from where the focus is until ``selector`` has it (None: not within
    ``most``)."""
    for n in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate(TABS_UNTIL_JS, selector):
            return n
    return None


def test_the_first_tab_reaches_a_skip_link_to_next(page, app_server, page_errors):
    open_step_page(page, app_server)
    page.keyboard.press("Tab")
    cls, ident, text = focused(page)
    assert ident == "bp-skip" and text == "Skip to the steps (Prev, Next)"
    assert page.locator("#bp-skip").is_visible()        # shown while focused
    page.keyboard.press("Enter")
    assert "bp-next" in focused(page)[0]
    page.keyboard.press("Enter")                          # Next, by keyboard alone
    wait_for_drawn(page, 1)
    # the figure: without the skip link, Tab walks through the whole sidebar first
    open_step_page(page, app_server)
    page.evaluate("() => document.getElementById('bp-skip').remove()")
    assert tabs_until(page, f"{STEPPER} button.bp-next:not([disabled])") > 10
    assert page_errors == []


def test_the_arrows_step_and_each_step_is_announced(page, app_server, page_errors):
    open_step_page(page, app_server)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                          # the focus on Next
    live = page.locator(f"{STEPPER} [role=status][aria-live=polite]")
    for i, key in ((1, "ArrowRight"), (2, "ArrowRight"), (1, "ArrowLeft"), (2, "n")):
        page.keyboard.press(key)
        wait_for_drawn(page, i)
        assert live.text_content() == f"Step {i + 1} of {N}: {STEPS[i].title}"
    label = page.locator(f"{STEPPER} .bp-net .bp-fig").get_attribute("aria-label")
    assert label == f"Heatmaps of z, a and δ for layers 1 to 3, at step 3 of {N}: a² just " \
                    "computed"
    assert page.locator(f"{STEPPER} .bp-net .bp-fig").get_attribute("role") == "figure"
    assert "Keys: → or n next · ← or p previous" in page.locator(f"{STEPPER} .bp-keys") \
        .text_content()
    assert page.locator(f"{STEPPER} button.bp-next").get_attribute("title") == \
        "Next step (→ or n)"
    assert page_errors == []


def cell_label(page):
    return focused(page)[2]


def test_a_cell_is_explained_by_keyboard_alone(page, app_server, page_errors):
    open_step_page(page, app_server, BP2 + 1)
    # Tab from Next to the first cell of a figure: one stop per figure, not one per cell
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert tabs_until(page, f"{STEPPER} .bp-net .bp-cell", most=12) is not None
    first = cell_label(page)
    assert first == f"z^2_1 = {TRACE.z[2][0]:.6g}"        # the network figure's first cell
    # z²₁ → (down) z²₂ → (down) a²₁: the panel below → (down) a²₂ → (down) δ²₁
    for key, want in (("ArrowDown", f"z^2_2 = {TRACE.z[2][1]:.6g}"),
                      ("ArrowDown", f"a^2_1 = {TRACE.a[2][0]:.6g}"),
                      ("ArrowDown", f"a^2_2 = {TRACE.a[2][1]:.6g}"),
                      ("ArrowDown", f"δ^2_1 = {TRACE.delta[2][0]:.6g}"),
                      ("ArrowRight", f"δ^3_1 = {TRACE.delta[3][0]:.6g}"),
                      ("ArrowLeft", f"δ^2_1 = {TRACE.delta[2][0]:.6g}")):
        page.keyboard.press(key)
        assert cell_label(page) == want, key
    assert int(page.locator(STEPPER).get_attribute("data-drawn")) == BP2, "arrows in a " \
        "figure move between cells, they do not step"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    cell = ("a", 2, 2, None)
    page.wait_for_selector(f'{STEPPER} .bp-derivation[data-cell="a,2,2,"]', timeout=TIMEOUT)
    d = explain(NET, TRACE, *cell)
    page.wait_for_function(f"() => ({DERIVATION_JS})().length === {len(d.lines)}",
                           timeout=TIMEOUT)
    assert page.evaluate(DERIVATION_JS) == list(d.lines)
    assert page.locator(f"{STEPPER} .bp-der-body").get_attribute("aria-live") == "polite"
    assert page_errors == []


def table_numbers(page):
    """{(quantity, l): [(j, text, data-v)]} of the tables under the network figure."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '.bp-tables table')].map(t => {
            const q = t.querySelector('caption').textContent.split(' ')[0];
            const layers = [...t.querySelectorAll('thead th')].slice(1)
                .map(h => Number(h.textContent.replace('layer ', '')));
            return [q, layers.map((l, i) => [l, [...t.querySelectorAll('tbody tr')]
                .map(r => [Number(r.querySelector('th').textContent),
                           r.querySelectorAll('td')[i].textContent,
                           r.querySelectorAll('td')[i].dataset.v])])];
        }))""")


@pytest.mark.parametrize("step", [2, BP2 + 1])
def test_the_numbers_as_a_table_are_the_figures(page, app_server, page_errors, step):
    open_step_page(page, app_server, step)
    toggle = page.locator(f"{STEPPER} .bp-tables-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    fig = page.locator(f"{STEPPER} .bp-net .bp-fig")
    assert fig.get_attribute("aria-describedby") == "bp-tables"
    tables = table_numbers(page)
    assert set(tables) == {"z", "a", "δ"}
    done = {(s.quantity, s.l) for s in STEPS[:step]}
    for name, q in (("z", "z"), ("a", "a"), ("δ", "delta")):
        for l, rows in tables[name]:
            want = getattr(TRACE, q)[l]
            assert [j for j, text, _ in rows if text] == list(range(1, len(want) + 1))
            for j, text, v in rows[: len(want)]:
                if (q, l) in done:
                    assert_allclose(float(v), want[j - 1], rtol=0, atol=0)
                    assert_allclose(float(text), want[j - 1], rtol=5e-6)
                else:
                    assert text == "not yet computed" and v == ""
    # the tables follow the step
    page.locator(f"{STEPPER} button.bp-next").click()
    wait_for_drawn(page, step)
    caption = page.locator(".bp-tables caption").first.text_content()
    assert caption == f"z at step {step + 1} of {N}"
    assert page_errors == []


def test_a_practice_verdict_is_announced(page, app_server, page_errors):
    open_step_page(page, app_server, 2)                 # z²: asks z²₁, z²₂ or both
    page.get_by_text("Practice: predict each number first").click()
    page.get_by_text("Your turn:").wait_for(timeout=TIMEOUT)
    right = {f"z²{s}": TRACE.z[2][j] for j, s in enumerate("₁₂")}
    boxes = page.locator('[data-testid="stForm"] [data-testid="stTextInput"]')
    boxes.first.wait_for(timeout=TIMEOUT)
    asked = [boxes.nth(i).locator("label").text_content() for i in range(boxes.count())]
    assert asked and set(asked) <= set(right), asked
    live = page.locator(f"{STEPPER} [role=status][aria-live=polite]")
    for name in asked:
        page.get_by_label(name).fill("12345")
    page.get_by_role("button", name="Check").click()
    page.wait_for_function("(el) => el.textContent.includes('is not right')",
                           arg=live.element_handle(), timeout=TIMEOUT)
    assert live.text_content().startswith(f"{asked[0]} = 12345 is not right.")
    for name in asked:
        page.get_by_label(name).fill(f"{right[name]:.6g}")
    page.get_by_role("button", name="Check").click()
    page.wait_for_function("(el) => el.textContent.startsWith('✓')",
                           arg=live.element_handle(), timeout=TIMEOUT)
    assert asked[0] in live.text_content() and "revealed" in live.text_content()
    assert page_errors == []
