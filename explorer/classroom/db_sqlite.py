"""The live class in one SQLite file: the embedded back-end, no server to run.

The schema is the plain SQL of MIGRATIONS, its version ``PRAGMA user_version``. The first
connection to an older file brings it up to date, in one transaction that other processes
wait for; a file newer than this app is refused. WAL mode lets readers go on while one
process writes, and the busy timeout makes writers queue instead of failing.

``SQLite(path)`` is the back-end ``store.Store`` talks to (its twin: db_postgres.Postgres).
A write transaction takes the file's one write lock at once (BEGIN IMMEDIATE), so the row
locks that PostgreSQL needs (FOR_UPDATE, FOR_SHARE, lock_classes) are nothing here.
"""

import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

from .records import StoreConfigError, StoreUnavailable, newer_schema

BUSY_MS = 10_000

MIGRATIONS = (  # MIGRATIONS[v] takes a database from version v to v + 1
    """
    CREATE TABLE classes (
        id          INTEGER PRIMARY KEY,
        code_hash   BLOB NOT NULL UNIQUE,   -- sha256 of the class code
        key_hash    BLOB NOT NULL,          -- sha256 of the teacher key
        opened      REAL NOT NULL,
        expires     REAL NOT NULL,
        ended       REAL,                   -- NULL while open
        question_id INTEGER                 -- the question the class is on
    );
    CREATE INDEX classes_expires ON classes (expires);
    CREATE TABLE questions (
        id       INTEGER PRIMARY KEY,
        class_id INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
        number   INTEGER NOT NULL,          -- 1, 2, ... within the class
        network  TEXT NOT NULL,             -- network and example, as explorer.files.dumps
        step     INTEGER NOT NULL,          -- index into backprop.steps.steps
        quantity TEXT NOT NULL,
        l        INTEGER NOT NULL,
        j        INTEGER,
        k        INTEGER,
        right    REAL NOT NULL,
        asked    REAL NOT NULL,
        revealed REAL,                      -- NULL until the teacher reveals it
        UNIQUE (class_id, number)
    );
    CREATE TABLE students (
        id          INTEGER PRIMARY KEY,
        class_id    INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
        token_hash  BLOB NOT NULL UNIQUE,   -- sha256 of the student's own token
        nickname    TEXT NOT NULL COLLATE NOCASE,
        joined      REAL NOT NULL,
        last_answer REAL NOT NULL DEFAULT 0,
        UNIQUE (class_id, nickname)
    );
    CREATE TABLE answers (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        student_id  INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
        value       REAL NOT NULL,
        correct     INTEGER NOT NULL,
        mistake     TEXT,                   -- a key of backprop.mistakes.MISTAKES
        at          REAL NOT NULL,
        PRIMARY KEY (question_id, student_id)   -- one answer per student and question
    );
    """,
    # 2: the answer as the student typed it (NULL in older rows, whose typed text was not
    # kept: the store shows their value's shortest text), and which students' pages have
    # drawn which question, one row each at most
    """
    ALTER TABLE answers ADD COLUMN typed TEXT CHECK (length(typed) <= 40);
    CREATE TABLE seen (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        student_id  INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
        at          REAL NOT NULL,
        PRIMARY KEY (question_id, student_id)
    ) WITHOUT ROWID;
    """,
)


class SQLite:
    """The store's back-end on the SQLite file at ``path`` (its folder is made). Each
    action opens a connection of its own: a file opened is cheap, and nothing is kept
    open between actions."""

    kind = "SQLite"
    IntegrityError = sqlite3.IntegrityError
    FOR_UPDATE = FOR_SHARE = ""      # BEGIN IMMEDIATE already holds the file's write lock

    def __init__(self, path):
        if sqlite3.sqlite_version_info < (3, 35):      # INSERT ... RETURNING
            raise StoreConfigError(f"The class database needs SQLite 3.35 or newer; this "
                                   f"Python has {sqlite3.sqlite_version}.")
        self.path = str(path)
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            raise StoreConfigError(f"The folder of the class database {self.path} cannot be "
                                   "made: check BACKPROP_CLASS_DB.") from None

    def describe(self):
        return f"SQLite {self.path}"

    def version(self):
        with self.connection() as conn:
            return version(conn)

    @contextmanager
    def _use(self, begin=None):
        """A connection of its own, in the transaction ``begin`` starts if given (committed
        on leaving, rolled back on an error)."""
        with _answering(), closing(connect(self.path)) as conn:
            if begin is None:
                yield conn
                return
            conn.execute(begin)
            with conn:
                yield conn

    def connection(self):
        """A connection for one statement at a time (autocommit)."""
        return self._use()

    def writing(self):
        """One write transaction, the file's write lock taken at once (BEGIN IMMEDIATE)."""
        return self._use("BEGIN IMMEDIATE")

    def reading(self):
        """One consistent snapshot for several reads."""
        return self._use("BEGIN")

    def lock_classes(self, conn):
        """Nothing: the write transaction holds the whole file (see db_postgres)."""

    def close(self):
        """Nothing to close: connections live for one action."""


@contextmanager
def _answering():
    """The file locked past the busy timeout (or unreadable) is StoreUnavailable, a sentence
    for the person; schema errors and constraints go through as they are."""
    try:
        yield
    except sqlite3.OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e) and "unable to open" not in str(e):
            raise
        raise StoreUnavailable() from None


def connect(path):
    """A connection to the class database at ``path``, migrated, in autocommit mode."""
    conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")   # committed means on disk
    if version(conn) != len(MIGRATIONS):
        _migrate(conn)
    return conn


def version(conn):
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _migrate(conn):
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")       # one process migrates; the others wait, then see
    try:
        v = version(conn)
        if v > len(MIGRATIONS):
            raise StoreConfigError(newer_schema(v, len(MIGRATIONS)))
        for step in range(v, len(MIGRATIONS)):
            # statements end with ";", and no statement holds one inside
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise

