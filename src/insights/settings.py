"""Settings in one place: ``insights.toml`` in the working folder (or ``insights --config FILE``), with defaults.

>>> settings = load_settings(path=None, search=False)
>>> settings.people_file, settings.nlp_model
('data/people.toml', '')

Keys and their defaults (every key is optional)::

    [people]
    file = "data/people.toml"   # canonical names, aliases, teams, Jira ids (optional file)

    [nlp]
    model = ""                  # name of an installed trained spaCy pipeline whose NER may
                                # propose names the rules do not know; "" = rules only

Other sections (``[jira]`` ...) are read by their own stages from :attr:`Settings.raw`.
Relative paths are resolved against the folder holding the settings file (the working
folder when there is none).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InsightsError

__all__ = ["Settings", "load_settings", "current", "use", "DEFAULT_FILE"]

DEFAULT_FILE = "insights.toml"

#: The tables the settings file may hold, each read by its own stage.
SECTIONS = ("people", "nlp", "themes", "report", "lifecycle", "jira")

_DEFAULTS = {
    "people": {"file": "data/people.toml"},
    "nlp": {"model": ""},
}


@dataclass(frozen=True)
class Settings:
    """Parsed settings; ``raw`` keeps every section for stages that own other keys."""

    people_file: str = _DEFAULTS["people"]["file"]
    nlp_model: str = _DEFAULTS["nlp"]["model"]
    base: Path = field(default_factory=Path.cwd)
    raw: dict = field(default_factory=dict)
    path: Path | None = None

    def resolve(self, value: str) -> Path:
        """A path from the settings, relative to the folder of the settings file."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base / path

    def section(self, name: str) -> dict:
        """One ``[name]`` table of the settings file, empty when absent."""
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def people_path(self) -> Path | None:
        """The people file when configured (it may not exist: it is optional)."""
        return self.resolve(self.people_file) if self.people_file else None


def load_settings(path: str | os.PathLike[str] | None = None, *, search: bool = True) -> Settings:
    """Read ``path``, or ``./insights.toml`` when ``search`` and it exists; defaults otherwise."""
    if path is None and search:
        candidate = Path.cwd() / DEFAULT_FILE
        path = candidate if candidate.exists() else None
    if path is None:
        return Settings()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InsightsError(f"cannot read settings {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InsightsError(f"{path}: not valid TOML ({exc}); see README, 'Settings'") from None
    for section in SECTIONS:
        if not isinstance(raw.get(section, {}), dict):
            raise InsightsError(f"{path}: [{section}] must be a table of keys; see README, 'Settings'")
    people = raw.get("people", {})
    nlp = raw.get("nlp", {})
    return Settings(
        people_file=str(people.get("file", _DEFAULTS["people"]["file"])),
        nlp_model=str(nlp.get("model", _DEFAULTS["nlp"]["model"])),
        base=path.resolve().parent,
        raw=raw,
        path=path,
    )


_used: Settings | None = None
_read: tuple[tuple, Settings] | None = None  # (the working folder's file as last read, its settings)


def current() -> Settings:
    """The settings in force: those given to :func:`use`, else ``./insights.toml`` or defaults.

    The file is parsed again whenever its content changes (or the working folder does), so a
    long-lived process sees edits; reading a file that did not change costs a small read.

    >>> previous = use(Settings(people_file=""))
    >>> current().people_path is None
    True
    >>> _ = use(previous)
    """
    global _read
    if _used is not None:
        return _used
    candidate = Path.cwd() / DEFAULT_FILE
    try:
        key: tuple = (str(candidate), candidate.read_bytes())
    except OSError:
        key = (str(candidate.parent),)  # no file: defaults, relative paths from this folder
    if _read is None or _read[0] != key:
        _read = (key, load_settings())
    return _read[1]


def use(settings: Settings | None) -> Settings | None:
    """Make ``settings`` current (``None`` goes back to ``./insights.toml`` or defaults).

    Returns the settings given before, for putting them back.
    """
    global _used
    previous, _used = _used, settings
    return previous
