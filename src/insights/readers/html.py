"""Reader for a Confluence page saved with "Export to HTML".

>>> page = ('<html><body><div id="main-content"><p>Arch Hours</p><h2>2021-12-22</h2><ul>'
...         '<li>[quest] (David J) What is paver?<ul><li>A task runner</li></ul></li></ul>'
...         '<ul class="inline-task-list"><li class="checked" data-inline-task-id="1">'
...         '<a class="confluence-userlink user-mention" data-username="djoy">David Joy</a> to write it up'
...         '</li></ul></div></body></html>')
>>> doc = read(page, "arch.html")
>>> topic = next(doc.topics)
>>> topic.title, topic.proposer_text, [(n.text, n.level) for n in topic.notes]
('What is paver?', 'David J', [('A task runner', 1), ('[x] David Joy to write it up', 0)])

Layout understood (the structure is the plain-text reader's, with blocks for lines):

* only ``div#main-content`` is read (the whole ``body`` when there is none), so the
  breadcrumbs, page title and attachment lists of the export stay out;
* every ``li``, ``p``, heading, cell or other block with text of its own is one line;
  nested lists are lines of their own, one level deeper (``Note.level``);
* a heading holding a date, or a paragraph holding only a date or a ``<time>``, opens a
  meeting; blocks before the first one are the page preamble;
* a list item, paragraph or heading that reads as a topic line opens a topic;
* a task of an ``ul.inline-task-list`` is a note starting ``[x] `` when done, ``[ ] `` when
  open; a user mention keeps the name it shows.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from ..errors import Codes, IngestError
from ..model import Document, Problem
from . import reader
from ._tree import MARKUP_TAG, Rules, assemble, attribute, collect_blocks, lost_text, plain_reason

__all__ = ["read", "detect", "LINE_ATTRIBUTE"]

_HTML_START = re.compile(r"<(?:!doctype\s+html|html[\s>]|body[\s>]|head[\s>])", re.IGNORECASE)
_CONFLUENCE = re.compile(r'id="main-content"|class="[^"]*(?:wiki-content|confluence|inline-task-list|user-mention)')
_STORAGE = re.compile(r"<(?:ac|ri):[a-z]")


def detect(text: str) -> int:
    """How sure we are that ``text`` is an HTML page (0-100).

    >>> detect('<!DOCTYPE html><html><body><div id="main-content"></div></body></html>')
    90
    >>> detect("<ac:task-list><ac:task/></ac:task-list>")
    0
    """
    head = text[:20_000]
    if "<" not in head:
        return 0  # no tag at all: the common case for text and Markdown
    if _STORAGE.search(head) and not _HTML_START.search(head):
        return 0  # a storage-format fragment: the xhtml reader's
    score = 60 if _HTML_START.search(head) else 30 if MARKUP_TAG.search(head) else 0
    if score and _CONFLUENCE.search(head):
        score += 30
    return score


class HtmlRules(Rules):
    """Confluence export specifics: inline tasks and user mentions."""

    def task_mark(self, el) -> str | None:
        parent = el.getparent()
        if self.name(el) != "li" or parent is None or "inline-task-list" not in _classes(parent):
            return None
        return "[x] " if "checked" in _classes(el) else "[ ] "

    def render(self, el) -> str | None:
        if self.name(el) == "a" and "user-mention" in _classes(el) and not el.text_content().strip():
            # the name is normally the link text; an empty link still says who was meant
            who = attribute(el, "data-username") or attribute(el, "data-account-id")
            return f"@{who}" if who else None
        return super().render(el)


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


# Structural repairs worth a warning; HTML is otherwise read as leniently as a browser does.
_REPAIRS = frozenset({"ERR_TAG_NAME_MISMATCH", "ERR_TAG_NOT_FINISHED"})
# libxml2's HTML parser stops counting lines at 65,535; past that, start tags carry their line.
_LINE_LIMIT = 65_535
LINE_ATTRIBUTE = "data-insights-line"
_START_TAG = re.compile(r"""<([A-Za-z][\w:.-]*)(?:[^<>"']|"[^"]*"|'[^']*')*>""")


def _number_lines(text: str) -> str:
    """``text`` with ``data-insights-line="N"`` added to every start tag (N = its line)."""
    pieces, last, line = [], 0, 1
    for match in _START_TAG.finditer(text):
        line += text.count("\n", last, match.start())
        pieces += [text[last:match.end(1)], f' {LINE_ATTRIBUTE}="{line}"']
        last = match.end(1)
    pieces.append(text[last:])
    return "".join(pieces)


class _NumberedRules(HtmlRules):
    def line(self, el) -> int:
        value = el.get(LINE_ATTRIBUTE)
        return int(value) if value else super().line(el)


@reader("html", suffixes=(".html", ".htm"), detect=detect)
def read(text: str, source: str) -> Document:
    """Parse a Confluence HTML export into meetings, topics and notes (see module docstring).

    Raises :class:`IngestError` (E005) when the parser had to drop text to make sense of
    the markup (a stray ``<``, nesting thousands deep).
    """
    numbered = text.count("\n") >= _LINE_LIMIT - 1
    markup = _number_lines(text) if numbered else text
    parser = lxml_html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=False)
    try:
        # bytes, so that an XML declaration or a meta charset cannot contradict the decoded text
        page = lxml_html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise IngestError(Problem(source, 0, "E005", Codes.E005.format(reason=str(exc) or "no markup"),
                                  fatal=True)) from None
    errors = list(parser.error_log)
    lost = lost_text(markup, page)
    if lost is not None:
        reason = (f"{plain_reason(errors[0].message)}; reading it would lose text" if errors
                  else "reading it would drop text here (a stray '<' opening a tag?)")
        raise IngestError(Problem(source, lost, "E005", Codes.E005.format(reason=reason), fatal=True))
    problems: list[Problem] = []
    repaired = [e for e in errors if e.type_name in _REPAIRS]
    if repaired:
        first = repaired[0]
        problems.append(Problem(source, first.line, "W107", Codes.W107.format(reason=plain_reason(first.message))))
    found = page.xpath('//div[@id="main-content"]')
    root = found[0] if found else (page.find("body") if page.find("body") is not None else page)
    rules = _NumberedRules() if numbered else HtmlRules()
    return assemble(collect_blocks(root, rules), source, "html", problems)
