"""The Train page in a real Chromium: train xor to 100 % with Play, pause, click a data point
and land on Step through with that point as the example (x, y).

What the browser shows is checked against the figures' own data: x is read off the clicked
point's trace, y from its class; on Step through, a¹ must be x, and y comes back out of the
last step's heatmaps (δᴸ = (aᴸ − y) ∘ aᴸ(1 − aᴸ), BP1 for the quadratic cost and sigmoid
outputs). Screenshots go to artifacts/ (gitignored)."""

import re
from pathlib import Path

import numpy as np
import pytest
from step_dom import STEPPER, panels, wait_for_drawn

from backprop.explain.notation import pretty

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
TIMEOUT = 30_000
TRAIN_TIMEOUT = 180_000    # Play until 100 %: about 40 epochs, a few seconds on a quiet machine
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PLOT = '.js-plotly-plot'
EXCEPTION = '[data-testid="stException"]'

# The pixel centre of point i of the training points in the boundary figure, and its data.
POINT_JS = """(i) => {
    for (const el of document.querySelectorAll('%s')) {
        if (!el.layout || !el.layout.meta || el.layout.meta.kind !== 'boundary') continue;
        const t = el._fullData.find(t => t.meta && t.meta.kind === 'points'
                                         && t.meta.split === 'train');
        el.scrollIntoView({block: 'center'});
        const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
        const box = el.getBoundingClientRect();
        return {px: box.left + xa._offset + xa.l2p(t.x[i]),
                py: box.top + ya._offset + ya.l2p(t.y[i]),
                x: [t.x[i], t.y[i]], text: t.text[i], n: t.x.length};
    }
    return null;
}""" % PLOT

