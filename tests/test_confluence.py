"""The Confluence readers: HTML export (``html``) and storage format (``xhtml``).

The fixtures encode the first three meetings of the sample archive, so the structure read
from them is checked against what the plain-text reader gives for the same meetings.
"""

from __future__ import annotations

import html as html_lib
from datetime import date
from html.entities import html5
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from conftest import ROOT, SAMPLE
from insights.errors import IngestError, InsightsError
from insights.readers import read_file, read_text, sniff
from insights.readers import html as html_reader
from insights.readers import xhtml as xhtml_reader
from insights.readers.text import parse_topic_line

FIXTURES = ROOT / "tests" / "fixtures" / "confluence"
HTML_PAGE = FIXTURES / "arch-hours.html"
STORAGE_PAGE = FIXTURES / "arch-hours.xhtml"
BROKEN = FIXTURES / "arch-hours-broken.xhtml"
REPAIRABLE = FIXTURES / "arch-hours-repairable.xhtml"
DATES = [date(2021, 12, 22), date(2021, 12, 1), date(2021, 11, 24)]

# Lines the fixtures add to the sample's meetings: an action-items heading and its tasks.
ADDED = ("Action items", "[x] ", "[ ] ")


# ---------------------------------------------------------------------------------------------
# An independent reading of the blocks: every text node (plus the few elements that stand for
# text) is assigned by XPath to its nearest non-inline ancestor; those are the blocks.

HTML_INLINE = set("a abbr b br code em i img span strong sub sup time u s del ins small".split())
STORAGE_INLINE = HTML_INLINE | {"ac:link", "ac:plain-text-link-body", "ac:inline-comment-marker", "ac:image"}
STORAGE_SKIP = {"ac:task-id", "ac:task-uuid", "ac:task-status", "ac:parameter"}
LISTS = {"ul", "ol", "ac:task-list"}
NS = {"ac": xhtml_reader.NAMESPACES["ac"], "ri": xhtml_reader.NAMESPACES["ri"]}


def _name(el) -> str:
    qname = etree.QName(el)
    prefix = {uri: p for p, uri in NS.items()}.get(qname.namespace)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _storage_tree(text: str):
    """Storage markup wrapped in a root that declares its prefixes and the entities used."""
    entities = "".join(f'<!ENTITY {n[:-1]} "&#{ord(v)};">' for n, v in html5.items()
                       if n in {"nbsp;", "rsquo;", "ldquo;", "rdquo;", "rarr;", "trade;"})
    wrapped = (f"<!DOCTYPE root [{entities}]><root xmlns:ac=\"{NS['ac']}\" xmlns:ri=\"{NS['ri']}\">"
               f"{text}</root>")
    return etree.fromstring(wrapped)


