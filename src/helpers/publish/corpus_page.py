"""The cross-section's pages: ``index.html`` (English) and ``index.zh.html`` (Chinese), each linked to the other.

One row per report, sortable (click a heading) and searchable; every value shows its quote when pointed at
(and in the cell's title), a gap or share its status, and beside each computed gap the gap the report states,
with its quote and whether the two agree. Two charts: each report's GDP growth against its parent's, the
diagonal marking equal growth; and each city's GDP growth gap to its province, one row per province. The pages
open offline: the charts are embedded, nothing is fetched. Labels: :mod:`helpers.notebook.labels`.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import matplotlib as mpl
import pandas as pd

from helpers.analysis.cross_section import cross_section_indicators
from helpers.notebook.labels import (
    AGREEMENT_LABELS,
    CROSS_SECTION_NAMES,
    STATUS_LABELS,
    agreement_label,
    format_number,
    pick,
    text,
)
from helpers.notebook.plotting import set_style

_SCRIPT = """
document.querySelectorAll('table.cross th').forEach((th, column) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const rows = Array.from(body.rows);
  const key = r => { const v = r.cells[column].dataset.v; return v === undefined ? r.cells[column].textContent : +v; };
  const up = th.dataset.up !== '1'; th.dataset.up = up ? '1' : '0';
  rows.sort((a, b) => { const x = key(a), y = key(b);
    if (typeof x === 'number' && typeof y === 'number') return up ? x - y : y - x;
    return up ? String(x).localeCompare(String(y)) : String(y).localeCompare(String(x)); });
  rows.forEach(r => body.appendChild(r));
}));
document.querySelector('input.search').addEventListener('input', e => {
  const q = e.target.value.toLowerCase();
  document.querySelectorAll('table.cross tbody tr').forEach(r =>
    r.style.display = r.textContent.toLowerCase().includes(q) ? '' : 'none');
});
"""
_STYLE = """
body{font-family:sans-serif;margin:1.5em;} table.cross{border-collapse:collapse;font-size:12px}
table.cross th,table.cross td{border:1px solid #ccc;padding:2px 5px;text-align:right;white-space:nowrap}
table.cross th{cursor:pointer;background:#f3f3f3;position:sticky;top:0} td.name{text-align:left}
td.failed{color:#b00} span.flag{color:#b60;font-size:10px}
span.agree{color:#02784f;font-size:10px} span.disagree{color:#b00020;font-size:10px}
"""


def _t(key: str, lang: str, **values: object) -> str:
    """A label of the pages (``corpus_<key>`` of :data:`helpers.notebook.labels.TEXT`)."""
    return text(f"corpus_{key}", lang, **values)


def _missing(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _cell(value: object, lang: str, quote: str = "", status: str = "", note: str = "", note_class: str = "flag") -> str:
    """A numeric cell: its sort key, compact value, quote as title, a flag where its status is not ok, a note."""
    if _missing(value):
        return "<td></td>"
    number = float(value)
    shown = format_number(number, lang, compact=True) if abs(number) >= 1000 else f"{number:.4g}"
    if status and status != "ok":
        note = pick(STATUS_LABELS.get(status, (status, status)), lang)
    flag = f' <span class="{note_class}">{html.escape(note)}</span>' if note else ""
    title = f' title="{html.escape(quote)}"' if quote else ""
    return f'<td data-v="{number!r}"{title}>{html.escape(shown)}{flag}</td>'


def _stated_cell(record: dict[str, object], code: str, lang: str) -> str:
    """The gap the report states: its value, its quote as title and whether it agrees with the computed gap."""
    agrees = str(record.get(f"{code}_stated_gap_agrees", "") or "")
    kind = "agree" if agrees.startswith("agrees") else "disagree" if agrees.startswith("disagrees") else "flag"
    return _cell(
        record.get(f"{code}_stated_gap_pp"),
        lang,
        str(record.get(f"{code}_stated_gap_quote", "") or ""),
        note=agreement_label(agrees, lang),
        note_class=kind,
    )


def _png(figure: object, lang: str) -> str:
    """A figure as an embedded PNG image (the figure is closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{_t("chart_alt", lang)}" src="data:image/png;base64,{encoded}">'


def _chart(section: pd.DataFrame, lang: str) -> str:
    """The GDP growth chart as an embedded PNG (empty where no report has both rates)."""
    if "gdp_growth_parent" not in section.columns:
        return ""
    data = section.dropna(subset=["gdp_growth", "gdp_growth_parent"])
    if data.empty:
        return ""
    with mpl.rc_context():
        set_style(lang)
        import matplotlib.pyplot as plt

        figure, ax = plt.subplots(figsize=(7, 5))
        colours = {"province": "#1b6ca8", "city": "#e07b39", "district": "#2a9d8f"}
        for level, group in data.groupby("level"):
            ax.scatter(group["gdp_growth_parent"], group["gdp_growth"], s=18, label=level, c=colours.get(level, "#777"))
        low = min(data["gdp_growth"].min(), data["gdp_growth_parent"].min()) - 1
        high = max(data["gdp_growth"].max(), data["gdp_growth_parent"].max()) + 1
        ax.plot([low, high], [low, high], color="#999", linewidth=0.8)
        ax.set(xlabel=_t("x", lang), ylabel=_t("y", lang), title=_t("chart", lang))
        ax.legend()
        return _png(figure, lang)


#: Colour of a city's gap by whether the gap its report states agrees with it.
_AGREEMENT_COLOURS = {"agrees": "#029e73", "disagrees": "#b00020", "none": "#999999"}


def gaps_by_province(section: pd.DataFrame) -> pd.DataFrame:
    """Each city's GDP growth gap to its province: one row per city, ``rank`` 0 for the province of largest median.

    A city whose row compares it with the nation (its province's report of the year is not in the corpus) is
    left out: its gap is to the nation.

    Columns: ``parent``, ``parent_en``, ``entity_zh``, ``gap``, ``plain`` (the comparison's status is ok),
    ``agreement`` (agrees, disagrees, none: the report's stated gap against it) and ``rank``.
    """
    needed = {"level", "parent", "gdp_growth_gap_pp"}
    if not needed <= set(section.columns):
        return pd.DataFrame(columns=["parent", "parent_en", "entity_zh", "gap", "plain", "agreement", "rank"])
    cities = section[(section["level"] == "city") & section["gdp_growth_gap_pp"].notna()]
    if "parent_level" in cities.columns:  # a city compared with the nation (no report of its province's year)
        cities = cities[cities["parent_level"] == "province"]
    agrees = [
        "" if _missing(value) else str(value)
        for value in cities.get("gdp_growth_stated_gap_agrees", pd.Series("", index=cities.index))
    ]
    frame = pd.DataFrame(
        {
            "parent": cities["parent"].astype(str).to_numpy(dtype=object),
            "parent_en": cities.get("parent_en", cities["parent"]).astype(str).to_numpy(dtype=object),
            "entity_zh": cities["entity_zh"].astype(str).to_numpy(dtype=object),
            "gap": cities["gdp_growth_gap_pp"].astype(float).to_numpy(),
            "plain": (cities["gdp_growth_gap_status"].astype(object) == "ok").to_numpy(),
            "agreement": [a.split(" (")[0] or "none" for a in agrees],
        }
    )
    medians = frame.groupby("parent")["gap"].median().sort_values(ascending=False, kind="stable")
    frame["rank"] = frame["parent"].map({name: n for n, name in enumerate(medians.index)})
    return frame.sort_values(["rank", "gap"], kind="stable").reset_index(drop=True)


def _gaps_chart(section: pd.DataFrame, lang: str) -> str:
    """Gaps to the province by province: a dot per city, a row per province (largest median on top), as PNG."""
    data = gaps_by_province(section)
    if data.empty:
        return ""
    provinces = data.drop_duplicates("parent").sort_values("rank")
    with mpl.rc_context():
        set_style(lang)
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        figure, ax = plt.subplots(figsize=(7, 1.2 + 0.32 * len(provinces)))
        for row in data.itertuples(index=False):
            colour = _AGREEMENT_COLOURS.get(row.agreement, "#999999")
            ax.scatter(row.gap, row.rank, s=26, edgecolors=colour, facecolors=colour if row.plain else "none")
        medians = data.groupby("rank")["gap"].median()
        ax.scatter(medians.to_numpy(), medians.index, marker="|", s=220, c="#333333")
        ax.axvline(0, color="#999", linewidth=0.8)
        counts = data.groupby("parent").size()
        labels = [
            _t("gaps_count", lang, name=p.parent if lang == "zh" else p.parent_en or p.parent, n=counts[p.parent])
            for p in provinces.itertuples(index=False)
        ]
        ax.set_yticks(range(len(provinces)), labels)
        ax.set_ylim(len(provinces) - 0.5, -0.5)
        ax.set(xlabel=_t("gaps_x", lang), title=_t("gaps_chart", lang))
        handles = [
            Line2D([], [], marker="o", linestyle="", color=colour, label=pick(AGREEMENT_LABELS[key], lang))
            for key, colour in _AGREEMENT_COLOURS.items()
        ]
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="", markerfacecolor="none", color="#555", label=_t("gaps_hollow", lang)
            )
        )
        handles.append(
            Line2D([], [], marker="|", linestyle="", markersize=12, color="#333", label=_t("gaps_median", lang))
        )
        ax.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return _png(figure, lang)


def _heading(name: str, what: str, lang: str) -> str:
    """A column heading: the indicator's name and what the column says of it (地区生产总值增速（%）：上级)."""
    return f"{name}：{what}" if lang == "zh" else f"{name}: {what}"


def page(section: pd.DataFrame, lang: str, links: dict[str, str] | None = None) -> str:
    """One language's page; ``links``: report id -> its page in this language (the area's name links to it)."""
    zh = lang == "zh"
    indicators = [c for c in cross_section_indicators() if c in section.columns]
    head = [text("entity", lang), _t("level", lang), _t("parent", lang), text("status", lang)]
    for code in indicators:
        name = pick(CROSS_SECTION_NAMES.get(code, (code, code)), lang)
        head.append(name)
        if code.endswith("_growth") and f"{code}_parent" in section.columns:
            head += [_heading(name, _t(key, lang), lang) for key in ("parent", "gap", "stated_gap")]
        elif f"{code}_share_of_parent" in section.columns:
            head += [_heading(name, _t(key, lang), lang) for key in ("share", "share_nation")]
    rows = []
    for record in section.to_dict("records"):
        name = str(record.get("entity_zh" if zh else "entity_en") or record.get("report_id"))
        parent = record.get("parent", "") if zh else record.get("parent_en") or record.get("parent", "")
        cells = [
            f'<td class="name">{html.escape(str(cell))}</td>'
            for cell in (name, record.get("level", ""), "" if _missing(parent) else parent)
        ]
        href = (links or {}).get(str(record.get("report_id", "")))
        if href:
            cells[0] = f'<td class="name"><a href="{html.escape(href)}">{html.escape(name)}</a></td>'

        status = str(record.get("status", ""))
        error = str(record.get("error", "") or "")
        cells.append(
            f'<td class="name{" failed" if status != "ok" else ""}" title="{html.escape(error)}">{status}</td>'
        )
        for code in indicators:
            cells.append(_cell(record.get(code), lang, str(record.get(f"{code}_quote", "") or "")))
            if code.endswith("_growth") and f"{code}_parent" in section.columns:
                cells.append(_cell(record.get(f"{code}_parent"), lang))
                cells.append(
                    _cell(record.get(f"{code}_gap_pp"), lang, status=str(record.get(f"{code}_gap_status", "") or ""))
                )
                cells.append(_stated_cell(record, code, lang))
            elif f"{code}_share_of_parent" in section.columns:
                for column, status_column in (("share_of_parent", "share_status"),
                                              ("share_of_nation", "share_of_nation_status")):  # fmt: skip
                    cells.append(
                        _cell(
                            record.get(f"{code}_{column}"),
                            lang,
                            status=str(record.get(f"{code}_{status_column}", "") or ""),
                        )
                    )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    ok = int((section["status"] == "ok").sum()) if "status" in section.columns else 0
    other = "index.html" if zh else "index.zh.html"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{_t("title", lang)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{_t('title', lang)}</h1>"
        f'<p><a href="{other}">{_t("other", lang)}</a></p>'
        f"<p>{html.escape(_t('lede', lang, n=len(section), ok=ok, failed=len(section) - ok))}</p>"
        f"{_chart(section, lang)}{_gaps_chart(section, lang)}"
        f'<p><input class="search" placeholder="{_t("search", lang)}"></p>'
        '<table class="cross"><thead><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead>"
        "<tbody>" + "".join(rows) + f"</tbody></table><script>{_SCRIPT}</script></body></html>"
    )


def write_pages(folder: Path, section: pd.DataFrame, figures: pd.DataFrame, first_page: str | None = None) -> None:
    """``index.html`` and ``index.zh.html`` into ``folder``; each area's name links to its ``first_page``.

    The link is there only where the report's page was published (``reports/<id>/<first_page>.html``).
    """
    del figures  # the pages show the cross-section; the figures are its download (data/corpus_figures.csv)
    for lang, name in (("en", "index.html"), ("zh", "index.zh.html")):
        links = {}
        if first_page:
            for report_id in section.get("report_id", pd.Series(dtype=object)).astype(str):
                href = f"reports/{report_id}/{first_page}{'' if lang == 'en' else '.' + lang}.html"
                if (folder / href).is_file():
                    links[report_id] = href
        (folder / name).write_text(page(section, lang, links), encoding="utf-8")
