"""Compare quotes with the seed articles, and read numbers written in words."""

from __future__ import annotations

import re

_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    # A rank stated as a superlative: 'the largest partner' is rank 1.
    "largest": 1, "biggest": 1,
    # 'more than half' of a share: recorded in per cent.
    "half": 50,
}
_DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def normalise(text: str) -> str:
    """Collapse whitespace and straighten typographic quotes, nothing else."""
    return re.sub(r"\s+", " ", text.translate(_TYPOGRAPHIC)).strip()


def number_in(words: str) -> float:
    """The single number a short phrase states: '$190 billion' -> 190,
    '5.6 per cent' -> 5.6, 'sixth' -> 6, '80th' -> 80.

    Raises ValueError when the phrase states no number or more than one.
    """
    found = [float(m.group().replace(",", "")) for m in _DIGITS.finditer(words)]
    found += [
        float(_NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", words.lower()) if w in _NUMBER_WORDS
    ]
    if len(found) != 1:
        raise ValueError(f"expected exactly one number in {words!r}, found {found or 'none'}")
    return found[0]
