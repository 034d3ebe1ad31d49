"""People and teams: what kind a name is, and which written forms are one person.

>>> kind_of("TNL-8559"), kind_of("#arch-bom"), kind_of("T&L"), kind_of("Ned Batchelder")
('ticket', 'channel', 'team', 'person')
>>> split_names("Robert, ChrisP, and Feanil")
['Robert', 'ChrisP', 'Feanil']

:func:`resolve` merges the forms seen in the notes into canonical persons, using an
optional directory (``data/people.toml``) first and then rules that hold on any archive:

* the same name in another case or with accents dropped (``ned`` / ``Ned``);
* joined forms (``DavidJ`` = ``David J``, ``BenW`` = ``Ben W``);
* first name + initial (``David J`` -> ``David Joy`` when only one David J... exists);
* a first name alone, a handle (``djoy``, ``david.joy``, initials ``dkh``) or a short
  form (``Nim`` -> ``Nimisha``) when exactly one person fits.

When several persons fit (``Adam`` with both ``Adam B`` and ``Adam S`` around) nothing is
merged: the form stays a person of its own and the ambiguity is reported.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..model import Person

__all__ = ["kind_of", "split_names", "name_key", "team_key", "name_parts", "resolve", "Resolution",
           "Directory", "looks_like_name", "TEAM_WORDS"]

_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_CHANNEL = re.compile(r"^#[\w][\w.-]*$")
_TICKET = re.compile(r"^[A-Z][A-Z0-9]{1,9}-\d+$")
_ACRONYM = re.compile(r"^(?:[A-Z]{2,5}|[A-Z]{1,3}&[A-Z]{1,3})$")
_HYPHEN_TEAM = re.compile(r"^[A-Z][A-Za-z]+-[A-Z]{2,}$")
#: Last words that make a name a group rather than a person.
TEAM_WORDS = frozenset("team teams wg group guild squad council committee board tsc tac crew".split())
_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&(?=\s)|\band\b)\s*", re.IGNORECASE)
_CAMEL = re.compile(r"^([A-Z][a-z\u00c0-\u024f]+)([A-Z][a-z\u00c0-\u024f]*)$")


def kind_of(surface: str, teams: Iterable[str] = ()) -> str:
    """``url``, ``channel``, ``ticket``, ``team`` or ``person`` for a name as written."""
    return _kind_of(surface, tuple(teams))


@functools.lru_cache(maxsize=65536)
def _kind_of(surface: str, teams: tuple[str, ...]) -> str:
    text = surface.strip()
    if _URL.match(text):
        return "url"
    if _CHANNEL.match(text):
        return "channel"
    if _TICKET.match(text):
        return "ticket"
    key = team_key(text)
    if any(key == team_key(t) for t in teams):
        return "team"
    words = text.split()
    if _ACRONYM.match(text) or _HYPHEN_TEAM.match(text) or (len(words) > 1 and words[-1].lower() in TEAM_WORDS):
        return "team"
    return "person"


def name_key(surface: str) -> str:
    """The form names are compared in: no accents, case, brackets or extra spaces.

    >>> name_key(" [Régis  Behmo] ")
    'regis behmo'
    """
    text = unicodedata.normalize("NFKD", surface)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^\w&.'’ -]+", " ", text).replace("’", "'")
    return " ".join(text.strip(" .-'").split())


def team_key(surface: str) -> str:
    """Teams compare with ``&`` / ``and`` read as ``n`` and spacing dropped (``T&L`` = ``TNL``).

    >>> team_key("T&L") == team_key("TNL") == team_key("T and L")
    True
    """
    key = name_key(surface.lstrip("#"))
    key = re.sub(r"\s*(?:&|\band\b)\s*", "n", key)
    return re.sub(r"[\s_.-]+", "", key)


def name_parts(surface: str) -> tuple[str, ...]:
    """Words of a person's name, with joined forms split (``DavidJ`` -> ``David``, ``J``).

    >>> name_parts("DavidJ"), name_parts("Dave O."), name_parts("djoy")
    (('david', 'j'), ('dave', 'o'), ('djoy',))
    """
    words = surface.replace("_", " ").split()
    if len(words) == 1:
        camel = _CAMEL.match(words[0])
        if camel:
            words = [camel.group(1), camel.group(2)]
        elif "." in words[0].strip("."):
            words = words[0].split(".")
    return tuple(w for w in (name_key(w).strip(".") for w in words) if w)


def split_names(text: str) -> list[str]:
    """Names in a list as written (``Ned, Usama``; ``Stephen, Vanessa, André``)."""
    names = []
    for part in _SPLIT.split(text or ""):
        part = part.strip().strip("[]()*@").strip()
        if part and part.lower() not in {"and", "others", "etc", "all"} and any(ch.isalpha() for ch in part):
            names.append(part)
    return names


@functools.lru_cache(maxsize=65536)
def looks_like_name(surface: str, *, trusted: bool = False) -> bool:
    """True when ``surface`` can be a person's name.

    ``trusted`` forms come from a place that only holds names (a proposer bracket), so a
    lower-case handle (``djoy``) passes; elsewhere the first word must be capitalised and
    not an everyday English word.

    >>> looks_like_name("Robert"), looks_like_name("Feedback"), looks_like_name("djoy", trusted=True)
    (True, False, True)
    """
    from .lexicon import is_common_word

    words = surface.split()
    if not words or len(words) > 4 or not all(w[0].isalpha() for w in words):
        return False
    if any(ch.isdigit() for ch in surface) or len(surface) > 40:
        return False
    if trusted:
        return True
    first = words[0]
    if not first[0].isupper():
        return False
    if len(words) > 1 and not all(w[0].isupper() or w.lower() in {"de", "van", "von", "da", "del"} for w in words):
        return False
    return not is_common_word(first) or bool(_CAMEL.match(first))


@dataclass(frozen=True)
class Directory:
    """Canonical persons and teams given by hand (``people.toml``), found by any alias."""

    persons: tuple[Person, ...] = ()

    @classmethod
    def load(cls, path) -> "Directory":
        """Read a people file (``[[person]]`` tables); a missing file is an empty directory."""
        from ..jira.people import People

        return cls(People.load(path).persons)

    def lookup(self) -> dict[str, Person]:
        """Persons by normalised alias (``team:`` and ``joined:`` keys for teams and joined forms)."""
        return _lookup(self.persons)

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(a for p in self.persons if p.kind == "team" for a in (p.name, *p.aliases))


@functools.lru_cache(maxsize=8)
def _lookup(persons: tuple[Person, ...]) -> dict[str, Person]:
    table: dict[str, Person] = {}
    for person in persons:
        for alias in (person.name, *person.aliases):
            if person.kind == "team":
                table.setdefault("team:" + team_key(alias), person)
            else:
                table.setdefault(name_key(alias), person)
                table.setdefault("joined:" + name_key(alias).replace(" ", ""), person)
    return table


@dataclass
class Resolution:
    """Canonical persons and teams, every written form's canonical name, and what stayed unsure."""

    persons: list[Person] = field(default_factory=list)
    canonical: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) -> name
    ambiguous: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def name_of(self, surface: str, kind: str = "person") -> str | None:
        key = team_key(surface) if kind == "team" else name_key(surface)
        return self.canonical.get((kind, key))


