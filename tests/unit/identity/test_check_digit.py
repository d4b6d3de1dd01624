"""The mod-11 check digit of IIN/BIN, including what it provably cannot catch."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from kepil.domain.identity import (
    InvalidIdentifierError,
    InvalidReason,
    check_digit,
    parse_identifier,
)

# The published weights, restated here so the tests do not trust the module's own constants.
FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def remainder(first11: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(first11, weights, strict=True)) % 11


def uses_second_weights(first11: str) -> bool:
    return remainder(first11, FIRST) == 10


eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


@st.composite
def second_weight_digits(draw: st.DrawFn) -> str:
    """Eleven digits whose first weighted remainder is 10, built rather than filtered."""
    rest = draw(st.text(alphabet="0123456789", min_size=10, max_size=10))
    # Digit 1 has first weight 1, so it alone can steer the first remainder to 10.
    first = (10 - remainder("0" + rest, FIRST)) % 11
    assume(first != 10)
    return str(first) + rest


def with_digit(text: str, position: int, digit: int) -> str:
    return text[:position] + str(digit) + text[position + 1 :]


def test_check_digit_of_the_real_bin_990140004654_is_4() -> None:
    # 9*1 + 9*2 + 1*4 + 4*5 + 4*9 + 6*10 + 5*11 = 202 = 18*11 + 4
    assert check_digit("99014000465") == 4


def test_check_digit_is_the_first_weighted_remainder_when_it_is_not_ten() -> None:
    # 8 + 10 + 28 + 5 + 12 + 21 + 11 = 95 = 8*11 + 7
    assert check_digit("85071230001") == 7


def test_check_digit_uses_second_weights_when_first_remainder_is_ten() -> None:
    # First weights: 186 = 16*11 + 10. Second: 27 + 4 + 6 + 28 + 44 + 6 + 10 = 125 = 11*11 + 4.
    assert check_digit("91014000465") == 4


@pytest.mark.parametrize("first11", ["85071230160", "99014000082"])
def test_check_digit_is_none_when_both_remainders_are_ten(first11: str) -> None:
    assert remainder(first11, FIRST) == 10
    assert remainder(first11, SECOND) == 10
    assert check_digit(first11) is None


@pytest.mark.parametrize(
    "text",
    ["", "9901400046", "990140004654", "9901400046a", " 9901400046", "９９０１４０００４６５"],
)
def test_check_digit_rejects_anything_but_eleven_ascii_digits(text: str) -> None:
    with pytest.raises(ValueError, match="first 11 digits"):
        check_digit(text)


@given(eleven_digits)
def test_check_digit_follows_the_two_pass_rule(first11: str) -> None:
    first = remainder(first11, FIRST)
    second = remainder(first11, SECOND)
    expected = first if first != 10 else (second if second != 10 else None)
    assert check_digit(first11) == expected


@given(eleven_digits, st.integers(0, 9))
def test_changing_the_check_digit_always_invalidates_the_number(first11: str, new: int) -> None:
    digit = check_digit(first11)
    assume(digit is not None and new != digit)
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_identifier(first11 + str(new))
    assert raised.value.reason is InvalidReason.BAD_CHECK_DIGIT


@given(eleven_digits, st.integers(0, 9))
def test_changing_digit_11_goes_unnoticed_whenever_the_first_weights_decide(
    first11: str, new: int
) -> None:
    # Digit 11 has first weight 11, which is 0 modulo 11: the first pass never sees it.
    assume(not uses_second_weights(first11))
    assert check_digit(with_digit(first11, 10, new)) == check_digit(first11)


def test_changing_digit_11_of_the_real_bin_keeps_it_valid() -> None:
    changed = parse_identifier("990140004664")
    assert changed.number == "990140004664"


@given(second_weight_digits(), st.integers(0, 9))
def test_changing_digit_11_is_always_caught_when_the_second_weights_decide(
    first11: str, new: int
) -> None:
    assert uses_second_weights(first11)
    assume(new != int(first11[10]))
    original = check_digit(first11)
    assume(original is not None)
    # Its second weight is 2, and 2 * (1..9) is never 0 modulo 11.
    assert check_digit(with_digit(first11, 10, new)) != original


@given(eleven_digits, st.integers(0, 9), st.integers(0, 9))
@example(first11="99014000465", position=1, new=1)
@example(first11="91014000465", position=1, new=9)
def test_a_change_to_digits_1_to_10_survives_only_by_switching_weight_sets(
    first11: str, position: int, new: int
) -> None:
    original = check_digit(first11)
    assume(original is not None and new != int(first11[position]))
    changed = with_digit(first11, position, new)
    if check_digit(changed) == original:
        assert uses_second_weights(first11) != uses_second_weights(changed)


def test_a_change_to_digits_1_to_10_can_survive_by_switching_weight_sets() -> None:
    # 99014000465 takes the first weights, 91014000465 the second; both give 4.
    assert not uses_second_weights("99014000465")
    assert uses_second_weights("91014000465")
    assert parse_identifier("910140004654").number == "910140004654"
