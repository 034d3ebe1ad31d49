"""Build a large archive for benchmarks from the sample and the real corpora.

>>> # python benchmarks/scale.py /tmp/scaled 10000
>>> # -> /tmp/scaled/ holding about 10,000 meetings

The sample page is repeated with its dates moved back week by week, so the archive spans
years and months like a real one; the Markdown corpora in ``../shared/corpora`` are copied
whole, as many times as needed. Every copy lives in its own folder, so sources differ.
"""

from __future__ import annotations

import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "arch-hours-2021.txt"
CORPORA = ROOT.parent / "shared" / "corpora"
DATE_LINE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.MULTILINE)

__all__ = ["build", "shifted_sample"]


def shifted_sample(weeks: int) -> str:
    """The sample page with every meeting date moved ``weeks`` weeks earlier."""
    def shift(match: re.Match[str]) -> str:
        day = date(int(match[1]), int(match[2]), int(match[3])) - timedelta(weeks=weeks)
        return day.isoformat()

    return DATE_LINE.sub(shift, SAMPLE.read_text(encoding="utf-8"))


def _corpus_meetings() -> list[tuple[Path, int]]:
    """Each corpus folder with its number of meetings (parsed once)."""
    from insights.readers import iter_files, read_file
    from insights.errors import IngestError

    found = []
    for corpus in sorted(p for p in CORPORA.iterdir() if p.is_dir()) if CORPORA.exists() else []:
        count = 0
        for path in iter_files([corpus]):
            try:
                count += len(read_file(path).meetings)
            except IngestError:
                pass
        found.append((corpus, count))
    return found


def build(folder: Path, meetings: int = 10_000, *, sample_share: float = 0.5) -> dict:
    """Write about ``meetings`` meetings into ``folder``; returns counts and bytes."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = {"meetings": 0, "files": 0, "bytes": 0}
    # Half from the sample (many small meetings on one page), half from the Markdown corpora.
    sample_target = int(meetings * sample_share) if CORPORA.exists() else meetings
    copies_per_page = 25  # one page per 25 copies of the sample: 175 meetings a page
    page = 0
    while written["meetings"] < sample_target:
        pieces = []
        for copy in range(copies_per_page):
            # spread copies over ten years of weeks, so months and years fill up like a real archive
            pieces.append(shifted_sample(((page * copies_per_page + copy) * 23) % 520))
            written["meetings"] += 7
            if written["meetings"] >= sample_target:
                break
        target = folder / "sample" / f"arch-hours-{page:04d}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = "\n".join(pieces)
        target.write_text(text, encoding="utf-8")
        written["files"] += 1
        written["bytes"] += len(text.encode("utf-8"))
        page += 1
    corpora = _corpus_meetings()
    round_ = 0
    while written["meetings"] < meetings and corpora and any(count for _, count in corpora):
        for corpus, count in corpora:
            if written["meetings"] >= meetings:
                break
            target = folder / f"{corpus.name}-{round_:03d}"
            shutil.copytree(corpus, target, ignore=shutil.ignore_patterns("LICENSE*", "SOURCE.md"))
            written["meetings"] += count
            for path in target.rglob("*"):
                if path.is_file():
                    written["files"] += 1
                    written["bytes"] += path.stat().st_size
        round_ += 1
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/work/scaled")
    print(build(out, int(sys.argv[2]) if len(sys.argv) > 2 else 10_000))
