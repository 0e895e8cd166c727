"""The live class's store, the same behaviour on both back-ends: a real SQLite file and a
real PostgreSQL server that the tests start (tests/conftest.py, ``postgres_url``; skipped
with the reason where PostgreSQL is not installed, required in CI). Several processes
writing at once, one answer per student and question, the rate limit, expiry, the schema
version and its migration, and answers that survive a process killed right after
"received"."""

import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from explorer.classroom import db_postgres, db_sqlite, store
from explorer.classroom.records import (
    ALPHABET,
    ClassError,
    StoreUnavailable,
    Student,
    TooFast,
)
from explorer.classroom.store import Store

ROOT = Path(__file__).resolve().parents[3]
CELL = ("delta", 2, 1, None)
T0 = 1_000_000.0            # a fixed clock: every action takes ``now``
SCHEMA = {"SQLite": db_sqlite, "PostgreSQL": db_postgres}   # each back-end's MIGRATIONS


def place(request, tmp_path):
    """A new, empty class database of the test's back-end: a file, or a database of the
    PostgreSQL server the tests started."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "class.sqlite3")


@pytest.fixture(params=["sqlite", "postgres"])
def s(request, tmp_path):
    with Store(place(request, tmp_path)) as opened:
        yield opened


def rows(s, sql, args=()):
    """Every row of ``sql`` (``?`` placeholders), read past the store; for a statement
    that returns no rows, how many it changed."""
    with s.db.connection() as conn:
        cur = conn.execute(sql, args)
        return cur.fetchall() if cur.description else cur.rowcount


def open_with_question(s, now=T0):
    opened = s.open_class(now=now)
    q = s.ask(opened.cls.id, "{}", 7, CELL, 0.25, now=now)
    return opened, q


def count(s, sql="SELECT count(*) FROM answers", args=()):
    return rows(s, sql, args)[0][0]


# --- several processes at once --------------------------------------------------------------

def _students(path, code, qid, first, n, barrier):
    """One process: join n students, wait for the others, then answer twice each."""
    with Store(path) as s:
        me = [s.join(code, f"student {first + i}") for i in range(n)]
        barrier.wait()
        for i, m in enumerate(me):
            s.answer(m, qid, 0.25 if i % 2 else 0.5, correct=bool(i % 2))
        for m in me:                                   # a double click: recorded once
            assert s.answer(m, qid, 9.0, correct=False).duplicate


def test_four_processes_answer_at_once_and_every_answer_is_stored_once(s):
    opened, q = open_with_question(s, now=time.time())
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_students,
                         args=(s.location, opened.code, q.id, 25 * p, 25, barrier))
             for p in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    joined, _, rows = s.tally(opened.cls.id, q.id)
    assert joined == 100 and len(rows) == 100
    # in each process students 1, 3, ..., 23 answer 0.25 (12), the other 13 answer 0.5
    assert sorted(v for _, v, _, _, _ in rows) == [0.25] * 48 + [0.5] * 52   # never 9.0
    assert sum(c for _, _, c, _, _ in rows) == 48
    assert count(s) == 100


def _race(where, what, args, barrier, out):
    """One process of a race: wait for the others, then do ``what`` once; put the outcome."""
    with Store(where) as s:
        barrier.wait()
        try:
            if what == "answer":
                me, qid, value = args
                got = s.answer(me, qid, value, correct=False)
                out.put(("stored", got.duplicate, got.value))
            else:                                  # "join": (code, nickname, most students)
                code, nickname, most = args
                store.MAX_STUDENTS = most
                out.put(("joined", s.join(code, nickname).nickname))
        except ClassError as e:
            out.put(("refused", type(e).__name__, str(e)))


def race(s, what, each):
    """Run ``what`` in one process per item of ``each`` at the same moment; the outcomes."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(len(each)), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(s.location, what, args, barrier, out))
             for args in each]
    for p in procs:
        p.start()
    got = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    return got


