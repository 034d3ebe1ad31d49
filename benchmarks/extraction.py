"""Extraction quality on labelled sets, and ingest throughput with extraction at scale.

>>> # python benchmarks/extraction.py            # everything; writes its RESULTS.md section
>>> # python benchmarks/extraction.py --quality  # labelled sets only (about a minute)

Labelled sets (``benchmarks/gold/``):

* ``extraction-sample.json``: the sample archive labelled by hand (topics' intents and
  proposers, people and their written forms, action items with owners, decisions);
* ``snet-actions.json``: every ``[action] ... [assignee] ... [due] ... [status]`` item of
  the snet-archive corpus, read from the raw files by :func:`snet_gold` (rebuilt with
  ``--rebuild-gold``), so the labels come from the authors' own tags;
* ``aswf-sample.json``: action items of a sample of aswf-tac files labelled by hand.

Throughput: an archive of about 10,000 meetings built by ``scale.py`` (the sample repeated
with shifted dates plus the Markdown corpora) is ingested into a fresh database in a child
process, with and without the extraction indexer; words are whitespace-separated tokens
of the files read; peak memory is the child's maximum resident set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from results import machine, write_section  # noqa: E402

GOLD = HERE / "gold"
SAMPLE = ROOT / "data" / "arch-hours-2021.txt"
CORPORA = ROOT.parent / "shared" / "corpora"


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (1.0 for an empty side that should be empty)."""
    precision = tp / predicted if predicted else 1.0
    recall = tp / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _settings(people_file: str | None):
    from insights import settings

    settings.use(settings.Settings(people_file=people_file or "", base=ROOT))


def _fresh_store(paths: list[Path]):
    from insights import Store, ingest
    from insights.extract import refresh_people

    store = Store(":memory:")
    ingest(store, paths)
    refresh_people(store, force=True)
    return store


# -- the sample ---------------------------------------------------------------------------
def sample_quality(people_file: str | None) -> dict:
    """Per-kind scores on the hand-labelled sample, with or without the people file."""
    from insights.extract import people as list_people

    _settings(people_file)
    gold = json.loads((GOLD / "extraction-sample.json").read_text(encoding="utf-8"))
    store = _fresh_store([SAMPLE])
    conn = store.conn
    written = {row[0] for row in conn.execute("SELECT surface FROM mentions")}
    persons = list_people(store)
    gold_people = gold["people"]

    def to_gold(name: str | None) -> str | None:
        """The gold person a predicted canonical name stands for (by shared written forms)."""
        if not name:
            return None
        person = next((p for p in persons if p.name == name), None)
        forms = {name, *(person.aliases if person else ())} & written or {name}
        best, overlap = None, 0
        for entry in gold_people:
            shared = len(forms & set(entry["surfaces"]))
            if shared > overlap:
                best, overlap = entry["name"], shared
        return best or name

    result: dict = {}
    # intents and proposers, topic by topic
    topics = {row["line"]: row["id"] for row in conn.execute("SELECT id, line FROM topics")}
    from insights.export import export_archive

    exported = {t["line"]: t for m in export_archive(store)["meetings"] for t in m["topics"]}
    for kind in ("intents", "proposers"):
        tp = predicted = total = exact = 0
        for entry in gold["topics"]:
            want = entry[kind]
            got = exported[entry["line"]][kind] if entry["line"] in exported else []
            if kind == "proposers":
                got = [to_gold(n) for n in got]
            tp += len(set(want) & set(got))
            predicted += len(got)
            total += len(want)
            exact += want == got
        result[kind] = (*prf(tp, predicted, total), exact / len(gold["topics"]))
    assert len(topics) == len(gold["topics"]), "topics found differ from the labelled topics"
    # people: a predicted person is right when its written forms are exactly a gold person's
    for kind in ("person", "team"):
        golden = [frozenset(p["surfaces"]) for p in gold_people if p["kind"] == kind]
        predicted_sets = []
        for person in persons:
            if person.kind != kind:
                continue
            forms = frozenset({person.name, *person.aliases} & written)
            if forms:
                predicted_sets.append(forms)
        tp = sum(1 for forms in predicted_sets if forms in golden)
        result["people" if kind == "person" else "teams"] = prf(tp, len(predicted_sets), len(golden))
    # other kinds
    for kind, values in gold["other_kinds"].items():
        found = {row[0] for row in conn.execute("SELECT DISTINCT surface FROM mentions WHERE kind = ?", (kind,))}
        result[kind] = prf(len(found & set(values)), len(found), len(values))
    # action items: by line; owners through the same mapping
    items = {row["line"]: row for row in conn.execute("SELECT line, owner, owner_text, rule FROM action_items")}
    wanted = {a["line"]: a for a in gold["action_items"]}
    tp = sum(1 for line in items if line in wanted)
    result["action_items"] = prf(tp, len(items), len(wanted))
    explicit = [a for a in gold["action_items"] if a["explicit"]]
    found_explicit = [a for a in explicit if a["line"] in items]
    owners_right = sum(1 for a in gold["action_items"] if a["line"] in items
                       and to_gold(items[a["line"]]["owner"]) == a["owner"])
    explicit_owners = sum(1 for a in found_explicit if to_gold(items[a["line"]]["owner"]) == a["owner"])
    result["explicit_recall"] = len(found_explicit) / len(explicit)
    result["explicit_owner_accuracy"] = explicit_owners / len(explicit)
    result["owner_accuracy"] = owners_right / max(1, tp)
    decisions = {row[0] for row in conn.execute("SELECT line FROM findings WHERE kind = 'decision'")}
    golden_decisions = {d["line"] for d in gold["decisions"]}
    result["decisions"] = prf(len(decisions & golden_decisions), len(decisions), len(golden_decisions))
    result["misses"] = sorted(set(wanted) - set(items))
    result["extra"] = sorted(set(items) - set(wanted))
    store.close()
    return result