class _Clusters:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _display(forms: Counter) -> str:
    """The best written form: fullest name, then most used, then capitalised."""
    def score(form: str):
        parts = name_parts(form)
        full = len(parts) >= 2 and len(parts[-1]) >= 2
        return (full, len(parts), forms[form], form[:1].isupper(), " " in form, form)
    return max(forms, key=score)


def _handles(parts: tuple[str, ...]) -> set[str]:
    """Handles people build from their name: djoy, davidj, davidjoy, david.joy, dj(k)."""
    first, last = parts[0], parts[-1]
    forms = {first + last, first[0] + last, first + last[0], f"{first}.{last}", f"{first}_{last}"}
    if len(parts) >= 2:
        forms.add("".join(p[0] for p in parts))
    return forms


def resolve(forms: Mapping[tuple[str, str], int], directory: Directory | None = None) -> Resolution:
    """Merge written forms ``{(kind, surface): count}`` into canonical persons and teams.

    >>> result = resolve({("person", "David J"): 3, ("person", "djoy"): 2, ("person", "David Joy"): 1,
    ...                   ("person", "Adam B"): 1, ("person", "AdamS"): 1, ("person", "Adam"): 2})
    >>> result.name_of("djoy"), result.name_of("Adam")
    ('David Joy', 'Adam')
    >>> result.ambiguous
    [('Adam', ('Adam B', 'AdamS'))]
    """
    directory = directory or Directory()
    table = directory.lookup()
    result = Resolution()
    people: dict[str, Counter] = defaultdict(Counter)  # key -> written forms
    teams: dict[str, Counter] = defaultdict(Counter)
    for (kind, surface), count in forms.items():
        surface = surface.strip()
        if not surface:
            continue
        if kind == "team":
            teams[team_key(surface)][surface] += count
        elif kind == "person":
            key = name_key(surface)
            if key:
                people[key][surface] += count
    clusters = _Clusters()
    fixed: dict[str, Person] = {}  # cluster root -> directory person
    pinned: dict[str, str] = {}  # directory name -> a key in its cluster

    def pin(key: str, person: Person) -> None:
        if person.name in pinned:
            clusters.union(pinned[person.name], key)
        else:
            pinned[person.name] = key
        fixed[clusters.find(key)] = person

    for key in people:
        person = table.get(key) or table.get("joined:" + key.replace(" ", ""))
        if person is not None and person.kind != "team":
            pin(key, person)
    # joined forms and spacing: "DavidJ" / "David J" / "davidj"
    by_joined: dict[str, str] = {}
    for key in sorted(people):
        joined = "".join(name_parts(next(iter(people[key]))))
        if joined in by_joined:
            clusters.union(by_joined[joined], key)
        else:
            by_joined[joined] = key
    parts_of = {key: name_parts(_display(people[key])) for key in people}
    full = {key: p for key, p in parts_of.items() if len(p) >= 2 and len(p[-1]) >= 2}

    def roots(candidates: Iterable[str]) -> list[str]:
        return sorted({clusters.find(c) for c in candidates})

    def attach(key: str, candidates: list[str]) -> None:
        found = roots(candidates)
        found = [r for r in found if r != clusters.find(key)] if len(found) > 1 else found
        if len(found) == 1:
            if found[0] != clusters.find(key):
                merged_fixed = fixed.get(clusters.find(key)) or fixed.get(found[0])
                clusters.union(found[0], key)
                if merged_fixed:
                    fixed[clusters.find(key)] = merged_fixed
        elif len(found) > 1:
            names = tuple(sorted({_cluster_name(r) for r in found}))
            result.ambiguous.append((_display(people[key]), names))

    def _cluster_name(root: str) -> str:
        if root in fixed:
            return fixed[root].name
        members = Counter()
        for key in people:
            if clusters.find(key) == root:
                members.update(people[key])
        return _display(members)

    # first name + initial -> the one full name that fits
    for key, parts in sorted(parts_of.items()):
        if len(parts) == 2 and len(parts[1]) == 1 and clusters.find(key) not in fixed:
            attach(key, [k for k, p in full.items() if p[0] == parts[0] and p[-1].startswith(parts[1])])
    # a single word: first name, handle or short form of exactly one person
    multi = {k: p for k, p in parts_of.items() if len(p) >= 2}
    by_first: dict[str, list[str]] = defaultdict(list)
    for k, p in multi.items():
        by_first[p[0]].append(k)
    by_handle: dict[str, list[str]] = defaultdict(list)
    for k, p in full.items():
        for handle in _handles(p):
            by_handle[handle].append(k)
    firsts = sorted(by_first)
    for key, parts in sorted(parts_of.items()):
        if len(parts) != 1 or clusters.find(key) in fixed:
            continue
        word = parts[0]
        candidates = by_first.get(word) or by_handle.get(word) or []
        if not candidates and len(word) >= 3:
            start = bisect.bisect_right(firsts, word)
            for first in firsts[start:]:
                if not first.startswith(word):
                    break
                candidates.extend(by_first[first])
        if candidates:
            attach(key, candidates)

    grouped: dict[str, list[str]] = defaultdict(list)
    for key in people:
        grouped[clusters.find(key)].append(key)
    for root, keys in grouped.items():
        written = Counter()
        for key in keys:
            written.update(people[key])
        known = fixed.get(root)
        name = known.name if known else _display(written)
        aliases = sorted({w for w in written if w != name} | set(known.aliases if known else ()))
        result.persons.append(Person(name, tuple(aliases), "person", known.team if known else None,
                                     known.jira_account_id if known else None,
                                     known.jira_username if known else None))
        for key in keys:
            result.canonical[("person", key)] = name
    for key, written in teams.items():
        known = table.get("team:" + key)
        name = known.name if known else _display(written)
        aliases = sorted({w for w in written if w != name} | set(known.aliases if known else ()))
        result.persons.append(Person(name, tuple(aliases), "team", None,
                                     known.jira_account_id if known else None,
                                     known.jira_username if known else None))
        result.canonical[("team", key)] = name
    result.persons.sort(key=lambda p: (p.kind, p.name.casefold()))
    return result