def test_one_answer_sent_through_six_replicas_at_once_is_stored_once(s):
    """A student's answer sent again and again at the same moment (a reconnect replaying
    it on other replicas): the primary key decides; one is stored, the others are told
    it is a repeat and given the stored one. None is refused as too fast."""
    opened, q = open_with_question(s, now=time.time())
    me = s.join(opened.code, "Ada")
    got = race(s, "answer", [(me, q.id, 0.25 + i) for i in range(6)])
    assert all(g[0] == "stored" for g in got), got
    assert sorted(g[1] for g in got) == [False] + [True] * 5       # one new, five repeats
    (value,) = {g[2] for g in got}                                  # ... all of the same one
    assert rows(s, "SELECT value FROM answers") == [(value,)]


def test_one_nickname_and_the_class_limit_hold_when_students_join_at_once(s):
    opened = s.open_class(now=time.time())
    got = race(s, "join", [(opened.code, "Ada" if i % 2 else "ADA", 500) for i in range(6)])
    assert sorted(g[0] for g in got) == ["joined"] + ["refused"] * 5, got
    assert all("already has that nickname" in g[2] for g in got if g[0] == "refused")
    full = s.open_class(now=time.time())
    got = race(s, "join", [(full.code, f"kid {i}", 4) for i in range(7)])  # room for 4
    assert sorted(g[0] for g in got) == ["joined"] * 4 + ["refused"] * 3, got
    assert all("full (4 students)" in g[2] for g in got if g[0] == "refused")
    assert count(s, "SELECT count(*) FROM students WHERE class_id = ?", (full.cls.id,)) == 4


# --- one answer per student and question ------------------------------------------------------

def test_a_second_answer_to_the_same_question_is_not_stored(s):
    opened, q = open_with_question(s)
    me = s.join(opened.code, "Ada", now=T0)
    first = s.answer(me, q.id, 0.25, correct=True, now=T0 + 1)
    again = s.answer(me, q.id, -3.0, correct=False, mistake="sign_flipped", now=T0 + 5)
    assert not first.duplicate and again.duplicate
    assert (again.value, again.correct, again.mistake, again.at) == (0.25, True, None, T0 + 1)
    assert count(s) == 1


def test_the_unique_constraint_holds_even_past_the_store(s):
    opened, q = open_with_question(s)
    me = s.join(opened.code, "Ada", now=T0)
    s.answer(me, q.id, 0.25, correct=True, now=T0 + 1)
    with pytest.raises(s.db.IntegrityError):
        rows(s, "INSERT INTO answers VALUES (?, ?, 1.0, 0, NULL, 0, '1')", (q.id, me.id))


def test_one_answer_a_second_per_student(s):
    opened, q1 = open_with_question(s)
    me = s.join(opened.code, "Ada", now=T0)
    s.answer(me, q1.id, 0.25, correct=True, now=T0 + 10)
    q2 = s.ask(opened.cls.id, "{}", 8, CELL, 0.5, now=T0 + 10.2)
    with pytest.raises(TooFast):
        s.answer(me, q2.id, 0.5, correct=True, now=T0 + 10.5)
    assert count(s) == 1
    assert not s.answer(me, q2.id, 0.5, correct=True, now=T0 + 11.0).duplicate
    assert count(s) == 2


def test_only_the_current_question_of_ones_own_class_can_be_answered(s):
    a, qa = open_with_question(s)
    b, qb = open_with_question(s)
    me = s.join(a.code, "Ada", now=T0)
    with pytest.raises(ClassError, match="moved on"):
        s.answer(me, qb.id, 0.25, correct=True, now=T0 + 5)       # another class's question
    s.ask(a.cls.id, "{}", 9, CELL, 1.0, now=T0 + 6)
    with pytest.raises(ClassError, match="moved on"):
        s.answer(me, qa.id, 0.25, correct=True, now=T0 + 7)       # the old question
    with pytest.raises(ClassError, match="finite"):
        s.answer(me, qa.id, float("nan"), correct=False, now=T0 + 8)
    assert count(s) == 0
    assert s.tally(a.cls.id, qb.id) == (1, 0, [])    # class a cannot read b's answers


# --- pages that show the question, and answers as typed -------------------------------------

