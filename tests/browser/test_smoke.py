"""Smoke test: the home page loads in a real browser without errors."""


def test_home_page_loads(page, app_server, page_errors, wait_for_app):
    page.goto(app_server + "/")
    wait_for_app(page)

    assert page.locator('[data-testid="stException"]').count() == 0
    assert page_errors == []
    assert "Backprop" in page.locator("h1").first.inner_text()
