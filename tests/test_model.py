"""Records and the text helpers that give them stable ids."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from insights.model import _COMBINING, make_id, normalise_text


def _reference(text: str) -> str:
    """The rule ``normalise_text`` implements: accents off, case folded, words joined by one space."""
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(re.findall(r"\w+", text.casefold()))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_is_normalised_by_the_rule(text):
    assert normalise_text(text) == _reference(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_normalised_by_the_rule(text):
    assert normalise_text(text) == _reference(text)


def test_normalised_forms_of_cosmetic_edits_are_equal():
    variants = ["Event-Bus: next steps!", "event bus  next steps", "EVENT_BUS next steps"]
    assert normalise_text(variants[0]) == normalise_text(variants[1]) == "event bus next steps"
    assert normalise_text(variants[2]) == "event_bus next steps"  # "_" is part of a word, as in \w
    assert normalise_text("Café Résumé") == "cafe resume"


def test_ids_of_normalised_titles_do_not_change_with_the_spelling_of_punctuation():
    assert make_id("a.txt", normalise_text("What is paver?")) == make_id("a.txt", normalise_text("what is  PAVER"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab Z9_-.’“”—–…•«»\u00a0\u200b\ufeffé\u0301ßİ")))
def test_text_with_typographic_punctuation_is_normalised_by_the_rule(text):
    assert normalise_text(text) == _reference(text)
