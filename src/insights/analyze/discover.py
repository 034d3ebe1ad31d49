"""Themes discovered from the text: TF-IDF plus NMF, as a scikit-learn estimator.

>>> docs = ["paver runs tasks; paver tasks in python", "make files or paver for tasks",
...         "iframes break in chrome; iframe plugins", "plugins in iframes and sandboxes",
...         "event bus for services", "the event bus carries events between services"]
>>> model = ThemeModel(n_themes=3).fit(docs)
>>> sorted(label.split(" / ")[0] for label in model.labels_)
['event bus', 'iframes', 'paver']
>>> model.labels_[model.transform(["more paver tasks"]).argmax(axis=1)[0]].startswith("paver")
True

The model follows the estimator contract (``fit`` returns the model, learned state ends
in ``_``, ``transform`` before ``fit`` raises ``NotFittedError``), so it works in a
notebook or a pipeline like any scikit-learn transformer. Two choices make it fit this
job rather than a benchmark:

* it is fitted on a capped, deterministic sample of the documents (chosen by content
  hash, so the same archive always gives the same sample) and everything else is only
  transformed, which keeps a 33,000-topic archive within seconds;
* given the themes of an earlier fit as ``reference``, components that match an earlier
  theme (cosine similarity of their term weights, one-to-one by the Hungarian method)
  keep that theme's id and label, so refitting on a grown archive does not rename
  themes people already know.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import warnings
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.decomposition import non_negative_factorization
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

__all__ = ["ThemeModel", "STOP_WORDS", "clean_text"]

#: Words of meeting talk that say nothing about what was discussed.
MEETING_WORDS = frozenset("""
    able actually add added agenda agree agreed ask asked asking based better big bit case cases come comes
    currently did discuss discussed discussion does doesn don done example feel figure folks going good got
    great hard having help idea ideas instead interested isn just kind know let like likely ll look looking
    lot lots make makes making maybe mean meeting meetings might need needs new note notes ok okay people
    point possible potentially pretty probably question questions quite re really right say seems set
    similar start started stuff sure talk talked team teams thing things think thought time today topic
    topics try trying update updates use used uses using ve want wants way ways work working yeah yes
    going gonna want wanted week weeks month months year years currently perhaps still will would could
    should also already etc e.g i.e via per change changes changed useful words read reading understanding
    haven half pick user users support problem problems reach tackle project projects task tasks feedback
    thread post link links info information hopefully awkward silence minutes min mins action actions item
    items doc docs page pages slack channel call calls couple different easy easier fine happen happening
    important interesting issue issues level long best worth value valuable simple small large main means
    moving needed options option particular place plan planning process provide reason run running seen
    send share specific step steps support term thanks various whats yet available approach check
    current end ensure getting give given high low number open previous public required shared wasn
    anybody feels bigger doing wrote regarding worked familiar happened feeling attempting actively excited
    minimally sounds cool nobody awareness overall given
