"""Fixtures shared by the tests that talk to a running server: the app over its websocket,
and a real PostgreSQL (benchmarks/postgres.py) for the class store's PostgreSQL back-end."""

import os

import pytest

from benchmarks.load import free_port, start_server, stop_server
from benchmarks.postgres import Server, bin_dir

NO_POSTGRES = ("PostgreSQL is not installed (initdb/pg_ctl not found; Debian: apt-get install "
               "postgresql): the PostgreSQL back-end is not tested")


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """The app served by ``streamlit run`` on a free port, for one test module; its log is
    kept in the module's temporary folder. Yields the base URL."""
    port = free_port()
    log = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "streamlit.log"
    proc = start_server(port, log_path=log)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


@pytest.fixture(scope="session")
def postgres_bin():
    """The directory of initdb and pg_ctl. Skipped where PostgreSQL is not installed, unless
    BACKPROP_REQUIRE_POSTGRES=1 (CI), which makes that a failure. For a test that starts a
    ``benchmarks.postgres.Server`` of its own."""
    found = bin_dir()
    if found is None:
        if os.environ.get("BACKPROP_REQUIRE_POSTGRES") == "1":
            pytest.fail(NO_POSTGRES)
        pytest.skip(NO_POSTGRES)
    return found


@pytest.fixture(scope="session")
def postgres_server(postgres_bin, tmp_path_factory):
    """A PostgreSQL server started for the whole session (initdb and pg_ctl in a temporary
    folder, a free port), stopped at its end; skipped as ``postgres_bin`` is."""
    with Server(tmp_path_factory.mktemp("postgres")) as pg:
        yield pg


@pytest.fixture
def postgres_url(postgres_server):
    """The URL of a new, empty database of its own for each test, password included."""
    return postgres_server.create_database()
