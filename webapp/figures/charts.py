"""Charts drawn on the server as inline SVG: no script, no chart library, nothing fetched.

Each chart scales with its box (``viewBox``, width 100 %) and is drawn 360 units wide, so on a
390 px phone one unit is about one pixel and its 12-unit text stays readable. Every chart is
an ``img`` with a title and a description for screen readers, writes its numbers on the bars,
and the page puts the same numbers in a table under it.
"""
import itertools

from markupsafe import Markup, escape

WIDTH = 360
BAR = 22        # height of one horizontal bar
GAP = 10
LABEL_W = 96    # room for the labels left of horizontal bars
FONT = 12

COLORS = {
    "primary": "#2f6f9f", "secondary": "#9cc3df", "green": "#2e8b57", "yellow": "#d9a400", "red": "#c0392b",
    "paused": "#8a8a8a", "short": "#c0392b", "benchmark": "#333333",
}
_ids = itertools.count(1)


def _svg(title, desc, height, body) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'role="img" aria-labelledby="chart-{n}-title chart-{n}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT}" font-family="sans-serif">'
        f'<title id="chart-{n}-title">{escape(title)}</title><desc id="chart-{n}-desc">{escape(desc)}</desc>'
        f'{body}</svg>')


def _clip(label, room=7) -> str:
    label = str(label)
    return label if len(label) <= room else label[:room - 1] + "…"


def hbars(title, desc, items, *, max_value=None, benchmark=None, benchmark_label="") -> Markup:
    """Horizontal bars, one per item: ``(label, value, text, color)``; ``value`` None draws no bar
    but still writes ``text`` (e.g. "—"). ``benchmark`` (same scale) draws a dashed line."""
    items = list(items)
    top = 18 if benchmark is not None else 4
    height = top + len(items) * (BAR + GAP) + 4
    scale_max = max_value or max([v for _, v, _, _ in items if v] or [1]) or 1
    room = WIDTH - LABEL_W - 44
    parts = []
    for i, (label, value, text, color) in enumerate(items):
        y = top + i * (BAR + GAP)
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + BAR / 2 + 4}" text-anchor="end">{escape(_clip(label))}'
                     f'</text>')
        w = 0 if not value else max(1.0, room * min(value, scale_max) / scale_max)
        fill = COLORS.get(color, color)
        parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{fill}" rx="2"/>')
        parts.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR / 2 + 4}">{escape(text)}</text>')
    if benchmark is not None:
        x = LABEL_W + room * benchmark / scale_max
        parts.append(f'<line x1="{x:.1f}" y1="12" x2="{x:.1f}" y2="{height - 2}" stroke="{COLORS["benchmark"]}" '
                     f'stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x:.1f}" y="10" text-anchor="middle" font-size="10">{escape(benchmark_label)}</text>')
    return _svg(title, desc, height, "".join(parts))


def columns(title, desc, labels, series) -> Markup:
    """Grouped vertical bars over ``labels`` (e.g. months); ``series`` are ``(name, values, color)``.
    A legend sits on top; each bar carries its number above it."""
    labels = list(labels)
    height, top, bottom = 200, 30, 24
    plot_h = height - top - bottom
    n, k = max(len(labels), 1), max(len(series), 1)
    slot = (WIDTH - 8) / n
    bar_w = max(2.0, min(24.0, (slot - 4) / k))
    peak = max([v for _, values, _ in series for v in values] or [1]) or 1
    parts = []
    x = 4
    for name, _, color in series:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLORS.get(color, color)}"/>'
                     f'<text x="{x + 16}" y="16">{escape(name)}</text>')
        x += 16 + 13 * len(str(name)) + 12
    base = top + plot_h
    parts.append(f'<line x1="2" y1="{base}" x2="{WIDTH - 2}" y2="{base}" stroke="#999"/>')
    small = FONT if n <= 12 else 9
    for i, label in enumerate(labels):
        x0 = 4 + i * slot + (slot - bar_w * k) / 2
        for j, (_, values, color) in enumerate(series):
            v = values[i]
            h = plot_h * v / peak
            bx = x0 + j * bar_w
            parts.append(f'<rect x="{bx:.1f}" y="{base - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                         f'fill="{COLORS.get(color, color)}"/>')
            if n <= 12:
                parts.append(f'<text x="{bx + bar_w / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" '
                             f'font-size="10">{v}</text>')
        if n <= 12 or i % max(1, n // 12) == 0:
            parts.append(f'<text x="{4 + i * slot + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                         f'font-size="{small}">{escape(label)}</text>')
    return _svg(title, desc, height, "".join(parts))


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
