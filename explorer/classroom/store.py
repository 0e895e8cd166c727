"""The live class's actions, each one transaction on the class database: a SQLite file
(db_sqlite, the default) or a PostgreSQL server shared by replicas on several hosts
(db_postgres). The same SQL runs on both; the back-end gives the connections, the
transactions and the row locks that PostgreSQL needs and SQLite's single write lock makes
unnecessary.

Class codes, teacher keys and student tokens come from ``secrets``; the database holds only
their SHA-256 hashes, looked up by hash and compared with ``hmac.compare_digest``. Nothing
here logs them. Every limit is checked inside the transaction that it guards, so it holds
across processes, replicas and hosts; duplicates are refused by unique constraints.

    store = Store("data/classes.sqlite3")         # or Store("postgresql://...")
    opened = store.open_class()                   # .code for students, .key for the teacher
    me = store.join(opened.code, "Ada")
    cls = store.teacher(opened.code, opened.key)
    q = store.ask(cls.id, network_json, 7, ("delta", 2, 1, None), right=0.0123)
    store.seen(me, q.id)                          # once the student's page shows it
    store.answer(me, q.id, 0.0123, correct=True, typed="0.0123")  # committed on return
"""

import hmac
import math
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from .db_sqlite import SQLite
from .records import (
    ALPHABET,
    CODE_LENGTH,
    Answer,
    Class,
    ClassError,
    Opened,
    Question,
    Student,
    TooFast,
    digest,
    normal_code,
    normal_nickname,
    normal_typed,
)

MAX_STUDENTS = 500          # per class: a lecture of 500 (over several replicas or hosts)
MAX_OPEN_CLASSES = 50       # open at once, per database (a host's file, or one PostgreSQL)
LIFETIME = 12 * 3600.0      # seconds a class stays open at most
MIN_GAP = 1.0               # seconds between two answers of one student
MAX_QUESTIONS = 300         # per class: each holds a network of up to 64 kB
URL_ENV = "BACKPROP_DATABASE_URL"   # a postgresql:// address: the class store on PostgreSQL
ENV = "BACKPROP_CLASS_DB"   # else the SQLite file: an environment variable, or this secret
DEFAULT = Path(__file__).resolve().parents[2] / "data" / "classes.sqlite3"   # gitignored
_Q = 'id, class_id, number, network, step, quantity, l, j, k, "right", revealed'
_CLASS = "SELECT id, opened, expires, ended, question_id FROM classes WHERE id = ?"


def _question(row):
    qid, cid, number, network, step, q, l, j, k, right, revealed = row
    return Question(qid, cid, number, network, step, (q, l, j, k), right, revealed is not None)


def _typed(typed, value):
    """What the teacher is shown of a stored answer: the text typed, or for an answer
    stored before that was kept (NULL), the shortest text that reads back as its value."""
    return typed if typed is not None else repr(float(value))


def location(setting):
    """Where the class database is, from a host's ``setting(name)`` (environment variable,
    else Streamlit secret, else None): $BACKPROP_DATABASE_URL, a PostgreSQL address, else
    the SQLite file $BACKPROP_CLASS_DB, else data/classes.sqlite3 in the repository."""
    return setting(URL_ENV) or setting(ENV) or str(DEFAULT)


def backend(where):
    """The back-end of ``where``: PostgreSQL for an address (``scheme://...``, which must be
    postgresql://), else SQLite at that path. StoreConfigError if it cannot be used."""
    if "://" in str(where):
        from .db_postgres import Postgres  # psycopg is loaded only where it is used
        return Postgres(where)
    return SQLite(where)


