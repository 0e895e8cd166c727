"""The PostgreSQL server the tests start (benchmarks/postgres.py), against itself: a URL that
connects, a database of its own per test, a password that is really checked, and data
committed before a crash still there after the restart."""

import psycopg
import pytest

from benchmarks.postgres import Server


def one(url, query):
    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.execute(query).fetchone()[0]


def test_the_url_connects_to_a_durable_server(postgres_server, postgres_url):
    assert one(postgres_url, "SELECT 1") == 1
    assert one(postgres_url, "SELECT current_user") == "backprop"
    assert one(postgres_url, "SELECT inet_server_port()") == postgres_server.port
    # "Nothing acknowledged is lost" is checked against these, so they must be on.
    assert one(postgres_url, "SHOW fsync") == "on"
    assert one(postgres_url, "SHOW synchronous_commit") == "on"
    assert one(postgres_url, "SHOW max_connections") == "200"


def test_each_database_is_new_and_its_own(postgres_server):
    first, second = postgres_server.create_database(), postgres_server.create_database()
    assert first != second
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    assert one(first, tables) == 0
    with psycopg.connect(first) as conn:
        conn.execute("CREATE TABLE answers (value int)")
    assert one(first, tables) == 1
    assert one(second, tables) == 0
    assert one(second, "SELECT current_database()") != one(first, "SELECT current_database()")


@pytest.mark.parametrize("password", ["wrong", ""])
def test_a_wrong_or_missing_password_is_refused(postgres_server, password):
    url = postgres_server.url(password=password)
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(url, connect_timeout=10)
    message = str(refused.value)
    assert ("password authentication failed for user \"backprop\"" in message
            if password else "no password supplied" in message), message
    assert postgres_server.password not in message


def test_committed_data_survives_a_kill_and_restart(postgres_bin, tmp_path):
    # A server of its own: the session's is shared with the store's tests.
    with Server(tmp_path) as pg:
        url = pg.create_database("kept")
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE answers (value int)")
            conn.execute("INSERT INTO answers VALUES (1), (2), (3)")
        postmaster = pg._postmaster_pid()
        pg.kill()
        assert not pg.running()
        with pytest.raises(psycopg.OperationalError, match="Connection refused"):
            psycopg.connect(url, connect_timeout=3)
        port = pg.port
        pg.restart()
        assert pg.port == port and pg._postmaster_pid() != postmaster
        assert one(url, "SELECT array_agg(value ORDER BY value) FROM answers") == [1, 2, 3]
        assert "database system was interrupted" in pg.log_tail()   # recovered, not clean
    assert not pg.running()
    with pytest.raises(psycopg.OperationalError, match="Connection refused"):
        psycopg.connect(url, connect_timeout=3)
