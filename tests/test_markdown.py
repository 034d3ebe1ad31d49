"""The Markdown reader: committed corpus excerpts, the full corpora, dates, stubs, losslessness.

The full-corpus tests read ``../shared/corpora`` next to the repository (see ATTRIBUTION.md
under ``tests/fixtures/corpora`` for the sources); that folder is part of the supported setup.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.errors import IngestError
from insights.readers import iter_files, read_file, sniff
from insights.readers.dates import find_date
from insights.readers.markdown import clean_heading, date_range, read, split_bullet_topic

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpora"
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def non_blank_lines(text: str) -> list[int]:
    """1-based numbers of the non-blank lines, counting lines as editors do."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [number for number, line in enumerate(text.split("\n"), start=1) if line.strip()]


def assert_lossless(document, text: str) -> None:
    assert sorted(document.lines()) == non_blank_lines(text), document.source
    # The store keys records by id: every meeting and topic of a file needs its own.
    ids = [m.id for m in document.meetings] + [t.id for t in document.topics]
    assert len(set(ids)) == len(ids), f"{document.source}: repeated meeting or topic id"


def fixture(relative: str):
    path = FIXTURES / relative
    text = path.read_text(encoding="utf-8")
    document = read(text, relative)
    assert_lossless(document, text)
    return document


def corpus_files(name: str) -> list[Path]:
    folder = CORPORA / name
    if not folder.is_dir():
        pytest.fail(f"corpus folder {folder} is missing: the tests expect the shared corpora "
                    f"(aswf-tac, snet-archive) at ../shared/corpora next to the repository")
    files = list(iter_files([folder]))
    assert files, f"no Markdown files under {folder}"
    return files


def parse_corpus(name: str) -> list[tuple[Path, str, object]]:
    """(path, text, Document or IngestError) for every file of a corpus."""
    parsed = []
    for path in corpus_files(name):
        text = path.read_text(encoding="utf-8")
        try:
            result = read(text, path.relative_to(CORPORA / name).as_posix())
        except IngestError as exc:
            result = exc
        parsed.append((path, text, result))
    return parsed


def summary(document) -> list[tuple]:
    return [(m.date, m.title, [(t.title, t.level) for t in m.topics]) for m in document.meetings]


# --- committed excerpts -----------------------------------------------------------------


def test_aswf_whole_file_2018():
    document = fixture("aswf-tac/2018-11-07.md")
    (meeting,) = document.meetings
    assert (meeting.date, meeting.title, meeting.line) == (date(2018, 11, 7), "AWSF TAC Meeting - November 7, 2018", 5)
    assert [n.text for n in document.preamble] == ["---", 'title: "2018-11-07"', "parent: Meetings", "---"]
    assert [(t.title, t.level, t.line) for t in meeting.topics] == [
        ("New Member Introduction", 0, 30),
        ("Technical Project updates", 0, 33),
        ("CI updates", 0, 36),
        ("Update on candidate projects", 0, 39),
        ("ASWF CI Dependencies from VFX Reference Platform", 0, 44),
        ("License and CLA Guidelines", 0, 46),
        ("Action Items (AIs)", 0, 48),
        ("Chat", 0, 60),
    ]
    candidates = meeting.topics[3]
    assert [(n.text, n.level) for n in candidates.notes] == [("- OpenEXR", 1), ("- OpenColorIO", 1), ("- others?", 1)]
    # Attendance and the agenda/notes section headings are meeting notes, not topics.
    texts = [n.text for n in meeting.notes]
    assert texts[:2] == ["## Voting Member Attendees", "- Daniel Heckenberg, Animal Logic Pty Ltd"]
    assert "## Voting Member Regrets" in texts and "# Agenda" in texts and "# Notes" in texts
    assert texts[-1].startswith("Work from John and the Linux Foundation")
    # The zoom chat is a code fence: each line one note, fence markers included.
    chat = meeting.topics[-1]
    assert chat.notes[0].text == "```" and chat.notes[-1].text == "```" and len(chat.notes) == 12
    assert all(t.tag is None and t.votes == 0 for t in meeting.topics)
    assert document.problems == ()


