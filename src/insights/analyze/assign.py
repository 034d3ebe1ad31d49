"""Themes per topic, kept in the store: taxonomy matches plus discovered themes.

>>> from insights.store import Store
>>> topic_themes(Store(":memory:")).columns.tolist()
['topic_id', 'theme', 'theme_id', 'source', 'score']

:func:`update_themes` brings the assignments up to date and is cheap when nothing changed:
a topic is looked at again only when its text changed, the taxonomy changed (taxonomy
matches) or it has never been assigned a discovered theme. A discovered theme assignment
is never redone for an unchanged topic, even after a refit, so months already reported
keep their themes; a refit (automatic once the archive has doubled since the last fit, or
asked for) only names new themes, and matching components keep their old ids and labels.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd

from ..store import TOPIC_NOTES, Store
from .discover import ThemeModel
from .taxonomy import Taxonomy, load_taxonomy, slugify

__all__ = ["topic_documents", "update_themes", "topic_themes", "theme_catalog", "ThemeUpdate", "fitted_model"]

#: A refit happens when the archive has grown by this factor since the last fit.
REFIT_GROWTH = 2.0
#: ... and by at least this many topics (a 3-topic archive growing to 6 is not news).
REFIT_MIN_NEW = 50

_SPEAKER = re.compile(r"^\s*(?:\[([^\]]{2,30})\]|([A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+)?)\s*:)")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def topic_documents(store: Store, *, text: bool = True, month: str | None = None) -> pd.DataFrame:
    """One row per topic, oldest first: meeting, month, provenance, and ``text`` (title and notes).

    >>> topic_documents(Store(":memory:")).columns.tolist()[:4]
    ['topic_id', 'meeting_id', 'date', 'month']

    ``text=False`` leaves the text out (and is much faster on a large archive); ``month``
    keeps the topics of one month only.
    """
    conn = store.conn
    where, params = _month_where(month)
    topics = conn.execute(
        f"""SELECT t.id, t.meeting_id, m.date, t.title, t.tag, t.proposer_text, t.votes, m.source, t.line,
                  (SELECT count(*) FROM notes n WHERE {TOPIC_NOTES})
           FROM topics t JOIN meetings m ON m.id = t.meeting_id {where}
           ORDER BY m.date, m.source, m.line, t.ordinal""", params).fetchall()
    columns = ["topic_id", "meeting_id", "date", "month", "title", "tag", "proposer_text", "votes",
               "source", "line", "notes"]
    rows = [(t[0], t[1], t[2], t[2][:7], *t[3:]) for t in topics]
    frame = pd.DataFrame(rows, columns=columns)
    if text:
        notes: dict[str, list[str]] = {}
        if month:
            rows = conn.execute(f"SELECT n.topic_id, n.text FROM meetings m JOIN topics t ON t.meeting_id = m.id "
                                f"JOIN notes n ON {TOPIC_NOTES} WHERE m.date BETWEEN ? AND ? "
                                "ORDER BY n.id", params)
        else:
            # Note ids follow source order within a file (migration 0007), so no sort is needed.
            rows = conn.execute("SELECT topic_id, text FROM notes WHERE topic_id IS NOT NULL ORDER BY id")
        for topic_id, note in rows:
            notes.setdefault(topic_id, []).append(note)
        frame["text"] = ["\n".join([title, *notes.get(tid, ())]) for tid, title in zip(frame["topic_id"], frame["title"])]
    return frame


def _month_where(month: str | None) -> tuple[str, list]:
    """A filter on ``m.date`` for one month that can use the date index."""
    return ("WHERE m.date BETWEEN ? AND ?", [f"{month}-00", f"{month}-99"]) if month else ("", [])


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _names(docs: pd.DataFrame) -> set[str]:
    """Words of people's names (proposers, speakers like ``Jeremy:`` or ``[djoy]``).

    Names are distinctive but are not themes: left in, they would label themes.
    """
    names: set[str] = set()
    for text in docs["proposer_text"].dropna():
        names.update(w for w in re.split(r"[\s,;/&+]+", text) if w)
    texts = docs["text"].tolist()
    # Speakers are the same few people throughout: an even sample of topics finds them.
    for text in texts[:: max(1, len(texts) // 3000)]:
        for line in text.splitlines():
            found = _SPEAKER.match(line)
            if found:
                names.update((found.group(1) or found.group(2)).split())
    return {n.strip("()[]").casefold() for n in names if len(n.strip("()[]")) > 1}


@dataclass
class ThemeUpdate:
    """What :func:`update_themes` did."""

    topics: int = 0
    taxonomy_matched: int = 0
    discovered_assigned: int = 0
    fitted: bool = False
    model_id: int | None = None


def _is_current(conn, fingerprint: str) -> bool:
    """True when nothing was ingested since the last update and the taxonomy is the same.

    Checked without reading any note, so a report of an unchanged archive starts at once.
    """
    meta = dict(conn.execute("SELECT key, value FROM theme_meta").fetchall())
    if meta.get("taxonomy") != fingerprint or "updated_at" not in meta:
        return False
    newest = conn.execute("SELECT max(ingested_at) FROM files").fetchone()[0]
    # ingested_at has whole seconds: a file stored in the same second counts as newer.
    if newest is not None and newest >= meta["updated_at"]:
        return False
    missing = conn.execute("SELECT count(*) FROM topics t LEFT JOIN topic_theme_state s ON s.topic_id = t.id "
                           "WHERE s.topic_id IS NULL").fetchone()[0]
    gone = conn.execute("SELECT count(*) FROM topic_theme_state s LEFT JOIN topics t ON t.id = s.topic_id "
                        "WHERE t.id IS NULL").fetchone()[0]
    return missing == 0 and gone == 0


def _load_model(store: Store, model_id: int) -> ThemeModel:
    row = store.conn.execute("SELECT * FROM theme_models WHERE id = ?", (model_id,)).fetchone()
    themes = [{"id": r["id"], "label": r["label"], "terms": json.loads(r["terms"])}
              for r in store.conn.execute("SELECT * FROM themes WHERE model_id = ? ORDER BY component",
                                          (model_id,))]
    state = {"params": json.loads(row["params"]), "terms": json.loads(row["terms"]), "idf": row["idf"],
             "components": row["components"], "themes": themes, "top_terms": json.loads(row["top_terms"]),
             "n_documents": row["n_documents"]}
    return ThemeModel.from_state(state)


def fitted_model(store: Store) -> ThemeModel | None:
    """The latest stored discovery model, or None before the first :func:`update_themes`."""
    row = store.conn.execute("SELECT max(id) FROM theme_models").fetchone()
    return _load_model(store, row[0]) if row and row[0] else None


def _save_model(conn, model: ThemeModel) -> int:
    state = model.to_state()
    model_id = conn.execute(
        "INSERT INTO theme_models (fitted_at, n_documents, params, terms, top_terms, idf, components) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (_now(), model.n_documents_, json.dumps(state["params"]), json.dumps(state["terms"]),
         json.dumps(state["top_terms"]), state["idf"], state["components"])).lastrowid
    conn.execute("UPDATE themes SET model_id = NULL, component = NULL WHERE source = 'discovered'")
    for component, theme in enumerate(model.themes_):
        conn.execute(
            "INSERT INTO themes (id, source, label, slug, terms, model_id, component, created_at) "
            "VALUES (?, 'discovered', ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "terms = excluded.terms, model_id = excluded.model_id, component = excluded.component",
            (theme["id"], theme["label"], slugify(theme["label"]), json.dumps(theme["terms"]), model_id,
             component, _now()))
    return model_id


def update_themes(store: Store, *, taxonomy: Taxonomy | None = None, refit: bool | None = None,
                  n_themes: int | None = None, max_docs: int = 2000) -> ThemeUpdate:
    """Bring stored theme assignments up to date with the archive and the taxonomy.

    ``refit=None`` refits when the archive has doubled since the last fit; ``True`` always
    refits, ``False`` never does (the first fit still happens).
    """
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    conn = store.conn
    fingerprint = taxonomy.fingerprint
    if not refit and _is_current(conn, fingerprint):
        return ThemeUpdate(topics=conn.execute("SELECT count(*) FROM topics").fetchone()[0])
    started = _now()
    docs = topic_documents(store)
    result = ThemeUpdate(topics=len(docs))
    state = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
        "SELECT topic_id, text_hash, taxonomy, model_id FROM topic_theme_state")}
    topic_ids, texts = docs["topic_id"].tolist(), docs["text"].tolist()
    hashes = [_hash(t) for t in texts]
    latest = conn.execute("SELECT id, n_documents FROM theme_models ORDER BY id DESC LIMIT 1").fetchone()

    changed = [i for i, (tid, h) in enumerate(zip(topic_ids, hashes)) if tid not in state or state[tid][0] != h]
    changed_ids = {topic_ids[i] for i in changed}
    needs_taxonomy = [i for i, tid in enumerate(topic_ids) if tid in changed_ids or state[tid][1] != fingerprint]
    needs_discovery = [i for i, tid in enumerate(topic_ids) if tid in changed_ids or state[tid][2] is None]

    model = None
    model_id = latest[0] if latest else None
    grown = latest is not None and len(docs) >= REFIT_GROWTH * latest[1] and len(docs) - latest[1] >= REFIT_MIN_NEW
    do_fit = len(docs) > 0 and (latest is None or refit is True or (refit is None and grown))
    if do_fit:
        reference = [{"id": r[0], "label": r[1], "terms": json.loads(r[2])} for r in conn.execute(
            "SELECT id, label, terms FROM themes WHERE source = 'discovered' ORDER BY id")]
        model = ThemeModel(n_themes=n_themes, max_docs=max_docs, reference=reference or None,
                           extra_stop_words=sorted(_names(docs))).fit(texts)
        result.fitted = True
    elif model_id is not None and needs_discovery:
        model = _load_model(store, model_id)

    found = []
    if model and needs_discovery:
        # Copies of one text (a page pasted twice) are assigned once.
        pending = [texts[i] for i in needs_discovery]
        unique = list(dict.fromkeys(pending))
        by_text = dict(zip(unique, model.assign(unique)))
        found = [by_text[t] for t in pending]
    distinct = list(dict.fromkeys(texts[i] for i in needs_taxonomy))
    matched = dict(zip(distinct, taxonomy.match_all(distinct)))
    matches = [(i, matched[texts[i]]) for i in needs_taxonomy]

    with store.transaction() as tx:
        if do_fit:
            model_id = _save_model(tx, model)
        for theme in taxonomy.themes:
            tx.execute("INSERT INTO themes (id, source, label, slug, created_at) VALUES (?, 'taxonomy', ?, ?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET label = excluded.label",
                       (f"taxonomy:{theme.slug}", theme.name, theme.slug, _now()))
        ids = topic_ids
        tx.executemany("DELETE FROM topic_themes WHERE topic_id = ? AND source = 'taxonomy'",
                       [(ids[i],) for i in needs_taxonomy])
        tx.executemany("DELETE FROM topic_themes WHERE topic_id = ? AND source = 'discovered'",
                       [(ids[i],) for i in needs_discovery] if model else [])
        tx.executemany(
            "INSERT INTO topic_themes (topic_id, theme_id, source, score) VALUES (?, ?, 'taxonomy', 1.0)",
            [(ids[i], f"taxonomy:{t.slug}") for i, themes in matches for t in themes])
        if model:
            tx.executemany(
                "INSERT INTO topic_themes (topic_id, theme_id, source, score) VALUES (?, ?, 'discovered', ?)",
                [(ids[i], model.ids_[k], score) for i, pairs in zip(needs_discovery, found)
                 for k, score in pairs])
        discovered_now = set(needs_discovery) if model else set()
        touched = sorted(set(needs_taxonomy) | discovered_now)
        rows = []
        for i in touched:
            tid = ids[i]
            old = state.get(tid, (None, None, None))
            keep_model = old[2] if tid not in changed_ids else None
            rows.append((tid, hashes[i], fingerprint,
                         model_id if i in discovered_now else keep_model))
        tx.executemany(
            "INSERT INTO topic_theme_state (topic_id, text_hash, taxonomy, model_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(topic_id) DO UPDATE SET text_hash = excluded.text_hash, taxonomy = excluded.taxonomy, "
            "model_id = excluded.model_id", rows)
        # Rows of topics no longer in the archive (a file removed or a topic renamed).
        tx.execute("DELETE FROM topic_themes WHERE topic_id NOT IN (SELECT id FROM topics)")
        tx.execute("DELETE FROM topic_theme_state WHERE topic_id NOT IN (SELECT id FROM topics)")
        tx.execute("INSERT INTO theme_meta (key, value) VALUES ('updated_at', ?), ('taxonomy', ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (started, fingerprint))
    result.taxonomy_matched = len(needs_taxonomy)
    result.discovered_assigned = len(needs_discovery) if model else 0
    result.model_id = model_id
    return result


def theme_catalog(store: Store, *, taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """Every theme: ``theme`` (display name), ``theme_id``, ``slug``, ``source``, ``terms``, ``merged_into``.

    A discovered theme whose leading term is a taxonomy theme (``paver / tasks`` when the
    taxonomy has paver) is merged into it: the user's name wins, and the theme is not
    listed twice.
    """
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    rows = []
    names = {t.name for t in taxonomy.themes}
    for theme in taxonomy.themes:
        rows.append((theme.name, f"taxonomy:{theme.slug}", theme.slug, "taxonomy", list(theme.aliases), None))
    taken = {t.slug for t in taxonomy.themes}
    for r in store.conn.execute("SELECT id, label, slug, terms FROM themes WHERE source = 'discovered' ORDER BY id"):
        terms = list(json.loads(r["terms"]))
        lead = r["label"].split(" / ")[0]
        merged = next((t.name for t in taxonomy.themes if t.regex.fullmatch(lead)), None)
        slug = r["slug"] if r["slug"] not in taken else f"{r['slug']}-{r['id']}"
        taken.add(slug)
        label = r["label"] if r["label"] not in names else f"{r['label']} ({r['id']})"
        rows.append((label, r["id"], slug, "discovered", terms[:10], merged))
    return pd.DataFrame(rows, columns=["theme", "theme_id", "slug", "source", "terms", "merged_into"])


def topic_themes(store: Store, *, taxonomy: Taxonomy | None = None, update: bool = True,
                 month: str | None = None) -> pd.DataFrame:
    """``topic_id, theme, theme_id, source (taxonomy|discovered), score``: one row per topic and theme.

    ``month`` keeps the topics of one month (YYYY-MM) only.

    Taxonomy matches have score 1; a discovered theme's score is its share of the topic's
    theme weight. Discovered themes merged into a taxonomy theme are left out.
    """
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    if update:
        update_themes(store, taxonomy=taxonomy)
    catalog = theme_catalog(store, taxonomy=taxonomy)
    shown = catalog[catalog["merged_into"].isna()]
    where, params = _month_where(month)
    rows = pd.DataFrame(store.conn.execute(
        "SELECT tt.topic_id, tt.theme_id, tt.source, tt.score FROM topic_themes tt "
        f"JOIN topics t ON t.id = tt.topic_id JOIN meetings m ON m.id = t.meeting_id {where} "
        "ORDER BY tt.topic_id, tt.source DESC, tt.score DESC, tt.theme_id", params
    ).fetchall(), columns=["topic_id", "theme_id", "source", "score"])
    merged = rows.merge(shown[["theme_id", "theme"]], on="theme_id", how="inner")
    return merged[["topic_id", "theme", "theme_id", "source", "score"]].reset_index(drop=True)
