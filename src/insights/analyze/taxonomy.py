"""The user's theme taxonomy (``data/themes.toml``): names, aliases and patterns.

>>> taxonomy = Taxonomy.from_dict({"theme": [{"name": "iframes", "aliases": ["iframe"]},
...                                          {"name": "event bus"}]})
>>> taxonomy.match("Initial focus: iFrame-based plugins; see #event-bus")
['iframes', 'event bus']
>>> taxonomy.match("Eventing standards")
[]

Aliases are plain words: whole words only, case-insensitive, an optional plural ``s``,
and spaces, hyphens and underscores interchangeable. ``patterns`` are regular
expressions for anything else, held to the same word boundaries.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InsightsError

__all__ = ["Theme", "Taxonomy", "load_taxonomy", "taxonomy_path", "slugify"]

# Word-ish boundaries: a theme word must not be glued to letters or digits, but may sit
# next to punctuation (#event-bus, iFrame-based, devstacks/services).
_BEFORE, _AFTER = r"(?<![^\W_])", r"(?![^\W_])"
#: How far from a key's occurrence a match may start or end (theme names are short).
_REACH = 100


def slugify(name: str) -> str:
    """A file- and URL-safe form of a name.

    >>> slugify("Event Bus / CI/CD")
    'event-bus-ci-cd'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug or "x" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def _alias_regex(alias: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s_-]+", alias.strip()) if w]
    body = r"[\s_-]*".join(words)
    # Optional plural, but not after an existing final "s" (so "codespaces" stays itself).
    return body + ("" if alias.lower().endswith("s") else r"(?:e?s)?")


def _required_literal(pattern: str) -> str | None:
    r"""Letters every match of ``pattern`` contains (lower case), or None when unsure.

    >>> _required_literal(r"(database|query|db)\s+performance"), _required_literal(r"constraints?\.txt")
    ('performance', 'constraint')
    >>> _required_literal(r"foo|bar") is None
    True
    """
    if "|" in re.sub(r"\([^()]*\)", "", pattern) or "(?" in pattern.replace("(?:", ""):
        return None  # a top-level alternative, or flags and look-arounds: no promise
    bare = re.sub(r"\\.", " ", pattern)
    while re.search(r"\([^()]*\)|\[[^\]]*\]", bare):
        bare = re.sub(r"\([^()]*\)[?*]?|\[[^\]]*\]", " ", bare)
    runs = []
    for found in re.finditer(r"[A-Za-z]+", bare):
        run = found.group()
        following = bare[found.end():found.end() + 1]
        if following in ("?", "*", "{"):
            run = run[:-1]  # the last letter is optional
        runs.append(run)
    best = max(runs, key=len, default="")
    return best.lower() if len(best) >= 3 else None


@dataclass(frozen=True)
class Theme:
    """One named theme and what makes a text belong to it."""

    name: str
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    regex: re.Pattern = field(compare=False, repr=False, default=None)
    #: Words one of which any match contains (lower case); None when a pattern could match
    #: anything. Checking them first is what makes matching 30,000 topics take a second.
    keys: tuple[str, ...] | None = field(compare=False, repr=False, default=None)
    scan: re.Pattern = field(compare=False, repr=False, default=None)

    @property
    def slug(self) -> str:
        return slugify(self.name)

    @classmethod
    def build(cls, name: str, aliases=(), patterns=()) -> "Theme":
        parts = [_alias_regex(a) for a in (name, *aliases) if a.strip()] + [f"(?:{p})" for p in patterns]
        try:
            regex = re.compile(_BEFORE + "(?:" + "|".join(parts) + ")" + _AFTER, re.IGNORECASE)
        except re.error as exc:
            raise InsightsError(f"theme {name!r}: bad pattern ({exc})") from None
        keys: tuple[str, ...] | None = None
        literals = [_required_literal(p) for p in patterns]
        if all(literals):
            keys = tuple(sorted({max(re.split(r"[\s_-]+", a.strip().lower()), key=len)
                                 for a in (name, *aliases) if a.strip()} | set(literals)))
        # The same without the leading look-behind, which would keep the regex engine from
        # skipping ahead to a possible first letter; the boundary is checked by hand instead.
        scan = re.compile("(?:" + "|".join(parts) + ")" + _AFTER, re.IGNORECASE)
        return cls(name=name, aliases=tuple(aliases), patterns=tuple(patterns), regex=regex, keys=keys,
                   scan=scan)

    def search(self, text: str, lowered: str | None = None) -> re.Match | None:
        """The first match in ``text``; ``lowered`` is ``text.lower()`` when the caller has it."""
        if self.keys is not None:
            lowered = text.lower() if lowered is None else lowered
            if len(lowered) == len(text):
                # Look only around the places a key occurs: a match contains one.
                for key in self.keys:
                    at = lowered.find(key)
                    while at >= 0:
                        found = self._scan(text, max(0, at - _REACH), min(len(text), at + len(key) + _REACH))
                        if found:
                            return found
                        at = lowered.find(key, at + 1)
                return None
            if not any(key in lowered for key in self.keys):
                return None
        return self._scan(text, 0, len(text))

    def _scan(self, text: str, start: int, end: int) -> re.Match | None:
        for found in self.scan.finditer(text, start, end):
            at = found.start()
            if at == 0 or not text[at - 1].isalnum():
                return self.regex.match(text, at, end) or found
        return None


