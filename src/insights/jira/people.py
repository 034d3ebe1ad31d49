"""Owners to Jira users: ``data/people.toml`` read as :class:`~insights.model.Person` records.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "people.toml"
>>> _ = path.write_text('[[person]]\\nname = "Ada Lovelace"\\naliases = ["Ada", "AL"]\\n'
...                     'team = "Arch-BOM"\\njira_username = "ada"\\n')
>>> people = People.load(path)
>>> people.find("ada").jira_username, people.find("Ada Lovelace").team
('ada', 'Arch-BOM')

The file is shared with extraction (which resolves owners to canonical names); each
``[[person]]`` has ``name``, ``aliases``, ``team``, and ``jira_account_id`` (Cloud) and/or
``jira_username`` (Server/Data Center). ``kind = "team"`` marks a team that owns items.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InsightsError
from ..model import Person, normalise_text

__all__ = ["People"]


@dataclass(frozen=True)
class People:
    """Canonical people by every name they go by (normalised)."""

    persons: tuple[Person, ...] = ()
    _by_name: dict[str, Person] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None) -> "People":
        """Read ``path``; a missing file is no people (every item goes unassigned)."""
        if path is None or not Path(path).is_file():
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InsightsError(f"cannot read {path}: {exc}") from None
        entries = data.get("person", [])
        persons = []
        for index, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not entry.get("name"):
                raise InsightsError(f"{path}: [[person]] number {index} has no name")
            persons.append(Person(
                name=str(entry["name"]), aliases=tuple(str(a) for a in entry.get("aliases", ())),
                kind=str(entry.get("kind", "person")), team=entry.get("team"),
                jira_account_id=entry.get("jira_account_id") or None,
                jira_username=entry.get("jira_username") or None,
            ))
        return cls.of(persons)

    @classmethod
    def of(cls, persons) -> "People":
        by_name: dict[str, Person] = {}
        for person in persons:
            for name in (person.name, *person.aliases):
                # first entry wins, so a later alias cannot steal a canonical name
                by_name.setdefault(normalise_text(name), person)
        return cls(tuple(persons), by_name)

    def find(self, owner: str | None) -> Person | None:
        """The person or team ``owner`` names, by canonical name or alias."""
        if not owner:
            return None
        return self._by_name.get(normalise_text(owner))

    def team_of(self, person: Person | None) -> str | None:
        if person is None:
            return None
        return person.name if person.kind == "team" else person.team
