"""Charts drawn on the server as SVG (no chart script): stacked bars and lines.

Only presentation attributes are used, so the SVG is allowed by the page's Content Security
Policy and renders the same in WeasyPrint's PDFs. Each bar and point carries its value in a
`data-value` attribute and a <title>, for screen readers and for tests.
"""
from markupsafe import Markup, escape

PALETTE = ["#0b5cad", "#e07b00", "#17863f", "#b3261e", "#6f42c1", "#00838f", "#8d6e63"]
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 56


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


def _frame(title, top_value, unit, parts, legend):
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for i in range(5):
        value = top_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:g}{unit}"
        grid.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                    f'stroke="#d5dbe1" stroke-width="1"/>'
                    f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                    f'fill="#5b6673">{escape(label)}</text>')
    keys = []
    for index, name in enumerate(legend):
        x = LEFT + index * 110
        keys.append(f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" '
                    f'fill="{PALETTE[index % len(PALETTE)]}"/>'
                    f'<text x="{x + 14}" y="{HEIGHT - 7}" font-size="11" fill="#1d2733">'
                    f'{escape(name)}</text>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        + "".join(grid) + "".join(parts) + "".join(keys) + "</svg>")


def bars(title, labels, series, unit=""):
    """Stacked bars: `series` is [(name, [value per label])]."""
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top_value = max(_scale(max(totals, default=0)), 4)  # counts: whole-number gridlines
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
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
        if len(labels) <= 16 or i % max(1, len(labels) // 12) == 0:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{TOP + plot_h + 14}" '
                         f'text-anchor="middle" font-size="10" fill="#5b6673">'
                         f'{escape(label)}</text>')
    return _frame(title, top_value, unit, parts, [name for name, _ in series])


def line(title, labels, series, unit="", top=None):
    """Lines with points: `series` is [(name, [value or None per label])]."""
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = top or _scale(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
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
        parts.append(f'<text x="{LEFT + step * i:.1f}" y="{TOP + plot_h + 14}" '
                     f'text-anchor="middle" font-size="10" fill="#5b6673">{escape(label)}</text>')
    return _frame(title, top_value, unit, parts, [name for name, _ in series])
