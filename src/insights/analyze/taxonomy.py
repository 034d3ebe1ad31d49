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


@dataclass(frozen=True)
class Theme:
    """One named theme and what makes a text belong to it."""

    name: str
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    regex: re.Pattern = field(compare=False, repr=False, default=None)

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
        return cls(name=name, aliases=tuple(aliases), patterns=tuple(patterns), regex=regex)

    def search(self, text: str) -> re.Match | None:
        return self.regex.search(text)


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

    def match(self, text: str) -> list[str]:
        """Names of the themes ``text`` mentions, in taxonomy order."""
        return [t.name for t in self.themes if t.regex.search(text)]

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
    try:
        from ..settings import load_settings

        settings = load_settings()
        configured = (settings.raw or {}).get("themes", {}).get("taxonomy")
        if configured:
            base = Path(settings.path).parent if getattr(settings, "path", None) else Path.cwd()
            return base / configured
    except ImportError:  # pragma: no cover - settings is optional
        pass
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
