"""The spaCy components on hand-made Docs and a blank pipeline (no trained model needed)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span

from insights.extract.pipeline import build_pipeline


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def test_blank_pipeline_has_the_rule_components(nlp):
    assert nlp.pipe_names == ["insights_people", "insights_actions", "insights_decisions"]
    assert nlp.meta["lang"] == "en" and not nlp.has_pipe("ner")


def test_known_names_through_the_phrase_matcher(nlp):
    nlp.get_pipe("insights_people").add_names({"DavidJ": "PERSON", "Arch-BOM": "TEAM"})
    doc = nlp("Frontend group with BenW, DavidJ and Arch-BOM.")
    assert {(s.text, s.label_) for s in doc.spans["people"]} >= {("DavidJ", "PERSON"), ("Arch-BOM", "TEAM"),
                                                                ("BenW", "PERSON")}


def test_names_only_in_a_person_context(nlp):
    doc = nlp("Docker Desktop changes; Tutor docs written by Régis Behmo, and Kyle is working on it")
    assert [s.text for s in doc.spans["people"]] == ["Régis Behmo", "Kyle"]


def test_kinds_are_spans_of_their_own(nlp):
    doc = nlp("See TNL-8559 and https://example.org/a, ask in #event-bus")
    assert {(s.label_, s.text) for s in doc.spans["kinds"]} == {("TICKET", "TNL-8559"),
                                                              ("URL", "https://example.org/a"),
                                                              ("CHANNEL", "#event-bus")}
    assert list(doc.spans["people"]) == []


def test_action_component_on_a_hand_made_doc(nlp):
    doc = Doc(nlp.vocab, words=["TNL", "will", "look", "at", "the", "code", "."])
    doc.spans["people"] = [Span(doc, 0, 1, label="TEAM")]
    doc = nlp.get_pipe("insights_actions")(doc)
    assert [(s.label_, s.text) for s in doc.spans["actions"]] == [("commitment", "TNL will look at the code .")]


def test_commitment_needs_the_name_as_subject(nlp):
    doc = nlp("It may be hard for GoCD to deploy off of private forks.")
    assert list(doc.spans["actions"]) == []


def test_calls_and_decisions(nlp):
    call = nlp("Reach out to #arch-bom if you have a use case")
    decision = nlp("Move ahead with this approach.")
    assert [s.label_ for s in call.spans["actions"]] == ["call"]
    assert len(decision.spans["decisions"]) == 1


def test_pipe_carries_ids(nlp):
    pairs = list(nlp.pipe([("Matt Hughes has offered to test it.", 7)], as_tuples=True))
    (doc, context), = pairs
    assert context == 7 and doc.spans["actions"][0].label_ == "commitment"


def test_missing_trained_model_is_an_actionable_error():
    from insights.errors import InsightsError

    with pytest.raises(InsightsError, match="not installed"):
        build_pipeline("xx_no_such_pipeline")


def _train_tiny_ner(path):
    """A small trained English pipeline with NER, made here so no download is needed."""
    import random

    from spacy.training import Example

    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("PERSON")
    texts = [
        ("Yesterday Margaret Hamilton reviewed the build.", [(10, 27, "PERSON")]),
        ("The build was reviewed by Margaret Hamilton today.", [(26, 43, "PERSON")]),
        ("Margaret Hamilton approved the plan.", [(0, 17, "PERSON")]),
        ("Nobody reviewed the build yesterday.", []),
    ]
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in texts]
    random.seed(0)
    spacy.util.fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.0)
    nlp.to_disk(path)
    return path


def test_trained_pipeline_named_in_settings_proposes_names_the_rules_miss(tmp_path):
    sentence = "Yesterday Margaret Hamilton reviewed the build."
    rules_only = build_pipeline("")(sentence)
    assert "Margaret Hamilton" not in [s.text for s in rules_only.spans["people"]]
    nlp = build_pipeline(str(_train_tiny_ner(tmp_path / "tiny-ner")))
    assert nlp.has_pipe("ner") and nlp.pipe_names[-3:] == ["insights_people", "insights_actions",
                                                           "insights_decisions"]
    doc = nlp(sentence)
    people = [(s.text, s.label_) for s in doc.spans["people"]]
    assert ("Margaret Hamilton", "PERSON") in people
    assert all(label in ("PERSON", "TEAM") for _, label in people)
