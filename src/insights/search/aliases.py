"""Alias groups that widen a search: themes (``data/themes.toml``) and people.

>>> groups = [AliasGroup("theme", "event bus", ("event bus", "eventbus"))]
>>> [g.name for g in lookup(groups).get(stem_key("Event-Bus"), [])]
['event bus']

A theme's name and aliases form one group, and so does a person's name and aliases:
typing any member searches for all of them. People come from the extraction tables when
the store has them, else from ``data/people.toml`` (``$INSIGHTS_PEOPLE``); themes come from
the theme taxonomy. Either source may be absent: search then simply does not expand.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .query import stem_key, tokens

_CHECKOUT = Path(__file__).resolve().parents[3]

__all__ = ["AliasGroup", "alias_groups", "theme_groups", "person_groups", "lookup", "find_group", "people_path",
           "themes_path"]


@dataclass(frozen=True)
class AliasGroup:
    """Spellings of one theme or person; ``forms[0]`` is the canonical name."""

    kind: str
    name: str
    forms: tuple[str, ...]


def _group(kind: str, name: str, aliases) -> AliasGroup | None:
    forms: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for form in (name, *aliases):
        form = str(form).strip()
        key = tuple(tokens(form))
        if key and key not in seen:
            seen.add(key)
            forms.append(form)
    return AliasGroup(kind, name, tuple(forms)) if forms else None


def themes_path() -> Path:
    """The theme taxonomy file, found the way ``insights.analyze.taxonomy.taxonomy_path`` finds it."""
    if "insights.analyze" in sys.modules:
        from ..analyze.taxonomy import taxonomy_path

        return taxonomy_path()
    if os.environ.get("INSIGHTS_THEMES"):
        return Path(os.environ["INSIGHTS_THEMES"])
    configured = _settings_section("themes").get("taxonomy")
    if configured:
        return _settings_path(str(configured))
    local = Path("data") / "themes.toml"
    return local if local.exists() else _CHECKOUT / "data" / "themes.toml"


def theme_groups(path: str | os.PathLike[str] | None = None) -> list[AliasGroup]:
    """One group per theme of the taxonomy: its name and plain aliases (patterns are regexes).

    The themes stage's loader is used when it is already imported; otherwise the file is
    read directly, because importing that stage (pandas, scikit-learn) would cost a
    command-line search more than a second.
    """
    path = Path(path) if path else themes_path()
    if "insights.analyze" in sys.modules:
        from ..analyze.taxonomy import load_taxonomy

        try:
            themes = [(t.name, t.aliases) for t in load_taxonomy(path).themes]
        except Exception:  # a broken taxonomy is reported by the themes commands, not by search
            return []
    else:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return []
        themes = [(str(e.get("name", "")), tuple(map(str, e.get("aliases", ()))))
                  for e in data.get("theme", []) if isinstance(e, dict)]
    return [g for name, aliases in themes if name.strip() and (g := _group("theme", name.strip(), aliases))]


def _settings_section(name: str) -> dict:
    try:
        from ..settings import current

        return current().section(name)
    except Exception:  # unreadable settings are reported by the commands that own them
        return {}


def _settings_path(value: str) -> Path:
    from ..settings import current

    return current().resolve(value)


def people_path() -> Path:
    """``$INSIGHTS_PEOPLE``, else the settings' ``[people] file``, else the one of a source checkout."""
    if os.environ.get("INSIGHTS_PEOPLE"):
        return Path(os.environ["INSIGHTS_PEOPLE"])
    try:
        from ..settings import current

        configured = current().people_path
    except Exception:  # unreadable settings are reported by the commands that own them
        configured = Path("data") / "people.toml"
    if configured and configured.exists():
        return configured
    return _CHECKOUT / "data" / "people.toml"


def _people_from_toml(path: Path) -> list[AliasGroup]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    groups: list[AliasGroup] = []
    for key in ("person", "people", "team", "teams"):
        entries = data.get(key)
        if isinstance(entries, dict):  # [people."David Joy"] aliases = [...]
            entries = [{"name": name, **(v if isinstance(v, dict) else {"aliases": v})}
                       for name, v in entries.items()]
        for entry in entries or ():
            if isinstance(entry, dict) and entry.get("name"):
                aliases = entry.get("aliases") or ()
                if isinstance(aliases, str):
                    aliases = [aliases]
                group = _group("person", str(entry["name"]), aliases)
                if group:
                    groups.append(group)
    return groups


def _people_from_extraction(conn: sqlite3.Connection) -> list[AliasGroup]:
    """Persons as the extraction stage resolved them (refreshed when its mentions changed)."""
    try:
        from types import SimpleNamespace

        from ..extract.indexer import people
    except ImportError:  # the extraction stage is optional
        return []
    try:
        persons = people(SimpleNamespace(conn=conn))
    except (sqlite3.Error, Exception):  # its tables may be missing in an older store
        return []
    return [g for p in persons if (g := _group("person", p.name, p.aliases))]


def _people_from_store(conn: sqlite3.Connection) -> list[AliasGroup]:
    """Persons and their aliases from the extraction tables, when they exist and hold any."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    alias_table = next((t for t in ("person_aliases", "aliases", "people_aliases") if t in tables), None)
    person_table = next((t for t in ("persons", "people") if t in tables), None)
    if not alias_table or not person_table:
        return []
    try:
        alias_cols = [r[1] for r in conn.execute(f"PRAGMA table_info({alias_table})")]
        person_cols = [r[1] for r in conn.execute(f"PRAGMA table_info({person_table})")]
        ref = next((c for c in ("person_id", "person") if c in alias_cols), None)
        alias_col = next((c for c in ("alias", "text", "name") if c in alias_cols), None)
        if not ref or not alias_col or "name" not in person_cols:
            return []
        key = "id" if ref == "person_id" and "id" in person_cols else "name"
        rows = conn.execute(
            f"SELECT p.name, a.{alias_col} FROM {person_table} p LEFT JOIN {alias_table} a ON a.{ref} = p.{key} "
            "ORDER BY p.name").fetchall()
    except sqlite3.Error:
        return []
    found: dict[str, list[str]] = {}
    for name, alias in rows:
        found.setdefault(name, [])
        if alias:
            found[name].append(alias)
    return [g for name, aliases in found.items() if (g := _group("person", name, aliases))]


def person_groups(conn: sqlite3.Connection | None = None,
                  path: str | os.PathLike[str] | None = None) -> list[AliasGroup]:
    """People with their aliases: the store's extraction tables first, else the TOML file."""
    if conn is not None and path is None:
        groups = _people_from_extraction(conn) or _people_from_store(conn)
        if groups:
            return groups
    return _people_from_toml(Path(path) if path else people_path())


def alias_groups(conn: sqlite3.Connection | None = None) -> list[AliasGroup]:
    """Every alias group search knows: people first (names are more specific than themes)."""
    return person_groups(conn) + theme_groups()


def lookup(groups: list[AliasGroup]) -> dict[tuple[str, ...], list[AliasGroup]]:
    """Map the stem key of every form to the groups it belongs to."""
    index: dict[tuple[str, ...], list[AliasGroup]] = {}
    for group in groups:
        for form in group.forms:
            key = stem_key(form)
            if key and group not in index.setdefault(key, []):
                index[key].append(group)
    return index


def find_group(groups: list[AliasGroup], name: str, kind: str) -> AliasGroup | None:
    """The group of ``kind`` that ``name`` names (by any form, any inflection)."""
    key = stem_key(name)
    for group in groups:
        if group.kind == kind and any(stem_key(f) == key for f in group.forms):
            return group
    return None

