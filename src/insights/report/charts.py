"""Small inline SVG charts, drawn in Python so the report needs no script to show them.

>>> svg = sparkline([0, 2, 1], labels=["2021-07", "2021-09", "2021-10"], title="<b>iframes</b>")
>>> svg.startswith("<svg") and "&lt;b&gt;iframes&lt;/b&gt;" in svg
True

Every text node (titles, labels) is escaped here, which is what makes it safe to mark
the result as :class:`~markupsafe.Markup`: user text never reaches the page unescaped.
"""

from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape

__all__ = ["sparkline", "bar_chart", "notes_list"]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def sparkline(values: Sequence[float], *, labels: Sequence[str] = (), title: str = "", width: int = 120,
              height: int = 24, highlight_last: bool = True) -> Markup:
    """A line of ``values`` over time, with a dot on the last one; ``title`` shows on hover."""
    values = [float(v) for v in values] or [0.0]
    top = max(values) or 1.0
    pad = 3
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = [(pad + i * step, height - pad - (v / top) * (height - 2 * pad)) for i, v in enumerate(values)]
    if len(points) == 1:
        points.append((width - pad, points[0][1]))
    path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    detail = ", ".join(f"{label} {int(v) if v.is_integer() else v}" for label, v in zip(labels, values))
    tooltip = f"{title}: {detail}" if title and detail else title or detail
    last_x, last_y = points[-1] if len(values) > 1 else points[0]
    dot = (f'<circle cx="{_num(last_x)}" cy="{_num(last_y)}" r="2.5" class="dot"/>'
           if highlight_last else "")
    return Markup(
        f'<svg class="spark" role="img" aria-label="{escape(tooltip)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(tooltip)}</title>"
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{path}"/>{dot}</svg>')


def bar_chart(pairs: Sequence[tuple[str, float]], *, title: str = "", height: int = 120, bar: int = 18,
              gap: int = 4, highlight: str | None = None, label_every: int | None = None) -> Markup:
    """Vertical bars for ``(label, value)`` pairs, labels under the bars, value on hover."""
    pairs = list(pairs)
    if not pairs:
        return Markup("")
    if len(pairs) <= 24:
        bar = max(bar, 34)  # room for a "21-07" label under each bar
    if label_every is None:
        label_every = max(1, len(pairs) // 24 + (1 if len(pairs) % 24 else 0)) if len(pairs) > 24 else 1
    top = max(v for _, v in pairs) or 1.0
    plot = height - 30
    width = len(pairs) * (bar + gap) + gap
    parts = [f'<svg class="bars" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(pairs):
        x = gap + i * (bar + gap)
        h = max(1.0 if value else 0.0, value / top * plot)
        y = 8 + plot - h
        cls = "bar hl" if label == highlight else "bar"
        parts.append(f'<g><title>{escape(label)}: {_num(value)}</title>'
                     f'<rect class="{cls}" x="{x}" y="{_num(y)}" width="{bar}" height="{_num(h)}"/></g>')
        if i % label_every == 0:
            short = escape(label[2:] if len(label) == 7 and label[4] == "-" else label)
            parts.append(f'<text x="{_num(x + bar / 2)}" y="{height - 6}" text-anchor="middle" '
                         f'class="lbl">{short}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def notes_list(notes: Sequence[dict]) -> Markup:
    """A meeting's or topic's notes as a list, each with its source line; text escaped.

    >>> print(notes_list([{"text": "<b>hi</b>", "line": 3, "level": 1}]))
    <ul class="notes"><li class="lvl1">&lt;b&gt;hi&lt;/b&gt; <span class="src">:3</span></li></ul>

    Built here rather than in the template because a large archive has hundreds of
    thousands of notes, and this is many times faster than a template loop.
    """
    items = "".join(f'<li class="lvl{min(int(n["level"]), 3)}">{escape(n["text"])} '
                    f'<span class="src">:{int(n["line"])}</span></li>' for n in notes)
    return Markup(f'<ul class="notes">{items}</ul>')