# (epoch, batch) of the boundary figure as drawn: the start of a function body.
BOUNDARY_AT_JS = """() => {
    const all = [...document.querySelectorAll('%s')].filter(el => el.layout
        && el.layout.meta && el.layout.meta.kind === 'boundary');
    const el = all.find(el => !el.closest('[data-stale="true"]')) || all[0];
    const at = [el.layout.meta.epoch, el.layout.meta.batch]""" % PLOT


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(...['stMainBlockContainer', 'stSidebarContent']
        .map(id => document.querySelector(`[data-testid="${id}"]`))
        .filter(Boolean).map(e => e.scrollHeight)) + 200""")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)


def wait_for_run(page, timeout=TIMEOUT):
    page.wait_for_selector(APP_READY, timeout=timeout)


def metric(page, label):
    """The value of the st.metric with this label, or None."""
    return page.evaluate("""(label) => {
        for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
            const l = m.querySelector('[data-testid="stMetricLabel"]');
            if (l && l.textContent.trim() === label)
                return m.querySelector('[data-testid="stMetricValue"]').textContent.trim();
        }
        return null;
    }""", label)


def set_sidebar_number(page, label, value):
    box = page.locator('[data-testid="stSidebar"] [data-testid="stNumberInput"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]',
                         has_text=re.compile(f"^{re.escape(pretty(label))}$")))   # n_2 → n₂
    field = box.locator("input")
    field.fill(str(value))
    field.press("Enter")


def assert_no_errors(page, page_errors):
    assert page.locator(EXCEPTION).count() == 0
    alerts = page.locator('[data-testid="stAlert"]').all_text_contents()
    assert not [a for a in alerts if "Sorry" in a], alerts
    assert page_errors == []


def test_train_xor_to_100_percent_then_step_through_a_clicked_point(page, app_server,
                                                                   page_errors):
    page.goto(app_server + "/Train", timeout=TIMEOUT)
    page.wait_for_selector(PLOT, timeout=TIMEOUT)
    wait_for_run(page)
    assert page.get_by_text("Data: xor", exact=False).count() == 1
    # A network that can learn xor: the default one with 8 neurons in its hidden layer
    set_sidebar_number(page, "n₂", 8)   # the label as shown: pretty("n_2")
    page.get_by_text("In use: 2-8-2", exact=False).wait_for(timeout=TIMEOUT)
    wait_for_run(page)

    # Play until the accuracy reads 100 %, then Pause: training stops at the network the
    # boundary figure showed when Pause was pressed (read in the same moment as the
    # click), even if a tick was on its way. The figure can be a frame behind the numbers
    # above it, so go on until it pauses at 100 %.
    for _ in range(5):
        page.get_by_role("button", name="Play").click()
        page.get_by_role("button", name="Pause").wait_for(timeout=TIMEOUT)
        page.wait_for_function("""() => [...document.querySelectorAll(
            '[data-testid="stMetric"]')].some(m => m.textContent.includes('Training accuracy')
                                                   && m.textContent.includes('100.0%'))""",
                               timeout=TRAIN_TIMEOUT)
        on_screen = page.evaluate(BOUNDARY_AT_JS + """;
            document.querySelector('.st-key-train_play button').click();
            return at;
        }""")
        page.get_by_role("button", name="Play").wait_for(timeout=TIMEOUT)
        wait_for_run(page)
        paused = page.evaluate(BOUNDARY_AT_JS + "; return at; }")
        assert paused == on_screen
        e, b = paused
        assert metric(page, "Epoch") == (f"{e} + {b}/16" if b else f"{e}")
        if metric(page, "Training accuracy") == "100.0%":
            break
    assert metric(page, "Training accuracy") == "100.0%"
    epochs = int(metric(page, "Epoch").split()[0])
    assert epochs >= 1
    page.wait_for_timeout(1000)                      # Paused: nothing moves any more
    assert int(metric(page, "Epoch").split()[0]) == epochs
    screenshot(page, "train_xor_100")

    # Click a training point: it becomes the example (x, y)
    page.wait_for_function(f"({POINT_JS})(0) !== null")
    target = page.evaluate(POINT_JS, 5)
    page.mouse.click(target["px"], target["py"])
    note = page.locator('[data-testid="stAlert"]').filter(has_text="is now the example")
    note.wait_for(timeout=TIMEOUT)
    i = int(re.search(r"Point (\d+) of the train points", note.text_content()).group(1))
    point = page.evaluate(POINT_JS, i)               # the point the page says was taken
    x = np.array(point["x"], dtype=float)
    cls = int(point["text"])
    y = np.eye(2)[cls]                               # two outputs: one-hot
    screenshot(page, "train_point_picked")

    page.get_by_role("link", name="Step through this point").click()
    page.wait_for_url(re.compile(r"/Step_through$"), timeout=TIMEOUT)
    page.locator("h1").filter(has_text="Step through one example").wait_for(timeout=TIMEOUT)
    wait_for_drawn(page, 0)
    wait_for_run(page)
    known, a1 = panels(page)[("a", 1)]     # the component's cells (data-v)
    assert known
    np.testing.assert_allclose(a1, x, rtol=0, atol=0)

    # the last step has every quantity: y out of BP1
    nxt = page.get_by_role("button", name="Next ▶")
    while nxt.is_enabled():
        title = page.locator("h3").filter(has_text=re.compile(r"^Step \d+ of")).first
        before = title.text_content()
        nxt.click()
        page.wait_for_function("""(before) => [...document.querySelectorAll('h3')]
            .some(h => /^Step \\d+ of/.test(h.textContent) && h.textContent !== before)""",
                               arg=before, timeout=TIMEOUT)
        wait_for_run(page)
    page.wait_for_function(f"""() => [...document.querySelectorAll('{STEPPER} .bp-net .bp-panel')]
        .every(p => p.dataset.known === '1')""", timeout=TIMEOUT)
    chart = panels(page)
    a, delta = chart[("a", 3)][1], chart[("delta", 3)][1]
    np.testing.assert_allclose(a - delta / (a * (1 - a)), y, rtol=0, atol=1e-6)
    screenshot(page, "train_point_step_through")
    assert_no_errors(page, page_errors)


# The mini-batch figure's mean panel, in CSS px of the page: its left and right edges, those
# of the box the chart sits in, and whether that box scrolls sideways.
MEAN_JS = """() => {
    for (const el of document.querySelectorAll('%s')) {
        if (!el.layout || !el.layout.meta || el.layout.meta.kind !== 'batch') continue;
        const t = el._fullData.find(t => t.meta && t.meta.kind === 'mean');
        const xa = el._fullLayout['xaxis' + t.xaxis.slice(1)];
        const box = el.closest('[data-testid="stElementContainer"]');
        const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
        return {left: r.left + xa._offset, right: r.left + xa._offset + xa._length,
                boxLeft: b.left, boxRight: b.right, vw: window.innerWidth,
                scrolls: box.scrollWidth > box.clientWidth + 1, l: el.layout.meta.l};
    }
    return null;
}""" % PLOT


def choose_preset(page, name):
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text="Preset"))
    box.click()
    page.get_by_role("option", name=name).click()


def assert_mean_on_screen(page, where):
    page.wait_for_function(f"({MEAN_JS})() !== null", timeout=TIMEOUT)
    page.wait_for_timeout(300)                       # plotly.js lays out after a resize
    m = page.evaluate(MEAN_JS)
    seen = (max(m["boxLeft"], 0), min(m["boxRight"], m["vw"]))
    assert seen[0] - 1 <= m["left"] < m["right"] <= seen[1] + 1, f"{where}: {m}"
    return m


def test_the_mini_batch_mean_is_on_screen_at_1440_px_and_on_a_phone(page, app_server,
                                                                    page_errors):
    """The mean panel, the point of the mini-batch figure, lies inside the chart's box and
    the screen: on the 2-4-2's output layer and on the deep sigmoid chain's (where it used
    to sit past the box's right edge, the box scrolling sideways), and on a phone."""
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(app_server + "/Train", timeout=TIMEOUT)
    page.wait_for_selector(PLOT, timeout=TIMEOUT)
    wait_for_run(page)
    set_sidebar_number(page, "n₂", 4)
    page.get_by_text("In use: 2-4-2", exact=False).wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    page.get_by_role("button", name="Step one mini-batch").click()
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMetric"]')]
        .some(m => m.textContent.includes('0 + 1/16'))""", timeout=TIMEOUT)
    wait_for_run(page)
    m = assert_mean_on_screen(page, "2-4-2 at 1440 px")
    assert m["l"] == 3 and not m["scrolls"], m
    screenshot(page, "train_batch_242_1440")

    choose_preset(page, "Deep sigmoid chain")
    page.get_by_text("In use: 2-3-3-3-3-1", exact=False).wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    m = assert_mean_on_screen(page, "deep chain at 1440 px")
    assert m["l"] == 6 and not m["scrolls"], m
    screenshot(page, "train_batch_deep_1440")

    page.set_viewport_size({"width": 390, "height": 844})
    assert_mean_on_screen(page, "deep chain on a phone")
    screenshot(page, "train_batch_deep_phone")
    assert_no_errors(page, page_errors)


def test_a_file_the_uploader_refuses_by_itself_gets_the_pages_own_message(page, app_server,
                                                                          page_errors):
    """A CSV over 1 MB never reaches the server (the browser's uploader refuses it, with a
    tooltip on its chip): the page still says, in its own words, why that file was not
    used, and the message about the file before it is gone."""
    page.goto(app_server + "/Train", timeout=TIMEOUT)
    page.wait_for_selector(PLOT, timeout=TIMEOUT)
    wait_for_run(page)
    page.get_by_role("tab", name="Upload a CSV").click()
    field = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    field.set_input_files({"name": "first.csv", "mimeType": "text/csv",
                           "buffer": b"x1,x2,label\n1,2,a\nfoo,1,b\n"})
    page.get_by_text("Could not use first", exact=False).wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    big = b"x1,x2,label\n" + b"0.5,0.25,a\n" * 100_000              # 1.1 MB
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "big.csv", "mimeType": "text/csv", "buffer": big})
    page.get_by_text("Could not use big", exact=False).wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    alerts = page.locator('[data-testid="stAlert"]').all_text_contents()
    (refusal,) = [a for a in alerts if "Could not use" in a]
    assert "big.csv: the file holds 1,074 kB; at most 1,024 kB (1 MB) are read" in refusal
    assert "first" not in refusal
    assert page.locator('[data-testid="stFileUploaderFile"]').count() == 0   # no chip left
    screenshot(page, "train_upload_refused")
    # a file the uploader refuses for its type
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x,y\n1,0\n"})
    page.get_by_text("Could not use notes", exact=False).wait_for(timeout=TIMEOUT)
    wait_for_run(page)
    alerts = page.locator('[data-testid="stAlert"]').all_text_contents()
    (refusal,) = [a for a in alerts if "Could not use" in a]
    assert "notes.txt: only .csv files are read" in refusal and "big" not in refusal
    assert_no_errors(page, page_errors)