def test_a_page_on_screen_is_counted_once_per_student_and_question(s):
    a, qa = open_with_question(s)
    b, qb = open_with_question(s)
    ada, bob = s.join(a.code, "Ada", now=T0), s.join(a.code, "Bob", now=T0)
    assert s.seen(ada, qa.id, now=T0 + 1)
    for _ in range(5):                                   # reloads, tabs, a raw client
        assert s.seen(ada, qa.id, now=T0 + 2)
    assert s.tally(a.cls.id, qa.id)[:2] == (2, 1)
    assert not s.seen(bob, qb.id, now=T0 + 3)            # another class's question
    forged = Student(bob.id, b.cls.id, "Bob")            # ... even claiming that class
    assert not s.seen(forged, qb.id, now=T0 + 3)
    assert s.tally(b.cls.id, qb.id)[:2] == (0, 0)
    assert s.seen(bob, qa.id, now=T0 + 4)
    assert s.tally(a.cls.id, qa.id)[:2] == (2, 2)
    cy = s.join(a.code, "Cy", now=T0 + 4)
    q2 = s.ask(a.cls.id, "{}", 8, CELL, 0.5, now=T0 + 5)
    assert not s.seen(cy, qa.id, now=T0 + 6)             # the question before: not current
    assert s.tally(a.cls.id, qa.id)[:2] == (3, 2)
    assert s.tally(a.cls.id, q2.id)[:2] == (3, 0)
    s.end(a.cls.id, now=T0 + 7)
    assert not s.seen(ada, q2.id, now=T0 + 8)
    assert count(s, "SELECT count(*) FROM seen") == 2
    with pytest.raises(s.db.IntegrityError):
        rows(s, "INSERT INTO seen VALUES (?, ?, 0)", (qa.id, ada.id))


def test_an_answer_is_kept_as_typed_and_bounded(s):
    opened, q = open_with_question(s)
    ada, bob, cy = (s.join(opened.code, n, now=T0) for n in ("Ada", "Bob", "Cy"))
    with pytest.raises(ClassError, match="40 characters"):
        s.answer(ada, q.id, 0.00877, correct=True, now=T0 + 1, typed="0.00877" + " " * 34)
    with pytest.raises(ClassError):
        s.answer(ada, q.id, 0.00877, correct=True, now=T0 + 1, typed=b"0.00877")
    assert count(s) == 0
    assert s.answer(ada, q.id, 0.00877, correct=True, now=T0 + 1, typed="0.00877").typed \
        == "0.00877"
    s.answer(bob, q.id, 0.00881, correct=True, now=T0 + 1, typed="\t0.0088\u200b1 \n")
    s.answer(cy, q.id, 0.1 + 0.2, correct=False, now=T0 + 1)            # nothing typed
    assert [r[4] for r in s.tally(opened.cls.id, q.id)[2]] == ["0.00877", "0.00881",
                                                             "0.30000000000000004"]
    assert s.answer_of(bob, q.id).typed == "0.00881"
    with pytest.raises(s.db.IntegrityError):
        rows(s, "UPDATE answers SET typed = ? WHERE student_id = ?", ("1" * 41, ada.id))


# --- limits ----------------------------------------------------------------------------------

def test_at_most_500_students_in_a_class(s):
    assert store.MAX_STUDENTS == 500                       # a lecture of 500
    opened = s.open_class(now=T0)
    for i in range(store.MAX_STUDENTS):
        s.join(opened.code, f"s{i}", now=T0)
    with pytest.raises(ClassError, match=r"full \(500 students\)"):
        s.join(opened.code, "one more", now=T0)
    assert count(s, "SELECT count(*) FROM students") == 500


def test_nicknames_are_tidied_bounded_and_unique_in_a_class(s):
    a, b = s.open_class(now=T0), s.open_class(now=T0)
    assert s.join(a.code, "  Ada\u200b\n  Lovelace ", now=T0).nickname == "Ada Lovelace"
    with pytest.raises(ClassError, match="already has"):
        s.join(a.code, "ada lovelace", now=T0)
    assert s.join(b.code, "Ada Lovelace", now=T0).nickname == "Ada Lovelace"   # other class
    for bad in ("", " \t", "x" * 25, "x" * 10_000, None):
        with pytest.raises(ClassError):
            s.join(a.code, bad, now=T0)


