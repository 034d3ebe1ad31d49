"""One place for settings: ``insights.toml``, ``--config`` and ``settings.use`` reach every stage."""

import pytest
from click.testing import CliRunner

from conftest import ROOT
from insights import settings
from insights.cli import cli


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    previous = settings.use(None)
    yield tmp_path
    settings.use(previous)


def test_current_follows_edits_to_the_working_folders_file(folder):
    assert settings.current().nlp_model == ""
    (folder / "insights.toml").write_text('[nlp]\nmodel = "a"\n', encoding="utf-8")
    assert settings.current().nlp_model == "a"
    # same size, written at once: only the content tells the two apart
    (folder / "insights.toml").write_text('[nlp]\nmodel = "b"\n', encoding="utf-8")
    assert settings.current().nlp_model == "b"
    assert settings.current().resolve("people.toml") == folder / "people.toml"
    (folder / "insights.toml").unlink()
    assert settings.current().nlp_model == ""


def test_use_overrides_the_file_and_hands_back_what_it_replaced(folder):
    (folder / "insights.toml").write_text('[nlp]\nmodel = "from-file"\n', encoding="utf-8")
    chosen = settings.Settings(nlp_model="chosen")
    assert settings.use(chosen) is None
    assert settings.current() is chosen
    assert settings.use(None) is chosen
    assert settings.current().nlp_model == "from-file"


def test_settings_given_to_use_reach_the_report(sample_store, folder):
    from insights.report import write_reports

    settings.use(settings.Settings(people_file="", raw={"report": {"search_meetings": 2}}))
    write_reports(sample_store, folder / "out")
    assert "Searches the latest 2 of 7 meetings" in (folder / "out" / "index.html").read_text(encoding="utf-8")


def test_settings_given_to_use_choose_the_theme_list(folder):
    from insights.analyze.taxonomy import taxonomy_path

    elsewhere = folder / "lists"
    settings.use(settings.Settings(raw={"themes": {"taxonomy": "mine.toml"}}, base=elsewhere))
    assert taxonomy_path() == elsewhere / "mine.toml"


def test_config_option_reads_that_file_for_one_command(folder, monkeypatch):
    monkeypatch.delenv("INSIGHTS_THEMES", raising=False)
    config = folder / "cfg"
    config.mkdir()
    (config / "team.toml").write_text(
        f'[people]\nfile = "{ROOT / "data" / "people.toml"}"\n[themes]\ntaxonomy = "{ROOT / "data" / "themes.toml"}"\n'
        "[report]\nsearch_meetings = 3\n", encoding="utf-8")
    (folder / "insights.toml").write_text("[report]\nsearch_meetings = 5\n", encoding="utf-8")
    db = str(folder / "i.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "ingest", "-q", str(ROOT / "data" / "arch-hours-2021.txt")]).exit_code == 0

    result = runner.invoke(cli, ["--db", db, "--config", str(config / "team.toml"), "report", "--out", "with"])
    assert result.exit_code == 0, result.output
    assert "Searches the latest 3 of 7 meetings" in (folder / "with" / "index.html").read_text(encoding="utf-8")
    # the next command, without --config, is back on ./insights.toml
    assert settings.current().section("report") == {"search_meetings": 5}
    result = runner.invoke(cli, ["--db", db, "report", "--out", "without"])
    assert result.exit_code == 0, result.output
    assert "Searches the latest 5 of 7 meetings" in (folder / "without" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("content, message", [
    (None, "cannot read settings"),
    ("[report\n", "not valid TOML"),
    ("report = 3\n", "[report] must be a table of keys"),
    ('themes = "data/themes.toml"\n', "[themes] must be a table of keys"),
])
def test_config_option_names_a_file_it_cannot_use(folder, content, message):
    path = folder / "broken.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(folder / "i.db"), "--config", str(path), "meetings"])
    assert result.exit_code == 1
    assert message in result.output and "broken.toml" in result.output
    assert "Traceback" not in result.output
    assert settings.current().path is None
