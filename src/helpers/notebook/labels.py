"""Bilingual labels and number formatting: every label exists in Chinese and English.

Numbers are written the way a reader of each language expects: 亿元 and 万 in Chinese, billion yuan and
thousand in English.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

from helpers.analysis.audit import RULE_NAMES
from helpers.sources.numbers import measure_word

Lang = str

THEME_LABELS: dict[str, tuple[str, str]] = {
    "epidemic": ("Epidemic response", "疫情防控"),
    "economy": ("Economy", "经济发展"),
    "reform_innovation": ("Reform and innovation", "改革创新"),
    "urban_renewal": ("Urban renewal", "城市更新"),
    "livelihood": ("Livelihood", "民生保障"),
    "governance": ("Governance", "社会治理与政府效能"),
}
QUALIFIER_LABELS: dict[str, tuple[str, str]] = {
    "exact": ("as printed", "确数"),
    "at_least": ("at least", "不少于"),
    "at_most": ("at most", "不超过"),
    "approx": ("about", "约"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "ok": ("ok", "正常"),
    "derived": ("derived", "推算"),
    "scope_mismatch": ("scope mismatch", "口径不一致"),
    "implausible": ("cannot be true", "不可能成立"),
    "missing": ("missing comparator", "缺少对比数据"),
}
SEVERITY_LABELS: dict[str, tuple[str, str]] = {
    "error": ("error", "错误"),
    "warning": ("warning", "注意"),
    "info": ("info", "说明"),
}
#: Audit rule names in both languages, by rule id: one table, kept beside the rules that emit the ids.
RULE_LABELS: dict[str, tuple[str, str]] = RULE_NAMES
QUALIFIER_SIGNS: dict[str, str] = {"exact": "", "at_least": "≥", "at_most": "≤", "approx": "≈"}
TEXT: dict[str, tuple[str, str]] = {
    "indicator": ("Indicator", "指标"),
    "as_printed": ("As printed", "原文数值"),
    "value": ("Value", "数值"),
    "qualifier": ("Qualifier", "限定"),
    "kind": ("Kind", "类型"),
    "quote": ("Quote", "原文"),
    "metric": ("Metric", "指标"),
    "interval": ("Interval", "区间"),
    "value_interval": ("Value (interval)", "数值（区间）"),
    "inputs": ("Inputs", "输入"),
    "details_metrics": ("Formulas, inputs and notes", "公式、输入与说明"),
    "details_comparisons": ("Sources and notes of each comparison", "各项比较的出处与说明"),
    "formula": ("Formula", "公式"),
    "status": ("Status", "状态"),
    "note": ("Note", "说明"),
    "basis": ("Population basis", "人口口径"),
    "population": ("Population", "人口"),
    "caveat": ("Caveat", "注意事项"),
    "severity": ("Severity", "级别"),
    "finding": ("Finding", "发现"),
    "theme": ("Theme", "主题"),
    "figures": ("Figures", "数据项"),
    "metrics": ("Derived metrics", "派生指标"),
    "findings": ("Audit findings", "核查发现"),
    "notebook": ("Notebook", "笔记本"),
    "entity": ("Area", "地区"),
    "missing": ("missing", "缺失"),
    "reason": ("Reason", "原因"),
    "rule": ("Rule", "规则"),
    "convention": ("Convention", "约定"),
    "example": ("Example", "示例"),
    "largest_figures": ("Largest figures (in {unit})", "数值最大的若干项（单位：{unit}）"),
    "stated_rates": ("Rates the report states for the year (of 100%)", "报告所载当年比率（满值100%）"),
    "metric_intervals": ("Derived metrics with their intervals", "派生指标及其区间"),
    "per_capita_chart": ("{label} under each population basis", "不同人口口径下的{label}"),
    "no_comparator": ("No sourced comparator for this theme.", "本主题没有有出处的对比数据。"),
    "none": ("None.", "无。"),
    "sources": ("Sources (report: quote)", "出处（原文与报告）"),
    "missing_comparisons": (
        "Not computed, for lack of a sourced comparator: {labels}.",
        "因缺少有出处的对比数据而未计算：{labels}。",
    ),
    "share_axis": ("{name}'s share of the total (log scale)", "{name}占比（对数坐标）"),
    "shares_title": (
        "{name}'s share of its higher levels' totals,\nagainst its share of their population",
        "{name}占上级地区总量的比重与其人口占比",
    ),
    "shares_title_alone": ("{name}'s share of its higher levels' totals", "{name}占上级地区总量的比重"),
    "population_line": ("{name}'s share of the population", "{name}人口占比"),
    "growth_axis": ("growth over the previous year (percent)", "比上年增长（%）"),
    "growth_title": ("{name}'s growth rates beside its higher levels'", "{name}与上级地区的增速对比"),
    "report_line": ("{entity}: {year} government work report.", "{entity}政府工作报告（{year}年工作回顾）"),
    "theme_empty": (
        "The report states no figure under {theme}: there is nothing to show on this page.",
        "报告在“{theme}”主题下没有列出数据，本页无内容可显示。",
    ),
    "no_population": (
        "The report has no population on the basis {basis} (its bases: {bases}); per-capita values and population "
        "shares are shown on its own bases below.",
        "报告没有“{basis}”口径的人口数（其口径为：{bases}）；人均值和人口占比按报告自身的口径列于下方。",
    ),
    "no_population_at_all": (
        "The report has no population basis (no population.toml beside it): no per-capita value is computed.",
        "报告没有人口口径（报告目录中没有population.toml）：不计算人均值。",
    ),
    "findings_chart": ("Audit findings by theme and severity", "各主题核查发现（按级别）"),
    # The cross-section's pages (helpers.publish.corpus_page).
    "corpus_title": ("The 2020 cross-section: every report against its parent", "2020年横截面：各报告与上级对照"),
    "corpus_lede": (
        "{n} reports, {ok} analysed, {failed} failed. Values are the year's as each report prints them (drafts: "
        "read by gov-report add, not reviewed by hand); gaps in percentage points, the report's growth minus its "
        "parent's; beside each gap, the gap the report itself states right after the same figure and whether "
        "the two agree within rounding; point at a value for its quote.",
        "共{n}份报告，{ok}份完成分析，{failed}份失败。"
        "数值为各报告所载当年数（草稿由 gov-report add 读取，尚未人工核对）；"
        "增速差以百分点计，为本报告增速减上级增速；其旁为报告紧随同一数字所称的差距，并注明二者在舍入误差内是否一致；"
        "鼠标指向数值可见原文。",
    ),
    "corpus_search": ("Search", "搜索"),
    "corpus_other": ("中文", "English"),
    "corpus_level": ("Level", "层级"),
    "corpus_parent": ("Parent", "上级"),
    "corpus_chart": (
        "GDP growth of each report against its parent's (points: percent)",
        "各报告地区生产总值增速与上级增速（%）",
    ),
    "corpus_x": ("parent's GDP growth (%)", "上级地区生产总值增速（%）"),
    "corpus_y": ("report's GDP growth (%)", "本报告地区生产总值增速（%）"),
    "corpus_gap": ("gap, pp", "差（百分点）"),
    "corpus_stated_gap": ("stated gap, pp", "报告所称差（百分点）"),
    "corpus_share": ("share of parent %", "占上级比重（%）"),
    "corpus_share_nation": ("share of nation %", "占全国比重（%）"),
    "corpus_gaps_chart": (
        "Gaps to the province, by province: each city's GDP growth minus its province's",
        "各省（区）所辖城市地区生产总值增速与全省（区）之差",
    ),
    "corpus_gaps_x": (
        "city's GDP growth minus its province's (percentage points)",
        "城市地区生产总值增速减全省（区）增速（百分点）",
    ),
    "corpus_gaps_count": ("{name} ({n})", "{name}（{n}）"),
    "corpus_gaps_hollow": ("gap not plainly comparable (hollow)", "比较口径有保留（空心）"),
    "corpus_gaps_median": ("the province's median", "该省（区）中位数"),
    "corpus_chart_alt": ("Chart", "图表"),
}
#: Short names of the cross-section's indicators, for the headings of its pages.
CROSS_SECTION_NAMES: dict[str, tuple[str, str]] = {
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
#: Whether a gap the report states agrees, within rounding, with the gap computed from the printed rates.
AGREEMENT_LABELS: dict[str, tuple[str, str]] = {
    "agrees": ("agrees", "一致"),
    "disagrees": ("disagrees", "不一致"),
    "none": ("no gap stated", "未称差距"),
}
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "yuan": ("yuan", "元"),
    "usd": ("US dollars", "美元"),
    "persons": ("people", "人"),
    "person_times": ("person-times", "人次"),
    "count": ("items", "个/项"),
    "m2": ("m²", "平方米"),
    "km": ("km", "公里"),
    "km2": ("km²", "平方公里"),
    "mu": ("mu", "亩"),
    "hectare": ("hectares", "公顷"),
    "tonnes": ("tonnes", "吨"),
    "kwh": ("kWh", "千瓦时"),
    "teu": ("TEU", "标箱"),
    "flights": ("flights", "架次"),
    "years": ("years", "年"),
    "months": ("months", "个月"),
    "days": ("days", "天"),
    "hours": ("hours", "小时"),
    "minutes": ("minutes", "分钟"),
    "other": ("(unit as printed)", "（原文单位）"),
    "yuan_per_usd": ("yuan per US dollar", "元/美元"),
    "percent": ("percent", "百分比"),
    "percentage_points": ("percentage points", "个百分点"),
    "date": ("date", "日期"),
    "ratio": ("ratio", "比值"),
    "yuan_per_person": ("yuan per person", "元/人"),
    "per_1000_residents": ("per 1,000 residents", "每千人"),
}


def basis_short(bases: dict[str, Any], basis_id: str, lang: Lang) -> str:
    """A population basis's short name (its report's ``population.toml``); the id of a basis the report lacks."""
    basis = bases.get(basis_id)
    return pick(basis.short, lang) if basis is not None and basis.short else basis_id


def pick(pair: tuple[str, str], lang: Lang) -> str:
    """The English or Chinese member of a label pair."""
    return pair[1] if lang == "zh" else pair[0]


def text(key: str, lang: Lang, **fields: object) -> str:
    """A fixed UI string in ``lang``, with ``{fields}`` filled in."""
    return pick(TEXT[key], lang).format(**fields)


def agreement_label(agreement: str, lang: Lang) -> str:
    """A stated gap's agreement in ``lang``, its comparison's status kept; "" for "".

    ``agrees (scope_mismatch)`` reads "agrees (scope mismatch)" and "一致（口径不一致）".
    """
    verdict, _, status = agreement.partition(" (")
    if not verdict:
        return ""
    shown = pick(AGREEMENT_LABELS.get(verdict, (verdict, verdict)), lang)
    status = status.rstrip(")")
    if not status:
        return shown
    status_shown = pick(STATUS_LABELS.get(status, (status, status)), lang)
    return f"{shown}（{status_shown}）" if lang == "zh" else f"{shown} ({status_shown})"


def theme_label(theme: str, lang: Lang) -> str:
    """The theme's name in ``lang``."""
    return pick(THEME_LABELS[theme], lang)