def test_a_bounded_number_of_open_classes(s, monkeypatch):
    monkeypatch.setattr(store, "MAX_OPEN_CLASSES", 3)
    opened = [s.open_class(now=T0) for _ in range(3)]
    with pytest.raises(ClassError, match="3 classes are open"):
        s.open_class(now=T0)
    s.end(opened[0].cls.id, now=T0 + 1)
    s.open_class(now=T0 + 2)                              # an ended class frees its place


def test_codes_keys_and_tokens_are_random_and_never_stored(s):
    opened = s.open_class(now=T0)
    me = s.join(opened.code, "Ada", now=T0)
    assert len(opened.code) == 6 and set(opened.code) <= set(ALPHABET)
    assert len(opened.key) >= 32 and len(me.token) >= 24
    assert len({s.open_class(now=T0).code for _ in range(20)} | {opened.code}) == 21
    stored = repr([rows(s, f"SELECT * FROM {t}") for t in ("classes", "students")])
    assert "Ada" in stored                                  # the dump is readable ...
    for secret in (opened.code, opened.key, me.token):      # ... and holds no secret
        assert secret not in stored
    if s.db.kind == "SQLite":                               # nor does any byte of the file
        raw = b"".join(p.read_bytes() for p in Path(s.location).parent.glob("class.sqlite3*"))
        for secret in (opened.code, opened.key, me.token):
            assert secret.encode() not in raw


def test_the_teacher_needs_the_key(s):
    opened = s.open_class(now=T0)
    assert s.teacher(opened.code, opened.key, now=T0).id == opened.cls.id
    assert s.teacher(opened.code.lower(), opened.key, now=T0).id == opened.cls.id
    wrong = opened.key[:-1] + ("y" if opened.key.endswith("x") else "x")   # one character off
    for code, key in ((opened.code, ""), (opened.code, wrong),
                      (opened.code, None), (opened.code, opened.key * 10), ("ZZZZZZ", opened.key),
                      ("'; DROP TABLE classes; --", opened.key)):
        assert s.teacher(code, key, now=T0) is None
    assert s.resume(opened.code, "not a token") is None


# --- expiry ------------------------------------------------------------------------------------

def test_a_class_expires_after_twelve_hours_and_is_removed(s):
    opened, q = open_with_question(s)
    me = s.join(opened.code, "Ada", now=T0)
    s.answer(me, q.id, 0.25, correct=True, now=T0 + 1)
    late = T0 + store.LIFETIME
    assert store.LIFETIME == 12 * 3600
    assert s.teacher(opened.code, opened.key, now=late - 1) is not None
    assert s.teacher(opened.code, opened.key, now=late) is None
    with pytest.raises(ClassError, match="No open class"):
        s.join(opened.code, "Bob", now=late)
    q2 = s.ask(opened.cls.id, "{}", 8, CELL, 0.5, now=late - 10)
    with pytest.raises(ClassError, match="ended"):
        s.answer(me, q2.id, 0.5, correct=True, now=late)
    assert s.resume(opened.code, me.token, now=late) is None
    s.open_class(now=late)                                 # opening another one cleans up
    for table in ("students", "questions", "answers"):
        assert count(s, f"SELECT count(*) FROM {table}") == 0
    assert count(s, "SELECT count(*) FROM classes") == 1


def test_an_ended_class_takes_no_more_students_or_answers(s):
    opened, q = open_with_question(s)
    me = s.join(opened.code, "Ada", now=T0)
    s.end(opened.cls.id, now=T0 + 1)
    with pytest.raises(ClassError):
        s.join(opened.code, "Bob", now=T0 + 2)
    with pytest.raises(ClassError, match="ended"):
        s.answer(me, q.id, 0.25, correct=True, now=T0 + 3)
    assert s.teacher(opened.code, opened.key, now=T0 + 4).ended == T0 + 1


# --- schema -------------------------------------------------------------------------------------