def expected_blocks(path_or_text, storage: bool) -> list[tuple[int, int, str]]:
    """``(line, level, text)`` of every non-empty text block, found without the readers."""
    text = path_or_text.read_text("utf-8") if isinstance(path_or_text, Path) else path_or_text
    if storage:
        root = _storage_tree(text)
        inline, skip = STORAGE_INLINE | {"ri:user", "ri:page"}, STORAGE_SKIP
    else:
        page = lxml_html.document_fromstring(text.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8"))
        root = (page.xpath('//div[@id="main-content"]') or page.xpath("//body"))[0]
        inline, skip = HTML_INLINE, {"script", "style"}
    order = {el: n for n, el in enumerate(root.iter())}

    def owner(el):
        for candidate in [el, *el.iterancestors()]:
            if _name(candidate) not in inline or candidate is root:
                return candidate
        return root

    def skipped(el):
        return any(_name(a) in skip for a in [el, *el.iterancestors()])

    parts: dict = {}
    found = root.xpath(".//text() | .//ri:user | .//*[local-name()='time'][not(node())]", namespaces=NS)
    for node in found:
        if isinstance(node, str):
            where = node.getparent().getparent() if node.is_tail else node.getparent()
            if where is None or skipped(where) or where.xpath("ancestor-or-self::ac:link[ri:user]", namespaces=NS):
                continue
            piece = str(node)
            if node.is_tail and _name(node.getparent()) not in inline:
                piece = " " + piece  # text after a nested block is not glued to the text before it
        elif _name(node) == "ri:user":
            where = node.getparent()
            piece = "@" + (node.get(f"{{{NS['ri']}}}account-id") or node.get(f"{{{NS['ri']}}}username"))
        else:
            where, piece = node, node.get("datetime")
        parts.setdefault(owner(where), []).append(piece)

    blocks = []
    for block in sorted(parts, key=order.__getitem__):
        joined = " ".join("".join(parts[block]).split())
        if not joined:
            continue
        if _name(block) == "li" and "inline-task-list" in (block.getparent().get("class") or ""):
            joined = ("[x] " if "checked" in (block.get("class") or "").split() else "[ ] ") + joined
        if _name(block) == "ac:task-body":
            status = block.getparent().find("ac:task-status", namespaces=NS).text.strip()
            joined = ("[x] " if status == "complete" else "[ ] ") + joined
        depth = sum(1 for a in block.iterancestors() if _name(a) in LISTS and a in order)
        blocks.append((block.sourceline, max(depth - 1, 0), joined))
    return blocks


def records(document) -> list[tuple[str, int, int, object]]:
    """``(kind, line, level, record)`` of every record, in the order the page holds them."""
    out = [("note", n.line, n.level, n) for n in document.preamble]
    for meeting in document.meetings:
        out.append(("meeting", meeting.line, 0, meeting))
        out += [("note", n.line, n.level, n) for n in meeting.notes]
        for topic in meeting.topics:
            out.append(("topic", topic.line, topic.level, topic))
            out += [("note", n.line, n.level, n) for n in topic.notes]
    return out


def assert_lossless(document, blocks) -> None:
    """Every block is exactly one record, in order, with its line and level."""
    found = records(document)
    assert [(line, level) for _, line, level, _ in found] == [(line, level) for line, level, _ in blocks]
    for (kind, _, _, record), (line, _, text) in zip(found, blocks):
        if kind == "note":
            assert record.text == text, line
        elif kind == "meeting":
            assert record.title == text, line
        else:
            tag, proposer, votes, title, _ = parse_topic_line(text)
            assert (record.tag, record.proposer_text, record.votes, record.title) == (tag, proposer, votes, title)


# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return read_file(SAMPLE)


@pytest.mark.parametrize("path, storage", [(HTML_PAGE, False), (STORAGE_PAGE, True)])
def test_every_text_block_lands_in_one_record(path, storage):
    document = read_file(path)
    blocks = expected_blocks(path, storage)
    assert len(blocks) > 100
    assert_lossless(document, blocks)
    lines = list(document.lines())
    assert len(lines) == len(set(lines)) == len(blocks)


@pytest.mark.parametrize("path", [HTML_PAGE, STORAGE_PAGE])
def test_meetings_and_topics_match_the_text_reader(path, sample):
    document = read_file(path)
    assert document.problems == ()
    assert [m.date for m in document.meetings] == DATES
    for meeting, expected in zip(document.meetings, sample.meetings[:3]):
        assert meeting.date == expected.date
        assert [(t.title, t.tag, t.proposer_text, t.votes) for t in meeting.topics] == [
            (t.title, t.tag, t.proposer_text, t.votes) for t in expected.topics]
        assert [n.text for n in meeting.notes] == [n.text for n in expected.notes] == []
        for topic, text_topic in zip(meeting.topics, expected.topics):
            kept = [n.text for n in topic.notes if not n.text.startswith(ADDED)]
            assert kept == [" ".join(n.text.split()) for n in text_topic.notes]
    # the page title sits outside the page body in an export; the rest of the preamble matches
    assert [n.text for n in document.preamble] == [n.text for n in sample.preamble[1:]]


def test_html_export_reads_the_page_body_only():
    document = read_file(HTML_PAGE)
    texts = [getattr(r, "text", None) or getattr(r, "title") for _, _, _, r in records(document)]
    assert not any("Architecture" in t or "Document generated" in t or "Created by" in t for t in texts)
    assert document.meetings[2].title == "24 Nov 2021"  # a paragraph holding only a <time>
    assert document.meetings[2].line == 172


def test_html_tasks_mentions_and_times():
    topic = read_file(HTML_PAGE).meetings[1].topics[-1]
    added = [(n.text, n.level, n.line) for n in topic.notes if n.text.startswith(ADDED)]
    assert added == [
        ("Action items", 0, 167),
        ("[x] Diana Huang share the devstack data prototype in #arch-bom", 0, 169),
        ("[ ] David Joy draft a CODEOWNERS rule so that migration files need an extra approval 15 Dec 2021",
         0, 170),
    ]
    last = read_file(HTML_PAGE).meetings[2].topics[-1].notes
    assert [n.text for n in last][1:] == [
        "David Joy: Maybe a GHA?", "Diana: Or maybe we can just remove the tests that trip us up",
        "David Joy: e2e tests should be few and far in between, so we should only use them for critical "
        "path tests."]


def test_empty_mention_link_still_names_the_user():
    page = ('<div id="main-content"><h2>2021-12-22</h2><ul class="inline-task-list">'
            '<li data-inline-task-id="7"><a class="confluence-userlink user-mention" data-username="djoy"></a>'
            ' to follow up</li><li data-inline-task-id="8"><span>&nbsp;</span></li></ul>'
            '<p><a class="confluence-userlink user-mention" data-username="djoy">@David Joy</a> agreed</p></div>')
    notes = read_text(page, "m.html").meetings[0].notes
    assert [n.text for n in notes] == ["[ ] @djoy to follow up", "@David Joy agreed"]


def test_storage_tasks_mentions_and_times():
    document = read_file(STORAGE_PAGE)
    topic = document.meetings[1].topics[-1]
    added = [(n.text, n.level, n.line) for n in topic.notes if n.text.startswith(ADDED)]
    assert added == [
        ("Action items", 0, 134),
        ("[x] @557058:0f4a3b2c-9d8e-4f7a-b6c5-1e2d3f4a5b6c share the devstack data prototype in #arch-bom",
         0, 140),
        ("[ ] @djoy draft a CODEOWNERS rule so that migration files need an extra approval 2021-12-15", 0, 146),
        ("[ ] list which migrations ran in the last quarter", 1, 153),
    ]
    # <h2><time datetime/></h2> and <p><time datetime/>&nbsp;</p> both open meetings
    assert [(m.title, m.line) for m in document.meetings[1:]] == [("2021-12-01", 82), ("2021-11-24", 157)]
    texts = [r.text for kind, _, _, r in records(document) if kind == "note"]
    assert "When we use Lean Coffee Style (link1, link2), we vote" in " ".join(texts)
    assert not any(t in ("2", "none", "1") for t in texts)  # macro parameters and task ids are not text


def test_a_dated_task_does_not_open_a_meeting():
    page = "<h2>2021-12-22</h2><p>[quest] (Ann) Why?</p><ac:task-list><ac:task><ac:task-status>" \
           "incomplete</ac:task-status><ac:task-body><time datetime=\"2021-12-29\" /></ac:task-body>" \
           "</ac:task></ac:task-list><p>Wed, 29 Dec 2021</p><p>[quest] (Bo) What?</p>"
    document = read_text(page, "t.xhtml")
    assert [m.date for m in document.meetings] == [date(2021, 12, 22), date(2021, 12, 29)]
    assert [n.text for n in document.meetings[0].topics[0].notes] == ["[ ] 2021-12-29"]
    assert document.meetings[1].title == "Wed, 29 Dec 2021"


def test_impossible_and_repeated_dates_are_reported_as_the_text_reader_does():
    page = "<h2>2021-12-22</h2>\n<p>x</p>\n<h2>2021-13-45</h2>\n<h2>2021-12-22</h2>\n<p>y</p>"
    document = read_text(page, "d.xhtml")
    assert [(p.code, p.line) for p in document.problems] == [("W102", 3), ("W103", 4)]
    assert [n.text for n in document.meetings[0].notes] == ["x", "2021-13-45"]
    assert document.meetings[0].id != document.meetings[1].id


def test_no_dated_section_is_an_error():
    with pytest.raises(IngestError) as caught:
        read_text("<html><body><p>Just a page</p></body></html>", "none.html")
    assert caught.value.problem.code == "E004"


def test_paragraph_inside_a_list_item_is_that_item():
    page = "<h2>2021-12-22</h2><ul><li><p>2021-12-29</p><ul><li><p>[quest] (Ann) Why?</p></li></ul></li></ul>"
    meeting = read_text(page, "p.xhtml").meetings[0]
    assert [(n.text, n.level) for n in meeting.notes] == [("2021-12-29", 0)]
    assert [(t.title, t.level) for t in meeting.topics] == [("Why?", 1)]


@pytest.mark.parametrize("path, name", [
    (HTML_PAGE, "html"), (STORAGE_PAGE, "xhtml"), (BROKEN, "xhtml"), (REPAIRABLE, "xhtml"), (SAMPLE, "text"),
])
def test_sniff_picks_the_format(path, name):
    text = path.read_text("utf-8")
    assert sniff(text, path) == name
    if path in (HTML_PAGE, STORAGE_PAGE, SAMPLE):
        assert sniff(text) == name  # the content alone is enough
    if path != BROKEN:  # that one is chosen right but fails to parse, see below
        assert read_file(path).format == name


# ---------------------------------------------------------------------------------------------
# Broken markup


def test_unrepairable_markup_fails_naming_file_and_line():
    with pytest.raises(IngestError) as caught:
        read_file(BROKEN, source="tests/fixtures/confluence/arch-hours-broken.xhtml")
    problem = caught.value.problem
    assert (problem.code, problem.line, problem.fatal) == ("E005", 7, True)
    assert str(caught.value) == (
        "tests/fixtures/confluence/arch-hours-broken.xhtml:7: E005 broken markup: a bare '&' (write &amp; for an "
        "ampersand); repairing it would lose text")
    assert isinstance(caught.value, InsightsError)  # shown without a traceback
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("markup, line, says", [
    ("<h2>2021-12-22</h2>\n<p>if load < 5 then</p>", 2, "a bare '<'"),
    ("<h2>2021-12-22</h2>\n<p>x</p>\n<p>&bogus; y</p>", 3, "unknown entity &bogus;"),
    ("<h2>2021-12-22</h2>\n<p>x</p>\n</div>\n<p>y</p>", 3, "</div> closes an element that is not open"),
    ("<h2>2021-12-22</h2>\n<p>x</p>\n<ac:task-bo", 3, "error parsing attribute name"),
])
def test_unrepairable_markup_cases(markup, line, says):
    with pytest.raises(IngestError) as caught:
        read_text(markup, "b.xhtml")
    assert caught.value.problem.line == line and caught.value.problem.code == "E005"
    assert says in caught.value.problem.message


def test_repairable_markup_is_read_with_a_warning():
    document = read_file(REPAIRABLE)
    assert [(p.code, p.line) for p in document.problems] == [("W107", 6)]
    assert "</li> where <p> opened at line 6 should close" in document.problems[0].message
    assert [n.text for n in document.meetings[0].topics[0].notes] == [
        "Paver is a python library for creating tasks to be executed from the command line",
        "We did not build paver."]


def test_entities_and_declarations_do_not_break_storage_format():
    page = ('<?xml version="1.0" encoding="UTF-8"?>\n<h2>2021-12-22</h2>\n'
            "<p>Confluence&rsquo;s&nbsp;limits &amp; &lt;tags&gt; &LT;b&GT; &hearts; &#x2713;</p>")
    document = read_text(page, "e.xhtml")
    assert document.meetings[0].line == 2
    assert document.meetings[0].notes[0].text == "Confluence’s limits & <tags> <b> ♥ ✓"
    assert document.meetings[0].notes[0].line == 3


def test_html_that_would_lose_text_fails_naming_the_line():
    page = "<html><body><h2>2021-12-22</h2>\n<p>fine</p>\n<p>load <b5 then</p>\n<p>more</p></body></html>"
    with pytest.raises(IngestError) as caught:
        read_text(page, "s.html")
    assert (caught.value.problem.code, caught.value.problem.line) == ("E005", 3)
    assert "stray '<'" in str(caught.value)


@pytest.mark.parametrize("name", ["deep.html", "deep.xhtml"])
def test_absurd_nesting_fails_instead_of_dropping_text(name):
    page = "<h2>2021-12-22</h2>\n" + "<ul><li>x\n" * 1500 + "</li></ul>" * 1500
    with pytest.raises(IngestError) as caught:
        read_text(page, name)
    assert caught.value.problem.code == "E005" and "nested more than" in caught.value.problem.message


def test_lines_past_65535_are_still_right():
    notes = "\n".join(f'<p title="a > b">note {n}</p>' for n in range(66_000))
    for name, page in (("big.html", f"<html><body>\n<h2>2021-12-22</h2>\n{notes}\n</body></html>"),
                       ("big.xhtml", f"\n<h2>2021-12-22</h2>\n{notes}")):
        meeting = read_text(page, name).meetings[0]
        assert [n.line for n in meeting.notes[-3:]] == [66_000, 66_001, 66_002], name
        assert meeting.notes[-1].text == "note 65999"


def test_html_is_read_leniently_with_a_warning():
    page = "<html><body><h2>2021-12-22</h2>\n<ul><li>[quest] (Ann) Why?</li></li>\n<li>Because</li></ul></body>"
    document = read_text(page, "l.html")
    assert [p.code for p in document.problems] == ["W107"]
    assert [n.text for n in next(document.topics).notes] == ["Because"]


# ---------------------------------------------------------------------------------------------
# Losslessness over generated pages

TOPIC_LINES = ["[quest] (Ann) Why now?", "[Ned] Meta-question: more?", "++[analysis] (Dave O): core",
               "(5) ***** (discuss) [Dave O] Iframes", "Ann: a reply", "[x] not a task", "2021-12-29"]
text_st = st.one_of(
    st.sampled_from(TOPIC_LINES),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc", "Cn", "Co")),
            max_size=25),
)
item_st = st.recursive(
    st.tuples(text_st, st.booleans(), st.none()),
    lambda inner: st.tuples(text_st, st.booleans(),
                            st.one_of(st.none(), st.tuples(st.booleans(), st.lists(inner, min_size=1, max_size=3)))),
    max_leaves=20,
)
list_st = st.tuples(st.booleans(), st.lists(item_st, min_size=1, max_size=4))
page_st = st.tuples(st.lists(st.one_of(list_st, text_st), max_size=5), st.integers(0, 5))


