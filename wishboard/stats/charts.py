"""Charts drawn on the server as inline SVG: bar charts (side by side or stacked) and line
charts over months, with their axes, month labels, a legend and the numbers as a table.

No JavaScript and no charting library: the page reads, prints and zooms as it comes. Each
chart is a ``<figure>``: its caption, a legend in HTML (it wraps on a phone and grows with
the type), the ``<svg role="img">`` (with ``<title>`` and an ``aria-label`` saying what it
shows, the numbers being in the table) and a ``<table>`` of every value. Colours, line
dashes, marker shapes and bar patterns come from classes in ``static/css/site.css``
(``.chart-s1`` ... ``.chart-s4``), so a series never differs by colour alone; the text
sizes too, larger in 长辈版 (``html.large``), where fewer month labels are written so they
do not run into each other. The page's Content-Security-Policy allows no inline style, so
nothing here writes one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from wishboard.core.clock import duration_words, hours_words, month_words
from wishboard.stats.figures import CommunityStats

# The drawing, in SVG units (the picture scales to the width of the page).
WIDTH, HEIGHT = 340, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 10, 38, 50
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass
class Series:
    """One row of values (a value per month; None where there is nothing to show) and how
    its numbers are written in the table."""

    name: str
    values: list[float | None]
    words: Callable[[float | None], str] = lambda v: "—" if v is None else f"{v:g}"
    # False: a column of the table only, not drawn.
    drawn: bool = True
    # The table's column heading, when shorter than the legend's name.
    column: str | None = None


@dataclass
class Chart:
    """A chart ready to place in a page: ``figure`` holds caption, legend, picture and
    table."""

    id: str
    title: str
    figure: Markup


def _nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) that reaches ``top`` in ``ticks``."""
    if top <= 0:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def month_label(month: date) -> str:
    return f"{month.month}月"


def _label_steps(count: int) -> tuple[int, int]:
    """Every how many months a label is written: in the standard type and in 长辈版."""
    return max(1, math.ceil(count / 6)), max(1, math.ceil(count / 4))