def rule_name(rule: str, lang: Lang) -> str:
    """The audit rule's readable name in ``lang`` (the id stays in the exports)."""
    return pick(RULE_LABELS[rule], lang)


def unit_name(unit: str, lang: Lang) -> str:
    """The unit's name in ``lang``."""
    return pick(UNIT_NAMES[unit], lang)


def _trim(number: float, significant: int = 4) -> str:
    """At least ``significant`` significant digits, thousands separators, no trailing zeros after a point."""
    if number == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(number)))
    decimals = max(0, significant - 1 - magnitude)
    rendered = f"{number:,.{decimals}f}"
    return rendered.rstrip("0").rstrip(".") if "." in rendered else rendered


def _scaled(value: float, lang: Lang, compact: bool = False) -> tuple[float, str]:
    """Divide by the largest customary step: 亿/万 in Chinese, billion/million/thousand in English.

    English keeps whole numbers below 10,000 as they are (1,967 rather than 1.967 thousand).
    """
    if lang == "zh":
        steps = [(1e8, 1e8, "亿"), (1e4, 1e4, "万")]
    elif compact:
        steps = [(1e9, 1e9, "bn"), (1e6, 1e6, "M"), (1e4, 1e3, "k")]
    else:
        steps = [(1e9, 1e9, " billion"), (1e6, 1e6, " million"), (1e4, 1e3, " thousand")]
    for threshold, size, word in steps:
        if abs(value) >= threshold:
            return value / size, word
    return value, ""


