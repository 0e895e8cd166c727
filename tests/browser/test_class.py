"""A live class in real Chromium: a teacher and three students, each in a browser context
of their own, on two Streamlit replicas behind nginx (deploy/run.sh), sharing one class
database. The teacher and one student are on one replica, the other two students on the
other. The students answer (one with a diagnosed mistake, one with a nickname that tries
to inject HTML); the teacher's page shows the counts and the histogram by itself; the
teacher reveals, and every student's page shows the reveal by itself. Afterwards no log
(nginx's, the replicas') holds the class code, the teacher key or a student's token.
"""

import os
import re
import time
from pathlib import Path

import numpy as np
from test_explorer import TIMEOUT, screenshot, wait_for_run

from benchmarks import replicas
from explorer.presets import PRESETS

NET, X, Y = PRESETS["2-2-2 by hand"].make()
TRACE = NET.backprop(X, Y)
RIGHT = float(TRACE.delta[2][0])
NO_SIGMA_PRIME = float(NET.w[3][:, 0] @ TRACE.delta[3])   # σ′(z²₁) left out
SHOTS = Path(os.environ.get("CLASS_SHOTS", Path(__file__).resolve().parents[2] / "artifacts"))
NASTY = "<b>Cy</b><img src=x>"                          # 20 characters: within the bound


def new_page(browser, url, cookie):
    ctx = browser.new_context(viewport={"width": 1300, "height": 950})
    ctx.add_cookies([{"name": replicas.COOKIE, "value": cookie, "url": url}])
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    return page, errors


def choose(page, label, option):
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True))
    box.click()
    page.get_by_role("option", name=option).click()
    wait_for_run(page)


def metric(page, label):
    m = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return m.locator('[data-testid="stMetricValue"]').inner_text()


def open_class(teacher):
    """Press "Open a class" on the Teach page; returns the class code it shows."""
    teacher.get_by_role("button", name="Open a class").click()
    teacher.get_by_text("Class code").first.wait_for(timeout=TIMEOUT)
    wait_for_run(teacher)
    return metric(teacher, "Class code")


def join(student, url, code, name, question):
    """On ``student``'s page: open the class ``code``, join as ``name`` and wait until the
    question ``question`` ("Question 1: what is δ³₁?") is shown."""
    student.goto(f"{url}/Class?code={code}")
    wait_for_run(student)
    student.get_by_role("textbox", name="Nickname").fill(name)
    student.get_by_role("button", name="Join").click()
    student.get_by_text(question).wait_for(timeout=TIMEOUT)
    wait_for_run(student)


def teacher_asking(browser, url, step, question):
    """A teacher's page on ``url`` that has opened a class and asked it ``step`` (see
    ``ask``): (the page, its errors, the class code)."""
    teacher, errors = new_page(browser, url, "-")
    teacher.goto(f"{url}/Teach")
    wait_for_run(teacher)
    code = open_class(teacher)
    ask(teacher, step, question)
    return teacher, errors, code


def ask(teacher, step, question):
    """Ask the class the step matching ``step`` of the 2-2-2 by-hand network, and wait for
    the teacher's page to show ``question``."""
    choose(teacher, "Network", "2-2-2 by hand")
    choose(teacher, "Step", step)
    teacher.get_by_role("button", name="Ask the class").click()
    teacher.get_by_text(question).wait_for(timeout=TIMEOUT)


