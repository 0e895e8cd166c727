"""The explorer inside a course page: every page in an iframe (``?embed=true``, Streamlit's
embed mode), a lesson link and a ``?net=`` link included, on a page served from another
site (http://localhost:PORT, while the app is on http://127.0.0.1:PORT), as a Moodle or
Canvas page would frame it.

Each frame draws its page with Streamlit's toolbar gone, as embed mode does; a narrow frame
starts with the sidebar folded away, so the row of page links on top (explorer.nav's
``embedded_nav``) is how a student moves between pages, keeping ``embed=true`` and the
session's network. Next works on Step through. Screenshots of the course page and of two
frames go to artifacts/embed-*.png.
"""

import functools
import http.server
import os
import re
import shutil
import threading
import urllib.request
import warnings
from html import escape
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_explorer import (
    ARTIFACTS,
    EXCEPTION,
    NET,
    STEPS,
    TIMEOUT,
    X,
    Y,
    assert_no_errors,
    subheader,
)

from backprop import Network
from benchmarks import replicas
from explorer import files
from explorer.lesson import links
from explorer.nav import SHORT

APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NARROW, WIDE = 720, 1100       # px: a course page's column; a wide one (sidebar shown)
# page path, iframe name, width, the h1 it must show
PAGES = [("", "welcome", NARROW, "Backprop Explorer"),
         ("Network", "network", NARROW, "The network's numbers"),
         ("Step_through", "step", NARROW, "Step through one example"),
         ("Gradient_check", "gradient", NARROW, "Check the gradient, then take a step"),
         ("Train", "train", NARROW, "Learn from data"),
         ("Class", "class", NARROW, "Join a class"),
         ("Teach", "teach", NARROW, "Teach a live class")]
SHARED = Network.random([2, 3, 2], seed=7)           # the ?net= link's network
SHARED_X, SHARED_Y = [0.25, -0.5], [0.0, 1.0]
BP2 = next(s.index for s in STEPS if s.kind == "BP2")
LESSON = links.Lesson(step=BP2, cell=("delta", 2, 2, None), practice=True,
                      hide=frozenset({"preset"}))


def course_page(app):
    """A course page with one iframe per page, a lesson link and a ?net= link."""
    lesson_query = links.query(files.to_link(NET, X, Y), LESSON)
    shared_query = f"net={files.to_link(SHARED, SHARED_X, SHARED_Y)}"
    frames = [(name, width, f"{app}/{path}?embed=true") for path, name, width, _ in PAGES]
    frames += [("lesson", WIDE, f"{app}/Step_through?embed=true&{lesson_query}"),
               ("shared", WIDE, f"{app}/Network?embed=true&{shared_query}")]
    return ('<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
            "<title>A course page</title></head><body><h1>Week 3: backpropagation</h1>"
            + "".join(f'<h2>{name}</h2><iframe name="{name}" src="{escape(src)}" '
                      f'width="{width}" height="700"></iframe>' for name, width, src in frames)
            + "</body></html>")


@pytest.fixture
def course(app_server, tmp_path):
    """The course page's URL, served by http.server on another port and host name."""
    (tmp_path / "index.html").write_text(course_page(app_server), encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1200, "height": 900}}


def ready(frame):
    frame.locator(APP_READY).wait_for(timeout=TIMEOUT)


