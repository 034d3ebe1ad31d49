"""Themes: the taxonomy, discovery (estimator contract, determinism, stability) and trends."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from conftest import SAMPLE
from insights import analyze
from insights.analyze import ThemeModel, Taxonomy, load_taxonomy
from insights.analyze.assign import topic_documents
from insights.cli import cli
from insights.pipeline import ingest

# Read off the sample archive by hand: the months whose notes mention each seeded theme.
# devstack: 2021-11-24 (devstacks, devstack shell, ...) and 2021-12-01 (Devstack data project);
# paver: 2021-12-22 only; iframes: 2021-07-28 (Iframes, Chrome 92) and 2021-09-01
# (iFrame-based plugins); event bus: 2021-09-01 only (Event Bus, #event-bus). The 2021-07
# "Eventing standards" is not the event bus.
EXPECTED_MONTHS = {
    "devstack": ["2021-11", "2021-12"],
    "paver": ["2021-12"],
    "iframes": ["2021-07", "2021-09"],
    "event bus": ["2021-09"],
}


def sample_documents() -> list[str]:
    from insights.store import Store

    with Store(":memory:") as store:
        ingest(store, [SAMPLE])
        return topic_documents(store)["text"].tolist()


# -- taxonomy --------------------------------------------------------------------------------
def test_taxonomy_aliases_match_spelling_variants_and_whole_words_only():
    taxonomy = load_taxonomy()
    for text in ["iframe", "iFrame-based plugins", "iFrames", "IFRAMES"]:
        assert "iframes" in taxonomy.match(text), text
    for text in ["event bus", "Event Bus - Inter-service", "event-bus", "#event-bus slack channel", "event_bus"]:
        assert "event bus" in taxonomy.match(text), text
    assert "paver" in taxonomy.match("Paver lets you use python files")
    assert "event bus" not in taxonomy.match("Eventing standards and cleanup")
    assert "devstack" in taxonomy.match("freshly provisioned devstacks/services")
    assert "paver" not in taxonomy.match("pavement")
    assert taxonomy.match("") == []


def test_taxonomy_is_user_editable_and_validated(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text('[[theme]]\nname = "kafka"\npatterns = ["kafka(-python)?"]\n')
    taxonomy = load_taxonomy(path)
    assert taxonomy.match("we tried kafka-python") == ["kafka"]
    path.write_text('[[theme]]\nname = "x"\nnonsense = 1\n')
    with pytest.raises(Exception, match="unknown key"):
        load_taxonomy(path)
    assert len(load_taxonomy(tmp_path / "missing.toml")) == 0


def test_seeded_themes_appear_exactly_in_the_months_that_discuss_them(sample_store):
    themes = analyze.topic_themes(sample_store)
    topics = topic_documents(sample_store)[["topic_id", "month"]]
    months = themes.merge(topics, on="topic_id").groupby("theme")["month"].apply(lambda m: sorted(set(m)))
    for theme, expected in EXPECTED_MONTHS.items():
        assert months[theme] == expected, theme
    paver = themes[themes["theme"] == "paver"]
    assert set(paver["source"]) == {"taxonomy"} and (paver["score"] == 1.0).all()


def test_topic_themes_has_the_documented_shape(sample_store):
    themes = analyze.topic_themes(sample_store)
    assert themes.columns.tolist() == ["topic_id", "theme", "theme_id", "source", "score"]
    assert set(themes["source"]) == {"taxonomy", "discovered"}
    assert themes["topic_id"].isin(set(topic_documents(sample_store)["topic_id"])).all()
    assert not themes.duplicated(["topic_id", "theme"]).any()


# -- discovery -------------------------------------------------------------------------------
def test_theme_model_follows_the_estimator_contract():
    model = ThemeModel(n_themes=4, max_docs=100)
    assert model.get_params()["n_themes"] == 4
    with pytest.raises(NotFittedError):
        model.transform(["paver"])
    docs = sample_documents()
    assert model.fit(docs) is model
    assert not hasattr(clone(model), "components_")
    assert model.components_.shape == (4, len(model.terms_))
    assert model.transform(docs).shape == (len(docs), 4)
    assert model.fit_transform(docs).shape == (len(docs), 4)
    assert all(name.endswith("_") for name in ("components_", "labels_", "ids_", "vectorizer_", "n_themes_"))


def test_discovery_on_a_small_archive_gives_several_readable_themes():
    docs = sample_documents()
    assert len(docs) == 26
    model = ThemeModel().fit(docs)
    assert 5 <= model.n_themes_ <= 12
    assigned = model.assign(docs)
    sizes = pd.Series([pairs[0][0] for pairs in assigned if pairs]).value_counts()
    # No outlier bin: most topics get a theme and no theme swallows most of the archive.
    assert sum(1 for pairs in assigned if pairs) >= 20
    assert sizes.max() <= len(docs) // 2
    assert len(set(model.labels_)) == model.n_themes_
    for label in model.labels_:
        assert all(term.replace(" ", "").replace("-", "").isalnum() for term in label.split(" / ")), label
    # Names are not themes.
    assert not any(name in label for label in model.labels_ for name in ("jeremy", "dave", "djoy"))
    assert any("devstack" in terms[:3] for terms in model.top_terms_)


def test_discovery_is_deterministic():
    docs = sample_documents()
    a, b = ThemeModel().fit(docs), ThemeModel().fit(list(docs))
    assert a.labels_ == b.labels_ and a.ids_ == b.ids_
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.transform(docs), b.transform(docs))


def test_a_refit_with_reference_keeps_ids_and_labels():
    docs = sample_documents()
    first = ThemeModel().fit(docs)
    again = ThemeModel(reference=first.themes_).fit(docs)
    assert again.ids_ == first.ids_ and again.labels_ == first.labels_
    # Fitted on the first five months only, then on everything: the themes that are still
    # there keep their names, and new ones get new ids.
    old_docs = docs[:14]  # topics come oldest first: 2021-07 to 2021-11-03
    older = ThemeModel().fit(old_docs)
    grown = ThemeModel(reference=older.themes_).fit(docs)
    kept = set(older.labels_) & set(grown.labels_)
    assert len(kept) >= older.n_themes_ // 2
    for theme_id, label in zip(grown.ids_, grown.labels_):
        if label in kept:
            assert older.ids_[older.labels_.index(label)] == theme_id
    assert len(set(grown.ids_)) == grown.n_themes_


def test_state_round_trip_transforms_the_same():
    docs = sample_documents()
    model = ThemeModel().fit(docs)
    loaded = ThemeModel.from_state(model.to_state())
    np.testing.assert_allclose(loaded.transform(docs), model.transform(docs), rtol=1e-4, atol=1e-6)
    assert loaded.labels_ == model.labels_


def _write_months(path, text: str, first_kept_date: str) -> None:
    """The sample with meetings before ``first_kept_date`` only (the file lists newest first)."""
    lines = text.splitlines()
    preamble_end = lines.index("2021-12-22")
    start = lines.index(first_kept_date)
    path.write_text("\n".join(lines[:preamble_end] + lines[start:]) + "\n", encoding="utf-8")


def test_new_months_do_not_relabel_old_topics(store, tmp_path):
    notes = tmp_path / "arch-hours.txt"
    full = SAMPLE.read_text(encoding="utf-8")
    _write_months(notes, full, "2021-11-03")  # 2021-07 to 2021-11-03
    ingest(store, [notes])
    before = analyze.topic_themes(store)
    assert len(topic_documents(store)) == 14
    notes.write_text(full, encoding="utf-8")
    ingest(store, [notes])
    analyze.update_themes(store, refit=True)  # even an explicit refit keeps history
    after = analyze.topic_themes(store)
    assert len(topic_documents(store)) == 26
    old = set(before["topic_id"])
    key = ["topic_id", "theme_id", "theme", "source"]
    pd.testing.assert_frame_equal(
        before.sort_values(key)[key].reset_index(drop=True),
        after[after["topic_id"].isin(old)].sort_values(key)[key].reset_index(drop=True))
    assert (after[~after["topic_id"].isin(old)]["source"] == "discovered").any()
    assert store.conn.execute("SELECT count(*) FROM theme_models").fetchone()[0] == 2


def test_update_is_incremental_and_follows_taxonomy_edits(sample_store, tmp_path):
    first = analyze.update_themes(sample_store)
    assert first.fitted and first.taxonomy_matched == 26
    second = analyze.update_themes(sample_store)
    assert not second.fitted and second.taxonomy_matched == 0 and second.discovered_assigned == 0
    edited = Taxonomy.from_dict({"theme": [{"name": "task runners", "aliases": ["paver", "makefile"]}]})
    themes = analyze.topic_themes(sample_store, taxonomy=edited)
    assert set(themes.loc[themes["source"] == "taxonomy", "theme"]) == {"task runners"}


# -- trends ----------------------------------------------------------------------------------
def test_theme_month_table_and_first_last_seen(sample_store):
    archive = analyze.Archive.load(sample_store)
    table = analyze.theme_month_table(archive)
    assert table.columns.tolist() == ["month", "theme", "source", "topics", "notes", "votes", "people",
                                      "actions_open", "actions_closed"]
    iframes = table[table["theme"] == "iframes"].set_index("month")
    assert iframes.loc["2021-07", "votes"] == 5 and iframes.loc["2021-07", "people"] == 1
    assert iframes["topics"].tolist() == [1, 1]
    seen = analyze.first_last_seen(archive).set_index("theme")
    assert tuple(seen.loc["devstack", ["first_seen", "last_seen", "months", "topics"]]) == ("2021-11", "2021-12", 2, 3)
    assert tuple(seen.loc["paver", ["first_seen", "last_seen"]]) == ("2021-12", "2021-12")


def test_emerging_and_fading(sample_store):
    archive = analyze.Archive.load(sample_store)
    new = analyze.emerging(archive, "2021-12")
    assert {"paver", "feature toggles"} <= set(new.loc[new["status"] == "new", "theme"])
    assert "devstack" not in set(new.loc[new["status"] == "new", "theme"])
    fading = analyze.fading(archive, "2021-11").set_index("theme")
    # Two topics in the three months before (2021-07, 09, 10), none in 2021-11.
    assert fading.loc["iframes", "last_seen"] == "2021-09" and fading.loc["iframes", "topics"] == 0
    assert "devstack" not in set(analyze.fading(archive, "2021-12")["theme"])
    september = analyze.emerging(archive, "2021-09")
    assert "event bus" in set(september["theme"])
    summary = analyze.month_summary(archive, "2021-12").set_index("theme")
    assert summary.loc["paver", "status"] == "new" and summary.loc["devstack", "topics"] == 2


def test_cooccurrence_is_symmetric_with_topic_counts_on_the_diagonal(sample_store):
    matrix = analyze.cooccurrence(sample_store)
    assert (matrix.values == matrix.values.T).all()
    assert matrix.loc["iframes", "iframes"] == 2
    assert matrix.loc["iframes", "plugins"] >= 1
    assert analyze.cooccurrence(sample_store, month="2021-12").loc["paver", "paver"] == 1


def test_themes_command(sample_store):
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", sample_store.path, "themes", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["theme"]: r for r in json.loads(result.output)}
    assert rows["paver"]["first_seen"] == "2021-12" and rows["iframes"]["months"] == 2
    result = runner.invoke(cli, ["--db", sample_store.path, "themes", "--month", "2021-09", "--csv"])
    assert result.exit_code == 0 and result.output.startswith("theme,status,topics,change")
    assert "event bus,new,1" in result.output
    result = runner.invoke(cli, ["--db", sample_store.path, "themes", "--month", "2021-08"])
    assert result.exit_code == 1 and "no meetings in 2021-08" in result.output
    result = runner.invoke(cli, ["--db", sample_store.path, "themes", "--month", "2021-13"])
    assert result.exit_code == 2
