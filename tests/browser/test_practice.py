"""Practice mode in a real Chromium: a teacher's lesson link opened cold, a wrong answer
with a known mistake diagnosed, then the right one revealing the step."""

import re

import numpy as np
from test_explorer import (
    NET,
    STEPS,
    TIMEOUT,
    TRACE,
    X,
    Y,
    assert_no_errors,
    network_chart,
    screenshot,
    subheader,
    wait_for_run,
)

from explorer import files
from explorer.lesson import links

BP2 = next(s.index for s in STEPS if s.kind == "BP2")
LESSON = links.Lesson(step=BP2, cell=("delta", 2, 2, None), practice=True,
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
    page.goto(f"{fresh_server}/Step_through?{links.query(files.to_link(NET, X, Y), LESSON)}")
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
    # the component draws the revealed step once its new data arrives, after the run
    page.wait_for_selector('.bp-net .bp-panel[data-q="delta"][data-l="2"][data-known="1"]',
                           timeout=TIMEOUT)
    known, z = network_chart(page)[("delta", 2)]
    assert known
    np.testing.assert_allclose(z.ravel(), TRACE.delta[2], rtol=1e-12, atol=0)
    screenshot(page, "practice-revealed")
    assert_no_errors(page, page_errors)


def test_the_exports_download_from_the_step_page(page, open_app, tmp_path):
    import subprocess
    import sys
    import xml.etree.ElementTree as ET

    open_app("/Step_through")
    page.get_by_text("Export: NumPy script, worksheet, Moodle quiz").click()
    got = {}
    for label in ("NumPy script of this example (.py)", "Worksheet", "Answer key",
                  "Moodle quiz (XML)"):
        button = page.get_by_role("button", name=label)
        button.wait_for(timeout=TIMEOUT)
        with page.expect_download(timeout=TIMEOUT) as d:
            button.click()
        got[label] = tmp_path / d.value.suggested_filename
        d.value.save_as(got[label])
    run = subprocess.run([sys.executable, "-I", str(got["NumPy script of this example (.py)"])],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    delta = next(line.split() for line in run.stdout.splitlines()
                 if line.split()[:2] == ["delta", str(NET.L)])
    np.testing.assert_allclose([float(v) for v in delta[4:]], TRACE.delta[NET.L],
                               rtol=1e-12, atol=0)
    assert "<html" in got["Worksheet"].read_text().lower()
    quiz = ET.parse(got["Moodle quiz (XML)"]).getroot()
    assert quiz.tag == "quiz" and quiz.findall("question[@type='numerical']")
    # The quiz's file is made on the click (deferred), and the click still gives the next
    # quiz a fresh seed: the page names another one than the file's.
    seed = got["Moodle quiz (XML)"].stem.rsplit("_", 1)[1]
    page.get_by_text(re.compile(r"· seed \d+")).filter(
        has_not_text=f"seed {seed}").wait_for(timeout=TIMEOUT)
