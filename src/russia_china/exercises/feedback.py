"""What `check()` returns: a status and a message, displayed in the notebook."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .format import HINT, NOT_ANSWERED, PASSED, RECORDED, UNKNOWN

_ICONS = {NOT_ANSWERED: "✎", PASSED: "✓", HINT: "✗", RECORDED: "✎", UNKNOWN: "?"}


@dataclass(frozen=True)
class Feedback:
    """The result of one check. ``status`` is one of the statuses in `format`.

    ``score`` is set only where partial credit exists (an extraction): the share
    of the exercise's points the answer earns, 0 to 1."""

    exercise_id: str
    status: str
    message: str
    score: float | None = field(default=None, compare=False)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        return f"{_ICONS[self.status]} Exercise {self.exercise_id}: {self.status}. {self.message}".strip()

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return f'<p role="status"><strong>{html.escape(str(self))}</strong></p>'
