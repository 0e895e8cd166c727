"""Practice mode in a real Chromium: a teacher's lesson link opened cold, a wrong answer
with a known mistake diagnosed, then the right one revealing the step."""

import numpy as np

from explorer import files, lesson
from test_explorer import (NET, STEPS, TIMEOUT, TRACE, X, Y, assert_no_errors,
                           network_chart, screenshot, subheader, wait_for_run)

BP2 = next(s.index for s in STEPS if s.kind == "BP2")
LESSON = lesson.Lesson(step=BP2, cell=("delta", 2, 2, None), practice=True,
                       hide=frozenset({"preset", "cost"}), lock=frozenset({"init"}))
RIGHT = float(TRACE.delta[2][1])
# σ′(z²₂) left out: the back-propagated sum alone, (w³)ᵀ δ³ at row 2
NO_SIGMA_PRIME = float(NET.w[3][:, 1] @ TRACE.delta[3])


def answer(page, text):
    box = page.get_by_label("δ²₂")
    box.fill(text)
    page.get_by_role("button", name="Check").click()


def test_a_cold_lesson_link_asks_then_diagnoses_then_reveals(page, fresh_server,
                                                             page_errors):
    assert abs(NO_SIGMA_PRIME - RIGHT) > 1e-3
    page.goto(f"{fresh_server}/Step_through?{lesson.query(files.to_link(NET, X, Y), LESSON)}")
    wait_for_run(page)
    assert subheader(page).startswith(f"Step {BP2 + 1} of {len(STEPS)}")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Preset", exact=True).count() == 0
    assert sidebar.get_by_text("Cost", exact=True).count() == 0
    assert sidebar.get_by_role("combobox", name="Initial weights").is_disabled()
    known, _ = network_chart(page)[("delta", 2)]
    assert not known, "the asked step's numbers must stay hidden"
    screenshot(page, "practice-asked")

    answer(page, f"{NO_SIGMA_PRIME:.5f}")
    page.get_by_text("is not right").first.wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    warning = page.locator('[data-testid="stAlert"]').filter(has_text="is not right")
    assert "σ′" in warning.first.text_content()
    assert page.get_by_role("button", name="Show me").is_visible()
    assert not network_chart(page)[("delta", 2)][0]
    screenshot(page, "practice-diagnosed")

    answer(page, f"{RIGHT:.6f}")
    page.get_by_text("right after the hint").first.wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    known, z = network_chart(page)[("delta", 2)]
    assert known
    np.testing.assert_allclose(z.ravel(), TRACE.delta[2], rtol=1e-12, atol=0)
    screenshot(page, "practice-revealed")
    assert_no_errors(page, page_errors)