def test_aswf_whole_file_2020_with_proposer_and_numbered_list():
    document = fixture("aswf-tac/2020-01-15.md")
    (meeting,) = document.meetings
    assert meeting.date == date(2020, 1, 15)
    assert [(t.title, t.proposer_text) for t in meeting.topics] == [
        ("Survey Results & Discussion", None),
        ("Goals for TAC: Year 2", None),
        ("Google Summer of Code", "Larry"),
        ("CI updates", None),
        ("Update on candidate projects", None),
        ("Next meeting", None),
        ("Action Items (AIs)", None),
        ("Chat", None),
    ]
    survey = meeting.topics[0]
    assert [(n.text, n.level) for n in survey.notes[:3]] == [
        ("* Results for priorities on 2020 goals", 1),
        ("1. Overall developer engagement (14 / 56%)", 2),
        ("2. Diversity & Inclusion (11 / 44%)", 2),
    ]
    actions = meeting.topics[6]
    assert [n.text for n in actions.notes][0] == "* Larry: Start Google Summer of Code process"
    # Check-box roll call lines are kept verbatim as meeting notes.
    assert meeting.notes[1].text == "* [x] Daniel Heckenberg - Chairperson, Animal Logic Pty Ltd"
    assert "## Notes" in [n.text for n in meeting.notes]


def test_aswf_modern_excerpt_front_matter_date_wins():
    document = fixture("aswf-tac/2025-06-25.md")
    (meeting,) = document.meetings
    assert meeting.date == date(2025, 6, 25)  # the heading says June 24: a typo in the source
    assert [p.code for p in document.problems] == ["W108"]
    assert document.problems[0].line == 6
    assert meeting.title == "Academy Software Foundation Technical Advisory Council (TAC) Meeting - June 24, 2025"
    assert [t.title for t in meeting.topics] == [
        "Antitrust Policy Notice",
        "General Updates",
        "New Project/Working Group Proposal: RMTC (Rongotai Model Train Club) #1075",
        "Annual Review: CI Working Group #511",
        "Are we OK recording today? Larry at Open Source North America conference",
        "Emily: Open Source Days",
        "New Project/Working Group proposal: RMTC",
    ]
    notes = [n.text for n in meeting.notes]
    # Nested attendance sub-headings ("### LF Staff") stay in the attendance section.
    assert "### LF Staff" in notes and "- [x] John Mertic - The Linux Foundation" in notes
    assert "## Agenda" in notes and "## Notes" in notes
    days = meeting.topics[5]
    assert [(n.text, n.level) for n in days.notes][-2:] == [
        ("- Leika will be joining foundation, keynote in the afternoon", 2), ("- ACES talk not on schedule yet", 2)]


def test_snet_week_with_two_days():
    document = fixture("snet-archive/2024/october-2024/week-41.md")
    assert [(m.date, m.title) for m in document.meetings] == [
        (date(2024, 10, 7), "Strategy Guild"), (date(2024, 10, 8), "AI Ethics WG")]
    assert [n.text for n in document.preamble] == [
        "---", "description: Mon 7th Oct - Sun 13th Oct 2024", "---", "# Week 41",
        "## Monday 7th October 2024", "## Tuesday 8th October 2024"]
    strategy, ethics = document.meetings
    assert [(t.title, t.level) for t in strategy.topics] == [
        ("Narrative", 0), ("Decision Items", 0), ("Action Items", 0), ("Keywords/tags", 0)]
    assert [t.title for t in ethics.topics] == ["Narrative", "Action Items", "Keywords/tags"]
    assert strategy.notes[1].text.startswith("- **Present:** Clement [**facilitator**]")
    assert [(n.text[:30], n.level) for n in strategy.notes[3:]] == [
        ("- **Working Docs:**", 0), ("- [Strategy Guild Meeting Note", 1), ("- [Strategy Guild 23rd Septemb", 1)]
    decisions = strategy.topics[1]
    assert [n.level for n in decisions.notes] == [0, 1, 1, 0]
    actions = strategy.topics[2]
    assert len(actions.notes) == 3 and all(n.text.startswith("- [**action**]") for n in actions.notes)
    assert document.problems == ()
    assert strategy.id != ethics.id and len({t.id for t in document.topics}) == 7