@dataclass(frozen=True)
class Store:
    """The live class in the database at ``location`` (a SQLite path or a PostgreSQL
    address). A PostgreSQL store holds a pool of connections: ``close()`` it, or use it in a
    ``with``; one per process is enough (the app keeps one, host.the_store)."""
    location: str
    db: object = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "location", str(self.location))
        object.__setattr__(self, "db", backend(self.location))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.db.close()

    def describe(self):
        """Which database, for the host: kind and place, never a password."""
        return self.db.describe()

    def version(self):
        return self.db.version()

    # -- the teacher ---------------------------------------------------------------------
    def open_class(self, now=None):
        """Open a class: an Opened with its new code and teacher key. Classes past their
        time are removed first; ClassError if MAX_OPEN_CLASSES are open."""
        now = time.time() if now is None else now
        key = secrets.token_urlsafe(24)
        with self.db.writing() as conn:
            self.db.lock_classes(conn)
            conn.execute("DELETE FROM classes WHERE expires <= ?", (now,))
            n = conn.execute("SELECT count(*) FROM classes WHERE ended IS NULL").fetchone()[0]
            if n >= MAX_OPEN_CLASSES:
                raise ClassError(f"{MAX_OPEN_CLASSES} classes are open on this server, the "
                                 "most it takes: end one, or try again later.")
            row = None
            while row is None:   # 23⁶ ≈ 1.5e8 codes: a clash with an open class is rare
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
                row = conn.execute(
                    "INSERT INTO classes (code_hash, key_hash, opened, expires) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                    (digest(code), digest(key), now, now + LIFETIME)).fetchone()
        return Opened(Class(row[0], now, now + LIFETIME), code, key)

    def teacher(self, code, key, now=None):
        """The Class whose code and teacher key these are (ended or not), or None: a wrong
        or missing key, an unknown or expired class."""
        now = time.time() if now is None else now
        try:
            code = normal_code(code)
        except ClassError:
            return None
        if not isinstance(key, str) or len(key) > 64:
            return None
        with self.db.connection() as conn:
            row = conn.execute("SELECT id, opened, expires, ended, question_id, key_hash "
                               "FROM classes WHERE code_hash = ?", (digest(code),)).fetchone()
        stored = bytes(row[5]) if row else digest(secrets.token_urlsafe(24))
        if not hmac.compare_digest(stored, digest(key)) or row is None or row[2] <= now:
            return None
        return Class(*row[:5])

    def ask(self, class_id, network, step, cell, right, now=None):
        """Put a new question to the class: every student moves on to it. Returns it."""
        now = time.time() if now is None else now
        if not math.isfinite(right):
            raise ClassError("This cell has no finite value to ask about.")
        q, l, j, k = cell
        with self.db.writing() as conn:
            self._open_class(conn, class_id, now, self.db.FOR_UPDATE)  # numbers one at a time
            number = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM questions "
                                  "WHERE class_id = ?", (class_id,)).fetchone()[0]
            if number > MAX_QUESTIONS:
                raise ClassError(f"A class takes at most {MAX_QUESTIONS} questions: open a "
                                 "new one.")
            qid = conn.execute(
                "INSERT INTO questions (class_id, number, network, step, quantity, l, j, k, "
                '"right", asked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
                (class_id, number, network, step, q, l, j, k, right, now)).fetchone()[0]
            conn.execute("UPDATE classes SET question_id = ? WHERE id = ?", (qid, class_id))
        return Question(qid, class_id, number, network, step, tuple(cell), right, False)

    def reveal(self, class_id, question_id, now=None):
        now = time.time() if now is None else now
        with self.db.writing() as conn:
            conn.execute("UPDATE questions SET revealed = coalesce(revealed, ?) "
                         "WHERE id = ? AND class_id = ?", (now, question_id, class_id))

    def end(self, class_id, now=None):
        now = time.time() if now is None else now
        with self.db.writing() as conn:
            conn.execute("UPDATE classes SET ended = coalesce(ended, ?) WHERE id = ?",
                         (now, class_id))

    def tally(self, class_id, question_id):
        """(students joined, students whose page has drawn the question, [(nickname, value,
        correct, mistake, typed), ...] for the question), read in one snapshot. ``typed``
        is the answer as typed; for answers stored before it was kept, the value's
        shortest text."""
        with self.db.reading() as conn:
            joined = conn.execute("SELECT count(*) FROM students WHERE class_id = ?",
                                  (class_id,)).fetchone()[0]
            seen = conn.execute(
                "SELECT count(*) FROM seen v JOIN students s ON s.id = v.student_id "
                "WHERE v.question_id = ? AND s.class_id = ?", (question_id, class_id)
            ).fetchone()[0]
            rows = conn.execute(
                "SELECT s.nickname, a.value, a.correct, a.mistake, a.typed FROM answers a "
                "JOIN students s ON s.id = a.student_id JOIN questions q ON q.id = a.question_id "
                "WHERE a.question_id = ? AND q.class_id = ? ORDER BY a.at, s.id",
                (question_id, class_id)).fetchall()
        return joined, seen, [(n, v, bool(c), m, _typed(t, v)) for n, v, c, m, t in rows]

    # -- the students --------------------------------------------------------------------
    def join(self, code, nickname, now=None):
        """A new Student of the open class with this code, with a token of their own;
        ClassError for an unknown code, a full class or a nickname already taken."""
        now = time.time() if now is None else now
        code, nickname = normal_code(code), normal_nickname(nickname)
        token = secrets.token_urlsafe(18)
        with self.db.writing() as conn:
            row = conn.execute("SELECT id, code_hash FROM classes WHERE code_hash = ? AND "
                               "ended IS NULL AND expires > ?" + self.db.FOR_UPDATE,
                               (digest(code), now)).fetchone()   # joins one at a time
            if row is None or not hmac.compare_digest(bytes(row[1]), digest(code)):
                raise ClassError("No open class has this code: check it with your teacher.")
            n = conn.execute("SELECT count(*) FROM students WHERE class_id = ?",
                             (row[0],)).fetchone()[0]
            if n >= MAX_STUDENTS:
                raise ClassError(f"This class is full ({MAX_STUDENTS} students).")
            new = conn.execute("INSERT INTO students (class_id, token_hash, nickname, joined) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                               (row[0], digest(token), nickname, now)).fetchone()
            if new is None:       # the unique nickname per class (case aside) is taken
                raise ClassError("Someone in this class already has that nickname: choose "
                                 "another.")
        return Student(new[0], row[0], nickname, token)

    def resume(self, code, token, now=None):
        """The Student whose token this is, in the open class with this code, or None."""
        now = time.time() if now is None else now
        if not isinstance(token, str) or len(token) > 64:
            return None
        try:
            code = normal_code(code)
        except ClassError:
            return None
        with self.db.connection() as conn:
            row = conn.execute(
                "SELECT s.id, s.class_id, s.nickname, s.token_hash FROM students s "
                "JOIN classes c ON c.id = s.class_id WHERE s.token_hash = ? AND "
                "c.code_hash = ? AND c.expires > ?", (digest(token), digest(code), now)
            ).fetchone()
        if row is None or not hmac.compare_digest(bytes(row[3]), digest(token)):
            return None
        return Student(row[0], row[1], row[2], token)

    def current(self, class_id):
        """(Class, its current Question or None), or (None, None) once it is gone."""
        with self.db.reading() as conn:
            row = conn.execute(_CLASS, (class_id,)).fetchone()
            if row is None:
                return None, None
            q = conn.execute(f"SELECT {_Q} FROM questions WHERE id = ?", (row[4],)).fetchone()
        return Class(*row), (_question(q) if q else None)

    def status(self, class_id, now=None):
        """(open, current question id, revealed) in one small read: what a student's page
        polls for. (False, None, False) once the class is gone."""
        now = time.time() if now is None else now
        with self.db.connection() as conn:
            row = conn.execute("SELECT c.ended IS NULL AND c.expires > ?, c.question_id, "
                               "q.revealed IS NOT NULL FROM classes c LEFT JOIN questions q "
                               "ON q.id = c.question_id WHERE c.id = ?",
                               (now, class_id)).fetchone()
        return (bool(row[0]), row[1], bool(row[2])) if row else (False, None, False)

    def seen(self, student, question_id, now=None):
        """Note that the student's page has drawn this question, the class's current one:
        the teacher counts these pages. Once per student and question (a reload, another
        tab or a raw client adds nothing: the primary key); nothing for another class's
        question or an old one. Whether it is noted."""
        now = time.time() if now is None else now
        key = (question_id, student.id)
        have = "SELECT 1 FROM seen WHERE question_id = ? AND student_id = ?"
        with self.db.connection() as conn:     # a page redrawn needs no write
            if conn.execute(have, key).fetchone():
                return True
        with self.db.writing() as conn:
            cur = conn.execute(
                "INSERT INTO seen (question_id, student_id, at) "
                "SELECT c.question_id, s.id, ? FROM students s JOIN classes c "
                "ON c.id = s.class_id WHERE s.id = ? AND s.class_id = ? AND "
                "c.question_id = ? AND c.ended IS NULL AND c.expires > ? "
                "ON CONFLICT DO NOTHING",
                (now, student.id, student.class_id, question_id, now))
            return cur.rowcount == 1 or conn.execute(have, key).fetchone() is not None

    def answer(self, student, question_id, value, correct, mistake=None, now=None,
               typed=None):
        """Record the student's answer to the class's current question, once: the Answer
        stored (``duplicate`` if it already was), with ``typed``, the text the student
        typed (at most MAX_ANSWER_CHARS, shown to the teacher as it is). ClassError if the
        question is not the class's current one or the class is closed; TooFast within
        MIN_GAP of the student's last answer. Committed when this returns.

        The primary key (question, student) decides a duplicate: of two copies sent at once
        through two replicas, one is inserted and the other finds it (ON CONFLICT DO
        NOTHING waits for the first to commit). The rate limit is one conditional UPDATE."""
        now = time.time() if now is None else now
        value = float(value)
        if not math.isfinite(value):
            raise ClassError("An answer is a finite number.")
        typed = normal_typed(typed, value)
        key = (question_id, student.id)
        with self.db.connection() as conn:     # a repeat needs no transaction
            old = self._answer_of(conn, *key)
        if old is not None:
            return old
        with self.db.writing() as conn:
            # FOR SHARE: the teacher cannot move on or reveal while this answer goes in
            cls = self._open_class(conn, student.class_id, now, self.db.FOR_SHARE)
            if cls.question_id != question_id:
                raise ClassError("The teacher has moved on to another question.")
            if conn.execute("SELECT revealed FROM questions WHERE id = ?",
                            (question_id,)).fetchone()[0] is not None:
                raise ClassError("The answer has been revealed: wait for the next question.")
            if conn.execute("SELECT 1 FROM students WHERE id = ? AND class_id = ?",
                            (student.id, student.class_id)).fetchone() is None:
                raise ClassError("You are not in this class any more: join again.")
            stored = conn.execute(
                "INSERT INTO answers (question_id, student_id, value, correct, mistake, at, "
                "typed) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING at",
                (question_id, student.id, value, int(bool(correct)), mistake, now, typed)
            ).fetchone()
            if stored is None:                 # already there: this is a repeat
                return self._answer_of(conn, *key)
            if conn.execute("UPDATE students SET last_answer = ? WHERE id = ? AND "
                            "? - last_answer >= ?", (now, student.id, now, MIN_GAP)
                            ).rowcount != 1:   # leaving by raising rolls the insert back
                raise TooFast("One answer a second at most: wait a moment and send it again.")
        return Answer(question_id, student.id, value, bool(correct), mistake, now, typed=typed)

    def answer_of(self, student, question_id):
        """The student's recorded Answer to this question, or None."""
        with self.db.connection() as conn:
            return self._answer_of(conn, question_id, student.id)

    @staticmethod
    def _answer_of(conn, question_id, student_id):
        row = conn.execute("SELECT value, correct, mistake, at, typed FROM answers WHERE "
                           "question_id = ? AND student_id = ?",
                           (question_id, student_id)).fetchone()
        if row is None:
            return None
        return Answer(question_id, student_id, row[0], bool(row[1]), row[2], row[3], True,
                      _typed(row[4], row[0]))

    @staticmethod
    def _open_class(conn, class_id, now, lock=""):
        row = conn.execute(_CLASS + lock, (class_id,)).fetchone()
        if row is None or not Class(*row).open(now):
            raise ClassError("This class has ended.")
        return Class(*row)
