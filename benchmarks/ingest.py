"""Ingest throughput at scale: parse + store (no extraction), re-ingest, one edited file.

Run ``python benchmarks/ingest.py`` (or ``make bench``); figures go to ``benchmarks/RESULTS.md``.
Each measurement runs in a fresh process so peak memory is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import machine, write_section  # noqa: E402
from scale import CORPORA, build  # noqa: E402

#: Parse-only and first-ingest runs, taken in turns; the fastest of each is the code's speed
#: (decision 0008), the median and range are reported beside it.
RUNS = 7

WORKER = r"""
import json, resource, sys, time
from insights import store as store_module
from insights.pipeline import ingest
if sys.argv[3] == "parse-only":
    from insights.errors import IngestError
    from insights.readers import iter_files, read_file
    started, cpu, size = time.perf_counter(), time.process_time(), 0
    for path in iter_files([sys.argv[2]]):
        data = path.read_bytes()
        size += len(data)
        try:
            read_file(path, data=data)
        except IngestError:
            pass
    print(json.dumps({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "bytes": size,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    sys.exit(0)
if sys.argv[3] == "records-only":
    store_module.INDEXERS.clear()  # parse + store only: extraction and search indexes are measured elsewhere
def written():  # bytes this process handed to write calls (Linux)
    try:
        with open("/proc/self/io") as io:
            return next(int(line.split()[1]) for line in io if line.startswith("wchar"))
    except OSError:
        return 0
with store_module.Store(sys.argv[1]) as store:
    started, cpu, before = time.perf_counter(), time.process_time(), written()
    summary = ingest(store, [sys.argv[2]])
    seconds, cpu, wrote = time.perf_counter() - started, time.process_time() - cpu, written() - before
print(json.dumps({"seconds": seconds, "cpu": cpu, "bytes": summary.bytes_read, "meetings": summary.meetings_added,
                  "files_added": summary.files_added, "files_replaced": summary.files_replaced,
                  "files_skipped": summary.files_skipped, "failed": len(summary.failed),
                  "stubs": len(summary.stubs), "topics": summary.topics_added, "notes": summary.notes_added,
                  "written_mb": wrote / 1e6,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(db: Path, folder: Path, mode: str = "records-only") -> dict:
    out = subprocess.run([sys.executable, "-c", WORKER, str(db), str(folder), mode], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="insights-bench-"))
    started = time.perf_counter()
    built = build(work / "archive", 10_000)
    build_seconds = time.perf_counter() - started
    db = work / "bench.db"
    # This VM's speed varies by half from run to run, in phases that last minutes (parse-only
    # runs of the same code on the same files show it): parse and first ingest are each run RUNS
    # times (fresh database, fresh process), in turns so that both meet the same phases. The
    # fastest run of each is taken as the code's speed, as `timeit` advises: slower runs measure
    # what else the machine was doing. Medians and ranges are reported beside it (decision 0008).
    parses, firsts = [], []
    for _ in range(RUNS):
        parses.append(measure(db, work / "archive", "parse-only"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        firsts.append(measure(db, work / "archive"))
    parses.sort(key=lambda r: r["seconds"])
    firsts.sort(key=lambda r: r["seconds"])
    parse, first = parses[0], firsts[0]
    parse_median, first_median = parses[len(parses) // 2], firsts[len(firsts) // 2]
    again = measure(db, work / "archive")
    edited = next((work / "archive" / "sample").glob("*.txt"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("Paver", "Paver (edited)", 1), encoding="utf-8")
    one = measure(db, work / "archive")
    corpora = []
    for corpus in sorted(p for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.exists() else []:
        corpora.append((corpus.name, measure(work / f"{corpus.name}.db", corpus)))
    mb = first["bytes"] / 1e6

    def row(label: str, run: dict, *, stored: bool) -> str:
        figures = f"| {label} | {run['seconds']:.2f} | {run['cpu']:.2f} | {run['bytes'] / 1e6 / run['seconds']:.1f} | "
        if not stored:
            return figures + f"| {run['peak_mib']:.0f} | | |"
        return figures + (f"{run['meetings'] / run['seconds']:,.0f} | {run['peak_mib']:.0f} | "
                          f"{run['written_mb']:.0f} | {run['files_added']} / {run['files_skipped']} |")

    met = mb / first["seconds"] >= 10
    lines = [
        "## Ingest (parse + store, no extraction)",
        "",
        f"Machine: {machine()}. Script: `benchmarks/ingest.py`.",
        "",
        f"Archive: {built['meetings']:,} meetings in {built['files']:,} files, {mb:.1f} MB "
        f"(the sample repeated with shifted dates, plus the corpora copied), built in {build_seconds:.1f} s.",
        "",
        "| run | seconds | CPU seconds | MB/s | meetings/s | peak memory (MiB) | MB written | files stored / unchanged |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        row(f"parse only (read, decode, sniff, parse; nothing stored), fastest of {RUNS}", parse, stored=False),
        row(f"parse only, median of {RUNS} (runs took {parses[0]['seconds']:.2f} to {parses[-1]['seconds']:.2f} s)",
            parse_median, stored=False),
        row(f"first ingest, fastest of {RUNS}", first, stored=True),
        row(f"first ingest, median of {RUNS} (runs took {firsts[0]['seconds']:.2f} to {firsts[-1]['seconds']:.2f} s)",
            first_median, stored=True),
        f"| re-ingest, nothing changed | {again['seconds']:.2f} | {again['cpu']:.2f} | | | {again['peak_mib']:.0f} | "
        f"{again['written_mb']:.1f} | {again['files_added'] + again['files_replaced']} / {again['files_skipped']} |",
        f"| re-ingest, one file edited | {one['seconds']:.2f} | {one['cpu']:.2f} | | | {one['peak_mib']:.0f} | "
        f"{one['written_mb']:.1f} | {one['files_added'] + one['files_replaced']} / {one['files_skipped']} |",
        "",
        f"Target: parse + store at 10 MB/s or more on one core: {'met' if met else 'not met'} "
        f"({mb / first['seconds']:.1f} MB/s in the fastest first ingest, {mb / first_median['seconds']:.1f} MB/s "
        f"in the median one). The same parse-only work took {parses[0]['seconds']:.2f} to "
        f"{parses[-1]['seconds']:.2f} s over the same minutes: that spread is the machine's, so the fastest run "
        "stands for the code (decision 0008). "
        + ("CPU seconds (the process's own processor time) never exceed the seconds: the work runs on one core. "
           if all(run["cpu"] <= run["seconds"] for run in parses + firsts) else
           "Some runs took more CPU seconds than seconds: the work used more than one core. ") +
        f"Parsing alone runs at {parse['bytes'] / 1e6 / parse['seconds']:.1f} MB/s; writing the records "
        f"takes the other {max(first['seconds'] - parse['seconds'], 0):.1f} s. MB written counts what the process "
        "handed to write calls (database, write-ahead log and any temporary file) for "
        f"{first['bytes'] / 1e6:.1f} MB of notes.",
        "",
        "Whole corpora from `../shared/corpora` (every file, parse + store):",
        "",
        "| corpus | files stored | stubs | failed | meetings | topics | notes | MB | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in corpora:
        lines.append(f"| {name} | {result['files_added']} | {result['stubs']} | {result['failed']} | "
                     f"{result['meetings']:,} | {result['topics']:,} | {result['notes']:,} | "
                     f"{result['bytes'] / 1e6:.1f} | {result['seconds']:.2f} |")
    write_section("ingest", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
