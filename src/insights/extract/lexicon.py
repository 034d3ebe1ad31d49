"""Word lists derived from ``spacy-lookups-data``: common English words and verb lemmas.

>>> is_common_word("Goal"), is_common_word("Robert"), is_common_word("Feanil")
(True, False, False)
>>> is_verb("publicize"), is_verb("approaches")
(True, False)

A capitalised word is *name-like* when English text uses it more often capitalised than
lower-case (``Robert``, ``Kyle``) or does not know it at all (``Feanil``); the lexeme
probabilities shipped with spacy-lookups-data tell which. That keeps ``Goal: ...`` and
``Tutor: https://...`` from being read as speakers without a list of every English word in
the code. The derived list is cached (``$XDG_CACHE_HOME/insights``) because building it
reads a million-entry table.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
from pathlib import Path

__all__ = ["common_words", "is_common_word", "is_verb", "verbs", "lemma", "forms"]

#: Lower-case words rarer than this (log probability) count as unknown, hence name-like.
_MIN_LOGPROB = -17.5


def _data_file(name: str) -> Path:
    import spacy_lookups_data

    return Path(spacy_lookups_data.__file__).parent / "data" / name


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("spacy-lookups-data")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return "unknown"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "insights"


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case words that English writes lower-case at least as often as capitalised."""
    cache = _cache_dir() / f"common-words-{_version()}.txt"
    try:
        return frozenset(cache.read_text(encoding="utf-8").split())
    except OSError:
        pass
    with gzip.open(_data_file("en_lexeme_prob.json.gz"), "rt", encoding="utf-8") as handle:
        probs = json.load(handle)
    words = set()
    for word, prob in probs.items():
        if prob > _MIN_LOGPROB and word.isalpha() and word.islower():
            capitalised = probs.get(word.capitalize())
            if capitalised is None or prob >= capitalised:
                words.add(word)
    del probs
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(sorted(words)), encoding="utf-8")
        tmp.replace(cache)
    except OSError:  # a read-only home only costs the rebuild next time
        pass
    return frozenset(words)


def is_common_word(word: str) -> bool:
    """True for an everyday English word, in any case."""
    return word.lower() in common_words()


@functools.lru_cache(maxsize=1)
def _lemma_index() -> dict[str, frozenset[str]]:
    with gzip.open(_data_file("en_lemma_index.json.gz"), "rt", encoding="utf-8") as handle:
        index = json.load(handle)
    return {pos: frozenset(words) for pos, words in index.items()}


@functools.lru_cache(maxsize=1)
def _lemma_lookup() -> dict[str, str]:
    with gzip.open(_data_file("en_lemma_lookup.json.gz"), "rt", encoding="utf-8") as handle:
        return json.load(handle)


def verbs() -> frozenset[str]:
    """Verb lemmas (base forms) known to the English lookup tables."""
    return _lemma_index()["verb"]


def is_verb(word: str) -> bool:
    """True when ``word`` is the base form of a verb (``find``, ``reach``, ``spruce``)."""
    return word.lower() in verbs()


def lemma(word: str) -> str:
    """The lookup lemma of ``word`` (lower-cased), itself when unknown.

    >>> lemma("offered"), lemma("Creating")
    ('offer', 'create')
    """
    lower = word.lower()
    return _lemma_lookup().get(lower, lower)


@functools.lru_cache(maxsize=1)
def _inflections() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for form, base in _lemma_lookup().items():
        table.setdefault(base, []).append(form)
    return {base: tuple(sorted(found)) for base, found in table.items()}


def forms(*lemmas: str) -> list[str]:
    """Every lower-case form of the given lemmas, the lemmas included.

    >>> forms("offer")
    ['offer', 'offered', 'offering', 'offers']
    """
    found = set(lemmas)
    for base in lemmas:
        found.update(f for f in _inflections().get(base, ()) if f.islower())
    return sorted(found)