def test_snet_week_with_escaped_tags_and_out_of_range_day():
    document = fixture("snet-archive/2023/december-2023/week-50.md")
    assert [(m.date, m.title) for m in document.meetings] == [
        (date(2023, 12, 4), "Education Guild"),
        (date(2023, 12, 4), "Developer workgroup"),
        (date(2023, 12, 4), "Knowledge Base Workgroup"),
        (date(2023, 12, 14), "Onboarding Workgroup"),
    ]
    education = document.meetings[0]
    # "#### Present:" is an attendance heading: meeting notes, not a topic.
    assert [n.text for n in education.notes] == [
        "#### Present:", "Headelf \\[facilitator] \\[documenter], Slate, Malik, Peter, Kenichi, WaKa, Osmium"]
    assert [t.title for t in education.topics] == ["Agenda", "Notes", "Meeting length", "Action items"]
    assert [n.text for n in education.topics[3].notes] == [
        "\\[action] continuation of infographics\\", "\\[action] Google Class enrolment", "***"]
    onboarding = document.meetings[3]
    assert [t.title for t in onboarding.topics] == [
        "Town Hall Updates", "Decision Items", "Action Items", "Keywords/tags"]
    assert onboarding.notes[1].text.startswith("- **Present:** Sucre n Spice")
    # The source files this Thursday in the wrong week: kept as written, and reported.
    assert [(p.code, p.line) for p in document.problems] == [("W109", 49)]


def test_fixture_attribution_and_licenses_are_committed():
    attribution = (FIXTURES / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needle in ("AcademySoftwareFoundation/tac", "dd988ac779b00f8848e129df8725b0750b8f3ef4", "CC-BY-4.0",
                   "SingularityNET-Archive/SingularityNET-Archive-GitBook",
                   "ae9c47245fb32b79f1ad5fa863ea6a915f33b8d1", "Apache-2.0"):
        assert needle in attribution
    assert (FIXTURES / "aswf-tac" / "LICENSE").read_text().startswith("Creative Commons Attribution 4.0")
    assert "Apache License" in (FIXTURES / "snet-archive" / "LICENSE").read_text()[:200]
    for path in FIXTURES.rglob("*.md"):
        if path.name != "ATTRIBUTION.md":
            assert path.stat().st_size < 8_000, f"{path} should stay a small excerpt"


def test_read_file_sniffs_markdown():
    path = FIXTURES / "aswf-tac" / "2018-11-07.md"
    assert sniff(path.read_text(encoding="utf-8"), path) == "markdown"
    document = read_file(path, source="2018-11-07.md")
    assert document.format == "markdown" and len(document.meetings) == 1


# --- the full corpora -------------------------------------------------------------------


def test_corpora_are_lossless():
    for name in ("aswf-tac", "snet-archive"):
        for path, text, result in parse_corpus(name):
            if isinstance(result, IngestError):
                assert not result.problem.fatal, str(result.problem)
                continue
            assert_lossless(result, text)


def test_aswf_every_file_is_one_meeting_dated_like_its_name():
    parsed = parse_corpus("aswf-tac")
    assert len(parsed) == 191
    mismatched = []
    for path, _, result in parsed:
        assert not isinstance(result, IngestError), str(result)
        assert len(result.meetings) == 1, path.name
        if result.meetings[0].date != find_date(path.stem):
            mismatched.append(path.name)
        assert result.meetings[0].topics, f"{path.name}: no topics found"
    assert mismatched == []


def test_snet_every_non_stub_file_is_ingested_with_dates_inside_its_week():
    parsed = parse_corpus("snet-archive")
    assert len(parsed) == 316
    stubs = [path for path, _, result in parsed if isinstance(result, IngestError)]
    documents = [(path, text, result) for path, text, result in parsed if not isinstance(result, IngestError)]
    # SOURCE.md counts 115 files under 500 bytes as stubs; one of those (october-2022.md) holds a meeting.
    assert len(stubs) == 114
    assert all(path.stat().st_size < 500 for path in stubs)
    for path, _, result in parsed:
        if isinstance(result, IngestError):
            assert result.problem.code == "W105" and not result.problem.fatal
    outside = []
    for path, text, document in documents:
        assert document.meetings, path
        front = text.split("---", 2)[1] if text.startswith("---") else ""
        description = next((line.split(":", 1)[1].strip() for line in front.splitlines()
                            if line.startswith("description:")), None)
        week = date_range(description, int(path.parts[-3]) if path.parts[-3].isdigit() else None)
        if week is None:
            continue
        reported = {p.line for p in document.problems if p.code == "W109"}
        for meeting in document.meetings:
            if not week[0] <= meeting.date <= week[1]:
                outside.append((path.relative_to(CORPORA / "snet-archive").as_posix(), meeting.date.isoformat()))
                assert reported, f"{path}: meeting {meeting.date} outside {week} not reported"
    # Meetings the source files under the wrong week (their weekday matches the written date).
    assert sorted(set(outside)) == [
        ("2023/december-2023/week-50.md", "2023-12-14"),
        ("2023/july-2023/week-30.md", "2023-07-27"),
        ("2023/march-2023/week-12.md", "2023-03-23"),
        ("2024/march-2024/week-10.md", "2024-03-03"),
        ("2025/july-2025/week-29.md", "2025-07-13"),
    ]


def test_snet_year_typo_in_day_heading_is_read_inside_the_week():
    corpus_files("snet-archive")
    path = CORPORA / "snet-archive" / "2022" / "november-2022" / "week-45.md"
    document = read(path.read_text(encoding="utf-8"), "2022/november-2022/week-45.md")
    # "## Tuesday, November 1st 2023" on the page for 31 Oct - 6 Nov 2022.
    assert document.meetings[0].date == date(2022, 11, 1)
    assert [p.code for p in document.problems] == ["W109"]


# --- dates --------------------------------------------------------------------------------


def test_date_from_day_heading_opens_one_meeting_per_sub_heading():
    text = ("# Week 41\n\n## Monday, 5th June 2023\n### Writers\nx\n### Video\n- y\n"
            "## Tuesday 6th June 2023\n### Writers\nz\n")
    document = read(text, "week.md")
    assert [(m.date, m.title, m.line) for m in document.meetings] == [
        (date(2023, 6, 5), "Writers", 4), (date(2023, 6, 5), "Video", 6), (date(2023, 6, 6), "Writers", 9)]
    assert [n.line for n in document.preamble] == [1, 3, 8]


def test_date_from_meeting_heading_with_bold_markup():
    document = read("# **ASWF TAC Meeting - November 18, 2020**\n\n## Agenda\n* Intro\n", "notes.md")
    (meeting,) = document.meetings
    assert (meeting.date, meeting.title) == (date(2020, 11, 18), "ASWF TAC Meeting - November 18, 2020")
    assert [t.title for t in meeting.topics] == ["Intro"]


def test_date_only_heading_with_section_names_is_one_meeting():
    text = "## 2021-12-22\n### Attendees\n- Ann\n### Agenda\n- Paver (David)\n  - a task runner\n"
    (meeting,) = read(text, "notes.md").meetings
    assert (meeting.date, meeting.title) == (date(2021, 12, 22), "2021-12-22")
    assert [(t.title, t.proposer_text) for t in meeting.topics] == [("Paver", "David")]
    assert [n.text for n in meeting.notes] == ["### Attendees", "- Ann", "### Agenda"]


def test_date_from_front_matter():
    document = read('---\ntitle: "2025-10-15"\nparent: Meetings\n---\nTAC meeting\n\n## Agenda\n- Budget\n', "tac.md")
    (meeting,) = document.meetings
    assert (meeting.date, meeting.title, meeting.line) == (date(2025, 10, 15), "TAC meeting", 5)
    assert [n.line for n in document.preamble] == [1, 2, 3, 4]
    assert document.problems == ()
    dated = read("---\ndate: 2021-03-04\n---\n# Notes\n- one\n", "x.md")
    assert dated.meetings[0].date == date(2021, 3, 4)


def test_front_matter_date_and_a_dated_heading_further_down():
    text = ('---\ntitle: "2022-03-10"\n---\n# **ASWF TAC Meeting - March, 2022**\n## Agenda\n- Budget\n'
            "### Next meeting - March 24, 2022\n- Travel\n")
    document = read(text, "2022-03-10.md")
    (meeting,) = document.meetings
    assert (meeting.date, meeting.title, meeting.line) == (date(2022, 3, 10), "ASWF TAC Meeting - March, 2022", 4)
    assert [(t.title, t.level) for t in meeting.topics] == [("Budget", 0), ("Next meeting - March 24, 2022", 1)]
    assert document.problems == ()


def test_description_range_is_not_a_date_but_gives_the_year():
    text = "---\ndescription: Mon 30th Dec - Sun 5th Jan 2025\n---\n## Tuesday 31st December\n### Guild\nx\n"
    document = read(text, "week.md")
    assert [m.date for m in document.meetings] == [date(2024, 12, 31)]
    with pytest.raises(IngestError) as caught:
        read("---\ndescription: Mon 7th Oct - Sun 13th Oct 2024\n---\n# Week 41\nSome words\n", "week-41.md")
    assert caught.value.problem.code == "E004"


def test_date_from_file_name_is_reported():
    document = read("# Notes\n\n- Paver\n", "meetings/2021-12-22.md")
    assert document.meetings[0].date == date(2021, 12, 22)
    assert [p.code for p in document.problems] == ["W106"]
    assert document.problems[0].message == "date '2021-12-22.md' taken from the file name"  # the name, not the path


def test_glued_year_and_impossible_date():
    document = read("## Thursday 19th October2023\n### Guild\nx\n", "w.md")
    assert document.meetings[0].date == date(2023, 10, 19)
    with pytest.raises(IngestError) as caught:
        read("## 2021-13-45\nsome text\n", "notes.md")
    assert caught.value.problem.code == "E004" and "2021-13-45" in caught.value.problem.message


def test_date_range_forms():
    assert date_range("May 2, 2022 to May 8, 2022") == (date(2022, 5, 2), date(2022, 5, 8))
    assert date_range("25th September to 1st October 2023") == (date(2023, 9, 25), date(2023, 10, 1))
    assert date_range("Mon 29th Jan - Sun 4th Feb", fallback_year=2024) == (date(2024, 1, 29), date(2024, 2, 4))
    assert date_range("The events of May 2022 related to SingularityNET") is None


# --- stubs and errors -------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "---\ndescription: Jan 17, 2023\n---\n\n# January 2023\n\n\n",
    "# 2023\n\n",
    "# May 2022\n\n## Summary\n\nThe first town hall was held on Tuesday, 10th May.\n",
    "## Monday 7th October 2024\n### Strategy Guild\n",
    "",
])
def test_stub_is_reported_not_fatal(text):
    with pytest.raises(IngestError) as caught:
        read(text, "2023/january-2023.md")
    assert caught.value.problem.code == "W105" and not caught.value.problem.fatal


def test_undated_notes_are_an_error():
    with pytest.raises(IngestError) as caught:
        read("# Team notes\n\n- Paver is a task runner\n", "notes.md")
    assert caught.value.problem.code == "E004" and caught.value.problem.fatal


# --- layout details ---------------------------------------------------------------------


def test_code_fences_comments_and_tables_are_notes():
    text = ("# Meeting 2021-12-22\n## Decisions\n```\n# not a heading\n- not a bullet\n```\n"
            "<!--\n## hidden\n-->\n| a | b |\n|---|---|\n{% embed url=\"https://x\" %}\n")
    document = read(text, "m.md")
    assert_lossless(document, text)
    (topic,) = document.meetings[0].topics
    assert topic.title == "Decisions" and len(topic.notes) == 10


def test_headings_and_bullets_are_cleaned():
    assert clean_heading("## Monday 25th Sept 2023 <a href=\"#x\" id=\"x\"></a>") == "Monday 25th Sept 2023"
    assert clean_heading("#### Present:&#x20;") == "Present"
    assert clean_heading("#### Agenda item 1 - Operations Sub-Group - [carry over]") == \
        "Agenda item 1 - Operations Sub-Group - [carry over]"
    assert split_bullet_topic("* [x] Larry Gritz, Sony") == ("Larry Gritz, Sony", None)
    assert split_bullet_topic("- OpenVDB update (WIP)") == ("OpenVDB update (WIP)", None)


