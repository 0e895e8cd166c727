"""Browser tests: the app served by a real Streamlit server, driven by Playwright.

Every test in this folder is skipped, with the reason printed, when no Chromium
is found. Chromium is looked up in this order: the CHROMIUM environment
variable, Debian's /usr/bin/chromium, then the one `playwright install chromium`
downloads.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

from benchmarks import replicas
from benchmarks.load import free_port, start_server, stop_server

HERE = Path(__file__).resolve().parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                  else None)

DEBIAN_CHROMIUM = "/usr/bin/chromium"
# The network is closed on these machines: without the background-networking
# flags Chromium keeps trying (and failing) to reach Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = (
    "no Chromium found: install Debian's chromium (apt-get install chromium) "
    "or run `playwright install chromium`"
)
APP_READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# The Step page's chart component (explorer/figures/chart.js) has drawn a step (data-drawn)
# and typeset its equation (KaTeX loads after the run), and every plotly chart it shows
# (σ's curve) is laid out.
CHARTS_DRAWN = """() => [...document.querySelectorAll('.bp-stepper')].every(r =>
        r.dataset.drawn !== undefined
        && (!r.querySelector('.bp-rule').textContent || r.querySelector('.bp-rule .katex')))
    && [...document.querySelectorAll('.bp-plotly')].filter(el => el.offsetParent !== null)
        .every(el => el._fullLayout)"""

_CHROMIUM = pytest.StashKey[str]()  # executable_path, or None for Playwright's own
_SKIP_REASON = pytest.StashKey[str]()


def _playwright_chromium():
    """Return the path of Playwright's own downloaded Chromium, or None."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:
        return None
    return path if path and os.path.exists(path) else None


def _find_chromium():
    """Return (executable_path or None, skip reason or None).

    executable_path is None when Playwright's own Chromium is to be used.
    """
    try:
        import playwright  # noqa: F401
        import pytest_playwright  # noqa: F401
    except ImportError:
        return None, "playwright not installed: pip install -r requirements-dev.txt"
    env = os.environ.get("CHROMIUM")
    if env:
        path = shutil.which(env)
        if path:
            return path, None
        return None, f"CHROMIUM={env!r} is not an executable; {NO_CHROMIUM}"
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM, None
    if _playwright_chromium():
        return None, None
    return None, NO_CHROMIUM


def _in_this_folder(item):
    return HERE in item.path.resolve().parents


def pytest_collection_modifyitems(config, items):
    ours = [item for item in items if _in_this_folder(item)]
    if not ours:
        return
    path, reason = _find_chromium()
    config.stash[_CHROMIUM] = path
    config.stash[_SKIP_REASON] = reason
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    reason = config.stash.get(_SKIP_REASON, None)
    if reason:
        terminalreporter.section("browser tests skipped", yellow=True, bold=True)
        terminalreporter.line(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    """pytest-playwright's launch options, with our Chromium and flags."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    path = pytestconfig.stash.get(_CHROMIUM, None)
    if path:
        args["executable_path"] = path
    return args


@contextlib.contextmanager
def serve(log_dir, base_path=""):
    """Start `streamlit run app.py` on a free port, yield its base URL, stop it after.
    ``base_path``: the app is served under that path (server.baseUrlPath)."""
    port = free_port()
    try:
        proc = start_server(port, log_path=Path(log_dir) / "streamlit.log", base_path=base_path)
    except RuntimeError as e:   # it died, or did not answer, or another server holds the port
        pytest.fail(str(e))
    try:
        yield f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """Start `streamlit run app.py` on a free port and yield its base URL."""
    with serve(tmp_path_factory.mktemp("app_server")) as base_url:
        yield base_url


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own for one test: its first session is the test's (a cold start)."""
    with serve(tmp_path) as base_url:
        yield base_url


@contextlib.contextmanager
def deploy(state):
    """deploy/run.sh -n 2 (nginx in front of two replicas) with a class database of its own
    in ``state``; yields (run.sh's Popen, base URL, {replica address: [cookies that land
    there]}) and stops it after. Skips the test when nginx is not installed."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    proc, url = replicas.start(state, env={"BACKPROP_CLASS_DB": str(state / "class.sqlite3")})
    try:
        by = replicas.cookies_by_replica(url, state)
        if len(by) < 2:
            pytest.fail(f"every probe cookie landed on one replica: {by}")
        yield proc, url, by
    finally:
        replicas.stop(proc)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """deploy/run.sh for the tests of one module: (base URL, state directory, [a cookie that
    lands on each replica])."""
    state = tmp_path_factory.mktemp("class_deploy")
    with deploy(state) as (_, url, by):
        yield url, state, [values[0] for values in by.values()]


# Opened by a deep link such as /Step_through, Streamlit's frontend (1.67) probes
# <page path>/_stcore/health and <page path>/_stcore/host-config before the root ones. The
# server answers those two 404 and Chromium logs each as a console error "Failed to load
# resource: ... 404". They are harmless (the app then uses /_stcore/...); page_errors
# ignores exactly those: a 404 response whose URL is one of the two probes under a page
# path, and the console error Chromium logs for that same URL. Anything else counts.
DEEP_LINK_PROBE = re.compile(r"^https?://[^/]+(/[^/?#]+)+/_stcore/(health|host-config)$")
FAILED_RESOURCE = "Failed to load resource: the server responded with a status of 404"


@pytest.fixture(scope="module", params=["light", "dark"])
def themed_server(request, tmp_path_factory):
    """A server started with theme.base = light or dark, for one test module; yields
    (theme, base URL)."""
    theme = request.param
    port = free_port()
    log = tmp_path_factory.mktemp(f"theme_{theme}") / "streamlit.log"
    try:
        proc = start_server(port, ["--theme.base", theme], log_path=log)
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield theme, f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


@pytest.fixture
def page_errors(page):
    """List of the console errors and uncaught page errors seen by `page`.

    Each entry is a string: "console: <text>" or "pageerror: <message>". The 404s of the
    deep-link probes (see DEEP_LINK_PROBE) are left out; the test fails at teardown if a
    console error was left out without the matching 404 response having been seen.
    """
    errors, probes, skipped = [], set(), []

    def on_response(response):
        if response.status == 404 and DEEP_LINK_PROBE.match(response.url):
            probes.add(response.url)

    def on_console(msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if msg.text.startswith(FAILED_RESOURCE) and DEEP_LINK_PROBE.match(url):
            skipped.append(url)
        else:
            errors.append(f"console: {msg.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    yield errors
    unexplained = [u for u in skipped if u not in probes]
    assert not unexplained, f"console 404s without a 404 response seen: {unexplained}"


def wait_for_run(page, timeout=30_000):
    """Wait until the app's script run has finished.

    Before its first run the app reports "initial", so right after `page.goto`
    this waits for that first run. After an interaction, wait for a rerun to
    start (or for the element it changes) before calling this. The Step page's chart
    component (explorer/figures/chart.js) draws its step and typesets it (KaTeX), and draws
    σ's curve once plotly.js has loaded, which on a page's first load comes after the run:
    this waits for them too.
    """
    page.wait_for_selector(APP_READY, timeout=timeout)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout)


@pytest.fixture
def wait_for_app():
    """The `wait_for_run(page, timeout=30_000)` helper, as a fixture."""
    return wait_for_run


@pytest.fixture
def open_app(page, app_server):
    """Return a function that opens a path of the app and waits for its run."""

    def _open(path="/"):
        page.goto(app_server + path)
        wait_for_run(page)
        return page

    return _open
