"""The live class's SQLite file: its schema, and connections that migrate it.

The schema is the plain SQL of MIGRATIONS, its version ``PRAGMA user_version``. The first
connection to an older file brings it up to date, in one transaction that other processes
wait for; a file newer than this app is refused. WAL mode lets readers go on while one
process writes, and the busy timeout makes writers queue instead of failing.
"""

import sqlite3
from contextlib import closing, contextmanager

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
            raise RuntimeError(f"the class database is at schema version {v}, newer than "
                               f"this app's {len(MIGRATIONS)}")
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


@contextmanager
def writing(path):
    """One write transaction, taken at once (BEGIN IMMEDIATE), committed on leaving."""
    with closing(connect(path)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        with conn:
            yield conn


@contextmanager
def reading(path):
    """One consistent snapshot for several reads."""
    with closing(connect(path)) as conn:
        conn.execute("BEGIN")
        with conn:
            yield conn
