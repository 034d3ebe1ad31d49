"""A Jira CSV import file, for teams that cannot hand out API credentials.

>>> import io
>>> out = io.StringIO()
>>> write_csv([], out)
0
>>> out.getvalue().splitlines()[0]
'Summary,Issue Type,Project Key,Description,Assignee,Labels,Labels,Due Date'

Jira's importer maps columns by header: ``Summary`` is required, and a field with several
values (labels) takes one column per value, all headed ``Labels``. Due dates are written
``yyyy-MM-dd``; pick that date format in the import wizard. The fingerprint label rides
along, so a later ``insights jira push`` finds imported issues instead of duplicating them.
"""

from __future__ import annotations

import csv
from typing import Iterable, TextIO

from .push import PlannedIssue

__all__ = ["write_csv", "CSV_HEADER", "DATE_FORMAT"]

CSV_HEADER = ["Summary", "Issue Type", "Project Key", "Description", "Assignee", "Labels", "Labels", "Due Date"]
DATE_FORMAT = "yyyy-MM-dd"


def write_csv(issues: Iterable[PlannedIssue], out: TextIO) -> int:
    """Write one row per planned issue; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")  # Excel's dialect, which the importer expects
    writer.writerow(CSV_HEADER)
    count = 0
    for issue in issues:
        labels = list(issue.labels) + [""] * (2 - len(issue.labels))
        writer.writerow([issue.summary, issue.issue_type, issue.project or "", issue.description,
                         issue.assignee or "", *labels[:2], issue.due or ""])
        count += 1
    return count