def format_number(value: float, lang: Lang, significant: int = 4, compact: bool = False) -> str:
    """A plain number in the customary scale (4.8万 / 48 thousand; compact: 48k), for ticks and tables."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return text("missing", lang)
    scaled, word = _scaled(value, lang, compact)
    return f"{_trim(scaled, significant)}{word}"


def format_value(value: float, unit: str, lang: Lang, significant: int = 4, measure: str = "") -> str:
    """A value with its unit, the way the language writes it: 1,800亿元 / 180 billion yuan; 18.6%; 26万户.

    ``significant`` digits are kept at least (more for the bounds of an interval, so that 979.35 and
    979.45 stay apart). ``measure`` is the measure word a Chinese count carries (户, 家, 个), from the
    figure as printed (``helpers.sources.numbers.measure_word``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return text("missing", lang)
    if unit == "percent":
        decimals = 2 if significant > 4 or abs(value) < 10 else 1
        return f"{value:.{decimals}f}%"
    if unit == "date":
        digits = f"{int(value):08d}"
        year, month, day = digits[:4], int(digits[4:6]), int(digits[6:])
        return f"{year}年{month}月{day}日" if lang == "zh" else f"{year}-{month:02d}-{day:02d}"
    if unit == "ratio":
        return _trim(value, significant)
    number = format_number(value, lang, significant)
    if unit == "count":
        return f"{number}{measure}" if lang == "zh" else number
    if unit == "other" and measure:  # a unit outside the base units (斤, 支): the word the report prints
        return f"{number}{measure}" if lang == "zh" else f"{number} ({measure})"
    if unit == "per_1000_residents":
        per = _trim(value, significant)
        return f"每千人{per}" if lang == "zh" else f"{per} per 1,000 residents"
    if lang == "zh":
        return f"{number}{unit_name(unit, lang)}"
    return f"{number} {unit_name(unit, lang)}"


def format_interval(low: float, high: float, unit: str, lang: Lang) -> str:
    """An interval as "[low, high]" in the value's format; equal bounds print once."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return text("missing", lang)
    if low == high:
        return format_value(low, unit, lang)
    separator = "，" if lang == "zh" else ", "
    return f"[{format_value(low, unit, lang, 6)}{separator}{format_value(high, unit, lang, 6)}]"


def _round_significant(value: float, significant: int) -> float:
    """``value`` rounded to ``significant`` significant digits (in its base unit, whatever the language)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, significant - 1 - math.floor(math.log10(abs(value))))


