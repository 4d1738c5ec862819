"""Instant feedback for the exercise notebooks.

>>> from russia_china.exercises import check
>>> check("00.1", 7.8)          # doctest: +SKIP
✓ Exercise 00.1: public checks passed. …

`check` never raises. It compares the answer with a salted hash of the
normalised correct answer, so the expected value is not stored in plain text
anywhere a student can read. Passing means the *public* checks passed: the
instructor's hidden tests and manual grading may still find problems.
"""

from __future__ import annotations

from .checking import answers, check
from .feedback import Feedback
from .format import NOT_ANSWERED, PASSED

__all__ = ["NOT_ANSWERED", "PASSED", "Feedback", "answers", "check"]