# -- snet-archive tagged actions -----------------------------------------------------------
_GOLD_ACTION = re.compile(r"\[action(?: item)?\]", re.IGNORECASE)
_GOLD_FIELD = re.compile(r"\[(assignee|due|status)\]", re.IGNORECASE)


def snet_gold(root: Path) -> list[dict]:
    """Every tagged action of the corpus straight from the raw lines (independent of the reader)."""
    from insights.readers.dates import find_date

    found = []
    for path in sorted(root.rglob("*.md")):
        if path.name in ("SOURCE.md", "LICENSE.md"):
            continue
        for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            line = raw.replace("\\[", "[").replace("\\]", "]").replace("**", "").replace("\\*", "")
            starts = [m.end() for m in _GOLD_ACTION.finditer(line)]
            for index, start in enumerate(starts):
                end = line.rfind("[", 0, starts[index + 1]) if index + 1 < len(starts) else len(line)
                chunk = line[start:end]
                fields = {"assignee": None, "due": None, "status": None}
                pieces = _GOLD_FIELD.split(chunk)
                text = pieces[0]
                for name, value in zip(pieces[1::2], pieces[2::2]):
                    fields[name.lower()] = " ".join(value.replace("&#x20;", " ").split()).strip(" \\") or None
                due = find_date(fields["due"]) if fields["due"] else None
                status = (fields["status"] or "").lower().replace("-", " ").strip(" .")
                status = {"todo": "open", "to do": "open", "done": "done", "in progress": "in progress",
                          "cancelled": "dropped", "canceled": "dropped"}.get(status, "open" if not status else status)
                text = " ".join(text.replace("&#x20;", " ").replace("&#xNAN;", "").split()).strip(" -:\\")
                if text:
                    found.append({"file": path.relative_to(root).as_posix(), "line": number, "text": text,
                                  "assignee": fields["assignee"], "due": due.isoformat() if due else None,
                                  "status": status})
    return found


