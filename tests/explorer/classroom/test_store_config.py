"""Bad configuration of the class database is a clear message at start-up, never a
password: a malformed address, a server that does not answer, a user or password refused,
no such database, a bad pool size. The check that deploy/run.sh runs before any replica
(``python -m explorer.classroom.check``) and the class pages say so; the pages show a short
sentence and the server's log the reason."""

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.apptest import open_page

from benchmarks.load import free_port
from explorer.classroom import db_postgres, live, store, teacher_view
from explorer.classroom.records import PUBLIC_STORE_ERROR, StoreConfigError
from explorer.classroom.store import Store
from explorer.presets import PRESETS

ROOT = Path(__file__).resolve().parents[3]
SECRET = "s3cret-Pa55word"


def refusal(where):
    with pytest.raises(StoreConfigError) as e:
        Store(where)
    return str(e.value)


@pytest.mark.parametrize("url", [
    "mysql://user:" + SECRET + "@db.example.edu/classes",        # another kind of database
    "postgresql://user:" + SECRET + "%%@db.example.edu/classes",  # a % that encodes nothing
    "postgresql://user:" + SECRET + "@db.example.edu:port/classes",
    "postgresql://user:" + SECRET + "@db.example.edu:99999/classes",
    "postgresql://user:" + SECRET + "@db.example.edu/classes" + "x" * 3000,
])
def test_a_malformed_address_says_what_a_good_one_looks_like(url):
    said = refusal(url)
    assert "postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in said
    assert SECRET not in said and "example" not in said     # the address is not repeated


def test_a_server_that_does_not_answer_is_named_without_the_password():
    port = free_port()                                        # nothing listens there
    said = refusal(f"postgresql://teacher:{SECRET}@127.0.0.1:{port}/classes")
    assert f"PostgreSQL 127.0.0.1:{port}/classes as teacher" in said
    assert "cannot be reached" in said and SECRET not in said


def test_an_unknown_host_cannot_be_reached():
    said = refusal(f"postgresql://teacher:{SECRET}@no-such-host.invalid/classes")
    assert "cannot be reached" in said and SECRET not in said


def test_a_wrong_password_is_refused_by_the_server(postgres_server):
    right = postgres_server.url()
    said = refusal(right.replace(postgres_server.password, SECRET, 1))
    assert "refused this user" in said and "wrong password" in said
    assert SECRET not in said and postgres_server.password not in said
    with Store(right) as s:                                   # the right one works
        assert s.version() == 2


def test_a_missing_database_is_named(postgres_server):
    said = refusal(postgres_server.url("no_such_database"))
    assert "no_such_database" in said and "no such database" in said
    assert postgres_server.password not in said


@pytest.mark.parametrize("size", ["0", "-1", "many", "51", "1e3"])
def test_a_pool_size_is_a_whole_number_up_to_50(size):
    with pytest.raises(StoreConfigError, match="from 1 to 50"):
        db_postgres.pool_size(size)
    assert db_postgres.pool_size("") == db_postgres.POOL_DEFAULT == 4
    assert db_postgres.pool_size(" 12 ") == 12


def check(env):
    """``python -m explorer.classroom.check`` with these settings: (status, output)."""
    keep = {k: v for k, v in os.environ.items()
            if k not in (store.URL_ENV, store.ENV, db_postgres.POOL_ENV)}
    done = subprocess.run([sys.executable, "-m", "explorer.classroom.check"], cwd=ROOT,
                          env={**keep, **env}, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


def test_the_start_up_check_says_which_database_or_why_not(postgres_url, postgres_server,
                                                           tmp_path):
    status, said = check({store.URL_ENV: postgres_url})
    assert status == 0, said
    assert said.startswith("class store: PostgreSQL 127.0.0.1:") and said.rstrip().endswith(
        "schema version 2")
    assert postgres_server.password not in said
    status, said = check({store.URL_ENV: postgres_url.replace(postgres_server.password,
                                                              SECRET, 1)})
    assert status == 2 and "refused this user" in said
    assert SECRET not in said and "Traceback" not in said
    status, said = check({store.URL_ENV: postgres_url, db_postgres.POOL_ENV: "lots"})
    assert status == 2 and "BACKPROP_DATABASE_POOL" in said
    status, said = check({store.ENV: str(tmp_path / "c.sqlite3")})
    assert (status, said.strip()) == (0, f"class store: SQLite {tmp_path / 'c.sqlite3'}, "
                                         "schema version 2")


@pytest.mark.parametrize("page", ["pages/5_Class.py", "pages/6_Teach.py"])
def test_the_class_pages_say_so_in_a_sentence_and_log_the_reason(page, postgres_server,
                                                                  monkeypatch, caplog):
    wrong = postgres_server.url().replace(postgres_server.password, SECRET, 1)
    monkeypatch.setenv(store.URL_ENV, wrong)
    with caplog.at_level(logging.ERROR, logger="explorer.classroom.host"):
        at = open_page(str(ROOT / page))
    assert not at.exception
    assert [e.value for e in at.error] == [PUBLIC_STORE_ERROR]
    assert not at.main.button and not at.main.text_input       # nothing half-started
    logged = caplog.text
    assert "refused this user" in logged and SECRET not in logged
    shown = " ".join(str(e.value) for kind in ("markdown", "text", "caption", "error", "info")
                     for e in getattr(at, kind))
    assert SECRET not in shown and "127.0.0.1" not in shown     # the host's details: the log


def test_an_answer_sent_while_the_server_is_down_is_not_said_received(postgres_server,
                                                                      postgres_url,
                                                                      monkeypatch):
    """Nothing acknowledged is lost, the other way round: with PostgreSQL down, the
    student's Send says, next to the box, that nothing was saved (no "Received"); the page
    and the typed answer stay, and the same Send works once the server is back."""
    monkeypatch.setenv(store.URL_ENV, postgres_url)
    with Store(postgres_url) as s:
        opened = s.open_class()
        cell = ("delta", 2, 1, None)
        network, right = live.question_of(*PRESETS["2-2-2 by hand"].make(), 7, cell)
        s.ask(opened.cls.id, network, 7, cell, right)
        at = open_page(str(ROOT / "pages/5_Class.py"), {"code": opened.code})
        at.text_input(key="_class_nickname").set_value("Ada")
        at.button(key="class_join").click().run()
        at.text_input(key="_class_answer").set_value(f"{right:.6f}")
        teacher = open_page(str(ROOT / "pages/6_Teach.py"),
                            {"class": opened.code, "key": opened.key})
        postgres_server.kill()
        try:
            at.button(key="class_send").click().run()
            teacher.run()
        finally:
            postgres_server.restart()
        assert not teacher.exception and not teacher.error
        assert [w.value for w in teacher.warning] == [teacher_view.DOWN]
        assert not at.exception
        assert any("nothing was saved" in e.value for e in at.error)
        assert not any(e.value.startswith("Received") for e in at.success)
        assert at.text_input(key="_class_answer").value == f"{right:.6f}"
        for _ in range(10):       # the pool connects again within seconds: Send once more
            at.button(key="class_send").click().run()
            if any(e.value.startswith("Received") for e in at.success):
                break
            assert any("nothing was saved" in e.value for e in at.error)
            time.sleep(1)
        assert any(e.value.startswith("Received") for e in at.success)
        assert not at.error and not at.warning
        assert len(s.tally(opened.cls.id, s.current(opened.cls.id)[1].id)[2]) == 1