def test_a_teacher_and_three_students_on_two_replicas(browser, deployed):
    url, state, (on_a, on_b) = deployed
    teacher, errors_t = new_page(browser, url, on_a)
    teacher.goto(f"{url}/Teach")
    wait_for_run(teacher)
    code = open_class(teacher)
    key = re.search(r"key=([\w-]+)", teacher.url).group(1)
    assert re.fullmatch(r"[A-Z]{6}", code) and len(key) >= 32
    ask(teacher, re.compile(r"^8 · BP2"), "Question 1: δ²₁")

    students = {}
    for name, cookie, answer in (("Ada", on_a, f"{RIGHT:.6f}"),
                                 ("Bob", on_b, f"{NO_SIGMA_PRIME:.6f}"),
                                 (NASTY, on_b, "0.5")):
        page, errors = new_page(browser, url, cookie)
        join(page, url, code, name, "Question 1: what is δ²₁?")
        page.get_by_role("textbox", name="δ²₁").fill(answer)
        page.get_by_role("button", name="Send").click()
        page.get_by_text("Received: your answer").wait_for(timeout=TIMEOUT)
        wait_for_run(page)
        students[name] = (page, errors)

    ada, bob, cy = (students[n][0] for n in ("Ada", "Bob", NASTY))
    assert ada.get_by_text("is right").count() == 1
    warning = bob.locator('[data-testid="stAlert"]').filter(has_text="is not right")
    assert "σ′" in warning.first.inner_text()
    # the nickname is text on the page, not markup
    assert cy.get_by_text(f"You are {NASTY} in class {code}").is_visible()
    assert cy.locator('[data-testid="stMain"] img[src="x"]').count() == 0
    assert cy.locator('[data-testid="stMain"] b', has_text="Cy").count() == 0
    screenshot(bob, "class-student-diagnosed")

    # the teacher's view refreshes by itself: no click, no reload
    teacher.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
            m.innerText.includes('Answered') && m.innerText.includes('3'))""", timeout=TIMEOUT)
    assert metric(teacher, "Joined") == "3" and metric(teacher, "Right") == "33%"
    teacher.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')].some(el => el._fullData &&
            el._fullData.filter(t => t.type === 'bar')
              .reduce((n, t) => n + Array.from(t.y).reduce((a, b) => a + b, 0), 0) === 3)""",
        timeout=TIMEOUT)
    right_line = teacher.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .map(el => el.layout.shapes || []).flat().map(s => s.x0)""")
    np.testing.assert_allclose(right_line, [RIGHT], rtol=1e-12)
    screenshot(teacher, "class-teacher-answers")

    teacher.get_by_role("button", name="Reveal to the class").click()
    teacher.get_by_text("Revealed to the class").wait_for(timeout=TIMEOUT)
    for page, _ in students.values():          # each student's page follows by itself
        page.get_by_text(f"Revealed: δ²₁ = {RIGHT:.6g}").wait_for(timeout=TIMEOUT)
    wait_for_run(ada)
    screenshot(ada, "class-student-revealed")
    screenshot(teacher, "class-teacher-revealed")

    for page, errors in [(teacher, errors_t), *students.values()]:
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == []
    tokens = [re.search(r"me=([\w-]+)", p.url).group(1) for p, _ in students.values()]
    for page, _ in [(teacher, None), *students.values()]:
        page.context.close()
    access = state / "nginx" / "access.log"       # flushed every 5 s: wait for the
    deadline = time.monotonic() + 20              # four closed websockets to show
    while access.read_text().count("/_stcore/stream") < 4 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert access.read_text().count("/_stcore/stream") >= 4
    logs = "".join(p.read_text(errors="replace") for p in (state / "nginx").glob("*.log"))
    for secret in (code, key, *tokens):
        assert secret not in logs


DELTA3_1 = float(TRACE.delta[3][0])              # δ³₁ = (a³₁ − y₁) σ′(z³₁), the output layer


def test_a_student_answers_the_output_error_bp1(browser, tmp_path, monkeypatch):
    """The most classic question: the teacher asks δ³₁ of the output layer (BP1). The
    student's page shows it with its answer box and no apology; the answer is received and
    judged right; the teacher's page counts the student's page as showing it."""
    from conftest import serve

    monkeypatch.setenv("BACKPROP_CLASS_DB", str(tmp_path / "class.sqlite3"))
    with serve(tmp_path) as url:
        teacher, errors_t, code = teacher_asking(browser, url, re.compile(r"^7 · BP1"),
                                                 "Question 1: δ³₁")

        student, errors_s = new_page(browser, url, "-")
        join(student, url, code, "Ada", "Question 1: what is δ³₁?")
        assert student.get_by_text("something went wrong").count() == 0
        box = student.get_by_role("textbox", name="δ³₁")
        assert box.is_visible()
        screenshot(student, "class-student-bp1")
        box.fill(f"{DELTA3_1:.6f}")
        student.get_by_role("button", name="Send").click()
        student.get_by_text("Received: your answer").wait_for(timeout=TIMEOUT)
        wait_for_run(student)
        assert student.get_by_text(f"δ³₁ = {DELTA3_1:.6g} is right").is_visible()

        teacher.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                m.innerText.includes('Answered') && m.innerText.includes('1'))""",
            timeout=TIMEOUT)
        assert [metric(teacher, n) for n in ("Joined", "On screen", "Answered", "Right")] == \
            ["1", "1", "1", "100%"]
        screenshot(teacher, "class-teacher-bp1")
        for page, errors in ((teacher, errors_t), (student, errors_s)):
            assert page.locator('[data-testid="stException"]').count() == 0
            assert errors == []
            page.context.close()
