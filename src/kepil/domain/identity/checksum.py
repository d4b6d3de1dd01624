"""The mod-11 check digit shared by IIN and BIN (the 12th digit, computed over the first 11)."""

from __future__ import annotations

from typing import Final

FIRST_WEIGHTS: Final = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS: Final = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# A remainder of 10 cannot be written as one digit: it sends the number to the second weights,
# and a second 10 means the registries never issue that number.
_NO_DIGIT: Final = 10


def is_ascii_digits(text: str, length: int) -> bool:
    """Whether `text` is exactly `length` characters, each an ASCII digit 0-9."""
    # str.isdigit alone accepts other scripts' digits and superscripts, which no registry issues.
    return len(text) == length and text.isascii() and text.isdigit()


def weighted_remainder(first11: str, weights: tuple[int, ...]) -> int:
    """The sum of the 11 digits times `weights`, modulo 11."""
    return sum(int(digit) * weight for digit, weight in zip(first11, weights, strict=True)) % 11


def check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits of an IIN/BIN, or None if no number can have them."""
    if not is_ascii_digits(first11, 11):
        raise ValueError(f"expected the first 11 digits of an IIN/BIN, got {first11!r}")
    remainder = weighted_remainder(first11, FIRST_WEIGHTS)
    if remainder != _NO_DIGIT:
        return remainder
    remainder = weighted_remainder(first11, SECOND_WEIGHTS)
    return None if remainder == _NO_DIGIT else remainder
