"""The due date, and how late a submission was: shared by collect and the gradebook."""

from __future__ import annotations

from datetime import UTC, datetime, time


def parse_due(text: str) -> datetime | None:
    """'2026-12-08T17:00+01:00', or a date alone meaning the end of that day (UTC); '' means no due date."""
    if not text.strip():
        return None
    try:
        due = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--due {text!r}: write a date (2026-12-08) or a date and time "
                         "(2026-12-08T17:00+01:00)") from None
    if len(text.strip()) == 10:  # a date alone: the whole of that day counts
        due = datetime.combine(due.date(), time(23, 59, 59))
    return due if due.tzinfo else due.replace(tzinfo=UTC)


def late_by(modified: datetime, due: datetime | None) -> str:
    """'' when on time, else how late, e.g. '2 h 5 min'."""
    if due is None or modified <= due:
        return ""
    minutes = int((modified - due).total_seconds() // 60)
    if minutes == 0:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    return " ".join(p for p in parts if p)