@dataclass(frozen=True)
class Taxonomy:
    """Themes in file order, with a fingerprint that changes whenever the file's meaning does."""

    themes: tuple[Theme, ...] = ()
    source: str = ""

    @classmethod
    def from_dict(cls, data: dict, source: str = "") -> "Taxonomy":
        themes, seen = [], set()
        for i, entry in enumerate(data.get("theme", [])):
            name = str(entry.get("name", "")).strip()
            where = f"{source or 'taxonomy'}: theme #{i + 1}"
            if not name:
                raise InsightsError(f"{where} has no name")
            if name.casefold() in seen:
                raise InsightsError(f"{where}: theme {name!r} is listed twice")
            seen.add(name.casefold())
            unknown = set(entry) - {"name", "aliases", "patterns", "description"}
            if unknown:
                raise InsightsError(f"{where} ({name}): unknown key(s) {', '.join(sorted(unknown))}; "
                                    "known: name, aliases, patterns, description")
            themes.append(Theme.build(name, tuple(map(str, entry.get("aliases", ()))),
                                      tuple(map(str, entry.get("patterns", ())))))
        return cls(tuple(themes), source)

    @property
    def fingerprint(self) -> str:
        key = repr([(t.name, t.aliases, t.patterns) for t in self.themes])
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def match_all(self, texts: list[str]) -> list[list[Theme]]:
        """The themes of each text, in taxonomy order; fast on many texts.

        >>> [[t.name for t in found] for found in Taxonomy.from_dict(
        ...     {"theme": [{"name": "paver"}, {"name": "tutor"}]}).match_all(["Paver and Tutor", "no"])]
        [['paver', 'tutor'], []]
        """
        lowered = [t.lower() for t in texts]
        # Which texts hold each key: one tight loop per key instead of one per theme and text.
        holding = {key: [i for i, low in enumerate(lowered) if key in low]
                   for theme in self.themes if theme.keys for key in theme.keys}
        found: list[list[Theme]] = [[] for _ in texts]
        for theme in self.themes:
            if theme.keys is None:
                candidates = range(len(texts))
            else:
                candidates = sorted(set().union(*(holding[k] for k in theme.keys)))
            for i in candidates:
                if theme.search(texts[i], lowered[i]):
                    found[i].append(theme)
        return found

    def match(self, text: str) -> list[str]:
        """Names of the themes ``text`` mentions, in taxonomy order."""
        lowered = text.lower()
        return [t.name for t in self.themes if t.search(text, lowered)]

    def __len__(self) -> int:
        return len(self.themes)


def taxonomy_path() -> Path:
    """Where the taxonomy is read from.

    ``$INSIGHTS_THEMES``, else ``taxonomy`` under ``[themes]`` in ``insights.toml``
    (relative to that file), else ``./data/themes.toml``, else the seeded file of a source
    checkout.
    """
    if os.environ.get("INSIGHTS_THEMES"):
        return Path(os.environ["INSIGHTS_THEMES"])
    from ..settings import current

    settings = current()
    configured = settings.section("themes").get("taxonomy")
    if configured:
        return settings.resolve(str(configured))
    local = Path("data") / "themes.toml"
    if local.exists():
        return local
    return Path(__file__).resolve().parents[3] / "data" / "themes.toml"


def load_taxonomy(path: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Read the taxonomy file; an absent file is an empty taxonomy, a broken one an error."""
    path = Path(path) if path else taxonomy_path()
    if not path.exists():
        return Taxonomy((), str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InsightsError(f"cannot read themes {path}: {exc}") from None
    return Taxonomy.from_dict(data, str(path))