def test_a_new_database_gets_the_schema_and_its_version(s):
    assert s.version() == len(SCHEMA[s.db.kind].MIGRATIONS) == 2
    if s.db.kind == "SQLite":
        with sqlite3.connect(s.location) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                                 "WHERE type='table'")}
    else:
        assert rows(s, "SELECT version FROM schema_version") == [(2,)]     # one row
        tables = {r[0] for r in rows(s, "SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'public'")}
    assert {"classes", "questions", "students", "answers", "seen"} <= tables


def test_a_database_from_a_newer_app_is_refused(s):
    if s.db.kind == "SQLite":
        with sqlite3.connect(s.location) as conn:
            conn.execute("PRAGMA user_version = 99")
    else:
        rows(s, "UPDATE schema_version SET version = 99")
    with pytest.raises(RuntimeError, match="schema version 99, newer than this app's 2"):
        Store(s.location).open_class()     # SQLite: on the first action; PostgreSQL: at once


NEXT = "ALTER TABLE students ADD COLUMN colour TEXT; CREATE TABLE extra (x INTEGER);"


def _open_next(where, kind, barrier):
    module = SCHEMA[kind]
    module.MIGRATIONS = module.MIGRATIONS + (NEXT,)
    barrier.wait()
    with Store(where) as s:
        s.version()


