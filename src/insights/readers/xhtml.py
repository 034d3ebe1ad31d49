"""Reader for Confluence storage format, the XHTML-based markup Confluence keeps pages in.

>>> page = ('<p>Arch Hours</p><h2><time datetime="2021-12-22" /></h2><ul><li><p>[quest] (David J)'
...         ' What is paver?&nbsp;</p><ac:task-list><ac:task><ac:task-id>1</ac:task-id>'
...         '<ac:task-status>incomplete</ac:task-status><ac:task-body><ac:link>'
...         '<ri:user ri:account-id="557058:42" /></ac:link> to write it up</ac:task-body>'
...         '</ac:task></ac:task-list></li></ul>')
>>> doc = read(page, "arch.xhtml")
>>> meeting = doc.meetings[0]
>>> meeting.title, meeting.topics[0].title, [n.text for n in meeting.topics[0].notes]
('2021-12-22', 'What is paver?', ['[ ] @557058:42 to write it up'])

The page is a fragment with ``ac:`` and ``ri:`` prefixes nobody declares and HTML entities
XML does not know (``&nbsp;``), so it is wrapped in a root element declaring both before
parsing. The structure read is the HTML reader's; here tasks are ``ac:task`` elements, a
mention ``<ac:link><ri:user ri:account-id="..."/></ac:link>`` reads ``@<account id>``
(or the username or user key), and an empty ``<time datetime="..."/>`` reads as its date.

Markup that is not well-formed is repaired when the repair keeps every character of
text (a warning names the line); otherwise the file fails with E005 naming the line.
"""

from __future__ import annotations

import re
from html.entities import html5

from lxml import etree

from ..errors import Codes, IngestError
from ..model import Document, Problem
from . import reader
from ._tree import (BLOCK, INLINE, LIST, MARKUP_TAG, SKIP, Rules, assemble, attribute, collect_blocks, lost_text,
                    plain_reason)

__all__ = ["read", "detect", "parse"]

NAMESPACES = {
    "ac": "http://atlassian.com/content",
    "ri": "http://atlassian.com/resource/identifier",
    "at": "http://atlassian.com/template",
}


def _entity_value(value: str) -> str:
    # '<' and '&' are escaped twice: an entity's value is parsed again as markup where it is used
    return "".join(f"&#38;#{ord(ch)};" if ch in "<&" else f"&#{ord(ch)};" for ch in value)


