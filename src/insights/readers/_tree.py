"""Shared machinery for the markup readers: element tree -> text blocks -> Document.

>>> from lxml import etree
>>> root = etree.fromstring("<div><h2>2021-12-22</h2><ul><li>[quest] (Ann) Why?<ul>"
...                         "<li>Because</li></ul></li></ul></div>")
>>> [(b.text, b.level, b.kind) for b in collect_blocks(root, Rules())]
[('2021-12-22', 0, 'heading'), ('[quest] (Ann) Why?', 0, 'item'), ('Because', 1, 'item')]

A *block* is an element that is not inline markup (``p``, ``li``, ``h2``, ``td``, a task
body, a ``div``...). Its text is its own text plus that of its inline descendants, with
nested blocks (a sub-list, a paragraph inside a list item) left to be blocks of their own,
so every character of text belongs to exactly one block. :func:`assemble` then reads the
blocks the way the plain-text reader reads lines.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree

from ..errors import Codes
from ..model import Document, Note, Problem
from .dates import MONTHS, find_date, looks_like_date
from .text import LONG_LINE, PageAssembler, parse_topic_line, speaker_line

__all__ = ["MARKUP_TAG", "Block", "Rules", "collect_blocks", "assemble", "attribute", "lost_text", "plain_reason",
           "SKIP", "INLINE", "LIST", "BLOCK"]

SKIP, INLINE, LIST, BLOCK = "skip", "inline", "list", "block"

#: A tag that only a markup page would hold, for telling formats apart.
MARKUP_TAG = re.compile(r"<(?:p|div|ul|ol|li|h[1-6]|table|span|a|br)[\s/>]", re.IGNORECASE)

#: HTML elements that flow inside a line of text rather than starting a new one.
HTML_INLINE = frozenset(
    "a abbr acronym b bdi bdo big br cite code data del dfn em font i img input ins kbd label mark nobr q "
    "rp rt ruby s samp small span strike strong sub sup time tt u var wbr".split()
)
#: Elements whose text is not page content.
HTML_SKIP = frozenset("head script style template noscript title".split())
HTML_LISTS = frozenset("ul ol dl".split())
_KINDS = {"p": "para", "li": "item", "dt": "item", "dd": "item", "td": "cell", "th": "cell",
          **{f"h{n}": "heading" for n in range(1, 7)}}
# Blocks that may open a meeting when they hold nothing but a date.
_DATABLE = frozenset({"heading", "para", "block"})
# Blocks whose text is parsed as a topic line; cells and tasks stay notes.
_TOPICAL = frozenset({"heading", "para", "item", "block"})
_WEEKDAYS = frozenset(
    "monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday sat sunday sun".split()
)
_DATE_WORDS = frozenset(MONTHS) | _WEEKDAYS | {"st", "nd", "rd", "th", "of"}


def attribute(el, local: str) -> str | None:
    """An attribute by local name whatever its namespace (``ri:account-id`` -> ``account-id``)."""
    for key, value in el.attrib.items():
        if key == local or key.rpartition("}")[2] == local:
            return value
    return None


class Rules:
    """How one markup dialect maps onto blocks; the defaults suit HTML.

    ``name`` gives the tag as written in the dialect (``li``, ``ac:task-body``).
    """

    def name(self, el) -> str:
        return etree.QName(el).localname.lower()

    def role(self, el) -> str:
        name = self.name(el)
        if name in HTML_SKIP:
            return SKIP
        if name in HTML_INLINE:
            return INLINE
        return LIST if name in HTML_LISTS else BLOCK

    def kind(self, el) -> str:
        """``heading``, ``para``, ``item``, ``task``, ``cell`` or ``block``."""
        return _KINDS.get(self.name(el), "block")

    def task_mark(self, el) -> str | None:
        """``"[x] "`` or ``"[ ] "`` when ``el`` is a task; its first text block gets the mark."""
        return None

    def render(self, el) -> str | None:
        """Text that stands for an inline element and its content (a mention), else None."""
        if self.name(el) == "br":
            return " "
        return None

    def line(self, el) -> int:
        """The source line where ``el`` starts."""
        return el.sourceline or 0

    def time_value(self, el) -> str | None:
        """The machine-readable date of a ``<time>`` element."""
        return attribute(el, "datetime") if self.name(el) == "time" else None


@dataclass(slots=True)
class Block:
    """One text block: whitespace-collapsed text, the line its element starts on, list depth."""

    text: str
    line: int
    level: int
    kind: str
    times: list[tuple[str, str]] = field(default_factory=list)  # (datetime, text shown) of <time>s


@dataclass(slots=True)
class _Open:
    block: Block
    parts: list[str]
    task: list | None  # [mark, used] shared by the blocks of one task


def collect_blocks(root, rules: Rules) -> list[Block]:
    """The non-empty text blocks under ``root`` (itself included), in document order.

    Iterative, so deeply nested markup cannot exhaust the Python stack.
    """
    opened: list[_Open] = []
    # Frame: element, its children, the block its text goes to, list depth, context kind, task.
    stack: list[tuple] = []

    def start(el, owner: _Open | None, depth: int, context: str | None, task) -> None:
        role = rules.role(el)
        if role == SKIP:
            stack.append((el, iter(()), None, depth, context, task))
            return
        if role == INLINE:
            if owner is not None:
                when = rules.time_value(el)
                shown = " ".join(el.xpath("string()").split()) if when is not None else ""
                if when is not None:
                    owner.block.times.append((when, shown or when))
                replacement = rules.render(el)
                if replacement is None and when is not None and not shown:
                    replacement = when  # storage format writes <time datetime="..."/> with no text
                if replacement is not None:
                    owner.parts.append(replacement)
                    stack.append((el, iter(()), owner, depth, context, task))
                    return
                owner.parts.append(el.text or "")
            stack.append((el, iter(el), owner, depth, context, task))
            return
        if owner is not None:
            owner.parts.append(" ")
        mark = rules.task_mark(el)
        if mark is not None:
            task = [mark, False]
        kind = "task" if mark is not None else rules.kind(el)
        if kind in ("para", "block") and context is not None:
            kind = context  # a paragraph inside a list item or cell is that item or cell
        block = Block("", rules.line(el), max(depth - 1, 0), kind)
        own = _Open(block, [el.text or ""], task)
        opened.append(own)
        if role == LIST:
            stack.append((el, iter(el), own, depth + 1, None, None))
        else:
            inherited = kind if kind in ("item", "cell", "task") else context
            stack.append((el, iter(el), own, depth, inherited, task))

    start(root, None, 0, None, None)
    while stack:
        el, children, owner, depth, context, task = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and el.tail:
                parent_owner = stack[-1][2]
                if parent_owner is not None:
                    parent_owner.parts.append(el.tail)
            continue
        if not isinstance(child.tag, str):  # comment, processing instruction, entity
            if owner is not None and child.tail:
                owner.parts.append(child.tail)
            continue
        start(child, owner, depth, context, task)

    blocks = []
    for own in opened:
        text = " ".join("".join(own.parts).split())
        if not text:
            continue
        if own.task is not None and not own.task[1]:
            own.task[1] = True
            text = own.task[0] + text
        own.block.text = text
        blocks.append(own.block)
    return blocks


def _date_shaped(text: str) -> bool:
    """True for text that is only a date, valid or not: ``2021-12-22``, ``Wed, 22 Dec 2021``."""
    if len(text) > 40 or not (looks_like_date(text) or find_date(text)):
        return False
    return all(word in _DATE_WORDS for word in re.findall(r"[^\W\d_]+", text.lower()))


def _dating(block: Block) -> tuple[bool, object]:
    """``(True, date)`` for a block that opens a meeting, ``(True, None)`` for an impossible date."""
    if block.kind not in _DATABLE:
        return False, None
    if block.times:
        rest = block.text
        for _, shown in block.times:
            rest = rest.replace(shown, " ", 1)
        if block.kind == "heading" or not re.sub(r"[\W_]+", "", rest):
            value = block.times[0][0]
            return True, find_date(value.replace("T", " "))
    if block.kind == "heading":
        if find_date(block.text):
            return True, find_date(block.text)
        return (True, None) if looks_like_date(block.text) else (False, None)
    if _date_shaped(block.text):
        return True, find_date(block.text)
    return False, None


def assemble(blocks: list[Block], source: str, format: str, problems: list[Problem]) -> Document:
    """Read blocks as the plain-text reader reads lines: preamble, dated meetings, topics, notes."""
    page = PageAssembler(source)
    page.problems.extend(problems)
    for block in blocks:
        text = block.text
        if len(text) > LONG_LINE:
            page.problem(block.line, "W104", Codes.W104.format(length=len(text)))
        dated, day = _dating(block)
        if dated and day is None:
            page.problem(block.line, "W102", Codes.W102.format(text=text[:80]))
        elif dated:
            page.date(day, text, block.line)
            continue
        parsed = parse_topic_line(text) if block.kind in _TOPICAL else None
        page.note(Note(text, block.line, block.level, source), parsed,
                  speaker=block.kind != "task" and speaker_line(text))
    return page.finish(format)


# Markup that holds no page text (or text parsers take literally), and CDATA, whose content
# is text taken literally.
_NOT_TEXT = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|textarea|title|xmp|iframe|noembed|noframes)\b[^>]*>.*?</\1\s*>"
    r"|<!\[CDATA\[(?P<cdata>.*?)\]\]>"
    r"""|<[?!]?[A-Za-z/](?:[^<>"']|"[^"]*"|'[^']*')*>""",  # a tag; quoted values may hold '>'
    re.DOTALL | re.IGNORECASE,
)
_LITERAL = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")


def lost_text(markup: str, root) -> int | None:
    """The line of the first text the parsed tree lacks (a lossy repair), or None.

    The contents of ``script``, ``style`` and the like are left out on both sides.

    >>> from lxml import etree
    >>> lost_text('<p title="a>b">R&amp;D</p>', etree.fromstring('<p title="a&gt;b">R&amp;D</p>')) is None
    True
    >>> lost_text("<p>ok</p>\\n<p>R&D</p>", etree.fromstring("<r><p>ok</p><p>R</p></r>"))
    2
    """
    import html

    segments: list[tuple[str, int]] = []  # (text, line it starts on)
    position, line = 0, 1
    for match in _NOT_TEXT.finditer(markup):
        between = markup[position:match.start()]
        segments.append((html.unescape(between), line))
        line += between.count("\n")
        if match.group("cdata"):
            segments.append((match.group("cdata"), line))
        line += match.group(0).count("\n")
        position = match.end()
    segments.append((html.unescape(markup[position:]), line))

    wildcards = [f"{{*}}{name}" for name in _LITERAL]
    if next(root.iter(*wildcards), None) is not None:
        root = copy.deepcopy(root)
        etree.strip_elements(root, *wildcards, with_tail=False)
    found = "".join("".join(root.itertext()).split())
    expected = "".join("".join(text for text, _ in segments).split())
    if found == expected:
        return None
    first = next((n for n, (a, b) in enumerate(zip(expected, found)) if a != b), min(len(expected), len(found)))
    seen = 0
    for text, line in segments:  # find the line holding the first missing character
        for ch in text:
            if ch == "\n":
                line += 1
            elif not ch.isspace():
                if seen == first:
                    return line
                seen += 1
    return line


# libxml2's wording for the usual mistakes, said in terms of the page rather than the parser
_PLAIN = [
    (re.compile(r"Opening and ending tag mismatch: (?:ac:)?confluence line \d+ and (\S+)"),
     r"</\1> closes an element that is not open"),
    (re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and (?:ac:)?confluence"),
     r"<\1> opened at line \2 is never closed"),
    (re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)"),
     r"</\3> where <\1> opened at line \2 should close"),
    (re.compile(r"EntityRef: expecting ';'|xmlParseEntityRef: no name"), "a bare '&' (write &amp; for an ampersand)"),
    (re.compile(r"StartTag: invalid element name"), "a bare '<' (write &lt; for a less-than sign)"),
    (re.compile(r"Entity '([^']+)' not defined"), r"unknown entity &\1;"),
    (re.compile(r"Premature end of data in tag (\S+) line (\d+)"), r"the text ends inside <\1> opened at line \2"),
    (re.compile(r"Excessive depth in document: (\d+)"), r"elements nested more than \1 deep"),
]


def plain_reason(message: str) -> str:
    """A parser message in plain words.

    >>> plain_reason("Opening and ending tag mismatch: p line 6 and li, line 7, column 9")
    '</li> where <p> opened at line 6 should close'
    """
    # libxml2 appends its own position, which on line 1 counts any wrapper; the line is named anyway
    message = re.sub(r",? line \d+, column \d+\s*$", "", message).strip()
    for pattern, plain in _PLAIN:
        match = pattern.search(message)
        if match:
            return match.expand(plain)
    return message