def snet_quality(rebuild: bool = False) -> dict:
    root = CORPORA / "snet-archive"
    gold_path = GOLD / "snet-actions.json"
    if rebuild or not gold_path.exists():
        gold_path.write_text(json.dumps(snet_gold(root), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    _settings(None)
    # read and extract file by file, so the figures measure extraction whatever the store does
    from insights.errors import IngestError
    from insights.extract import extract_document
    from insights.readers import iter_files, read_file

    predicted: dict[tuple, list] = {}
    for path in iter_files([root]):
        try:
            document = read_file(path)
        except IngestError:
            continue
        for item in extract_document(document).actions:
            if item.rule == "tagged":
                key = (path.relative_to(root).as_posix(), item.line)
                predicted.setdefault(key, []).append(
                    (None, item.line, item.text, item.owner_text, item.due.isoformat() if item.due else None,
                     item.status, item.rule))
    wanted: dict[tuple, list] = {}
    for entry in gold:
        wanted.setdefault((entry["file"], entry["line"]), []).append(entry)
    tp = fields_right = assignee_right = due_right = status_right = tagged_assignees = inferred = 0
    for key, entries in wanted.items():
        got = predicted.get(key, [])
        for entry, row in zip(entries, got):
            tp += 1
            norm = lambda s: " ".join((s or "").split()).strip(" ,.") or None  # noqa: E731
            # the [assignee] field is compared where the authors wrote one; elsewhere the owner
            # may be read from the text ("Vani to meet ..."), which the tags cannot check
            if entry["assignee"]:
                tagged_assignees += 1
                a = norm(row[3]) == norm(entry["assignee"])
            else:
                a = True
                inferred += row[3] is not None
            d = row[4] == entry["due"]
            s = row[5] == entry["status"]
            assignee_right += a
            due_right += d
            status_right += s
            fields_right += a and d and s
    total_predicted = sum(len(v) for v in predicted.values())
    precision, recall, f1 = prf(tp, total_predicted, len(gold))
    return {"gold": len(gold), "predicted": total_predicted, "precision": precision, "recall": recall, "f1": f1,
            "assignee": (assignee_right - (tp - tagged_assignees)) / max(1, tagged_assignees),
            "with_assignee": tagged_assignees, "owner_inferred": inferred, "due": due_right / max(1, tp),
            "status": status_right / max(1, tp), "all_fields": fields_right / max(1, tp)}


def aswf_quality() -> dict:
    root = CORPORA / "aswf-tac"
    gold = json.loads((GOLD / "aswf-sample.json").read_text(encoding="utf-8"))
    _settings(None)
    store = _fresh_store([root / name for name in gold["files"]])
    rows = store.conn.execute("SELECT f.path, a.line, a.owner_text, a.rule FROM action_items a "
                              "JOIN files f ON f.id = a.file_id").fetchall()
    store.close()
    from insights.extract.people import split_names

    predicted = {(Path(r[0]).name, r[1]): r for r in rows}
    wanted = {(a["file"], a["line"]): a for a in gold["action_items"]}
    tp = sum(1 for key in predicted if key in wanted)
    owners = sum(1 for key, a in wanted.items() if key in predicted
                 and sorted(n.lower() for n in split_names(predicted[key][2] or "")) == sorted(
                     n.lower() for n in a["owner"]))
    explicit = [k for k, a in wanted.items() if a["explicit"]]
    return {"precision_recall_f1": prf(tp, len(predicted), len(wanted)),
            "explicit_recall": sum(1 for k in explicit if k in predicted) / len(explicit),
            "owner_accuracy": owners / max(1, tp), "gold": len(wanted), "predicted": len(predicted),
            "misses": sorted(set(wanted) - set(predicted)), "extra": sorted(set(predicted) - set(wanted))}


# -- throughput ---------------------------------------------------------------------------
_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from insights import store as store_module, settings
from insights.pipeline import ingest
import insights.extract as extract
folder, db, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
settings.use(settings.Settings(people_file=""))
if mode == "plain":
    store_module.INDEXERS[:] = [i for i in store_module.INDEXERS if i.name != "extract"]
else:
    store_module.INDEXERS[:] = [i for i in store_module.INDEXERS if i.name == "extract"]
store = store_module.Store(db)
start = time.perf_counter()
summary = ingest(store, [folder])
if mode != "plain":
    extract.refresh_people(store)
seconds = time.perf_counter() - start
nlp = [0, 0]
counts = {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
          for t in ("meetings", "action_items", "mentions", "findings", "persons")}
print(json.dumps({"seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "meetings": summary.meetings_added, "bytes": summary.bytes_read, "counts": counts,
                  "failed": len(summary.failed)}))
"""


def throughput(meetings: int = 10_000) -> dict:
    from scale import build

    from insights.readers import iter_files

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "archive"
        built = build(folder, meetings)
        words = sum(len(p.read_bytes().split()) for p in iter_files([folder]))
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        for mode in ("plain", "extract"):
            db = Path(tmp) / f"{mode}.db"
            done = subprocess.run([sys.executable, "-c", _CHILD, str(folder), str(db), mode], capture_output=True,
                                  text=True, env=env, cwd=ROOT)
            if done.returncode:
                raise SystemExit(done.stderr)
            results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        # the share of words that the fast rules pass on to spaCy
        from insights.extract.document import extract_document
        from insights.readers import read_file

        sent = seen = 0
        for path in list(iter_files([folder]))[::10]:
            try:
                document = read_file(path)
            except Exception:
                continue
            found = extract_document(document)
            sent += found.nlp_words
            seen += sum(len(n.text.split()) for n in _notes(document))
        results["spacy_share"] = sent / max(1, seen)
    results["words"] = words
    results["built"] = built
    return results


def _notes(document):
    yield from document.preamble
    for meeting in document.meetings:
        yield from meeting.notes
        for topic in meeting.topics:
            yield from topic.notes


# -- report -------------------------------------------------------------------------------
def _row(name: str, scores) -> str:
    p, r, f = scores[:3]
    return f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} |"


def main() -> None:
    args = set(sys.argv[1:])
    quality_only = "--quality" in args
    with_file = sample_quality("data/people.toml")
    without = sample_quality(None)
    snet = snet_quality(rebuild="--rebuild-gold" in args)
    aswf = aswf_quality()
    lines = ["## Extraction (intents, people, action items, decisions)", "",
             f"Machine: {machine()}. Script: `benchmarks/extraction.py`. Labelled sets in `benchmarks/gold/`.", "",
             "### Sample archive (hand-labelled: 26 topics, 22 persons, 3 teams, 11 action items)", "",
             "| kind | precision | recall | F1 | with `data/people.toml`: P / R / F1 |", "| --- | ---: | ---: | ---: | --- |"]
    for kind in ("intents", "proposers", "people", "teams", "channel", "ticket", "action_items", "decisions"):
        a, b = without[kind], with_file[kind]
        lines.append(f"{_row(kind, a)[:-1]}| {b[0]:.3f} / {b[1]:.3f} / {b[2]:.3f} |")
    lines += ["",
              f"Topics with exactly the labelled intents: {without['intents'][3]:.0%}; with exactly the labelled "
              f"proposers: {without['proposers'][3]:.0%} without the people file, "
              f"{with_file['proposers'][3]:.0%} with it.",
              f"Explicit action items (sections): recall {without['explicit_recall']:.0%}, owner right "
              f"{without['explicit_owner_accuracy']:.0%}; owners right on all found items "
              f"{without['owner_accuracy']:.0%} (with the people file {with_file['owner_accuracy']:.0%}).",
              "",
              "### snet-archive tagged actions (gold from the authors' `[action]` tags)", "",
              f"{snet['gold']:,} tagged items ({snet['with_assignee']:,} with an `[assignee]`); {snet['predicted']:,} "
              f"extracted by the tagged rule. Assignee exactness is measured where an `[assignee]` was written; "
              f"for {snet['owner_inferred']:,} items without one the owner was read from the text "
              "(`Vani to meet ...`).", "",
              "| precision | recall | F1 | assignee exact | due exact | status exact | all three |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
              f"| {snet['precision']:.3f} | {snet['recall']:.3f} | {snet['f1']:.3f} | {snet['assignee']:.1%} | "
              f"{snet['due']:.1%} | {snet['status']:.1%} | {snet['all_fields']:.1%} |", "",
              "### aswf-tac sample (hand-labelled action items in 7 files)", "",
              "| precision | recall | F1 | explicit recall | owners right |", "| ---: | ---: | ---: | ---: | ---: |",
              f"| {aswf['precision_recall_f1'][0]:.3f} | {aswf['precision_recall_f1'][1]:.3f} | "
              f"{aswf['precision_recall_f1'][2]:.3f} | {aswf['explicit_recall']:.0%} | {aswf['owner_accuracy']:.0%} |"]
    print(json.dumps({"sample": without, "sample_with_people_file": with_file, "snet": snet, "aswf": aswf},
                     indent=1, default=str))
    if not quality_only:
        run = throughput()
        words = run["words"]
        plain, full = run["plain"], run["extract"]
        lines += ["", "### Throughput at scale", "",
                  f"Archive: {run['built']['meetings']:,} meetings in {run['built']['files']:,} files, "
                  f"{run['built']['bytes'] / 1e6:.1f} MB, {words:,} words (`scale.py`: the sample repeated with "
                  "shifted dates plus the Markdown corpora). Fresh database, one process.", "",
                  "| run | seconds | words/s | peak memory (MiB) |", "| --- | ---: | ---: | ---: |",
                  f"| ingest without extraction | {plain['seconds']:.1f} | {words / plain['seconds']:,.0f} | "
                  f"{plain['peak_mib']:.0f} |",
                  f"| ingest with extraction (people rebuilt at the end) | {full['seconds']:.1f} | "
                  f"{words / full['seconds']:,.0f} | {full['peak_mib']:.0f} |", "",
                  f"Share of note words sent to spaCy after the fast rules: {run['spacy_share']:.1%}. "
                  f"Rows written: {full['counts']}. Files the store refused (an ingest error, not extraction; "
                  f"their words are still counted): {full['failed']}."]
        print(json.dumps(run, indent=1))
    if quality_only:
        print("\n".join(lines))
        return
    write_section("extraction", "\n".join(lines))


if __name__ == "__main__":
    main()
