"""The plain-text reader on the sample archive and on generated archives."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from insights.errors import IngestError
from insights.readers import read_file, read_text, sniff
from insights.readers.text import _DATE_LINE, _SPECIAL, parse_topic_line
from insights.model import make_id, normalise_text

# (meeting date, votes, raw tag, proposer text, title start) for every topic line of the sample,
# written down by reading the page.
SAMPLE_TOPICS = [
    ("2021-12-22", 0, "ideation", "David J", "What do we need to change in Tutor"),
    ("2021-12-22", 0, "quest", "David J", "What is paver used for today?"),
    ("2021-12-22", 0, "quest", None, "Enterprise team is looking to best leverage feature toggles"),
    ("2021-12-01", 0, "quest/ideation", "Diana", "Devstack data project - who has a good use case"),
    ("2021-12-01", 0, "Ideation", "Justin Lapierre", "How to set up a course/configuration in Devstack"),
    ("2021-12-01", 0, "ideation", "David J", "As the balance of edX devs to core contributors shifts"),
    ("2021-12-01", 0, "inform", "Adam B", "Spreading this info more widely"),
    ("2021-12-01", 0, "ideation/analysis", "David J", "In spirit, over time edX employees"),
    ("2021-11-24", 0, "analysis", "Nathan Sprenkle", "Internally-routed XBlock handler calls"),
    ("2021-11-24", 0, None, "Ned", "Meta-question: are there any more questions"),
    ("2021-11-24", 0, "question", "Jeremy", "If you could nominate 1-2 things"),
    ("2021-11-24", 0, None, "Adam", "question: Is there anything stopping us"),
    ("2021-11-03", 2, "analysis", "Dave O", "Extracting a low-level learning core"),
    ("2021-11-03", 1, "quest", "Jeremy", "Docker Desktop changes"),
    ("2021-10-06", 0, "discuss", "Jeremy", "mypy: where are we, where are we going"),
    ("2021-10-06", 0, "quest", "Feanil", "What are people’s expectations of arch-hour?"),
    ("2021-10-06", 0, "quick question (hopefully)", None, "Is anyone familiar with the QTI spec?"),
    ("2021-10-06", 0, "inform", "Dave O", "https://github.com/fanout/django-grip"),
    ("2021-10-06", 0, "question", "Jeremy B", "Does anybody feel it’s worth investigating Django alternatives"),
    ("2021-10-06", 0, "discuss", "Dave O", "Possible next steps to resolve database performance issues"),
    ("2021-09-01", 4, "ideation", "Jeremy", "How should we handle dependencies"),
    ("2021-09-01", 3, "quest", "djoy", "Curious about any updates on the hooks extension framework"),
    ("2021-09-01", 2, None, "ned", "wiki space ownership?"),
    ("2021-07-28", 5, "discuss", "Dave O", "Iframes, Chrome 92"),
    ("2021-07-28", 4, "discuss", "Ben W", "Implications of community engagement"),
    ("2021-07-28", 4, "discuss", "Ned, Usama", "We seem to have two ways to use common-constraints.txt"),
]


@pytest.fixture(scope="module")
def sample():
    return read_file(SAMPLE, source="data/arch-hours-2021.txt")


def test_sample_has_seven_meetings_with_their_dates(sample):
    assert sample.format == "text"
    assert [m.date for m in sample.meetings] == [
        date(2021, 12, 22), date(2021, 12, 1), date(2021, 11, 24), date(2021, 11, 3),
        date(2021, 10, 6), date(2021, 9, 1), date(2021, 7, 28)]
    assert sample.problems == ()


def test_every_topic_line_of_the_sample_is_found(sample):
    found = [(m.date.isoformat(), t.votes, t.tag, t.proposer_text, t.title) for m in sample.meetings
             for t in m.topics]
    assert len(found) == len(SAMPLE_TOPICS) == 26
    for got, (day, votes, tag, proposer, title_start) in zip(found, SAMPLE_TOPICS):
        assert got[:4] == (day, votes, tag, proposer)
        assert got[4].startswith(title_start), got[4]


def test_preamble_and_intent_legend_are_not_topics(sample):
    preamble = [n.text for n in sample.preamble]
    assert preamble[0] == "Arch Hours: 2021"
    assert any(text.startswith("[inform] You are simply seeking") for text in preamble)
    assert any(text.startswith("[quest] You are seeking information") for text in preamble)
    assert all(n.line < sample.meetings[0].line for n in sample.preamble)


def test_star_voted_list_lines_and_speaker_answers_are_notes(sample):
    july = sample.meetings[-1]
    ben = july.topics[1]
    texts = [n.text for n in ben.notes]
    assert "****** Documentation" in texts and "**** i18n" in texts
    november = sample.meetings[2]
    jeremy = november.topics[2]
    assert [n.text.split("]")[0] for n in jeremy.notes[:3]] == ["[dkh", "[djoy", "[djoy"]
    assert "[Ned] Can TCRIL participate here?" in [n.text for n in jeremy.notes]


def test_nothing_is_lost_on_the_sample(sample):
    text = SAMPLE.read_text(encoding="utf-8")
    expected = [number for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    assert sorted(sample.lines()) == expected


def test_topic_ids_survive_edits_elsewhere_in_the_file(sample):
    text = SAMPLE.read_text(encoding="utf-8")
    edited = text.replace("2021-12-22\n", "2021-12-22\nA new remark before the first topic.\n", 1)
    again = read_text(edited, "data/arch-hours-2021.txt")
    assert [t.id for t in again.topics] == [t.id for t in sample.topics]
    assert len({t.id for t in sample.topics}) == 26


def test_topic_ids_are_the_content_hash_of_their_meeting_and_title(sample):
    # The reader joins the parts a meeting's topics share once; the ids must stay make_id's.
    for meeting in sample.meetings:
        seen: dict[str, int] = {}
        for topic in meeting.topics:
            key = normalise_text(topic.title)[:80]
            seen[key] = seen.get(key, 0) + 1
            assert topic.id == make_id(sample.source, meeting.date.isoformat(), 1, meeting.title, key, seen[key])
        assert meeting.id == make_id(sample.source, meeting.date.isoformat(), 1, meeting.title)


@pytest.mark.parametrize("line, expected", [
    ("++[analysis] (Dave O): Extracting", ("analysis", "Dave O", 2, "Extracting", False)),
    ("+ [quest] (Jeremy) Docker Desktop", ("quest", "Jeremy", 1, "Docker Desktop", False)),
    ("(5) ***** (discuss) [Dave O] Iframes", ("discuss", "Dave O", 5, "Iframes", False)),
    ("(4) **** (discuss)[Ned, Usama] We seem", ("discuss", "Ned, Usama", 4, "We seem", False)),
    ("[quest](Feanil) What are", ("quest", "Feanil", 0, "What are", False)),
    ("[Ned] Meta-question: more?", (None, "Ned", 0, "Meta-question: more?", True)),
    ("[quest/ideation] (Diana) - Devstack data", ("quest/ideation", "Diana", 0, "Devstack data", False)),
])
def test_topic_line_forms(line, expected):
    assert parse_topic_line(line) == expected


@pytest.mark.parametrize("line", [
    "****** Documentation", "* Breaking up monolith", "(Original post/thread).",
    "(Dave O) Feels like the data layer is the bigger problem", "Plain note", "[inform]",
])
def test_note_lines_are_not_topics(line):
    assert parse_topic_line(line) is None


def test_impossible_date_is_reported_with_its_line_and_kept():
    doc = read_text("Intro\n2021-12-22\n[quest] (A B) Q one\n2021-13-45\nnote\n", "x.txt")
    assert [str(p) for p in doc.problems] == ["x.txt:4: W102 impossible date '2021-13-45': kept as a note"]
    assert [n.text for n in doc.meetings[0].topics[0].notes] == ["2021-13-45", "note"]


def test_file_with_only_impossible_dates_fails_naming_the_line():
    with pytest.raises(IngestError) as raised:
        read_text("Intro\n2021-13-45\n[quest] (A) x\n", "bad.txt", format="text")
    assert str(raised.value).startswith("bad.txt:2: E004 no dated meeting found")


def test_two_sections_with_the_same_date_are_both_kept_and_reported():
    doc = read_text("2021-12-22\n[quest] (A) one\n2021-12-22\n[quest] (A) one\n", "d.txt")
    assert [m.line for m in doc.meetings] == [1, 3]
    assert len({m.id for m in doc.meetings}) == 2 and len({t.id for t in doc.topics}) == 2
    assert [p.code for p in doc.problems] == ["W103"]
    assert "first at line 1" in doc.problems[0].message


def test_sniff_prefers_text_for_the_sample():
    assert sniff(SAMPLE.read_text(encoding="utf-8"), "notes.txt") == "text"


def test_a_text_page_with_a_markdown_like_line_is_still_text():
    """Dated section lines anywhere in a page outweigh one line that looks like a heading."""
    page = "Arch Hours\r\n\r\n2021-12-22\r\n# of people who want paver gone: 5\r\n(inform) (Ned) Paver\r\n"
    assert sniff(page, "notes.txt") == "text"
    assert sniff(page.replace("2021-12-22", "December 22"), "notes") == "markdown"


# -- generated archives --------------------------------------------------------------------
_words = st.text(alphabet=st.sampled_from("abcdefghij klmn-:[]()+*#"), min_size=1, max_size=30)
_line = st.one_of(
    _words,
    st.builds(lambda tag, who, title: f"[{tag}] ({who}) {title}",
              st.sampled_from(["inform", "quest", "ideation", "Analysis", "quest/ideation", "discuss"]),
              st.sampled_from(["Ann B", "djoy", "Ned, Usama"]), _words),
    st.builds(lambda votes, title: f"{votes}[quest] {title}", st.sampled_from(["++", "+ ", "(3) ***"]), _words),
    st.builds(lambda who, title: f"[{who}] {title}", st.sampled_from(["Ned", "adam"]), _words),
    st.just(""), st.just("   "),
)
_section = st.tuples(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
                     st.lists(_line, max_size=12))


@settings(max_examples=150, deadline=None)
@given(preamble=st.lists(_words.filter(lambda s: not s.strip()[:4].isdigit()), max_size=4),
       sections=st.lists(_section, min_size=1, max_size=6))
def test_generated_archives_lose_no_line(preamble, sections):
    lines = list(preamble)
    for day, body in sections:
        lines.append(day.isoformat())
        lines.extend(body)
    text = "\n".join(lines) + "\n"
    doc = read_text(text, "gen.txt", format="text")
    expected = [n for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    assert sorted(doc.lines()) == expected
    assert [m.date for m in doc.meetings] == [day for day, _ in sections]


def test_every_date_line_start_is_checked_before_the_plain_line_shortcut():
    # The reader files a line as a plain note without trying it as a date unless its first
    # character is in _SPECIAL: every first character a date line can have must be there.
    starts = {line[0] for line in (f"{a}{b}{c}{d}-01-02" for a in "0123456789" for b in "0123456789"
                                   for c in "0123456789" for d in "0123456789") if _DATE_LINE.match(line)}
    assert starts and starts <= _SPECIAL


def test_the_readers_package_imports_in_every_form_beside_the_ingest_function():
    import insights.readers.text as reader
    from insights import ingest
    from insights.readers import text

    assert reader is text and callable(ingest)
    assert [t.title for t in reader.read("2021-12-22\n[quest] (Ann) Why?\n", "a.txt").topics] == ["Why?"]