class _Frame:
    """The plot area of one chart: scales and the axes' SVG."""

    def __init__(self, months: list[date], top: float, unit: str, y_max: float | None):
        self.months, self.unit = months, unit
        self.step = _nice_step(y_max, 5) if y_max is not None else _nice_step(max(top, 1))
        self.y_top = y_max if y_max is not None else self.step * max(
            1, math.ceil(max(top, 0) / self.step))
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM
        self.slot = self.plot_w / max(len(months), 1)

    def x(self, index: int) -> float:
        """The middle of a month's slot."""
        return LEFT + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - min(max(value, 0), self.y_top) / self.y_top)

    def axes(self) -> list[str]:
        parts = [f'<text class="chart-unit" x="2" y="15">（{escape(self.unit)}）</text>']
        value = 0.0
        while value <= self.y_top + 1e-9:
            y = self.y(value)
            parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                         f'y1="{y:.1f}" y2="{y:.1f}"/>')
            parts.append(f'<text class="chart-y" x="{LEFT - 6}" y="{y + 5:.1f}" '
                         f'text-anchor="end">{_number(value)}</text>')
            value += self.step
        base = TOP + self.plot_h
        parts.append(f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{base}" y2="{base}"/>')
        standard, large = _label_steps(len(self.months))
        last = len(self.months) - 1
        for index, month in enumerate(self.months):
            classes = ["chart-x"]
            # Count from the last month, so the newest always has its label.
            if (last - index) % standard == 0:
                classes.append("chart-x-standard")
            if (last - index) % large == 0:
                classes.append("chart-x-large")
            parts.append(f'<text class="{" ".join(classes)}" x="{self.x(index):.1f}" '
                         f'y="{base + 21}" text-anchor="middle">{month_label(month)}</text>')
            # The year under the first month and under each January (not under a first
            # December whose next label starts the year).
            starts_year = month.month == 1 or (index == 0 and not (
                len(self.months) > 1 and self.months[1].month == 1))
            if starts_year:
                parts.append(f'<text class="chart-year" x="{self.x(index):.1f}" '
                             f'y="{base + 44}" text-anchor="middle">{month.year}年</text>')
        return parts


def _patterns(chart_id: str) -> str:
    """Fills for bars that differ by more than colour: stripes for the second series, dots
    for the third (the first is solid)."""
    return (f'<defs><pattern id="{chart_id}-p2" width="6" height="6" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect class="chart-s2 chart-fill" width="6" height="6"/>'
            f'<rect class="chart-stripe" width="2" height="6"/></pattern>'
            f'<pattern id="{chart_id}-p3" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect class="chart-s3 chart-fill" width="6" height="6"/>'
            f'<circle class="chart-stripe" cx="3" cy="3" r="1.2"/></pattern></defs>')


def _bar_look(chart_id: str, index: int) -> str:
    """A bar's class, and for the striped and dotted series the fill (an attribute: the
    stylesheet, which would override it, leaves those bars' fill alone)."""
    if index in (1, 2):
        return f'class="chart-bar chart-pattern" fill="url(#{chart_id}-p{index + 1})"'
    return f'class="chart-bar chart-s{index + 1}"'


def _marker(kind: str, x: float, y: float, css: str) -> str:
    if kind == "circle":
        return f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="4"/>'
    if kind == "square":
        return f'<rect class="{css}" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7"/>'
    if kind == "triangle":
        return (f'<polygon class="{css}" points="{x:.1f},{y - 5:.1f} {x - 4.5:.1f},{y + 3.5:.1f} '
                f'{x + 4.5:.1f},{y + 3.5:.1f}"/>')
    return (f'<polygon class="{css}" points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} '
            f'{x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"/>')


def _svg(chart_id: str, title: str, summary: str, body: list[str], defs: str = "") -> str:
    return (f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-label="{escape(summary)}" xmlns="http://www.w3.org/2000/svg">'
            f'<title>{escape(title)}</title>{defs}{"".join(body)}</svg>')


def _legend(chart_id: str, series: list[Series], kind: str) -> str:
    """The legend in HTML: each series' swatch (as drawn: a bar's fill, or a line's dash
    and marker) and its name."""
    series = [one for one in series if one.drawn]
    if len(series) < 2:
        return ""
    items = []
    for index, one in enumerate(series):
        css = f"chart-s{index + 1}"
        if kind == "line":
            swatch = (f'<line class="chart-line {css}" x1="2" x2="30" y1="10" y2="10"/>'
                      + _marker(MARKERS[index % 4], 16, 10, f"chart-dot {css}"))
        else:
            swatch = (f'<rect {_bar_look(chart_id, index)} x="4" y="2" width="24" '
                      f'height="16"/>')
        items.append(f'<li><svg class="chart-swatch" viewBox="0 0 32 20" aria-hidden="true" '
                     f'focusable="false">{swatch}</svg>{escape(one.name)}</li>')
    return f'<ul class="chart-legend">{"".join(items)}</ul>'


def _table(chart_id: str, title: str, months: list[date], series: list[Series],
           total: list[str] | None, total_label: str, note: str) -> str:
    """Every value, a row per month under a row naming its year (so the month column stays
    narrow enough for a phone in 长辈版), and the total of the range."""
    head = "".join(f'<th scope="col">{escape(s.column or s.name)}</th>' for s in series)
    width = len(series) + 1
    groups = []
    for year in sorted({m.year for m in months}):
        rows = [f'<tr class="year"><th scope="rowgroup" colspan="{width}">{year}年</th></tr>']
        for index, month in enumerate(months):
            if month.year != year:
                continue
            cells = "".join(f"<td>{escape(s.words(s.values[index]))}</td>" for s in series)
            rows.append(f'<tr><th scope="row">{month_label(month)}</th>{cells}</tr>')
        groups.append(f'<tbody>{"".join(rows)}</tbody>')
    if total is not None:
        cells = "".join(f"<td>{escape(value)}</td>" for value in total)
        groups.append(f'<tbody><tr class="chart-total"><th scope="row">{escape(total_label)}'
                      f'</th>{cells}</tr></tbody>')
    hint = f'<p class="hint">{escape(note)}</p>' if note else ""
    return (f'<div class="table-wrap" role="region" tabindex="0" '
            f'aria-labelledby="{chart_id}-table"><table class="numbers">'
            f'<caption id="{chart_id}-table" class="sr-only">{escape(title)}（数字）</caption>'
            f'<thead><tr><th scope="col">月份</th>{head}</tr></thead>'
            f'{"".join(groups)}</table></div>{hint}')


def _figure(chart_id: str, title: str, legend: str, svg: str, table: str) -> Chart:
    html = (f'<figure class="chart" id="{chart_id}" aria-labelledby="{chart_id}-caption">'
            f'<figcaption id="{chart_id}-caption">{escape(title)}</figcaption>'
            f'{legend}<div class="chart-picture">{svg}</div>{table}</figure>')
    return Chart(chart_id, title, Markup(html))


def bar_chart(chart_id: str, title: str, summary: str, months: list[date],
              series: list[Series], *, unit: str, stacked: bool = False,
              total: list[str] | None = None, total_label: str = "合计",
              y_max: float | None = None, note: str = "") -> Chart:
    """Bars per month: one series, several side by side, or several ``stacked``."""
    table = _table(chart_id, title, months, series, total, total_label, note)
    series = [one for one in series if one.drawn]
    if stacked:
        top = max([sum(s.values[i] or 0 for s in series) for i in range(len(months))] or [0])
    else:
        top = max([v or 0 for s in series for v in s.values] or [0])
    frame = _Frame(months, top, unit, y_max)
    body = frame.axes()
    inner = frame.slot * 0.7
    for index in range(len(months)):
        base = frame.y(0)
        left = frame.x(index) - inner / 2
        for number, one in enumerate(series):
            value = one.values[index] or 0
            if stacked:
                width, x = inner, left
                below = sum(s.values[index] or 0 for s in series[:number])
                y_top, y_bottom = frame.y(below + value), frame.y(below)
            else:
                width = inner / len(series)
                x = left + width * number
                y_top, y_bottom = frame.y(value), base
            if value <= 0:
                continue
            body.append(f'<rect {_bar_look(chart_id, number)} x="{x:.1f}" '
                        f'y="{y_top:.1f}" width="{width:.1f}" '
                        f'height="{max(y_bottom - y_top, 0.5):.1f}"/>')
    svg = _svg(chart_id, title, summary, body, _patterns(chart_id) if len(series) > 1 else "")
    return _figure(chart_id, title, _legend(chart_id, series, "bar"), svg, table)


def line_chart(chart_id: str, title: str, summary: str, months: list[date],
               series: list[Series], *, unit: str, total: list[str] | None = None,
               total_label: str = "合计", y_max: float | None = None,
               note: str = "") -> Chart:
    """Lines over the months, a marker on each value; a month without a value (None)
    leaves a gap in its line."""
    table = _table(chart_id, title, months, series, total, total_label, note)
    series = [one for one in series if one.drawn]
    top = max([v or 0 for s in series for v in s.values] or [0])
    frame = _Frame(months, top, unit, y_max)
    body = frame.axes()
    for number, one in enumerate(series):
        css = f"chart-s{number + 1}"
        runs, run = [], []
        for index, value in enumerate(one.values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append((frame.x(index), frame.y(value)))
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                body.append(f'<polyline class="chart-line {css}" points="'
                            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
            body.extend(_marker(MARKERS[number % 4], x, y, f"chart-dot {css}")
                        for x, y in points)
    svg = _svg(chart_id, title, summary, body)
    return _figure(chart_id, title, _legend(chart_id, series, "line"), svg, table)


# A community's statistics, as charts --------------------------------------------------------------

def _count(value) -> str:
    return "—" if value is None else f"{int(value)}"


def _hours(value) -> str:
    return "—" if value is None else hours_words(value)


def _stars(value) -> str:
    return "暂无评价" if value is None else f"{value:g}"


def community_charts(stats: CommunityStats) -> list[Chart]:
    """The charts of a community's statistics page (and of its public 述评公开 page): the
    wishes of each month, the hours, how fast wishes are taken up and done, the stars, and
    the people and organisations taking part. Each with the range's total under its table."""
    months = [f.month for f in stats.months]
    rows, totals = stats.months, stats.totals
    span = f"{month_words(stats.range.first)}至{month_words(stats.range.last)}"
    charts = []

    wish_series = [Series(name, [getattr(f, attr) for f in rows], _count)
                   for name, attr in (("发布", "posted"), ("认领", "claimed"),
                                      ("完成", "completed"), ("过期", "expired"))]
    charts.append(line_chart(
        "chart-wishes", "每月的心愿：发布、认领、完成、过期",
        f"{span}每月发布、认领、完成和过期的心愿数。共发布{totals.posted}个，认领{totals.claimed}次，"
        f"完成{totals.completed}个，过期{totals.expired}个。每月数字见下表。",
        months, wish_series, unit="个",
        total=[_count(totals.posted), _count(totals.claimed), _count(totals.completed),
               _count(totals.expired)]))

    charts.append(bar_chart(
        "chart-hours", "每月确认的服务时长",
        f"{span}每月确认的服务时长，共{hours_words(totals.hours)}小时。每月数字见下表。",
        months, [Series("服务时长", [float(f.hours) for f in rows], _hours,
                        column="时长（小时）")],
        unit="小时", total=[_hours(totals.hours)]))

    longest = max([v or 0 for f in rows for v in (f.claim_seconds, f.completion_seconds)]
                  or [0])
    in_days = longest > 72 * 3600
    per = 86400 if in_days else 3600

    def scaled(seconds):
        return None if seconds is None else round(seconds / per, 1)

    speed = [Series("发布到认领", [scaled(f.claim_seconds) for f in rows],
                    lambda v: duration_words(None if v is None else v * per)),
             Series("发布到完成", [scaled(f.completion_seconds) for f in rows],
                    lambda v: duration_words(None if v is None else v * per))]
    charts.append(line_chart(
        "chart-speed", "从发布到认领、到完成用了多久（中位数）",
        f"{span}每月心愿从发布到第一次认领、到完成所用时间的中位数。整段时间：到认领"
        f"{duration_words(totals.claim_seconds)}，到完成{duration_words(totals.completion_seconds)}。"
        "每月数字见下表。",
        months, speed, unit="天" if in_days else "小时",
        total=[duration_words(totals.claim_seconds),
               duration_words(totals.completion_seconds)], total_label="全部",
        note="全部：这段时间所有心愿的中位数。“暂无”：这个月没有心愿被认领（完成）。"))

    charts.append(bar_chart(
        "chart-stars", "每月的平均星级",
        f"{span}每月群众评价的平均星级（满分5星）。整段时间平均"
        f"{_stars(totals.average_stars)}，共{totals.ratings}条评价。每月数字见下表。",
        months, [Series("平均星级", [f.average_stars for f in rows], _stars),
                 Series("评价数", [f.ratings for f in rows], _count, drawn=False)],
        unit="星", y_max=5, total=[_stars(totals.average_stars), _count(totals.ratings)],
        total_label="全部"))

    charts.append(bar_chart(
        "chart-people", "每月参与服务的志愿者和报到党组织",
        f"{span}每月参与服务的志愿者人数，按报到党员、五老志愿者、其他志愿者分开；整段时间共"
        f"{totals.active}人，报到党组织{totals.organizations}个。每月数字见下表。",
        months, [Series("报到党员", [f.party_members for f in rows], _count, column="党员"),
                 Series("五老志愿者", [f.elders for f in rows], _count, column="五老"),
                 Series("其他志愿者", [f.others for f in rows], _count, column="其他"),
                 Series("报到党组织", [f.organizations for f in rows], _count, drawn=False,
                        column="党组织")],
        unit="人", stacked=True,
        total=[_count(totals.party_members), _count(totals.elders), _count(totals.others),
               _count(totals.organizations)],
        total_label="全部",
        note=f"全部：这段时间里每人（每个组织）只计一次，共{totals.active}名志愿者。"))
    return charts
