"""A student's typed answer: read it as a number, and check it against the right value.

The rule: an answer is right when it lies within relative 1e-3 or absolute 5e-4 of the
right value, whichever is looser. ``tolerance(right)`` says which rule applies and how far
off an answer may be; ``check_answer(answer, right)`` applies it.
"""

import math
import numbers
import operator
import re
from dataclasses import dataclass
from decimal import Decimal

REL_TOL = 1e-3
ABS_TOL = 5e-4
MAX_ANSWER_CHARS = 40   # "-1.2345678901234567e-300" is 24 characters
# An integer of more bits is past the largest float64 (2**1024); a Fraction or a Decimal of
# more bits or digits is refused unread (a float's exact decimal has at most 767 digits).
_MAX_BITS = 1100
# Decimal-to-binary rounding must not turn an answer exactly on the boundary wrong.
_SLACK = 1.0 + 1e-9

# ASCII digits only: Python's float() also reads "1_0", "inf", "nan" and Arabic digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})
_EXAMPLES = "such as -0.0123, .5 or 1.5e-3"
_TOO_MANY_DIGITS = f"That number has too many digits: give it as a float, {_EXAMPLES}."


@dataclass(frozen=True)
class Tolerance:
    rule: str        # "relative" or "absolute"
    allowed: float   # the largest |answer − right| that counts as right

    @property
    def text(self):
        """The rule in words, e.g. "within 0.1 % of the answer (±0.0123)"."""
        if self.rule == "relative":
            return f"relative: within 0.1 % of the answer (±{self.allowed:.3g})"
        return f"absolute: within ±{ABS_TOL:g} of the answer"


@dataclass(frozen=True)
class Check:
    correct: bool
    answer: float
    right: float
    tolerance: Tolerance


def tolerance(right):
    """The looser of relative 1e-3 and absolute 5e-4 around ``right`` (absolute on a tie)."""
    relative = REL_TOL * abs(float(right))
    if relative > ABS_TOL:
        return Tolerance("relative", relative)
    return Tolerance("absolute", ABS_TOL)


def within(answer, value):
    """Whether ``answer`` counts as ``value`` under the rule."""
    return abs(float(answer) - float(value)) <= tolerance(value).allowed * _SLACK


def check_answer(answer, right):
    """A Check of ``answer`` (a number, or text read by ``parse_answer``) against ``right``."""
    answer = parse_answer(answer)
    right = float(right)
    return Check(within(answer, right), answer, right, tolerance(right))


def parse_answer(text):
    """The number a student typed, as a finite float, or a ValueError saying what to type.

    Accepts "-0.0123", "+2", "1.5e-3", "1.5E3", ".5", "5." and a Unicode minus ("−0.5"),
    with spaces around. Refuses an empty answer, text, a decimal comma ("0,25"), a fraction
    or a sum, and numbers too large for a float64. A number given as a number (int, float,
    NumPy's float32 or int64, Fraction, Decimal; not bool) is checked for being finite.
    Long text, and a number of too many digits, is refused before it is read.
    """
    if isinstance(text, numbers.Real) and not isinstance(text, bool):
        return _finite(_real(text))
    if isinstance(text, Decimal):
        return _finite(_decimal(text))
    if not isinstance(text, str):
        raise ValueError(f"Type the answer as a number, {_EXAMPLES}.")
    if len(text) > MAX_ANSWER_CHARS:
        raise ValueError(f"That answer is too long: type one number of at most "
                         f"{MAX_ANSWER_CHARS} characters, {_EXAMPLES}.")
    s = text.strip().translate(_MINUSES)
    if not s:
        raise ValueError(f"Type a number first, {_EXAMPLES}.")
    if _NUMBER.fullmatch(s):
        return _finite(float(s))
    raise ValueError(_why_not(s))


def _real(v):
    """A real number as a float (inf where it is too large for one: float(10**400) raises
    OverflowError), the size of an integer or a fraction looked at before it is converted."""
    if isinstance(v, numbers.Integral):
        v = operator.index(v)   # NumPy's int64 too
        if v.bit_length() > _MAX_BITS:
            return math.inf
    elif isinstance(v, numbers.Rational) and not isinstance(v, float):   # e.g. a Fraction
        if max(v.numerator.bit_length(), v.denominator.bit_length()) > _MAX_BITS:
            raise ValueError(_TOO_MANY_DIGITS)
    try:
        return float(v)
    except OverflowError:
        return math.inf
    except (ValueError, TypeError, ArithmeticError):
        return math.nan


def _decimal(v):
    """A Decimal as a float, its digits counted before it is read."""
    if v.is_finite() and len(v.as_tuple().digits) > _MAX_BITS:
        raise ValueError(_TOO_MANY_DIGITS)
    return float(v) if v.is_finite() else math.nan


def _finite(v):
    if not math.isfinite(v):
        raise ValueError("That number is too large (or not a number): the answers here are "
                         "ordinary finite numbers, " + _EXAMPLES + ".")
    return v


def _why_not(s):
    """What to change in ``s``, which is not a number in the accepted form."""
    if "," in s:
        fixed = s.replace(",", ".")
        if s.count(",") == 1 and _NUMBER.fullmatch(fixed):
            return f"Write the decimal point as a point, not a comma: {fixed}, not {s}."
        return ("Write the decimal point as a point, not a comma, and no separators between "
                "thousands: for example 1234.5, not 1,234.5.")
    if re.search(r"[0-9]\s*[x×*·]\s*10", s):
        return "Write powers of ten with e: 1.5e-3 for 1.5 × 10⁻³."
    if "/" in s or re.search(r"[0-9.]\s*[-+*]", s):
        return f"Type the value itself as one decimal number, {_EXAMPLES}, not a " \
               "fraction or a calculation."
    if re.search(r"[0-9]\s+[0-9]", s):
        return "Type the number without spaces inside it, e.g. 1234.5."
    return f"That is not a number: type digits with a decimal point, {_EXAMPLES}."