""".split())

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | MEETING_WORDS

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_TOKEN = r"(?u)\b[^\W\d_][^\W_]+(?:[-_][^\W_]+)*\b"


def clean_text(text: str) -> str:
    """Drop what would become noise terms: links and the markup around words.

    >>> clean_text("See https://github.com/x/y#L43 and `window.confirm`")
    'See   and  window.confirm '
    """
    return _URL.sub(" ", text).replace("`", " ")


def _preprocess(text: str) -> str:
    return clean_text(text).lower()


_TOKEN_RE = re.compile(_TOKEN)


class _Analyzer:
    """Words and two-word phrases of a text, stop words left out before pairing.

    >>> _Analyzer(frozenset({"the"}))("The Event Bus, the event-bus")
    ['event', 'bus', 'event-bus', 'event bus', 'bus event-bus']

    What ``TfidfVectorizer(ngram_range=(1, 2), stop_words=...)`` does, in one pass (it
    is the slowest step when assigning a large archive), and picklable.
    """

    def __init__(self, stop: frozenset):
        self.stop = stop

    def __call__(self, text: str) -> list[str]:
        stop = self.stop
        words = [w for w in _TOKEN_RE.findall(_preprocess(text)) if w not in stop]
        return words + [f"{a} {b}" for a, b in zip(words, words[1:]) if a != b]


def _sample(docs: Sequence[str], cap: int) -> list[int]:
    """Indexes of at most ``cap`` documents, chosen by content hash: order-independent."""
    if len(docs) <= cap:
        return list(range(len(docs)))
    keyed = sorted(range(len(docs)), key=lambda i: (hashlib.md5(docs[i].encode("utf-8")).digest(), i))
    return sorted(keyed[:cap])


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return an @ bn.T


class ThemeModel(TransformerMixin, BaseEstimator):
    """TF-IDF (sublinear tf) and NMF (``init="nndsvd"``) over topic documents.

    Parameters are stored as given. ``n_themes=None`` picks a number from the size of the
    archive; ``max_docs`` caps the documents the factorisation is fitted on;
    ``reference`` is a list of earlier themes (``{"id", "label", "terms": {term: weight}}``,
    as in :attr:`themes_`) whose ids and labels matching components inherit;
    ``extra_stop_words`` are words to ignore on top of :data:`STOP_WORDS` (people's names).

    Learned attributes: ``vectorizer_``, ``components_`` (themes x terms),
    ``terms_`` (vocabulary), ``top_terms_``, ``labels_``, ``ids_``, ``themes_``,
    ``n_themes_``, ``n_documents_`` (documents seen by ``fit``), ``reconstruction_err_``.
    """

    def __init__(self, n_themes: int | None = None, *, max_docs: int = 2000, max_features: int = 10000,
                 min_df: int | None = None, max_df: float = 0.5, n_top_terms: int = 10,
                 reference: Sequence[dict] | None = None, match_threshold: float = 0.3,
                 extra_stop_words: Iterable[str] = (), max_iter: int = 200, random_state: int = 0):
        self.n_themes = n_themes
        self.max_docs = max_docs
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.n_top_terms = n_top_terms
        self.reference = reference
        self.match_threshold = match_threshold
        self.extra_stop_words = extra_stop_words
        self.max_iter = max_iter
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------------
    def _vectorizer(self, vocabulary=None, max_df: float = 1.0) -> TfidfVectorizer:
        stop = frozenset(STOP_WORDS | {w.casefold() for w in self.extra_stop_words})
        return TfidfVectorizer(sublinear_tf=True, analyzer=_Analyzer(stop), vocabulary=vocabulary,
                               max_df=max_df, dtype=np.float32)

    def _min_df(self, n_docs: int) -> tuple[int, int]:
        """Least document frequency of (words, phrases).

        A theme is something that comes back, so a phrase must occur in two documents at
        least; on a small archive a single word may stand for a theme on its own (paver is
        one topic of 26), on a large one rare words are mostly typos and names.
        """
        if self.min_df is not None:
            return self.min_df, max(2, self.min_df)
        words = 1 if n_docs < 200 else 2 if n_docs < 2000 else 4
        return words, max(2, words)

    def _vectorize_sample(self, sample: list[str]):
        """Fit the vocabulary and idf on ``sample``; return (vectorizer, tf-idf matrix)."""
        counter = self._vectorizer(max_df=self.max_df if len(sample) >= 10 else 1.0)
        counter.set_params(use_idf=False, norm=None, sublinear_tf=False)
        try:
            counts = counter.fit_transform(sample)
        except ValueError:  # every word was a stop word or too frequent
            counter.set_params(max_df=1.0, stop_words=None)
            counts = counter.fit_transform(sample)
        terms = counter.get_feature_names_out()
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        min_words, min_phrases = self._min_df(len(sample))
        is_phrase = np.fromiter((" " in t for t in terms), bool, len(terms))
        keep = np.flatnonzero(np.where(is_phrase, df >= min_phrases, df >= min_words))
        if keep.size == 0:
            keep = np.arange(len(terms))
        if keep.size > self.max_features:  # the most widespread terms, ties by name
            keep = np.sort(keep[np.lexsort((terms[keep], -df[keep]))][: self.max_features])
        counts = counts[:, keep].tocsr().astype(np.float32)
        vocabulary = {str(terms[i]): j for j, i in enumerate(keep)}
        n = counts.shape[0]
        idf = np.log((1 + n) / (1 + df[keep])) + 1  # as TfidfVectorizer(smooth_idf=True)
        vectorizer = self._vectorizer(vocabulary=vocabulary)
        vectorizer.fit(sample[:1])
        vectorizer.idf_ = idf.astype(np.float32)
        matrix = counts.copy()
        matrix.data = 1 + np.log(matrix.data)
        matrix = matrix.multiply(idf.astype(np.float32)[None, :]).tocsr()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        matrix = sparse.diags(1 / np.maximum(norms, 1e-12)).astype(np.float32) @ matrix
        return vectorizer, matrix.tocsr(), df[keep]

    def _auto_themes(self, n_docs: int, n_terms: int) -> int:
        if self.n_themes is not None:
            return max(1, min(self.n_themes, n_docs, n_terms))
        # Grows with the square root of the archive: 26 topics -> 8, 400 -> 23, capped at 40.
        return max(1, min(40, round(math.sqrt(n_docs)) + 3, n_docs, n_terms))

    def fit(self, X: Iterable[str], y=None) -> "ThemeModel":
        docs = [str(d) for d in X]
        if not docs:
            raise ValueError("ThemeModel.fit needs at least one document")
        # Copies of one text (a page pasted twice) would weigh it twice: fit on distinct texts.
        distinct = list(dict.fromkeys(docs))
        sample = [distinct[i] for i in _sample(distinct, self.max_docs)]
        vectorizer, matrix, df = self._vectorize_sample(sample)
        self.document_frequency_ = df
        k = self._auto_themes(matrix.shape[0], matrix.shape[1])
        # One BLAS thread: the small dense products of coordinate descent run three times
        # slower when threads fight over two cores. Not converging within max_iter still
        # gives usable, deterministic themes.
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            W, H, _ = non_negative_factorization(matrix, n_components=k, init="nndsvd", solver="cd",
                                                 max_iter=self.max_iter, random_state=self.random_state)
        # Biggest themes first; ties broken by index so the order is deterministic.
        order = np.lexsort((np.arange(k), -W.sum(axis=0)))
        self.vectorizer_ = vectorizer
        self.terms_ = vectorizer.get_feature_names_out()
        self.components_ = np.ascontiguousarray(H[order], dtype=np.float64)
        self.n_themes_ = k
        self.n_documents_ = len(docs)
        self.reconstruction_err_ = float(np.linalg.norm((matrix - W @ H).ravel()) if matrix.shape[0] < 500 else 0.0)
        self.top_terms_ = [self._top_terms(i) for i in range(k)]
        self._name_themes()
        return self

    def _top_terms(self, index: int) -> list[str]:
        """Most distinctive terms: heavy in this theme and light in the others."""
        H = self.components_
        row = H[index]
        share = row / np.maximum(H.sum(axis=0), 1e-12)
        score = row * share
        best = np.argsort(-score, kind="stable")[: self.n_top_terms * 3]
        chosen: list[str] = []
        for i in best:
            if score[i] <= 0 or len(chosen) >= self.n_top_terms:
                break
            term = str(self.terms_[i])
            words = term.split()
            # Prefer a phrase to its parts: "event bus" rather than "event" and "bus".
            if len(words) == 1 and any(term in c.split() for c in chosen):
                continue
            if len(words) > 1:
                parts = [c for c in chosen if c in words]
                if parts:
                    at = chosen.index(parts[0])
                    chosen = [c for c in chosen if c not in parts]
                    chosen.insert(at, term)
                    continue
            chosen.append(term)
        return chosen

    def _label_terms(self, index: int) -> list[str]:
        """Two terms to name a theme by, preferring those that recur across documents."""
        terms = self.top_terms_[index]
        df = getattr(self, "document_frequency_", None)
        if df is None:
            return terms[:2]
        position = {str(t): i for i, t in enumerate(self.terms_)}
        recurring = [t for t in terms if df[position[t]] >= 2]
        ranked = recurring + [t for t in terms if t not in recurring]
        # A second term that only repeats a word of the first says nothing new.
        if not ranked:
            return []
        first_words = set(ranked[0].split())
        rest = [t for t in ranked[1:] if not set(t.split()) & first_words]
        return ranked[:1] + rest[:1]

    def _name_themes(self) -> None:
        k = self.n_themes_
        fresh = [" / ".join(self._label_terms(i)) or f"theme {i + 1}" for i in range(k)]
        ids: list[str | None] = [None] * k
        labels = list(fresh)
        reference = list(self.reference or [])
        if reference:
            sim = self._similarity_to(reference)
            rows, cols = linear_sum_assignment(-sim)
            for r, c in zip(rows, cols):
                if sim[r, c] >= self.match_threshold:
                    ids[r], labels[r] = str(reference[c]["id"]), str(reference[c]["label"])
        taken_ids = {str(t["id"]) for t in reference} | {i for i in ids if i}
        taken_labels = {str(t["label"]) for t in reference} | {labels[i] for i in range(k) if ids[i]}
        next_number = 1 + max((int(m.group(1)) for t in taken_ids if (m := re.fullmatch(r"d(\d+)", t))),
                              default=0)
        for i in range(k):
            if ids[i]:
                continue
            ids[i] = f"d{next_number}"
            next_number += 1
            label = labels[i]
            # A new theme must not reuse the label of another (e.g. an earlier, now-faded one).
            if label in taken_labels:
                extra = [t for t in self.top_terms_[i][2:] if t not in label]
                label = " / ".join(self.top_terms_[i][:2] + extra[:1]) if extra else f"{label} ({ids[i]})"
            labels[i] = label
            taken_labels.add(label)
        self.ids_ = [str(i) for i in ids]
        self.labels_ = labels
        self.themes_ = [{"id": self.ids_[i], "label": self.labels_[i], "terms": self.term_weights(i)}
                        for i in range(k)]

    def term_weights(self, index: int, n: int = 50) -> dict[str, float]:
        """The ``n`` heaviest terms of one theme with their weights (what is stored and matched)."""
        row = self.components_[index]
        best = np.argsort(-row, kind="stable")[:n]
        return {str(self.terms_[i]): round(float(row[i]), 6) for i in best if row[i] > 0}

    def _similarity_to(self, reference: Sequence[dict]) -> np.ndarray:
        vocabulary = {t: i for i, t in enumerate(self.terms_)}
        extra: dict[str, int] = {}
        for theme in reference:
            for term in theme["terms"]:
                if term not in vocabulary and term not in extra:
                    extra[term] = len(vocabulary) + len(extra)
        width = len(vocabulary) + len(extra)
        ours = np.zeros((self.n_themes_, width))
        for i in range(self.n_themes_):
            for term, weight in self.term_weights(i).items():
                ours[i, vocabulary[term]] = weight
        theirs = np.zeros((len(reference), width))
        for j, theme in enumerate(reference):
            for term, weight in theme["terms"].items():
                theirs[j, vocabulary.get(term, extra.get(term))] = weight
        return _cosine(ours, theirs)

    # -- using -----------------------------------------------------------------------------
    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Theme weights per document (documents x themes), not normalised."""
        check_is_fitted(self, "components_")
        matrix = self.vectorizer_.transform([str(d) for d in X])
        if matrix.shape[0] == 0:
            return np.zeros((0, self.n_themes_))
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            W, _, _ = non_negative_factorization(matrix, H=self.components_.astype(matrix.dtype),
                                                 n_components=self.n_themes_, init="custom", update_H=False,
                                                 solver="cd", max_iter=self.max_iter,
                                                 random_state=self.random_state)
        return W

    def assign(self, X: Iterable[str], *, min_share: float = 0.3, max_themes: int = 2) -> list[list[tuple[int, float]]]:
        """Per document, up to ``max_themes`` ``(theme index, share)`` with share >= ``min_share``.

        The share is the theme's part of the document's total theme weight, so a document
        that is mostly about one thing gets one theme, and one about nothing in particular
        (all weights tiny) gets none.
        """
        W = self.transform(X)
        total = W.sum(axis=1)
        # Weights this small mean the document shares next to no vocabulary with the themes.
        floor = 1e-3 * (float(np.median(total[total > 0])) if np.any(total > 0) else 1.0)
        found = []
        for row, weight in zip(W, total):
            if weight <= floor:
                found.append([])
                continue
            shares = row / weight
            best = np.argsort(-shares, kind="stable")[:max_themes]
            found.append([(int(i), round(float(shares[i]), 4)) for i in best if shares[i] >= min_share])
        return found

    # -- persistence -----------------------------------------------------------------------
    def to_state(self) -> dict:
        """What :meth:`from_state` needs: parameters, vocabulary, idf and components."""
        check_is_fitted(self, "components_")
        params = {k: v for k, v in self.get_params().items() if k not in ("reference", "extra_stop_words")}
        params["extra_stop_words"] = sorted(self.extra_stop_words)
        return {"params": params, "terms": [str(t) for t in self.terms_],
                "idf": _to_bytes(self.vectorizer_.idf_), "components": _to_bytes(self.components_),
                "themes": self.themes_, "top_terms": self.top_terms_, "n_documents": self.n_documents_}

    @classmethod
    def from_state(cls, state: dict) -> "ThemeModel":
        """A fitted model rebuilt from :meth:`to_state` output, without refitting."""
        model = cls(**state["params"])
        terms = list(state["terms"])
        vectorizer = model._vectorizer(vocabulary={t: i for i, t in enumerate(terms)})
        vectorizer.fit([terms[0] if terms else "x"])  # builds the analyzer; idf is replaced next
        vectorizer.idf_ = _from_bytes(state["idf"])
        model.vectorizer_ = vectorizer
        model.terms_ = np.asarray(terms, dtype=object)
        model.components_ = _from_bytes(state["components"]).astype(np.float64)
        model.n_themes_ = model.components_.shape[0]
        model.n_documents_ = int(state.get("n_documents", 0))
        model.reconstruction_err_ = 0.0
        model.themes_ = list(state["themes"])
        model.ids_ = [t["id"] for t in model.themes_]
        model.labels_ = [t["label"] for t in model.themes_]
        model.top_terms_ = [list(t) for t in state["top_terms"]]
        return model


def _to_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def _from_bytes(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def dumps_themes(themes: Sequence[dict]) -> str:  # pragma: no cover - convenience for notebooks
    return json.dumps(list(themes), indent=2)