# Every named HTML entity (&nbsp;, &rsquo;, &LT;...), declared once; XML's own five need none.
_ENTITIES = "".join(
    f'<!ENTITY {name[:-1]} "{_entity_value(value)}">'
    for name, value in sorted(html5.items())
    if name.endswith(";") and name[:-1] not in {"amp", "lt", "gt", "quot", "apos"}
)
# One line, so that line numbers in the wrapped text are those of the file.
_OPEN = ("<!DOCTYPE ac:confluence [" + _ENTITIES + "]><ac:confluence "
         + " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items()) + ">")
_CLOSE = "</ac:confluence>"
_PROLOGUE = re.compile(r"\A\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)?", re.DOTALL)
_STORAGE = re.compile(r"<(?:ac|ri):[a-z]")
_HTML_START = re.compile(r"<(?:!doctype\s+html|html[\s>]|body[\s>])", re.IGNORECASE)


def detect(text: str) -> int:
    """How sure we are that ``text`` is storage format (0-100).

    >>> detect('<p>Hi</p><ac:task-list><ac:task/></ac:task-list>')
    80
    >>> detect("<html><body><p>Hi</p></body></html>")
    0

    A fragment of plain HTML tags could be either; a ``.xhtml`` name then decides.
    """
    head = text[:50_000]
    if "<" not in head:
        return 0  # no tag at all: the common case for text and Markdown
    if "xmlns:ac=" in head:
        return 90
    if _STORAGE.search(head):
        return 80
    return 20 if MARKUP_TAG.search(head) and not _HTML_START.search(head) else 0


_SKIPPED = frozenset({"ac:task-id", "ac:task-uuid", "ac:task-status", "ac:parameter", "ac:placeholder",
                      "ac:adf-attribute", "ac:adf-fallback"})
# ac:/ri: elements that sit inside a line of text
_INLINE = frozenset({"ac:link", "ac:plain-text-link-body", "ac:link-body", "ac:image", "ac:emoticon",
                     "ac:inline-comment-marker"})


class StorageRules(Rules):
    """Storage-format specifics: ``ac:task``, ``ri:user`` mentions, empty ``<time/>``."""

    def name(self, el) -> str:
        qname = etree.QName(el)
        prefix = el.prefix if el.prefix in NAMESPACES else next(
            (p for p, uri in NAMESPACES.items() if uri == qname.namespace), None)
        return f"{prefix}:{qname.localname}" if prefix else qname.localname.lower()

    def role(self, el) -> str:
        name = self.name(el)
        if name in _SKIPPED:
            return SKIP
        if name in _INLINE or name.startswith("ri:"):
            return INLINE
        if name == "ac:task-list":
            return LIST
        if name.startswith(("ac:", "at:")):
            return BLOCK
        return super().role(el)

    def kind(self, el) -> str:
        if self.name(el) in ("ac:task", "ac:task-body"):
            return "task"
        return super().kind(el)

    def task_mark(self, el) -> str | None:
        if self.name(el) != "ac:task":
            return None
        status = next((c for c in el if isinstance(c.tag, str) and self.name(c) == "ac:task-status"), None)
        done = status is not None and (status.text or "").strip().lower() == "complete"
        return "[x] " if done else "[ ] "

    def render(self, el) -> str | None:
        if self.name(el) == "ac:link":
            user = next((c for c in el if isinstance(c.tag, str) and self.name(c) == "ri:user"), None)
            if user is not None:
                who = attribute(user, "account-id") or attribute(user, "username") or attribute(user, "userkey")
                return f"@{who}" if who else "@"
        return super().render(el)


def _strip_prologue(text: str) -> str:
    """Drop an XML declaration or DOCTYPE (they cannot sit inside the wrapper), keeping lines."""
    match = _PROLOGUE.match(text)
    if not match or not match.group(0):
        return text
    return "\n" * match.group(0).count("\n") + text[match.end():]


def parse(text: str, source: str) -> tuple[etree._Element, list[Problem]]:
    """The wrapped element tree of a storage-format page, and the repairs it needed.

    Raises :class:`IngestError` (E005, naming the first bad line) when the markup is not
    well-formed and repairing it would lose text.
    """
    fragment = _strip_prologue(text)
    wrapped = _OPEN + fragment + _CLOSE
    strict = etree.XMLParser(huge_tree=True, resolve_entities=True, no_network=True)
    try:
        return etree.fromstring(wrapped, strict), []
    except etree.XMLSyntaxError as exc:
        error = exc
    lenient = etree.XMLParser(huge_tree=True, recover=True, resolve_entities=True, no_network=True)
    try:
        root = etree.fromstring(wrapped, lenient)
    except etree.XMLSyntaxError:
        root = None
    line = error.lineno or 0
    if root is None or lost_text(fragment, root) is not None:
        reason = f"{plain_reason(error.msg or str(error))}; repairing it would lose text"
        raise IngestError(Problem(source, line, "E005", Codes.E005.format(reason=reason), fatal=True))
    return root, [Problem(source, line, "W107", Codes.W107.format(reason=plain_reason(error.msg or str(error))))]


@reader("xhtml", suffixes=(".xhtml", ".xml"), detect=detect)
def read(text: str, source: str) -> Document:
    """Parse a storage-format page into meetings, topics and notes (see module docstring)."""
    wrapper, problems = parse(text, source)
    # an XHTML export wrapped around the content: read the page body only
    found = wrapper.xpath('//*[local-name()="div" and @id="main-content"]') or wrapper.xpath(
        '//*[local-name()="body"]')
    root = found[0] if found else wrapper
    return assemble(collect_blocks(root, StorageRules()), source, "xhtml", problems)
