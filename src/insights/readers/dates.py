"""Finding meeting dates in headings, lines and file names.

>>> find_date("## Monday 7th October 2024")
datetime.date(2024, 10, 7)
>>> find_date("# ASWF TAC Meeting - October 15, 2025")
datetime.date(2025, 10, 15)
>>> find_date("2021-12-22")
datetime.date(2021, 12, 22)
>>> find_date("2021-13-45") is None
True
>>> looks_like_date("2021-13-45")
True
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["find_date", "looks_like_date", "MONTHS"]

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    re.compile(_DAY + r"(?:\s+of)?\s+" + _MONTH + r",?\s+" + _YEAR, re.IGNORECASE),
    re.compile(_MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR, re.IGNORECASE),
]
_ISO_LIKE = re.compile(r"(?<!\d)(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")


def _to_date(match: re.Match[str]) -> date | None:
    month = match.group("month")
    month_number = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
    try:
        return date(int(match.group("year")), month_number, int(match.group("day")))
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first valid calendar date written in ``text`` (ISO or with a month name)."""
    text = text[:300]
    if "19" not in text and "20" not in text:  # every pattern holds a year
        return None
    best: tuple[int, date] | None = None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found = _to_date(match)
            if found is not None and (best is None or match.start() < best[0]):
                best = (match.start(), found)
                break
    return best[1] if best else None


def looks_like_date(text: str) -> bool:
    """True when ``text`` is written like an ISO date, valid or not (``2021-13-45``)."""
    return bool(_ISO_LIKE.search(text[:300]))
