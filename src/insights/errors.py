"""One catalogue of the messages insights gives about its input, each with a code.

Codes starting with ``E`` make a file fail (nothing from it is stored); codes starting
with ``W`` are warnings: the file is stored and the problem is reported. Tests and users
can grep for the code.

>>> Codes.E001
'empty file: nothing to ingest'
"""

from __future__ import annotations


class Codes:
    E001 = "empty file: nothing to ingest"
    E002 = "binary file (NUL byte at offset {offset}): not meeting notes"
    E003 = "cannot read file: {reason}"
    E004 = "no dated meeting found: expected a date line such as 2021-12-22, a dated heading or a dated file name"
    E005 = "broken markup: {reason}"
    E006 = "unknown format {name!r}: choose one of {choices}"
    E007 = "could not store: {reason}"
    W101 = "not valid UTF-8 (first bad byte at line {line}); decoded as {encoding}"
    W102 = "impossible date {text!r}: kept as a note"
    W103 = "second section dated {date} (first at line {first}); kept as a separate meeting"
    W104 = "very long line ({length:,} characters) stored as one note"
    W105 = "stub file: no meeting content"
    W106 = "date {text!r} taken from the file name"
    W107 = "broken markup repaired ({reason}): check the nesting around this line"
    W108 = "heading date {heading} differs from the front matter date {front}; using the front matter date"
    W109 = "heading date {date} is outside the page's date range {first} to {last}"


class InsightsError(Exception):
    """An error the user can act on; the CLI prints it without a traceback."""


class IngestError(InsightsError):
    """A file could not be ingested; ``problem`` says where and why."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem
