"""Intents: vocabulary, variants, the page's legend, and the exact intents of the sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from insights.extract.intents import VOCABULARY, legend, normalise_intents, title_intent
from insights.readers import read_file

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "benchmarks" / "gold" / "extraction-sample.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("tag, intents, unknown", [
    ("quest/ideation", ["quest", "ideation"], []),
    ("ideation/analysis", ["ideation", "analysis"], []),
    ("Ideation", ["ideation"], []),
    ("question", ["quest"], []),
    ("quick question (hopefully)", ["quest"], []),
    ("(discuss)", ["discuss"], []),
    ("[Inform]", ["inform"], []),
    ("retro", [], ["retro"]),
    ("quest/retro", ["quest"], ["retro"]),
    (None, [], []),
])
def test_variants_map_onto_the_vocabulary(tag, intents, unknown):
    assert normalise_intents(tag) == (intents, unknown)


def test_legend_defines_extra_words():
    words = legend(["[inform] You are simply seeking to inform the group",
                    "[decision] You want the group to decide something today"])
    assert words == ("inform", "decision")
    assert normalise_intents("decision", words + VOCABULARY) == (["decision"], [])
    assert normalise_intents("decision") == ([], ["decision"])


def test_a_single_bracketed_line_is_not_a_legend():
    assert legend(["[inform] You are simply seeking to inform the group"]) == ()


def test_title_prefix_declares_an_intent_only_as_a_whole_word():
    assert title_intent("question: Is there anything stopping us?") == "quest"
    assert title_intent("Meta-question: are there more questions?") is None


def test_sample_intents_exactly_as_labelled():
    from insights.extract import extract_document

    document = read_file(ROOT / "data" / "arch-hours-2021.txt")
    found = extract_document(document)
    by_line = {t.line: found.intents[t.id] for t in document.topics}
    assert by_line == {entry["line"]: entry["intents"] for entry in GOLD["topics"]}
    assert found.vocabulary[:4] == ("inform", "ideation", "analysis", "quest")  # the page's legend first
    assert not found.unknown_intents


def test_bracketed_name_is_a_proposer_not_an_intent():
    from insights.extract import extract_document
    from insights.readers.text import read

    document = read("2021-11-24\n[Ned] Meta-question: more?\n[question] (Jeremy) Two things?\n", "n.txt")
    found = extract_document(document)
    ned, jeremy = document.topics
    assert (found.intents[ned.id], found.proposers[ned.id]) == ([], ["Ned"])
    assert (found.intents[jeremy.id], found.proposers[jeremy.id]) == (["quest"], ["Jeremy"])