def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _html_list(lst) -> str:
    is_task, items = lst
    out = ['<ul class="inline-task-list" data-inline-tasks-content-id="1">' if is_task else "<ul>"]
    for n, (text, done, sub) in enumerate(items):
        attrs = f' data-inline-task-id="{n}"' + (' class="checked"' if done else "") if is_task else ""
        out.append(f"<li{attrs}>{_esc(text)}" + (f"\n{_html_list(sub)}\n" if sub else "") + "</li>")
    return "\n".join(out + ["</ul>"])


def _storage_list(lst) -> str:
    is_task, items = lst
    out = ["<ac:task-list>" if is_task else "<ul>"]
    for n, (text, done, sub) in enumerate(items):
        nested = f"\n{_storage_list(sub)}" if sub else ""
        if is_task:
            out.append(f"<ac:task>\n<ac:task-id>{n}</ac:task-id>\n<ac:task-status>"
                       f"{'complete' if done else 'incomplete'}</ac:task-status>\n"
                       f"<ac:task-body><span>{_esc(text)}</span></ac:task-body>\n</ac:task>{nested}")
        else:
            out.append(f"<li><p>{_esc(text)}</p>{nested}</li>")
    return "\n".join(out + ["</ac:task-list>" if is_task else "</ul>"])


def _page(blocks, where: int, render) -> str:
    parts = [render(b) if isinstance(b, tuple) else f"<p>{_esc(b)}</p>" for b in blocks]
    parts.insert(min(where, len(parts)), "<h2>2021-12-22</h2>")
    return "\n".join(parts)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_st)
def test_generated_html_pages_are_lossless(page):
    body = _page(*page, _html_list)
    text = f'<!DOCTYPE html>\n<html><body><div id="main-content" class="wiki-content">\n{body}\n</div></body></html>'
    assert_lossless(html_reader.read(text, "g.html"), expected_blocks(text, storage=False))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_st)
def test_generated_storage_pages_are_lossless(page):
    text = _page(*page, _storage_list)
    assert_lossless(xhtml_reader.read(text, "g.xhtml"), expected_blocks(text, storage=True))