def switch(page, name, link, h1, page_errors):
    """Click the link ``link`` in the row on top of frame ``name``; wait for the page's h1.

    The first click once went unanswered for 30 s in CI (one run in about twenty), and once
    in about sixteen runs here: the frame still showed its page, its links not greyed out.
    The cause is not known. Two candidates: the click's position taken while the course page
    was still scrolling to the frame (a frame of another site scrolls it from another
    process), and Streamlit's frontend (1.67) ignoring page links while its websocket is not
    connected. So the frame is scrolled into view first, and a click not answered in 10 s
    is reported as a warning, with a screenshot of the frame, and clicked once more, as a
    student would; a second unanswered click fails the test."""
    frame = page.frame_locator(f'iframe[name="{name}"]')
    heading = frame.locator("h1").filter(has_text=h1)
    ready(frame)
    page.locator(f'iframe[name="{name}"]').scroll_into_view_if_needed()
    for timeout in (TIMEOUT // 3, TIMEOUT):
        frame.locator(".st-key-embed_nav").get_by_role("link", name=link).click()
        try:
            heading.wait_for(timeout=timeout)
            break
        except PlaywrightTimeout:
            if timeout == TIMEOUT:
                raise
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"embed-unanswered-{name}.png"
            page.locator(f'iframe[name="{name}"]').screenshot(path=str(shot))
            state = frame.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
            warnings.warn(f"frame {name!r}: the link {link!r} was not followed in "
                          f"{timeout} ms (script state {state!r}, url "
                          f"{page.frame(name=name).url}, console {page_errors}); see {shot}; "
                          "clicked again", stacklevel=2)
    ready(frame)
    return frame


def in_use(frame):
    """The sidebar's "In use: 2-3-2, ..." line (read even where the sidebar is folded)."""
    return frame.locator('[data-testid="stSidebar"]').get_by_text("In use:").first.text_content()


def test_every_page_works_in_an_iframe_of_another_site(page, course, page_errors):
    page.goto(course)
    assert urlsplit(page.url).hostname == "localhost"
    for _, name, width, title in PAGES + [("", "lesson", WIDE, None), ("", "shared", WIDE, None)]:
        frame = page.frame_locator(f'iframe[name="{name}"]')
        ready(frame)
        assert urlsplit(page.frame(name=name).url).hostname == "127.0.0.1"
        assert frame.locator(EXCEPTION).count() == 0, name
        if title:
            assert frame.locator("h1").first.text_content().strip() == title, name
        # embed mode: no main menu (print, theme, ...); our page links on top instead
        assert frame.locator('[data-testid="stMainMenu"]').count() == 0, name
        links = frame.locator('.st-key-embed_nav [data-testid="stPageLink"]')
        links.nth(6).wait_for(timeout=TIMEOUT)      # drawn a moment after the run ends
        assert links.count() == 7, name
        assert [t.strip() for t in links.locator("p").all_text_contents()] == list(SHORT.values())
        nav = frame.locator(".st-key-embed_nav")
        assert nav.is_visible(), name
        # a course page's column folds the sidebar away (behind », still there); wide: shown
        folded = "true" if width == NARROW else "false"
        assert frame.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") \
            == folded, name

    # the lesson link: its step, practice on, the preset control hidden
    lesson_frame = page.frame_locator('iframe[name="lesson"]')
    assert subheader(lesson_frame).startswith(f"Step {BP2 + 1} of {len(STEPS)}")
    assert lesson_frame.get_by_role("textbox", name="δ²₂").is_visible()
    assert lesson_frame.locator('[data-testid="stSidebar"]').get_by_text(
        "Preset", exact=True).count() == 0

    # the ?net= link: its network, kept when the student moves on with the links on top
    assert in_use(page.frame_locator('iframe[name="shared"]')).startswith("In use: 2-3-2")
    shared = switch(page, "shared", "Step through", "Step through one example", page_errors)
    assert in_use(shared).startswith("In use: 2-3-2")
    url = page.frame(name="shared").url
    assert urlsplit(url).path == "/Step_through" and "embed=true" in url

    # a narrow frame: the links on top move on, Next steps, and the next link keeps embed
    step = switch(page, "welcome", "Step through", "Step through one example", page_errors)
    assert subheader(step).startswith(f"Step 1 of {len(STEPS)}")
    step.get_by_role("button", name=re.compile("^Next")).click()
    step.locator("h3").filter(has_text=re.compile(r"^Step 2 of")).wait_for(timeout=TIMEOUT)
    ready(step)
    assert "embed=true" in page.frame(name="welcome").url
    switch(page, "welcome", "Network", "The network's numbers", page_errors)
    url = page.frame(name="welcome").url
    assert urlsplit(url).path == "/Network" and "embed=true" in url

    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "embed-course-page.png"))
    for name in ("shared", "lesson"):
        frame = page.locator(f'iframe[name="{name}"]')
        frame.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)    # a frame of another site paints once it is in view
        frame.screenshot(path=str(ARTIFACTS / f"embed-{name}.png"))
    assert_no_errors(page, page_errors)


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                  else None)
UPLOADED = Network.random([2, 4, 2], seed=3)       # the file a student uploads


