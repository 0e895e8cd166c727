"""The records of a live class, and the tidying of what people type: codes, nicknames."""

import hashlib
import unicodedata
from dataclasses import dataclass

from backprop.practice.answers import MAX_ANSWER_CHARS

MAX_NICKNAME = 24           # characters, after tidying
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ"   # no I, L, O: nothing to misread as 1 or 0
CODE_LENGTH = 6


class ClassError(ValueError):
    """An action the class's state or limits refuse; the message is for the person."""


class TooFast(ClassError):
    pass


class StoreUnavailable(ClassError):
    """The class database did not answer in time (a server restarting, a network cut, a
    file locked for too long): nothing of this action was saved. Said to the person."""

    def __init__(self, message=None):
        super().__init__(message or "The class database is not answering right now: nothing "
                                    "was saved. Try again in a moment.")


class StoreConfigError(RuntimeError):
    """The class database cannot be used as configured: a malformed address, a server that
    does not answer or refuses the user, a schema newer than this app. The message is for
    the host (never holding a password); pages show PUBLIC_STORE_ERROR instead."""


PUBLIC_STORE_ERROR = ("Live classes are not available on this server right now: its class "
                      "database is not reachable. Tell the person who hosts it; the server's "
                      "log says why.")


def newer_schema(found, known):
    """The message for a database whose schema is newer than this app's."""
    return (f"The class database is at schema version {found}, newer than this app's "
            f"{known}: a newer version of Backprop Explorer has used it. Run that version "
            f"(on every host), or give this one a database of its own.")


@dataclass(frozen=True)
class Class:
    id: int
    opened: float
    expires: float
    ended: float = None
    question_id: int = None

    def open(self, now):
        return self.ended is None and now < self.expires


@dataclass(frozen=True)
class Opened:
    """A class just opened: the only moment its code and key exist outside a link."""
    cls: Class
    code: str
    key: str


@dataclass(frozen=True)
class Student:
    id: int
    class_id: int
    nickname: str
    token: str = None        # given back by join only: the key to this seat after a reload


@dataclass(frozen=True)
class Question:
    id: int
    class_id: int
    number: int
    network: str
    step: int
    cell: tuple              # (quantity, l, j, k), 1-based, as backprop.diagnose takes it
    right: float
    revealed: bool


@dataclass(frozen=True)
class Answer:
    question_id: int
    student_id: int
    value: float
    correct: bool
    mistake: str
    at: float
    duplicate: bool = False  # True: this was already recorded, nothing new was stored
    typed: str = None        # the answer as the student typed it (normal_typed)


def digest(secret):
    return hashlib.sha256(secret.encode()).digest()


def normal_code(text):
    """The class code in ``text`` (spaces, dashes and case ignored), or ClassError."""
    if not isinstance(text, str) or len(text) > 3 * CODE_LENGTH:
        raise ClassError(f"A class code is {CODE_LENGTH} letters.")
    code = "".join(c for c in text.upper() if c not in " -\t")
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise ClassError(f"A class code is {CODE_LENGTH} letters, such as "
                         f"{ALPHABET[:CODE_LENGTH]}: check the one you typed.")
    return code


def normal_nickname(text):
    """The nickname, tidied (NFKC, no control characters, single spaces), or ClassError."""
    if not isinstance(text, str) or len(text) > 4 * MAX_NICKNAME:
        raise ClassError(f"A nickname has at most {MAX_NICKNAME} characters.")
    text = unicodedata.normalize("NFKC", text)
    text = " ".join("".join(c for c in text if not unicodedata.category(c).startswith("C"))
                    .split())
    if not text:
        raise ClassError("Type a nickname first: any name the teacher will recognise.")
    if len(text) > MAX_NICKNAME:
        raise ClassError(f"A nickname has at most {MAX_NICKNAME} characters.")
    return text


def normal_typed(text, value):
    """The answer as the student typed it, to show the teacher: spaces around and control
    characters removed; the shortest text of ``value`` when nothing usable was typed.
    ClassError past MAX_ANSWER_CHARS (a raw client may send more than the box takes)."""
    if text is None:
        return repr(float(value))
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        raise ClassError(f"An answer is one number of at most {MAX_ANSWER_CHARS} characters.")
    text = "".join(c for c in text if not unicodedata.category(c).startswith("C")).strip()
    return text or repr(float(value))