@pytest.mark.timeout(120)  # a backtracking regex would hang here; throughput is in benchmarks/ingest.py
def test_very_long_line_does_not_hang():
    text = "# Meeting 2021-12-22\n## Agenda\n- " + "word (" * 1_000_000 + "\n" + "x" * 10_000_000 + "\n"
    document = read(text, "big.md")
    assert_lossless(document, text)
    assert [p.code for p in document.problems] == ["W104", "W104"]


# --- properties -------------------------------------------------------------------------

WORDS = st.sampled_from(["Budget", "Q4", "paver", "(Ann)", "[x]", "**bold**", "#tag", "2021-13-45", "<mark>",
                         "&#x20;", "\\[action]", "1.", "-", "*", "`code`", "|", ":", "---", "May", "7th"])
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
NAMES = st.sampled_from(["Strategy Guild", "AI Ethics WG", "Writers", "Video Workgroup", "Treasury"])
DAY_FORMATS = [lambda d: d.strftime("%A %d %B %Y"), lambda d: d.strftime("%A, %d %B %Y"),
               lambda d: d.isoformat(), lambda d: d.strftime("%B %d, %Y")]


@st.composite
def body_lines(draw):
    """Meeting content: bullets at random indents, sub-headings, prose, fences, blank lines."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["bullet", "bullet", "heading", "text", "blank", "fence", "numbered"]))
        indent = " " * draw(st.integers(0, 8))
        if kind == "bullet":
            lines.append(f"{indent}{draw(st.sampled_from('-*+'))} {draw(TEXT)}")
        elif kind == "numbered":
            lines.append(f"{indent}{draw(st.integers(1, 12))}. {draw(TEXT)}")
        elif kind == "heading":
            lines.append(f"#### {draw(st.sampled_from(['Narrative:', 'Agenda', 'Present:', 'Action Items:']))}")
        elif kind == "text":
            lines.append(draw(TEXT))
        elif kind == "fence":
            lines += ["```", f"# {draw(TEXT)}", "```"]
        else:
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))
    return lines


@st.composite
def archives(draw):
    """A weekly page: optional front matter, a title, day headings and meetings under them."""
    days = draw(st.lists(st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31)),
                         min_size=1, max_size=4, unique=True))
    lines = []
    if draw(st.booleans()):
        lines += ["---", f"description: {draw(TEXT)}", "parent: Meetings", "---"]
    lines += [draw(st.sampled_from(["# Week 41", "# Notes", "# **Archive**"])), ""]
    expected = []
    for day in days:
        lines.append("## " + draw(st.sampled_from(DAY_FORMATS))(day))
        lines += [""] * draw(st.integers(0, 2))
        for name in draw(st.lists(NAMES, min_size=1, max_size=3)):
            lines.append(f"### {name}")
            lines.append(f"- **Present:** {draw(TEXT)}")
            lines += draw(body_lines())
            expected.append((day, name))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline])), expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(archives())
def test_generated_archives_are_lossless_and_dated(archive):
    text, expected = archive
    document = read(text, "archive.md")
    assert_lossless(document, text)
    assert [(m.date, m.title) for m in document.meetings] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TEXT, st.sampled_from(["#", "## 2021-12-22", "# Meeting - May 5, 2020", "```", "~~~",
                                                 "<!--", "-->", "---", "title: 2020-01-01", "   - x", "* * *",
                                                 "", " ", "\u00a0", "#### Agenda", "## Apologies"])),
                max_size=30).map("\n".join))
def test_any_text_is_lossless_or_refused(text):
    try:
        document = read(text, "any.md")
    except IngestError as exc:
        assert exc.problem.code in {"W105", "E004"}
        return
    assert_lossless(document, text)
    assert all(m.date.year in range(2000, 2100) for m in document.meetings)
