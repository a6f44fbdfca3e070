"""Coverage for a person: the issuer x year matrix with totals per region (text, CSV), and an
HTML page with the region x year heatmap and the reports per year as a bar chart."""

from __future__ import annotations

import collections
import csv
import html
import io
import unicodedata

from archive.store.coverage import STATUSES, CoverageCell
from govarchive.output import plural

MARKS = {"published": "✓", "late": "L", "missing": "✗", "not yet due": "·"}
LEGEND = "  ".join(f"{mark} {status}" for status, mark in MARKS.items())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def by_region(cells: list[CoverageCell]) -> dict[str, dict[str, list[CoverageCell]]]:
    """region -> issuer (its name inside the region) -> its cells by year, in the cells' order."""
    regions: dict[str, dict[str, list[CoverageCell]]] = {}
    for cell in cells:
        name = cell.issuer.removeprefix(cell.region) if cell.region != "(no region)" else cell.issuer
        regions.setdefault(cell.region, {}).setdefault(name or cell.issuer, []).append(cell)
    return regions


def totals_line(cells: list[CoverageCell]) -> str:
    counts = collections.Counter(cell.status for cell in cells)
    return " · ".join(f"{status} {counts[status]}" for status in STATUSES)


def years_of(cells: list[CoverageCell]) -> list[int]:
    return sorted({cell.report_year for cell in cells})


def matrix_text(cells: list[CoverageCell], due: str, today: str) -> str:
    if not cells:
        return "No coverage yet: the archive has no issuers or no report with a report year."
    years = years_of(cells)
    regions = by_region(cells)
    name_width = max(_width(name) for issuers in regions.values() for name in issuers) + 4
    lines = [f"Reports per issuer and year (due {due} of the following year; today {today})", "",
             " " * name_width + " ".join(f"{year:>4}" for year in years)]
    for region, issuers in regions.items():
        lines.append(region)
        for name, row in issuers.items():
            marks = {cell.report_year: MARKS[cell.status] for cell in row}
            lines.append(_pad("  " + name, name_width) + " ".join(f"{marks.get(year, ' '):>4}" for year in years))
        region_cells = [cell for row in issuers.values() for cell in row]
        lines.append(f"  {region}: {plural(len(issuers), 'issuer')} · {totals_line(region_cells)}")
    lines += ["", f"All: {plural(sum(map(len, regions.values())), 'issuer')}, {len(cells)} reports expected · "
                  f"{totals_line(cells)}", LEGEND]
    return "\n".join(lines)


def matrix_csv(cells: list[CoverageCell]) -> str:
    """region, issuer, then a column per year holding the status."""
    years = years_of(cells)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["region", "issuer", *years])
    for region, issuers in by_region(cells).items():
        for name, row in issuers.items():
            status = {cell.report_year: cell.status for cell in row}
            writer.writerow([region, name, *(status.get(year, "") for year in years)])
    return out.getvalue()


_COLOURS = {"published": "#2e7d32", "late": "#f9a825", "missing": "#c62828", "not yet due": "#9e9e9e"}
_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ padding: .3em .6em; text-align: center; }}
th.region, td.region {{ text-align: left; }} .cell {{ color: #fff; min-width: 3.5em; }}
.legend span {{ display: inline-block; padding: .1em .6em; margin-right: .5em; color: #fff; }}
</style></head><body>
<h1>{title}</h1>
<p>{summary}</p>
<h2>Share of expected reports published, by region and year</h2>
{heatmap}
<p class="legend">{legend}</p>
<h2>Reports per year</h2>
{bars}
<h2>Each issuer</h2>
{issuers}
</body></html>
"""


def _heat(share: float) -> str:
    """White (none published) to dark green (all)."""
    level = int(255 - share * (255 - 90))
    return f"rgb({level - 40 if share else 255},{min(255, level + 30) if share else 235},{level - 40 if share else 235})"


def coverage_html(cells: list[CoverageCell], reports_per_year: dict[int, int], title: str, due: str,
                  today: str) -> str:
    """A page a person reads at a glance: the heatmap, the bar chart and the issuer table."""
    years = years_of(cells)
    regions = by_region(cells)
    escape = html.escape
    rows = []
    for region, issuers in regions.items():
        tds = []
        for year in years:
            year_cells = [cell for row in issuers.values() for cell in row if cell.report_year == year]
            done = sum(cell.status in ("published", "late") for cell in year_cells)
            expected = sum(cell.status != "not yet due" for cell in year_cells)
            share = done / expected if expected else 0
            tds.append(f'<td class="cell" style="background:{_heat(share)};color:{"#fff" if share > .5 else "#222"}" '
                       f'title="{escape(region)} {year}: {done} of {expected}">{done}/{expected}</td>')
        rows.append(f'<tr><td class="region">{escape(region)}</td>{"".join(tds)}</tr>')
    heatmap = (f'<table class="heatmap"><tr><th class="region">region</th>{"".join(f"<th>{y}</th>" for y in years)}'
               f'</tr>{"".join(rows)}</table>')
    tallest = max(reports_per_year.values(), default=0) or 1
    bar_years = sorted(reports_per_year)
    bars = "".join(
        f'<g><rect x="{40 + i * 60}" y="{180 - 150 * n / tallest:.0f}" width="40" height="{150 * n / tallest:.0f}" '
        f'fill="#1565c0"><title>{year}: {n} reports</title></rect>'
        f'<text x="{60 + i * 60}" y="{172 - 150 * n / tallest:.0f}" text-anchor="middle">{n}</text>'
        f'<text x="{60 + i * 60}" y="198" text-anchor="middle">{year}</text></g>'
        for i, (year, n) in enumerate((year, reports_per_year[year]) for year in bar_years))
    chart = (f'<svg class="bars" role="img" aria-label="reports per year" width="{80 + 60 * len(bar_years)}" '
             f'height="205" font-size="12">{bars}</svg>')
    issuer_rows = []
    for region, issuers in regions.items():
        for name, row in issuers.items():
            status = {cell.report_year: cell for cell in row}
            tds = "".join(
                f'<td class="cell" style="background:{_COLOURS[status[y].status]}" '
                f'title="{escape(status[y].title or status[y].status)}">{MARKS[status[y].status]}</td>'
                if y in status else "<td></td>" for y in years)
            issuer_rows.append(f'<tr><td class="region">{escape(region)} {escape(name)}</td>{tds}</tr>')
    issuer_table = (f'<table class="issuers"><tr><th class="region">issuer</th>'
                    f'{"".join(f"<th>{y}</th>" for y in years)}</tr>{"".join(issuer_rows)}</table>')
    legend = "".join(f'<span style="background:{_COLOURS[s]}">{MARKS[s]} {s}</span>' for s in STATUSES)
    summary = (f"{plural(sum(map(len, regions.values())), 'issuer')}, {len(cells)} reports expected: {totals_line(cells)}. "
               f"Reports on a year are due by {due} of the following year; today is {today}.")
    return _PAGE.format(title=escape(title), summary=escape(summary), heatmap=heatmap, legend=legend,
                        bars=chart, issuers=issuer_table)