def test_an_old_database_is_migrated_once_with_its_data_kept(s, monkeypatch):
    opened, q = open_with_question(s)
    me = s.join(opened.code, "Ada", now=T0)
    s.answer(me, q.id, 0.25, correct=True, now=T0 + 1, typed=".250")
    module = SCHEMA[s.db.kind]
    now = len(module.MIGRATIONS)
    # three processes of a newer app open the database at the same moment: CREATE TABLE
    # extra would fail if two of them migrated
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(3)
    procs = [ctx.Process(target=_open_next, args=(s.location, s.db.kind, barrier))
             for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    monkeypatch.setattr(module, "MIGRATIONS", module.MIGRATIONS + (NEXT,))
    assert s.version() == now + 1
    assert s.tally(opened.cls.id, q.id) == (1, 0, [("Ada", 0.25, True, None, ".250")])
    assert count(s, "SELECT count(*) FROM students WHERE colour IS NULL") == 1


def test_a_version_1_file_keeps_its_answers_and_shows_them_as_their_values(tmp_path):
    """Version 1 kept no typed text: its answers are shown as the shortest text of their
    value (0.1 + 0.2 is not 0.3); new answers keep what was typed; pages can be counted."""
    path = str(tmp_path / "v1.sqlite3")
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(db_sqlite.MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO classes VALUES (1, x'01', x'02', ?, ?, NULL, 1)",
                     (T0, T0 + store.LIFETIME))
        conn.execute("INSERT INTO questions VALUES (1, 1, 1, '{}', 7, 'delta', 2, 1, NULL, "
                     "0.0123, ?, NULL)", (T0,))
        for sid, nick, value in ((1, "Ada", 0.1 + 0.2), (2, "Bob", 0.0123), (3, "Cy", None)):
            conn.execute("INSERT INTO students VALUES (?, 1, ?, ?, ?, 0)",
                         (sid, bytes([sid]) * 32, nick, T0))
            if value is not None:
                conn.execute("INSERT INTO answers VALUES (1, ?, ?, 0, NULL, ?)",
                             (sid, value, T0 + sid))
        conn.commit()
    s = Store(path)
    assert s.version() == len(db_sqlite.MIGRATIONS)
    cy = Student(3, 1, "Cy")
    assert s.seen(cy, 1, now=T0 + 5)
    s.answer(cy, 1, -0.0123, correct=False, now=T0 + 6, typed=" −1.23e-2 ")
    assert s.tally(1, 1) == (3, 1, [("Ada", 0.30000000000000004, False, None,
                                     "0.30000000000000004"),
                                    ("Bob", 0.0123, False, None, "0.0123"),
                                    ("Cy", -0.0123, False, None, "−1.23e-2")])


# --- a restart loses nothing --------------------------------------------------------------------

CHILD = """
import sys, time
from explorer.classroom.store import Store
s = Store(sys.argv[1])                    # its pool is never closed: the process is killed
for i in range(int(sys.argv[4])):
    me = s.join(sys.argv[2], f"kid {i}")
    s.answer(me, int(sys.argv[3]), 0.25, correct=True)
    print("received", i, flush=True)
time.sleep(60)
"""


def test_answers_received_survive_a_killed_process(s):
    opened, q = open_with_question(s, now=time.time())
    child = subprocess.Popen([sys.executable, "-c", CHILD, s.location, opened.code, str(q.id),
                              "20"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    received = [child.stdout.readline() for _ in range(20)]
    child.send_signal(signal.SIGKILL)             # no clean shutdown, no checkpoint
    child.wait()
    assert received[-1].startswith("received 19")
    with Store(s.location) as again:               # a new store, as after a restart
        joined, _, answers = again.tally(opened.cls.id, q.id)
        assert joined == 20 and len(answers) == 20
        assert again.teacher(opened.code, opened.key) is not None


def test_answers_survive_the_database_server_killed_and_the_store_carries_on(request):
    """PostgreSQL killed (SIGKILL, no shutdown) right after answers were received: while it
    is down an answer is refused in a sentence (StoreUnavailable, nothing saved, nothing
    said received); started again, it has them all, and the same store (its pool) goes on
    without a restart of the app."""
    server = request.getfixturevalue("postgres_server")
    with Store(request.getfixturevalue("postgres_url")) as s:
        opened, q = open_with_question(s, now=time.time())
        kids = [s.join(opened.code, f"kid {i}") for i in range(10)]
        for kid in kids:
            s.answer(kid, q.id, 0.25, correct=True)
        late = s.join(opened.code, "late")
        server.kill()
        with pytest.raises(StoreUnavailable, match="nothing was saved"):
            s.answer(late, q.id, 0.5, correct=False)
        server.restart()
        for _ in range(20):       # the store fails fast for a moment after a failure
            try:
                answers = s.tally(opened.cls.id, q.id)[2]
                break
            except StoreUnavailable:
                time.sleep(0.5)
        assert len(answers) == 10
        assert not s.answer(late, q.id, 0.5, correct=False).duplicate
        assert len(s.tally(opened.cls.id, q.id)[2]) == 11


def test_a_file_locked_too_long_is_refused_in_a_sentence(tmp_path, monkeypatch):
    """SQLite's twin of the server down: another process holds the write lock past the busy
    timeout. The answer is refused (nothing saved), and goes in once the lock is gone."""
    monkeypatch.setattr(db_sqlite, "BUSY_MS", 200)
    s = Store(str(tmp_path / "class.sqlite3"))
    opened, q = open_with_question(s)
    me = s.join(opened.code, "Ada", now=T0)
    hog = sqlite3.connect(s.location, isolation_level=None)
    hog.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreUnavailable, match="nothing was saved"):
        s.answer(me, q.id, 0.25, correct=True, now=T0 + 1)
    hog.execute("ROLLBACK")
    hog.close()
    assert not s.answer(me, q.id, 0.25, correct=True, now=T0 + 1).duplicate
    assert count(s) == 1


def test_the_status_a_student_polls_follows_ask_reveal_and_end(s):
    opened = s.open_class(now=T0)
    cid = opened.cls.id
    assert s.status(cid, now=T0) == (True, None, False)
    q = s.ask(cid, "{}", 7, CELL, 0.25, now=T0)
    assert s.status(cid, now=T0) == (True, q.id, False)
    s.reveal(cid, q.id, now=T0 + 1)
    assert s.status(cid, now=T0 + 1) == (True, q.id, True)
    assert s.status(cid, now=T0 + store.LIFETIME) == (False, q.id, True)
    s.end(cid, now=T0 + 2)
    assert s.status(cid, now=T0 + 2) == (False, q.id, True)
    assert s.status(cid + 1, now=T0) == (False, None, False)


def test_a_bounded_number_of_questions(s, monkeypatch):
    monkeypatch.setattr(store, "MAX_QUESTIONS", 2)
    opened = s.open_class(now=T0)
    for step in (1, 2):
        s.ask(opened.cls.id, "{}", step, CELL, 0.25, now=T0)
    with pytest.raises(ClassError, match="at most 2 questions"):
        s.ask(opened.cls.id, "{}", 3, CELL, 0.25, now=T0)
