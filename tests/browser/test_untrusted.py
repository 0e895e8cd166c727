"""What a person sees when a link or a table cell holds what it should not (issue 7):
a name in a shared link shows as plain text (no bold, no link, no image fetched), and
letters typed into a number cell are reported beside the table while the last valid
numbers stay in use."""

import base64
import json
import zlib

import numpy as np
from test_explorer import (
    NET,
    STEPS,
    TIMEOUT,
    TRACE,
    X,
    Y,
    assert_no_errors,
    click_next,
    edit_first_row_last_column,
    network_chart,
    screenshot,
    wait_for_run,
    wait_for_step,
)

from explorer import files

EVIL = ("**Session expired.** [Log in again](https://evil.example/login) "
        "![](https://evil.example/pixel.png) <b>html</b> see https://evil.example/x")


def link_with(**changes):
    doc = {**json.loads(files.dumps(NET, X, Y)), **changes}
    data = zlib.compress(json.dumps(doc).encode(), 9)
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_name_in_a_link_is_shown_as_plain_text(page, app_server, page_errors):
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "evil.example" in r.url else None)
    page.goto(f"{app_server}/?{files.LINK_KEY}={link_with(cost=EVIL)}", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="could not be loaded")
    alert.wait_for(timeout=TIMEOUT)
    text = alert.text_content()
    assert "'**Session expired.** [Log in again](http…'" in text, text  # 40 characters
    assert "evil.example/x" not in text and "<b>" not in text
    assert alert.locator("a, img, strong, em, b, code, span.katex").count() == 0
    screenshot(page, "link_with_markdown_in_a_name")
    page.wait_for_timeout(500)
    assert asked == []
    assert_no_errors(page, page_errors)


def test_letters_typed_into_a_cell_are_reported_and_the_number_kept(page, app_server,
                                                                    page_errors):
    page.goto(app_server + "/Network", timeout=TIMEOUT)
    wait_for_run(page, TIMEOUT)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
                           ".filter(t => t.querySelector('canvas')).length === 6",
                           timeout=TIMEOUT)
    w2 = page.locator('[data-testid="stDataFrame"]').nth(2)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="row j=1, column k=2")
    edit_first_row_last_column(page, w2, ["a", "b", "c", "Enter"], (alert, "visible"))
    text = alert.text_content()
    assert "holds 'abc', which is not a number" in text and "last valid w²" in text, text
    screenshot(page, "network_letters_in_a_cell")
    # every page goes on with the last valid w²: z² is the preset's
    page.get_by_role("link", name="Step through one example").first.click()
    wait_for_step(page, 0)
    click_next(page, 1)
    known, z2 = network_chart(page)[("z", 2)]
    assert known
    np.testing.assert_allclose(z2.ravel(), TRACE.z[2], rtol=1e-12)
    assert STEPS[1].quantity == "z"
    assert_no_errors(page, page_errors)