def serve_dir(directory):
    """http.server on 127.0.0.1 for ``directory``, in a thread; (server, port)."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def upload(frame, path):
    frame.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))


def test_an_upload_in_an_iframe_needs_the_embed_settings(browser, app_server, tmp_path):
    """Inside another site's iframe, Streamlit's XSRF cookie is a third-party cookie: with
    the default settings (SameSite=Lax) the browser never stores it and Streamlit refuses
    the upload (403). Behind deploy/run.sh -e ORIGIN (SameSite=None; Secure; Partitioned,
    and a frame-ancestors policy naming ORIGIN) the upload loads the file's network. A page
    of a site not named there cannot frame the app at all."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    (tmp_path / "net.json").write_text(files.dumps(UPLOADED, [0.1, 0.2], [1.0, 0.0]))
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    server, port = serve_dir(course_dir)
    origin = f"http://localhost:{port}"
    proc, url = replicas.start(tmp_path / "deploy", replicas=1, args=("-e", origin))
    try:
        for name, app in (("plain", app_server), ("embed", url)):
            (course_dir / f"{name}.html").write_text(
                '<!doctype html><html><head><link rel="icon" href="data:,"></head><body>'
                f'<iframe name="{name}" src="{app}/Network?embed=true" width="{WIDE}" '
                'height="600"></iframe></body></html>', encoding="utf-8")
        with urllib.request.urlopen(f"{url}/Network") as response:
            assert response.headers["Content-Security-Policy"] \
                == f"frame-ancestors 'self' {origin}"

        # Cookies do not tell ports apart: each case gets a browser context of its own.
        for name, app, status, shown in (("plain", app_server, 403, "2-2-2"),
                                         ("embed", url, 204, "2-4-2")):
            context = browser.new_context(viewport={"width": 1200, "height": 700})
            page = context.new_page()
            puts = []
            page.on("response", lambda r: "/_stcore/upload_file/" in r.url
                    and r.request.method == "PUT" and puts.append((r.url, r.status)))
            page.goto(f"{origin}/{name}.html")
            frame = page.frame_locator(f'iframe[name="{name}"]')
            ready(frame)
            assert in_use(frame).startswith("In use: 2-2-2")
            upload(frame, tmp_path / "net.json")
            frame.locator('[data-testid="stSidebar"]').get_by_text(
                f"In use: {shown}").wait_for(timeout=TIMEOUT)
            page.wait_for_timeout(1000 if status == 204 else 3000)   # a refusal shows nothing
            assert [(urlsplit(u).port, s) for u, s in puts] == [(urlsplit(app).port, status)]
            assert in_use(frame).startswith(f"In use: {shown}")
            if status == 204:
                xsrf = {c["name"]: c for c in context.cookies(url)}["_streamlit_xsrf"]
                assert xsrf["sameSite"] == "None" and xsrf["secure"]
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "embed-upload.png"))
                # the same course page from another site (127.0.0.1): not allowed to frame
                page.goto(f"http://127.0.0.1:{port}/{name}.html")
                page.wait_for_timeout(2000)
                refused = page.frame(name=name)
                assert refused.url.startswith("chrome-error://"), refused.url
                assert refused.locator(APP_READY).count() == 0
            context.close()
    finally:
        replicas.stop(proc)
        server.shutdown()
        server.server_close()
