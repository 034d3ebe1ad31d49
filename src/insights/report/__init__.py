"""Self-contained HTML reports written with Jinja2.

>>> from insights.store import Store
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in write_reports(Store(":memory:"), out)]
['index.html']
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from ..store import Store

__all__ = ["write_reports", "environment"]


def environment() -> Environment:
    """The Jinja2 environment: templates from the package, every value HTML-escaped."""
    return Environment(loader=PackageLoader("insights", "report/templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def write_reports(store: Store, out: str | Path) -> list[Path]:
    """Write ``index.html`` (meetings and their topics) into ``out``; return the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meetings = list(store.iter_meetings_tree())
    meetings.reverse()
    html = environment().get_template("index.html").render(meetings=meetings)
    target = out / "index.html"
    target.write_text(html, encoding="utf-8")
    return [target]
