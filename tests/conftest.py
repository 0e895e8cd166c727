"""Fixtures shared by the tests that talk to a running server over its websocket."""

import pytest

from benchmarks.load import free_port, start_server, stop_server


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """The app served by ``streamlit run`` on a free port, for one test module; its log is
    kept in the module's temporary folder. Yields the base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "streamlit.log"
    proc = start_server(port, log_path=log)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)
