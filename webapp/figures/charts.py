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


def text_width(text, size=FONT) -> float:
    """About how wide ``text`` is drawn at ``size``: a Chinese character is square, the rest
    (digits, Latin letters, signs) a little over half as wide. Used to keep labels apart."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.62 for ch in str(text))


def _clip(label, room=LABEL_W - 8, size=FONT) -> str:
    label = str(label)
    if text_width(label, size) <= room:
        return label
    while label and text_width(label + "…", size) > room:
        label = label[:-1]
    return label + "…"


def hbars(title, desc, items, *, max_value=None, benchmark=None, benchmark_label="") -> Markup:
    """Horizontal bars, one per item: ``(label, value, text, color)``; ``value`` None draws no bar
    but still writes ``text`` (e.g. "—"). ``benchmark`` (same scale) draws a dashed line, with
    its label above the bars; a bar's number never sits on the line: it moves past it."""
    items = list(items)
    top = 20 if benchmark is not None else 4
    height = top + len(items) * (BAR + GAP) + 4
    scale_max = max_value or max([v for _, v, _, _ in items if v] or [1]) or 1
    room = WIDTH - LABEL_W - 50  # a number such as 100.0% fits right of the longest bar
    line_x = LABEL_W + room * benchmark / scale_max if benchmark is not None else None
    parts = []
    for i, (label, value, text, color) in enumerate(items):
        y = top + i * (BAR + GAP)
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + BAR / 2 + 4}" text-anchor="end">{escape(_clip(label))}'
                     f'</text>')
        w = 0 if not value else max(1.0, room * min(value, scale_max) / scale_max)
        fill = COLORS.get(color, color)
        parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{fill}" rx="2"/>')
        x, anchor, ink = LABEL_W + w + 4, "start", ""
        tw = text_width(text)
        if line_x is not None and x - 3 <= line_x <= x + tw + 3:
            if line_x + 4 + tw <= WIDTH:
                x = line_x + 4  # past the line
            else:  # no room past it: inside the bar, in white
                x, anchor, ink = LABEL_W + w - 4, "end", ' fill="#fff"'
        parts.append(f'<text x="{x:.1f}" y="{y + BAR / 2 + 4}" text-anchor="{anchor}"{ink}>{escape(text)}</text>')
    if line_x is not None:
        parts.append(f'<line x1="{line_x:.1f}" y1="{top - 4}" x2="{line_x:.1f}" y2="{height - 2}" '
                     f'stroke="{COLORS["benchmark"]}" stroke-dasharray="4 3"/>')
        half = text_width(benchmark_label, 10) / 2
        anchor = "end" if line_x + half > WIDTH - 2 else "middle"
        parts.append(f'<text x="{min(line_x, WIDTH - 2):.1f}" y="11" text-anchor="{anchor}" font-size="10">'
                     f'{escape(benchmark_label)}</text>')
    return _svg(title, desc, height, "".join(parts))


def _legend(series, y=16) -> list:
    parts, x = [], 4
    for name, _, color in series:
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLORS.get(color, color)}"/>'
                     f'<text x="{x + 16}" y="{y}">{escape(name)}</text>')
        x += 16 + text_width(name) + 12
    return parts


def _month_labels(labels, left, slot, y, size=FONT) -> list:
    """The labels under the slots, every ``step``-th one when they would touch."""
    widest = max([text_width(label, size) for label in labels] or [0])
    step = 1
    while widest + 4 > slot * step:
        step += 1
    return [f'<text x="{left + i * slot + slot / 2:.1f}" y="{y}" text-anchor="middle" font-size="{size}">'
            f'{escape(label)}</text>' for i, label in enumerate(labels) if i % step == 0]


def columns(title, desc, labels, series) -> Markup:
    """Grouped vertical bars over ``labels`` (e.g. months); ``series`` are ``(name, values, color)``.
    A legend sits on top; each bar carries its number above it where the numbers fit side by
    side (the table under the chart has them all)."""
    labels = list(labels)
    height, top, bottom = 200, 30, 24
    plot_h = height - top - bottom
    n, k = max(len(labels), 1), max(len(series), 1)
    slot = (WIDTH - 8) / n
    bar_w = max(2.0, min(24.0, (slot - 4) / k))
    peak = max([v for _, values, _ in series for v in values] or [1]) or 1
    numbers_fit = all(text_width(v, 10) + 1 <= bar_w for _, values, _ in series for v in values)
    parts = _legend(series)
    base = top + plot_h
    parts.append(f'<line x1="2" y1="{base}" x2="{WIDTH - 2}" y2="{base}" stroke="#999"/>')
    for i, label in enumerate(labels):
        x0 = 4 + i * slot + (slot - bar_w * k) / 2
        for j, (_, values, color) in enumerate(series):
            v = values[i]
            h = plot_h * v / peak
            bx = x0 + j * bar_w
            parts.append(f'<rect x="{bx:.1f}" y="{base - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                         f'fill="{COLORS.get(color, color)}"/>')
            if numbers_fit:
                parts.append(f'<text x="{bx + bar_w / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" '
                             f'font-size="10">{v}</text>')
    parts.extend(_month_labels(labels, 4, slot, height - 8, FONT if n <= 12 else 9))
    return _svg(title, desc, height, "".join(parts))


def lines(title, desc, labels, series, *, height=130) -> Markup:
    """Lines over ``labels`` (e.g. the last twelve months); ``series`` are ``(name, values, color)``.
    The legend on top, the highest value at the left of the plot, the months under it."""
    labels = list(labels)
    peak = max([v for _, values, _ in series for v in values] or [0])
    top, bottom = 26, 20
    left = 8 + text_width(peak)
    plot_h, n = height - top - bottom, max(len(labels), 1)
    slot = (WIDTH - left - 4) / n
    base = top + plot_h
    parts = _legend(series)
    parts.append(f'<text x="{left - 4:.1f}" y="{top + 4}" text-anchor="end">{peak}</text>')
    parts.append(f'<line x1="{left:.1f}" y1="{base}" x2="{WIDTH - 2}" y2="{base}" stroke="#999"/>')
    parts.append(f'<line x1="{left:.1f}" y1="{top}" x2="{WIDTH - 2}" y2="{top}" stroke="#e3e3e3"/>')
    for _, values, color in series:
        points = " ".join(f"{left + i * slot + slot / 2:.1f},{base - (plot_h * v / peak if peak else 0):.1f}"
                          for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{COLORS.get(color, color)}" '
                     f'stroke-width="2"/>')
    parts.extend(_month_labels(labels, left, slot, height - 6))
    return _svg(title, desc, height, "".join(parts))


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
