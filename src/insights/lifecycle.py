"""Action-item lifecycle: age and carry-over of open items, and resolution by later meetings.

>>> similarity("Spruce up our working-group page", "Working group page spruced up - done") >= DEFAULT_THRESHOLD
True
>>> reports_done("Paver ADR merged last week"), reports_done("ADR not done yet")
(True, False)

An item is resolved by a later meeting when a note of a meeting held after it says
something was done (a done-word, not negated) and the note is similar enough to the item
(:func:`similarity` at least ``[lifecycle] match_threshold``). The note is kept as
evidence (``action_status.evidence_source``/``evidence_line``). Only open items are
considered and only open items are written, so nothing closed in Jira, by hand or by the
notes themselves is ever reopened or overwritten. ``docs/decisions/0004-jira-idempotent-push.md``
records how the scorer and threshold were chosen on the labelled pairs in
``tests/test_lifecycle.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable

from .actions import OPEN_STATUSES, list_actions
from .model import ActionItem, normalise_text
from .store import Store

__all__ = ["similarity", "reports_done", "Match", "find_meeting_resolutions", "apply_resolutions",
           "open_items_with_age", "evaluate", "DEFAULT_THRESHOLD"]

#: Chosen on the labelled pairs in tests/test_lifecycle.py (see decision record 0004).
DEFAULT_THRESHOLD = 0.6

DONE_WORDS = (r"done|completed?|finished|shipped|merged|landed|released|deployed|resolved|fixed|closed|"
              r"delivered|published|launched|wrapped up|took care|taken care|is live|went live|sorted out|"
              r"written up|sent out|rolled out")
_DONE = re.compile(rf"\b({DONE_WORDS})\b", re.I)
_NEGATED = re.compile(
    rf"\b(not|never|isn't|wasn't|hasn't|haven't|hadn't|didn't|aren't|weren't|yet to|still|almost|nearly|"
    rf"won't|will be|to be|should be|needs? to be|must be|before)\b\W+(\w+\W+){{0,2}}({DONE_WORDS})\b", re.I)

_STOP = frozenset("""a an the and or but of to in on at for from by with about into over as is are was were be
been being it its this that these those we our us you your they them their i me my he she his her will would
should could can may might must shall do does did have has had not no so if then than there here up out
what who whom which when where why how all any some each more most other such only own same too very just
also again further once next last week weeks month today tomorrow yesterday now please someone team folks
get got let lets make made go going need needs needed""".split())
_DONE_TOKENS = frozenset("""done complete completed finish finished ship shipped merge merged land landed release
released deploy deployed resolve resolved fix fixed close closed deliver delivered publish published launch
launched wrap wrapped took taken care live went sorted written sent rolled""".split())


def _stem(token: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("al", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)] + repl
    return token


def _tokens(text: str) -> set[str]:
    return {_stem(t) for t in normalise_text(text).split()
            if t not in _STOP and t not in _DONE_TOKENS and len(t) > 1}


def _trigrams(tokens: Iterable[str]) -> set[str]:
    grams = set()
    for token in tokens:
        padded = f" {token} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def similarity(item: str, note: str) -> float:
    """How alike an item and a note are, 0..1: the mean of the Dice overlap of their content
    words (light stemming; stop words and done-words left out) and of those words'
    character trigrams, which catch inflections the crude stemmer misses ("spruce" and
    "spruced"). Dice is symmetric, so a long note that merely mentions the topic scores low.
    """
    a, b = _tokens(item), _tokens(note)
    if not a or not b:
        return 0.0
    return round((_dice(a, b) + _dice(_trigrams(a), _trigrams(b))) / 2, 4)


def reports_done(text: str) -> bool:
    """True when ``text`` says something was done (and does not say it was not)."""
    return bool(_DONE.search(text)) and not _NEGATED.search(text)


@dataclass(frozen=True)
class Match:
    """A later note that reports an open item done."""

    item: ActionItem
    score: float
    source: str
    line: int
    meeting_date: str
    text: str


def find_meeting_resolutions(store: Store, threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
    """For each open item, the best later note that reports it done, when ``score >= threshold``."""
    notes = store.conn.execute(
        "SELECT m.date, f.source, n.line, n.text FROM notes n JOIN meetings m ON m.id = n.meeting_id "
        "JOIN files f ON f.id = n.file_id ORDER BY m.date, f.source, n.line").fetchall()
    done_notes = [(r["date"], r["source"], r["line"], r["text"]) for r in notes if reports_done(r["text"])]
    matches, seen = [], set()
    for item in list_actions(store, open_only=True):
        if item.fingerprint in seen:
            continue
        seen.add(item.fingerprint)
        best: Match | None = None
        for when, source, line, text in done_notes:
            if when <= item.meeting_date.isoformat():
                continue
            score = similarity(item.text, text)
            if score >= threshold and (best is None or score > best.score):
                best = Match(item, score, source, line, when, text)
        if best:
            matches.append(best)
    return matches


def apply_resolutions(store: Store, matches: Iterable[Match]) -> int:
    """Record matches as ``done`` by ``meeting``; items no longer open are left alone."""
    written = 0
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with store.transaction() as conn:
        for match in matches:
            statuses = {r[0] for r in conn.execute("SELECT status FROM action_items_view WHERE fingerprint = ?",
                                                   (match.item.fingerprint,))}
            if not statuses & set(OPEN_STATUSES):
                continue
            note = f"reported done on {match.meeting_date} (similarity {match.score:.2f}): {' '.join(match.text.split())}"
            cursor = conn.execute(
                "INSERT INTO action_status (fingerprint, status, how, evidence_source, evidence_line, note, updated_at) "
                "VALUES (?, 'done', 'meeting', ?, ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET status = 'done', "
                "how = 'meeting', evidence_source = excluded.evidence_source, evidence_line = excluded.evidence_line, "
                "note = excluded.note, updated_at = excluded.updated_at "
                "WHERE action_status.status IN ('open', 'in progress')",
                (match.item.fingerprint, match.source, match.line, note[:500], now))
            written += cursor.rowcount
    return written


def open_items_with_age(store: Store, *, as_of: date | None = None, owner: str | None = None,
                        since: str | None = None) -> list[dict]:
    """Open items with their age in days and the number of months they have carried over.

    ``as_of`` defaults to the latest meeting in the store, so ages describe the archive
    rather than the day the command happens to run.
    """
    if as_of is None:
        latest = store.conn.execute("SELECT max(date) FROM meetings").fetchone()[0]
        as_of = date.fromisoformat(latest) if latest else date.today()
    rows = []
    for item in list_actions(store, open_only=True, owner=owner, since=since):
        months = (as_of.year - item.meeting_date.year) * 12 + as_of.month - item.meeting_date.month
        rows.append({"id": item.id, "meeting_date": item.meeting_date.isoformat(),
                     "age_days": max(0, (as_of - item.meeting_date).days), "carried_months": max(0, months),
                     "owner": item.owner or "", "status": item.status, "due": item.due.isoformat() if item.due else "",
                     "text": item.text, "source": item.source, "line": item.line, "fingerprint": item.fingerprint})
    return rows


def evaluate(pairs: Iterable[tuple[str, str, bool]], threshold: float) -> dict:
    """Precision, recall and F1 of "reports_done and similarity >= threshold" on labelled pairs."""
    tp = fp = fn = 0
    for item, note, label in pairs:
        predicted = reports_done(note) and similarity(item, note) >= threshold
        tp += predicted and label
        fp += predicted and not label
        fn += label and not predicted
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": threshold, "precision": round(precision, 3), "recall": round(recall, 3),
            "f1": round(f1, 3), "tp": tp, "fp": fp, "fn": fn}
