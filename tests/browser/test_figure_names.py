"""The figures' text alternative in Chromium (issue 23): each plotly figure is exposed as a
figure with its accessible name (role and name, as a screen reader finds them), and its
"Numbers as a table" expander is reached with Tab, opened with Enter, and shows a table
whose numbers are the figure's own (read off the drawn plotly.js figure)."""

import re

import numpy as np
from numpy.testing import assert_allclose

TIMEOUT = 30_000
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RTOL = 1e-5       # the tables print 6 significant digits

# The y values of every trace of the drawn plotly figure with this accessible name.
TRACES_JS = """(name) => {
    const box = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .find(e => e.getAttribute('aria-label') === name);
    const el = box.querySelector('.js-plotly-plot');
    return el._fullData.map(t => ({name: t.name, x: Array.from(t.x || []),
                                   y: Array.from(t.y || [])}));
}"""

DRAWN_JS = """(name) => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .some(e => e.getAttribute('aria-label') === name
               && (e.querySelector('.js-plotly-plot') || {})._fullData)"""


def wait_for_run(page):
    page.wait_for_timeout(300)      # a click's rerun starts
    page.wait_for_selector(APP_READY, timeout=TIMEOUT)


def drawn(page, pattern):
    """The accessible name of the one figure whose name matches ``pattern``, once it is
    drawn (its role and name as Chromium's accessibility tree has them)."""
    fig = page.get_by_role("figure", name=re.compile(pattern))
    fig.wait_for(timeout=TIMEOUT)
    assert fig.count() == 1
    page.wait_for_function(DRAWN_JS, arg=fig.get_attribute("aria-label"), timeout=TIMEOUT)
    return fig.get_attribute("aria-label")


def tab_to(page, label, start, most=60):
    """Focus ``start`` (a locator), then press Tab until the expander ``label`` has the
    focus (at most ``most`` presses): it is reached by keyboard."""
    start.focus()
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("""(label) => {
                const e = document.activeElement;
                return !!e && e.tagName === 'SUMMARY' && e.textContent.includes(label); }""",
                         label):
            return
    raise AssertionError(f"Tab never reached the expander {label!r}")


def table_numbers(page, name):
    """(row headers, cells as floats) of the table whose accessible name starts with
    ``name``."""
    table = page.get_by_role("table", name=re.compile("^" + re.escape(name)))
    table.first.wait_for(timeout=TIMEOUT)
    rows = table.first.locator("tbody tr")
    heads, cells = [], []
    for i in range(rows.count()):
        r = rows.nth(i)
        heads.append(r.locator("th").inner_text().strip())
        cells.append([float(c.strip().replace("–", "nan"))
                      for c in r.locator("td").all_inner_texts()])
    return heads, np.array(cells)


def open_numbers(page, label, start):
    tab_to(page, label, start)
    page.keyboard.press("Enter")
    wait_for_run(page)


def test_gradient_check_figure_has_its_name_and_its_table_by_keyboard(page, app_server,
                                                                       page_errors):
    page.goto(app_server + "/Gradient_check", timeout=TIMEOUT)
    wait_for_run(page)
    for _ in range(2):
        page.get_by_role("button", name="Take 1 step").click()
        wait_for_run(page)
    name = drawn(page, r"^Cost Cₓ of this example over 2 gradient-descent steps: from ")
    (trace,) = page.evaluate(TRACES_JS, name)
    assert name.endswith(f"to {trace['y'][-1]:.4g}")
    open_numbers(page, "Numbers as a table: the cost after each step",
                 page.get_by_role("button", name="Take 10 steps"))
    heads, cells = table_numbers(page, name)
    assert heads == ["0", "1", "2"]
    assert_allclose(cells[:, 0], trace["y"], rtol=RTOL)
    assert page_errors == []


def test_train_figures_have_their_names_and_tables_by_keyboard(page, app_server, page_errors):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_server + "/Train", timeout=TIMEOUT)
    wait_for_run(page)
    page.get_by_role("button", name="Run one epoch").click()
    page.get_by_text("Cost and accuracy of the weights shown: those of epoch 1").wait_for(
        timeout=TIMEOUT)
    wait_for_run(page)
    boundary = drawn(page, r"^Decision boundary and data, epoch 1: training cost ")
    accuracy = page.locator('[data-testid="stMetric"]').filter(
        has_text="Training accuracy").locator('[data-testid="stMetricValue"]').inner_text()
    assert f"accuracy {accuracy.strip()}" in boundary
    curves = drawn(page, r"^Cost and accuracy per epoch, 1 epoch: cost ")

    open_numbers(page, "Numbers as a table: cost, accuracy, points per class",
                 page.locator(".st-key-train_reset button"))
    heads, cells = table_numbers(page, boundary + "; table: cost and accuracy")
    assert heads == ["training", "test"]
    assert f"{cells[0, 2]:.1f}%" == accuracy.strip().replace(" ", "")   # "accuracy %"
    assert re.search(rf"training cost {cells[0, 1]:.4g}\b", boundary)

    open_numbers(page, "Numbers as a table: cost and accuracy per epoch",
                 page.locator(".st-key-train_reset button"))
    heads, cells = table_numbers(page, curves)
    by_name = {t["name"]: t["y"] for t in page.evaluate(TRACES_JS, curves)}
    assert heads == ["1"]
    assert_allclose(cells[0, 0], by_name["training cost"][0], rtol=RTOL)
    assert page_errors == []


def test_a_questions_arrival_is_said_in_a_live_region_that_stays(browser, tmp_path,
                                                                  monkeypatch):
    """The student's page has a polite live region (role="status") from the moment the
    student joins; when the teacher asks, it says "New question from the teacher: what is
    δ³₁? (question 1)": a screen reader reads out a change of a region that was already
    there, so the node stays. Its words are not the heading's, which tests and people search
    the page by."""
    from conftest import serve
    from test_class import ask, join, open_class

    monkeypatch.setenv("BACKPROP_CLASS_DB", str(tmp_path / "class.sqlite3"))
    with serve(tmp_path) as url:
        teacher = browser.new_context().new_page()
        teacher.goto(f"{url}/Teach")
        wait_for_run(teacher)
        code = open_class(teacher)
        student = browser.new_context().new_page()
        errors = []
        student.on("pageerror", lambda e: errors.append(str(e)))
        join(student, url, code, "Ada", "Waiting for the teacher's first question")
        region = student.locator('[role="status"][aria-live="polite"].bp-live')
        assert region.count() == 1 and region.text_content() == ""
        region.evaluate("e => { e.dataset.mark = 'the same node' }")
        ask(teacher, re.compile(r"^7 · BP1"), "Question 1: δ³₁")
        student.get_by_text("Question 1: what is δ³₁?").wait_for(timeout=TIMEOUT)
        wait_for_run(student)
        status = student.get_by_role("status").filter(has_text="New question")
        assert status.count() == 1
        assert status.text_content() == "New question from the teacher: what is δ³₁? " \
            "(question 1)"
        assert student.get_by_text("Question 1: what is δ³₁?").count() == 1   # the heading
        assert region.get_attribute("data-mark") == "the same node"
        assert errors == []
