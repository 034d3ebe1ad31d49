"""One way to print listings: a table for people, ``--json`` and ``--csv`` for programs.

>>> import io
>>> out = io.StringIO()
>>> emit([{"date": "2021-12-22", "topics": 3}], "table", out=out)
>>> print(out.getvalue())
date        topics
----------  ------
2021-12-22  3
<BLANKLINE>
"""

from __future__ import annotations

import csv
import functools
import json
import sys
from typing import Any, Callable, Iterable, Sequence, TextIO

import click

__all__ = ["output_options", "emit", "dump_json"]


def output_options(command: Callable) -> Callable:
    """Give a listing command ``--json`` and ``--csv`` (a table otherwise), as ``fmt``."""

    @click.option("--json", "fmt", flag_value="json", help="Print JSON.")
    @click.option("--csv", "fmt", flag_value="csv", help="Print CSV with a header row.")
    @click.option("--table", "fmt", flag_value="table", default=True, help="Print a table (the default).")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


def _cell(value: Any, width: int | None = None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


_CONTAINERS = (dict, list, tuple)


def dump_json(value: Any, out: TextIO) -> None:
    """Write ``value`` as indented JSON whose innermost objects and lists take one line each.

    >>> import io
    >>> out = io.StringIO()
    >>> dump_json({"meetings": [{"date": "2021-12-22", "notes": [{"text": "Paver", "line": 3}]}]}, out)
    >>> print(out.getvalue())
    {
      "meetings": [
        {
          "date": "2021-12-22",
          "notes": [
            {"text": "Paver", "line": 3}
          ]
        }
      ]
    }
    <BLANKLINE>

    A note per line reads better than a key per line, and leaves go through the standard
    library's C encoder: with ``indent`` every value goes through its Python one, several
    times slower on a whole archive. Values it cannot encode are written as their ``str``.
    """
    encode = json.JSONEncoder(ensure_ascii=False, default=str, separators=(", ", ": ")).encode
    parts: list[str] = []
    add = parts.append

    def write(item: Any, pad: str) -> None:
        if isinstance(item, dict):
            inner = item.values()
        elif isinstance(item, (list, tuple)):
            inner = item
        else:
            add(encode(item))
            return
        if not inner or not any(isinstance(x, _CONTAINERS) for x in inner):
            add(encode(item))
            return
        deeper = pad + "  "
        if isinstance(item, dict):
            add("{")
            for number, (key, x) in enumerate(item.items()):
                add(("\n" if number == 0 else ",\n") + deeper + encode(key if isinstance(key, str) else str(key)) + ": ")
                write(x, deeper)
            add("\n" + pad + "}")
        else:
            add("[")
            for number, x in enumerate(item):
                add(("\n" if number == 0 else ",\n") + deeper)
                write(x, deeper)
            add("\n" + pad + "]")

    write(value, "")
    add("\n")
    out.write("".join(parts))


def emit(rows: Iterable[dict], fmt: str = "table", *, columns: Sequence[str] | None = None,
         out: TextIO | None = None, max_width: int = 70) -> None:
    """Print ``rows`` as JSON (a list), CSV or an aligned text table."""
    out = out or sys.stdout
    rows = list(rows)
    if fmt == "json":
        dump_json(rows, out)
        return
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return
    if not rows:
        out.write("(none)\n")
        return
    cells = [[_cell(row.get(c), max_width) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() + "\n")
