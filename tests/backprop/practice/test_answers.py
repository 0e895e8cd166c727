"""The answer rule of practice mode (relative 1e-3 or absolute 5e-4, whichever is looser)
and the reader of a typed answer."""

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import check_answer, parse_answer, tolerance
from backprop.practice.answers import MAX_ANSWER_CHARS


@pytest.mark.parametrize("right,rule,allowed", [
    (0.25, "absolute", 5e-4),      # 1e-3 · 0.25 = 2.5e-4 is tighter than 5e-4
    (0.0, "absolute", 5e-4),
    (-0.3, "absolute", 5e-4),
    (0.5, "absolute", 5e-4),       # a tie: both give 5e-4
    (10.0, "relative", 1e-2),      # 1e-3 · 10 = 0.01 is looser
    (-2.0, "relative", 2e-3),
    (0.5000001, "relative", 5.000001e-4),
])
def test_the_looser_rule_is_used_and_named(right, rule, allowed):
    t = tolerance(right)
    assert t.rule == rule
    np.testing.assert_allclose(t.allowed, allowed, rtol=1e-12, atol=0)
    assert t.text.startswith(rule + ":")


def test_tolerance_texts():
    assert tolerance(0.25).text == "absolute: within ±0.0005 of the answer"
    assert tolerance(-20).text == "relative: within 0.1 % of the answer (±0.02)"


@pytest.mark.parametrize("answer,right,correct", [
    ("0.2505", 0.25, True),        # on the absolute boundary: right
    ("0.2495", 0.25, True),
    ("0.2506", 0.25, False),
    ("0.0004", 0.0, True),
    ("-0.0006", 0.0, False),
    ("10.01", 10.0, True),         # on the relative boundary: right
    ("9.99", 10.0, True),
    ("10.011", 10.0, False),
    ("-2.002", -2.0, True),
    ("2", -2.0, False),            # the sign matters
])
def test_check_answer(answer, right, correct):
    c = check_answer(answer, right)
    assert c.correct is correct
    assert c.answer == float(answer) and c.right == right
    assert c.tolerance == tolerance(right)


@pytest.mark.parametrize("text,value", [
    ("-0.0123", -0.0123), ("1.5e-3", 1.5e-3), ("1.5E3", 1500.0), ("−0.5", -0.5),
    (".5", 0.5), ("-.5", -0.5), ("5.", 5.0), ("+2", 2.0), ("  0.25 \t", 0.25),
    ("0", 0.0), ("1e-400", 0.0), ("−1.5e−3", -1.5e-3), ("007", 7.0),
    (3, 3.0), (-0.25, -0.25),
])
def test_accepted_forms(text, value):
    assert parse_answer(text) == value


@pytest.mark.parametrize("number,value", [
    (np.float32(0.5), 0.5), (np.int64(1), 1.0), (np.float16(-0.25), -0.25),
    (np.float64(0.1), 0.1), (np.int8(-3), -3.0), (np.uint64(2**64 - 1), 2.0**64),
    (np.longdouble(0.375), 0.375), (Fraction(1, 4), 0.25), (Fraction(-3, 8), -0.375),
    (Decimal("-0.0123"), -0.0123), (Decimal(0.1), 0.1),   # Decimal(0.1) has 55 digits
    (10**308, 1e308), (-(2**1023), -(2.0**1023)),
])
def test_numbers_of_every_kind_are_read(number, value):
    # issue 19: np.float32(0.5) and np.int64(1) were refused as "not a number"
    got = parse_answer(number)
    assert type(got) is float
    np.testing.assert_allclose(got, value, rtol=1e-15, atol=0)


@pytest.mark.parametrize("number,message", [
    (10**400, "too large"),                # float(10**400) raises OverflowError
    (-(10**400), "too large"),
    (2**1024, "too large"),                # one bit past the largest float64
    (np.float32("inf"), "too large"),
    (np.float64("nan"), "not a number"),
    (np.longdouble("1e4000"), "too large"),
    (Decimal("NaN"), "not a number"),
    (Decimal("-Infinity"), "too large"),
    (Decimal("1e999999"), "too large"),
    (Decimal("1" * 5000), "too many digits"),
    (Fraction(1, 10**400), "too many digits"),
    (Fraction(10**400 + 1, 10**399), "too many digits"),
    (np.bool_(True), "Type the answer as a number"),
    (complex(1, 0), "Type the answer as a number"),
    (np.array([0.5]), "Type the answer as a number"),
    (b"0.5", "Type the answer as a number"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)   # not 400 digits
def test_numbers_that_are_no_answer_get_a_value_error(number, message):
    with pytest.raises(ValueError, match=message) as e:
        parse_answer(number)
    assert "int too large" not in str(e.value) and "Exceeds the limit" not in str(e.value)
    assert len(str(e.value)) < 200


def test_a_huge_integer_is_refused_by_its_size_before_it_is_converted():
    # 100,001 digits: str() of it raises (Python's 4300-digit limit), float() overflows
    with pytest.raises(ValueError, match="too large"):
        parse_answer(10**(10**5))


@pytest.mark.parametrize("text,message", [
    ("", "Type a number first"),
    ("   ", "Type a number first"),
    ("0,25", "a point, not a comma: 0.25, not 0,25"),
    ("1,5e-3", "a point, not a comma: 1.5e-3, not 1,5e-3"),
    ("−0,5", "a point, not a comma: -0.5"),
    ("1,234.5", "no separators between thousands"),
    ("abc", "not a number"),
    ("inf", "not a number"),
    ("nan", "not a number"),
    ("Infinity", "not a number"),
    ("1_000", "not a number"),
    ("0x1A", "not a number"),
    ("١٢", "not a number"),                 # digits, but not ASCII ones
    ("1e999", "too large"),
    ("1/4", "not a fraction or a calculation"),
    ("0.5-0.25", "not a fraction or a calculation"),
    ("1.5 × 10^-3", "powers of ten with e: 1.5e-3"),
    ("2*10^-3", "powers of ten with e"),
    ("1 000", "without spaces"),
    ("x" * (MAX_ANSWER_CHARS + 1), f"at most {MAX_ANSWER_CHARS} characters"),
    ("1" * 10**6, f"at most {MAX_ANSWER_CHARS} characters"),
    (None, "Type the answer as a number"),
    (True, "Type the answer as a number"),
    ([0.5], "Type the answer as a number"),
    (math.nan, "too large \\(or not a number\\)"),
    (math.inf, "too large"),
])
def test_refused_answers_get_a_message_the_student_can_act_on(text, message):
    with pytest.raises(ValueError, match=message) as e:
        parse_answer(text)
    text_of = str(e.value)
    assert "could not convert" not in text_of and "float()" not in text_of
    assert len(text_of) < 200


def test_a_long_answer_is_refused_before_it_is_read():
    # Exactly the limit is read; one character more is not, even if it is a number.
    assert parse_answer("0." + "1" * (MAX_ANSWER_CHARS - 2)) == pytest.approx(0.1111111111)
    with pytest.raises(ValueError, match="too long"):
        parse_answer("0." + "1" * (MAX_ANSWER_CHARS - 1))


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_as_itself(v):
    assert parse_answer(repr(v)) == v
    assert parse_answer(f" {v:.6e} ") == float(f"{v:.6e}")
    if v < 0:
        assert parse_answer("\u2212" + repr(-v)) == v
