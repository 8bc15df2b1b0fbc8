"""Charts drawn on the server as SVG (no chart script): stacked bars and lines.

Only presentation attributes are used, so the SVG is allowed by the page's Content Security
Policy and renders the same in WeasyPrint's PDFs. Each bar and point carries its value in a
`data-value` attribute and a <title>, for screen readers and for tests.
"""
import math

from markupsafe import Markup, escape

PALETTE = ["#0b5cad", "#e07b00", "#17863f", "#b3261e", "#6f42c1", "#00838f", "#8d6e63"]
# A narrow drawing with large type: on a phone the chart is about 330 px wide, and its labels
# still read at 11 px or more (14 units × 330 / 400); on the tablet and on paper, 14-16 px.
WIDTH, PLOT_HEIGHT = 400, 180
LEFT, RIGHT, TOP = 44, 8, 12
FONT = 14
LEGEND_ROW = 22


def _text_width(text):
    """About how wide `text` is drawn at FONT: a Chinese character is square, Latin is narrower."""
    return sum(FONT if ord(ch) > 0x2e80 else FONT * 0.58 for ch in str(text))


def _scale(maximum):
    """A round top for the axis: 1, 2, 5 × 10^n at or above the maximum."""
    if maximum <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= maximum:
                return step * factor
        step *= 10


def _stride(labels, slot):
    """Every how many labels to print one, so that neighbours never overlap."""
    widest = max((_text_width(label) for label in labels), default=0)
    return max(1, math.ceil((widest + 6) / max(slot, 1)))


def _legend(legend, top):
    """The legend's keys, flowing into rows: (svg parts, rows used)."""
    keys, x, row = [], LEFT, 0
    for index, name in enumerate(legend):
        width = 14 + 4 + _text_width(name) + 16
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = LEFT, row + 1
        y = top + row * LEGEND_ROW
        keys.append(f'<rect x="{x:.0f}" y="{y}" width="12" height="12" '
                    f'fill="{PALETTE[index % len(PALETTE)]}"/>'
                    f'<text x="{x + 16:.0f}" y="{y + 11}" font-size="{FONT}" fill="#1d2733">'
                    f'{escape(name)}</text>')
        x += width
    return keys, row + 1 if legend else 0


def _frame(title, top_value, unit, parts, legend):
    plot_h = PLOT_HEIGHT
    grid = []
    for i in range(5):
        value = top_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:g}{unit}"
        grid.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                    f'stroke="#d5dbe1" stroke-width="1"/>'
                    f'<text x="{LEFT - 4}" y="{y + 5:.1f}" text-anchor="end" font-size="{FONT}" '
                    f'fill="#5b6673">{escape(label)}</text>')
    keys, rows = _legend(legend, TOP + plot_h + FONT + 16)
    height = TOP + plot_h + FONT + 16 + rows * LEGEND_ROW
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="chart" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        + "".join(grid) + "".join(parts) + "".join(keys) + "</svg>")


def _axis_label(x, label):
    return (f'<text x="{x:.1f}" y="{TOP + PLOT_HEIGHT + FONT + 4}" text-anchor="middle" '
            f'font-size="{FONT}" fill="#5b6673">{escape(label)}</text>')


def bars(title, labels, series, unit=""):
    """Stacked bars: `series` is [(name, [value per label])]."""
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    # Counts: four gridlines a round whole number apart (0, 2, 4, 6, 8 for a top bar of 5).
    top_value = 4 * _scale(max(totals, default=0) / 4) if max(totals, default=0) > 4 else 4
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    slot = plot_w / max(len(labels), 1)
    stride = _stride(labels, slot)
    parts = []
    for i, label in enumerate(labels):
        x = LEFT + slot * i + slot * 0.15
        base = TOP + plot_h
        for index, (name, values) in enumerate(series):
            value = values[i]
            height = plot_h * value / top_value
            base -= height
            if value:
                parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" '
                             f'height="{height:.1f}" fill="{PALETTE[index % len(PALETTE)]}" '
                             f'data-series="{escape(name)}" data-label="{escape(label)}" '
                             f'data-value="{value:g}"><title>{escape(label)} {escape(name)}：'
                             f'{value:g}{escape(unit)}</title></rect>')
        if i % stride == 0:
            parts.append(_axis_label(x + slot * 0.35, label))
    return _frame(title, top_value, unit, parts, [name for name, _ in series])


def line(title, labels, series, unit="", top=None):
    """Lines with points: `series` is [(name, [value or None per label])]."""
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = top or _scale(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    step = plot_w / max(len(labels) - 1, 1)
    stride = _stride(labels, step)
    parts = []
    for index, (name, points) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        coords = [(LEFT + step * i, TOP + plot_h - plot_h * v / top_value, v, labels[i])
                  for i, v in enumerate(points) if v is not None]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"/>')
        for x, y, value, label in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" '
                         f'data-series="{escape(name)}" data-label="{escape(label)}" '
                         f'data-value="{value:g}"><title>{escape(label)} {escape(name)}：'
                         f'{value:g}{escape(unit)}</title></circle>')
    for i, label in enumerate(labels):
        if i % stride == 0:
            parts.append(_axis_label(LEFT + step * i, label))
    return _frame(title, top_value, unit, parts, [name for name, _ in series])
