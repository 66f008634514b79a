"""The cross-section's pages: ``index.html`` (English) and ``index.zh.html`` (Chinese), each linked to the other.

One row per report, sortable (click a heading) and searchable; every value shows its quote when pointed at
(and in the cell's title), a gap or share its status. A chart sets each report's GDP growth against its
parent's, the diagonal marking equal growth. The pages open offline: the chart is embedded, nothing is fetched.
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
from helpers.notebook.labels import format_number
from helpers.notebook.plotting import set_style

_TEXT = {
    "title": ("The 2020 cross-section: every report against its parent", "2020年横截面：各报告与上级对照"),
    "lede": (
        "{n} reports, {ok} analysed, {failed} failed. Values are the year's as each report prints them (drafts: "
        "read by gov-report add, not reviewed by hand); gaps in percentage points, the report's growth minus its "
        "parent's; point at a value for its quote.",
        "共{n}份报告，{ok}份完成分析，{failed}份失败。"
        "数值为各报告所载当年数（草稿由 gov-report add 读取，尚未人工核对）；"
        "增速差以百分点计，为本报告增速减上级增速；鼠标指向数值可见原文。",
    ),
    "search": ("Search", "搜索"),
    "other": ("中文", "English"),
    "entity": ("Area", "地区"),
    "level": ("Level", "层级"),
    "parent": ("Parent", "上级"),
    "status": ("Status", "状态"),
    "chart": (
        "GDP growth of each report against its parent's (points: percent)",
        "各报告地区生产总值增速与上级增速（%）",
    ),
    "x": ("parent's GDP growth (%)", "上级地区生产总值增速（%）"),
    "y": ("report's GDP growth (%)", "本报告地区生产总值增速（%）"),
    "gap": ("gap, pp", "差（百分点）"),
    "share": ("share of parent", "占上级比重"),
    "share_nation": ("share of nation", "占全国比重"),
}
_NAMES = {
    "gdp": ("GDP", "地区生产总值"),
    "budget_revenue": ("budget revenue", "一般公共预算收入"),
    "retail_sales": ("retail sales", "社会消费品零售总额"),
    "foreign_trade": ("trade", "进出口总额"),
    "new_urban_jobs": ("new urban jobs", "城镇新增就业"),
    "gdp_growth": ("GDP growth %", "地区生产总值增速（%）"),
    "budget_revenue_growth": ("budget revenue growth %", "一般公共预算收入增速（%）"),
    "retail_sales_growth": ("retail sales growth %", "社会消费品零售总额增速（%）"),
    "foreign_trade_growth": ("trade growth %", "进出口总额增速（%）"),
    "fixed_asset_investment_growth": ("investment growth %", "固定资产投资增速（%）"),
    "per_capita_disposable_income_growth": ("income growth %", "居民人均可支配收入增速（%）"),
}
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
"""


def _t(key: str, lang: str, **values: object) -> str:
    english, chinese = _TEXT[key]
    return (chinese if lang == "zh" else english).format(**values)


def _cell(value: object, lang: str, quote: str = "", status: str = "") -> str:
    """A numeric cell: its sort key, compact value, quote as title, and a flag where its status is not ok."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "<td></td>"
    number = float(value)
    shown = format_number(number, lang, compact=True) if abs(number) >= 1000 else f"{number:.4g}"
    flag = f' <span class="flag">{html.escape(status)}</span>' if status and status != "ok" else ""
    title = f' title="{html.escape(quote)}"' if quote else ""
    return f'<td data-v="{number!r}"{title}>{html.escape(shown)}{flag}</td>'


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
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = "图表" if lang == "zh" else "Chart"
    return f'<img alt="{alt}" src="data:image/png;base64,{encoded}">'


def page(section: pd.DataFrame, lang: str) -> str:
    """One language's page."""
    zh = lang == "zh"
    indicators = [c for c in cross_section_indicators() if c in section.columns]
    head = [_t("entity", lang), _t("level", lang), _t("parent", lang), _t("status", lang)]
    for code in indicators:
        name = _NAMES.get(code, (code, code))[1 if zh else 0]
        head.append(name)
        if code.endswith("_growth") and f"{code}_parent" in section.columns:
            head += [f"{name}: {_t('parent', lang)}", f"{name}: {_t('gap', lang)}"]
        elif f"{code}_share_of_parent" in section.columns:
            head += [f"{name}: {_t('share', lang)} %", f"{name}: {_t('share_nation', lang)} %"]
    rows = []
    for record in section.to_dict("records"):
        name = str(record.get("entity_zh" if zh else "entity_en") or record.get("report_id"))
        cells = [
            f'<td class="name">{html.escape(str(text))}</td>'
            for text in (name, record.get("level", ""), record.get("parent", ""))
        ]
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
                    _cell(record.get(f"{code}_gap_pp"), lang, status=str(record.get(f"{code}_gap_status", "")))
                )
            elif f"{code}_share_of_parent" in section.columns:
                cells.append(
                    _cell(
                        record.get(f"{code}_share_of_parent"), lang, status=str(record.get(f"{code}_share_status", ""))
                    )
                )
                cells.append(
                    _cell(
                        record.get(f"{code}_share_of_nation"),
                        lang,
                        status=str(record.get(f"{code}_share_of_nation_status", "")),
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
        f"{_chart(section, lang)}"
        f'<p><input class="search" placeholder="{_t("search", lang)}"></p>'
        '<table class="cross"><thead><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead>"
        "<tbody>" + "".join(rows) + f"</tbody></table><script>{_SCRIPT}</script></body></html>"
    )


def write_pages(folder: Path, section: pd.DataFrame, figures: pd.DataFrame) -> None:
    """``index.html`` and ``index.zh.html`` into ``folder``."""
    del figures  # the pages show the cross-section; the figures are its download (data/corpus_figures.csv)
    for lang, name in (("en", "index.html"), ("zh", "index.zh.html")):
        (folder / name).write_text(page(section, lang), encoding="utf-8")
