"""Search quality on the sample and latency at 10,000 meetings; writes the ``search`` section of RESULTS.md.

>>> # python benchmarks/search.py            # quality + latency (about a minute)
>>> # python benchmarks/search.py --quality  # only recall and nDCG@10 on the judgments

Quality: ``gold/search_judgments.json`` grades topics of the sample archive for each query
(0-3); recall counts the judged topics and meetings found at any depth, nDCG@10 uses gains
``2**grade - 1``. Latency: the sample repeated with dates moved back week by week until it
holds 10,000 meetings, every judged query (with its filters) run through
``insights.search.search`` on a warm store, next to ``grep -ril`` and ``rg -il`` over the
same raw files for the query's plain words.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from insights.pipeline import ingest  # noqa: E402
from insights.search import search  # noqa: E402
from insights.search.aliases import person_groups  # noqa: E402
from insights.store import Store  # noqa: E402

SAMPLE = ROOT / "data" / "arch-hours-2021.txt"
GOLD = HERE / "gold" / "search_judgments.json"
DATE_LINE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.MULTILINE)
FILTERS = ("since", "until", "person", "intent", "theme")


def load_gold() -> dict:
    return json.loads(GOLD.read_text(encoding="utf-8"))


def people_file(gold: dict, folder: Path) -> Path | None:
    """The judgments' people directory as TOML, used only when the project provides none."""
    with Store(":memory:") as probe:
        if person_groups(probe.conn):
            return None
    path = folder / "people.toml"
    lines = []
    for person in gold.get("people", []):
        aliases = ", ".join(json.dumps(a) for a in person["aliases"])
        lines.append(f'[[person]]\nname = {json.dumps(person["name"])}\naliases = [{aliases}]\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def unit_key(hit) -> str:
    return f"{hit.meeting_date}:{hit.line}"


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    gains = [2 ** relevant.get(key, 0) - 1 for key in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2 ** g - 1 for g in relevant.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 1.0


def evaluate(store: Store, gold: dict) -> list[dict]:
    """Per query: topic recall, meeting recall, nDCG@10, and what was missed."""
    rows = []
    for judged in gold["queries"]:
        filters = {k: judged[k] for k in FILTERS if k in judged}
        hits = search(store, judged["query"], limit=1000, **filters)
        ranked = [unit_key(h) for h in hits]
        relevant = judged["relevant"]
        found = [k for k in relevant if k in ranked]
        meetings = {k.split(":")[0] for k in relevant}
        found_meetings = {k.split(":")[0] for k in ranked} & meetings
        rows.append({
            "query": judged["query"], "filters": filters, "kind": judged.get("kind", ""),
            "recall": len(found) / len(relevant), "meeting_recall": len(found_meetings) / len(meetings),
            "ndcg10": ndcg(ranked, relevant), "hits": len(ranked),
            "missed": sorted(set(relevant) - set(found)),
            "unjudged_top10": [k for k in ranked[:10] if k not in relevant],
        })
    return rows


def build_archive(folder: Path, meetings: int) -> dict:
    """The sample repeated, each copy's dates moved back one more week, until ``meetings``."""
    text = SAMPLE.read_text(encoding="utf-8")
    per_copy = len(DATE_LINE.findall(text))
    copies = math.ceil(meetings / per_copy)
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for k in range(copies):
        def shift(match: re.Match[str], weeks: int = k) -> str:
            return (date(int(match[1]), int(match[2]), int(match[3])) - timedelta(weeks=weeks)).isoformat()

        data = DATE_LINE.sub(shift, text)
        (folder / f"arch-hours-copy-{k:05d}.txt").write_text(data, encoding="utf-8")
        size += len(data.encode("utf-8"))
    return {"files": copies, "meetings": copies * per_copy, "bytes": size}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def literal(query: str) -> str:
    """The plain words a grep user would type for a query."""
    return re.sub(r"[\"*]", "", query).strip()


def time_tool(argv: list[str], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def latency(gold: dict, meetings: int, rounds: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="insights-search-bench-"))
    try:
        archive = build_archive(work / "archive", meetings)
        db = work / "bench.db"
        from insights.store import INDEXERS

        indexer = next(i for i in INDEXERS if i.name == "search")
        spent = [0.0]
        original = indexer.stored

        def timed(conn, file_id, document):
            start = time.perf_counter()
            original(conn, file_id, document)
            spent[0] += time.perf_counter() - start

        indexer.stored = timed
        with Store(db) as store:
            start = time.perf_counter()
            ingest(store, [work / "archive"])
            ingest_s = time.perf_counter() - start
            indexer.stored = original
            counts = store.counts()
            units = store.conn.execute("SELECT count(*) FROM search_units").fetchone()[0]
            queries = [(q["query"], {k: q[k] for k in FILTERS if k in q}) for q in gold["queries"]]
            for text, filters in queries:  # warm: page cache, alias groups, stems
                search(store, text, **filters)
            samples, hits = [], []
            for _ in range(rounds):
                for text, filters in queries:
                    start = time.perf_counter()
                    found = search(store, text, limit=20, **filters)
                    samples.append((time.perf_counter() - start) * 1000)
                    hits.append(len(found))
            timeline_samples = []
            from insights.search import timeline

            for text, filters in queries:
                start = time.perf_counter()
                timeline(store, text, **filters)
                timeline_samples.append((time.perf_counter() - start) * 1000)
        db_bytes = sum(p.stat().st_size for p in work.glob("bench.db*"))
        tools = {}
        plain = [literal(q) for q, _ in queries]
        for name, argv in (("grep -ril", ["grep", "-ril"]), ("rg -il", ["rg", "-il"])):
            if shutil.which(argv[0]) is None:
                tools[name] = None
                continue
            tool_samples = []
            for word in plain:
                tool_samples += time_tool([*argv, "--", word, str(work / "archive")], max(1, rounds // 2))
            tools[name] = tool_samples
        return {"archive": archive, "ingest_s": ingest_s, "index_s": spent[0], "load": os.getloadavg(),
                "indexers": [i.name for i in INDEXERS], "counts": counts, "units": units, "db_bytes": db_bytes,
                "samples": samples, "timeline": timeline_samples, "tools": tools, "queries": len(queries),
                "rounds": rounds}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def machine() -> str:
    try:
        from results import machine as describe

        return describe()
    except Exception:  # pragma: no cover - results.py belongs to the benchmark suite
        return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"


def report(quality: list[dict], timing: dict | None) -> str:
    mean = lambda key: sum(r[key] for r in quality) / len(quality)  # noqa: E731
    out = ["## Search (FTS5)", "",
           f"Machine: {machine()}. Script: `benchmarks/search.py`.", "",
           f"### Quality on the sample ({len(quality)} judged queries, `benchmarks/gold/search_judgments.json`)", "",
           f"Mean topic recall **{mean('recall'):.3f}**, mean meeting recall **{mean('meeting_recall'):.3f}**, "
           f"mean nDCG@10 **{mean('ndcg10'):.3f}** (min {min(r['ndcg10'] for r in quality):.3f}).", "",
           "| query | filters | kind | hits | recall | meeting recall | nDCG@10 |",
           "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for r in quality:
        filters = ", ".join(f"--{k} {v}" for k, v in r["filters"].items())
        query = r["query"].replace("|", "\\|")
        out.append(f"| `{query}` | {filters} | {r['kind']} | {r['hits']} | {r['recall']:.2f} | "
                   f"{r['meeting_recall']:.2f} | {r['ndcg10']:.3f} |")
    if timing:
        a = timing["archive"]
        p50, p95 = percentiles(timing["samples"])
        t50, t95 = percentiles(timing["timeline"])
        out += ["", f"### Latency at {a['meetings']:,} meetings", "",
                f"Archive: the sample repeated in {a['files']:,} files ({a['bytes'] / 1e6:.1f} MB), "
                f"{timing['counts']['topics']:,} topics, {timing['counts']['notes']:,} notes; "
                f"ingest {timing['ingest_s']:.1f} s (indexers: {', '.join(timing['indexers'])}), of which the "
                f"search index {timing['index_s']:.1f} s; database {timing['db_bytes'] / 1e6:.0f} MB. "
                f"{timing['queries']} queries (the judged ones, filters included) x {timing['rounds']} rounds, "
                "warm store, limit 20, wall time per call including snippets. Load average while measuring: "
                + ", ".join(f"{x:.1f}" for x in timing["load"]) + " (other work shared the 2 cores).", "",
                "| what | calls | p50 ms | p95 ms | ranks | filters | aliases and inflections |",
                "| --- | ---: | ---: | ---: | --- | --- | --- |",
                f"| `insights.search.search` | {len(timing['samples'])} | {p50:.1f} | {p95:.1f} | yes | yes | yes |",
                f"| `insights.search.timeline` | {len(timing['timeline'])} | {t50:.1f} | {t95:.1f} | - | yes | yes |"]
        for name, samples in timing["tools"].items():
            if samples is None:
                out.append(f"| `{name}` | - | - | - | not installed on this machine | | |")
            else:
                s50, s95 = percentiles(samples)
                out.append(f"| `{name}` (raw files, new process) | {len(samples)} | {s50:.1f} | {s95:.1f} | no | no | no |")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="only recall and nDCG on the judgments")
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--no-write", action="store_true", help="print instead of writing RESULTS.md")
    args = parser.parse_args()
    gold = load_gold()
    with tempfile.TemporaryDirectory() as tmp:
        people = people_file(gold, Path(tmp))
        if people:
            os.environ["INSIGHTS_PEOPLE"] = str(people)
        with Store(Path(tmp) / "sample.db") as store:
            ingest(store, [SAMPLE])
            quality = evaluate(store, gold)
        timing = None if args.quality else latency(gold, args.meetings, args.rounds)
    text = report(quality, timing)
    if people:
        text += ("\nPerson aliases came from the judgments' `people` list: the project held no person "
                 "directory or extraction tables when this ran.\n")
    for r in quality:
        if r["missed"]:
            print(f"MISSED {r['query']!r}: {r['missed']}", file=sys.stderr)
    print(text)
    if not args.no_write:
        from results import write_section

        write_section("search", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