def interval_digits(low: float, high: float) -> int:
    """The significant digits a short interval needs: the fewest (3 to 7) that move no bound by 5% of its width.

    Both languages round to these digits in base units before scaling, so that 1,225亿–1,235亿 reads
    122.5bn–123.5bn in English, never 122bn–124bn.
    """
    width = high - low
    for significant in range(3, 8):
        if all(abs(_round_significant(bound, significant) - bound) <= 0.05 * width for bound in (low, high)):
            return significant
    return 7


def _short(value: float, unit: str, lang: Lang, decimals: int, significant: int = 3) -> str:
    """A bound of a short interval: the number alone, in the value's scale."""
    if unit == "percent":
        return f"{value:.{decimals}f}"
    if unit in ("ratio",):
        return _trim(value, 3)
    return format_number(_round_significant(value, significant), lang, significant, compact=True)


def format_estimate(value: float, low: float, high: float, unit: str, lang: Lang, measure: str = "") -> str:
    """A value with its interval in short form: "15.0% (15.0–15.8)", "135k (135k–143k) yuan per person".

    The bounds are rounded alike in both languages (:func:`interval_digits`).
    """
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (value, low, high)):
        return text("missing", lang)
    if unit in ("date", "count") or low == high:
        return format_value(value, unit, lang, measure=measure)
    decimals = 1 if unit == "percent" and abs(value) >= 10 else 2
    digits = interval_digits(low, high)
    central = _short(value, unit, lang, decimals, digits)
    low_text, high_text = (_short(bound, unit, lang, decimals, digits) for bound in (low, high))
    if low_text == high_text:  # the interval is narrower than the digits shown
        return format_value(value, unit, lang)
    bounds = f"{low_text}–{high_text}"
    if unit == "percent":
        return f"{central}%（{bounds}）" if lang == "zh" else f"{central}% ({bounds})"
    if unit == "ratio":
        return f"{central}（{bounds}）" if lang == "zh" else f"{central} ({bounds})"
    name = unit_name(unit, lang)
    return f"{central}（{bounds}）{name}" if lang == "zh" else f"{central} ({bounds}) {name}"


#: Characters Markdown (and its math extension) gives a meaning: each is shown as itself when escaped.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~$])")


def escape_markdown(text_from_data: str) -> str:
    """Text from data, made safe to show as Markdown: data is text, never markup.

    HTML is escaped (``<script>`` shows as text) and so is Markdown syntax: ``[link](javascript:…)`` shows
    as those characters instead of becoming a live link; emphasis, headings and math stay literal too.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text_from_data, quote=False))


def metric_measure(figures: Any, inputs: str, report_id: str) -> str:
    """The measure word of a count metric: that of its first input figure printed with one (户 for 780万户).

    ``inputs`` is the metric's ``;``-separated ids (``market_entities_total;market_entities_share_of_henan``);
    the report's own may carry its id (``<report_id>:gdp``).
    """
    printed = dict(zip(figures["figure_id"], figures["unit_as_printed"], strict=True))
    for ident in inputs.split(";"):
        measure = measure_word(printed.get(ident.removeprefix(f"{report_id}:"), ""))
        if measure:
            return measure
    return ""
