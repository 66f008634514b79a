"""Number formatting in both languages: 亿元 and 万 in Chinese, billion yuan and thousand in English."""

from __future__ import annotations

import ast
import inspect
import math
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers.analysis import audit, audit_comparisons, audit_support
from helpers.notebook import report
from helpers.notebook.labels import (
    RULE_LABELS,
    THEME_LABELS,
    format_estimate,
    format_interval,
    format_number,
    format_value,
    rule_name,
    text,
)
from helpers.notebook.params import validate_parameters


@pytest.mark.parametrize(
    ("value", "unit", "en", "zh"),
    [
        (1800e8, "yuan", "180 billion yuan", "1,800亿元"),
        (979.4e8, "yuan", "97.94 billion yuan", "979.4亿元"),
        (2000e4, "yuan", "20 million yuan", "2,000万元"),
        (48_000, "persons", "48 thousand people", "4.8万人"),
        (1_967.03, "count", "1,967", "1,967"),
        (18.6, "percent", "18.6%", "18.6%"),
        (3.2729, "percent", "3.27%", "3.27%"),
        (20200125, "date", "2020-01-25", "2020年1月25日"),
        (92.4, "km", "92.4 km", "92.4公里"),
        (math.nan, "yuan", "missing", "缺失"),
    ],
)
def test_format_value(value: float, unit: str, en: str, zh: str) -> None:
    assert format_value(value, unit, "en") == en
    assert format_value(value, unit, "zh") == zh


def test_interval_bounds_keep_their_digits() -> None:
    # 979.4亿 rounds within [979.35亿, 979.45亿]; four significant digits would print both as 979.4.
    assert format_interval(979.35e8, 979.45e8, "yuan", "zh") == "[979.35亿元，979.45亿元]"
    assert format_interval(214, 214, "count", "en") == "214"


def test_compact_ticks() -> None:
    assert format_number(135_000, "en", compact=True) == "135k"
    assert format_number(1.8e11, "en", compact=True) == "180bn"
    assert format_number(135_000, "zh", compact=True) == "13.5万"


def test_every_theme_has_both_languages() -> None:
    assert all(en and zh and en != zh for en, zh in THEME_LABELS.values())


def _rule_ids_in_audit_source() -> set[str]:
    """Every rule id the audit's modules can put in a finding, read from their source (not a copy typed here).

    A finding's rule is the ``rule`` argument of a helper that takes one (``finding``, ``_figures_out_of_range``):
    each call passes a literal, a choice between literals (``"a" if agree else "b"``) or, inside such a helper,
    its own ``rule`` parameter.
    """
    modules = (audit, audit_comparisons, audit_support)
    trees = [ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8")) for module in modules]
    functions = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    takes_rule = {
        f.name: [a.arg for a in f.args.args].index("rule") for f in functions if "rule" in {a.arg for a in f.args.args}
    }
    assert "finding" in takes_rule, "the audit no longer builds findings with finding(rule, ...)"
    ids: set[str] = set()
    for function in functions:
        own = {a.arg for a in function.args.args}
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in takes_rule):
                continue
            position = takes_rule[call.func.id]
            keyword = [k.value for k in call.keywords if k.arg == "rule"]
            argument = keyword[0] if keyword else call.args[position]
            if isinstance(argument, ast.Name) and argument.id == "rule" and "rule" in own:
                continue  # handed on from the caller, whose literal is collected at its call
            literals = [n.value for n in ast.walk(argument) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            assert literals, f"{function.name}: a rule id that is not a literal ({ast.unparse(argument)})"
            ids.update(literals)
    return ids


def test_every_rule_the_audit_can_emit_has_a_name_in_both_languages() -> None:
    ids = _rule_ids_in_audit_source()
    assert {"share_out_of_range", "growth_out_of_bounds", "parts_do_not_sum_to_total"} <= ids  # the reader works
    assert ids == set(RULE_LABELS), "a rule without a name, or a name of no rule"
    for rule, (en, zh) in RULE_LABELS.items():
        assert en and zh and en != rule and zh != rule, rule
        assert not re.search(r"[\u4e00-\u9fff]", en), en  # English names are English
        assert re.search(r"[\u4e00-\u9fff]", zh), zh
        assert not re.search(r"[,;:()]", zh), zh  # Chinese punctuation is full width
    for lang in ("en", "zh"):
        names = [rule_name(rule, lang) for rule in RULE_LABELS]
        assert len(set(names)) == len(names), f"two rules share a name in {lang}"


def test_a_finding_of_an_unnamed_rule_is_refused() -> None:
    with pytest.raises(KeyError, match="no_such_rule"):
        audit_support.finding("no_such_rule", "key", "info", [], "en", "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_audit_table_shows_rule_names_not_ids(lang: str, tmp_path: Path) -> None:
    params = validate_parameters(
        "data/reports/jinshui-2020", "data/reference", "resident_2019", lang, str(tmp_path / "out")
    )
    ctx = report.load_context(params)
    column = text("rule", lang)
    table = report.findings_table(ctx)
    emitted = set(ctx.findings["rule"])
    assert len(emitted) > 1
    assert set(table[column]) == {rule_name(rule, lang) for rule in emitted}
    # The page's table (as report.show renders it): the rule column holds names, no cell holds an id.
    soup = BeautifulSoup(report.show(table).data, "html.parser")
    headers = [th.get_text(strip=True) for th in soup.select("thead th")]
    cells = [row.select("td")[headers.index(column)].get_text(strip=True) for row in soup.select("tbody tr")]
    assert cells == [rule_name(rule, lang) for rule in ctx.findings["rule"]]
    every_cell = {td.get_text(strip=True) for td in soup.select("td")}
    assert not every_cell & set(RULE_LABELS)


def _base_value(rendered: str) -> float:
    """A number written as the page writes it back in base units: 1,225亿 / 122.5bn / 13.5万 / 135k."""
    scales = {"亿": 1e8, "万": 1e4, "bn": 1e9, "M": 1e6, "k": 1e3}
    number, scale = re.fullmatch(r"([\d.,]+)(亿|万|bn|M|k)?", rendered).groups()
    return float(number.replace(",", "")) * scales.get(scale or "", 1)


@pytest.mark.parametrize(
    ("value", "low", "high", "unit"),
    [
        (1230e8, 1225e8, 1235e8, "yuan"),  # 1230亿元, an exact whole number with a magnitude: ±5亿
        (979.4e8, 979.35e8, 979.45e8, "yuan"),  # 979.4亿元
        (135_034, 134_950, 142_600, "yuan_per_person"),
        (44e4, 43.5e4, 44.5e4, "persons"),  # 44万
        (6255e4, 6254.5e4, 6255.5e4, "yuan"),  # 6255万元
    ],
)
def test_an_interval_is_rounded_alike_in_both_languages(value: float, low: float, high: float, unit: str) -> None:
    # Once «1,230亿（1,225亿–1,235亿）» read «123bn (122bn–124bn)» in English: the English bounds were rounded to three
    # digits, the Chinese ones to four. Both now round the same base value to the same digits.
    pattern = {"en": r"^(\S+) \((\S+)–(\S+)\)", "zh": r"^(\S+?)（(\S+?)–(\S+?)）"}
    read = {}
    for lang in ("en", "zh"):
        match = re.match(pattern[lang], format_estimate(value, low, high, unit, lang))
        assert match, format_estimate(value, low, high, unit, lang)
        read[lang] = [_base_value(part) for part in match.groups()]
    assert read["en"] == pytest.approx(read["zh"], rel=1e-12)
    assert read["zh"][1] == pytest.approx(low, rel=0.01) and read["zh"][2] == pytest.approx(high, rel=0.01)


def test_1230_yi_reads_the_same_in_both_languages() -> None:
    assert format_estimate(1230e8, 1225e8, 1235e8, "yuan", "zh") == "1,230亿（1,225亿–1,235亿）元"
    assert format_estimate(1230e8, 1225e8, 1235e8, "yuan", "en") == "123bn (122.5bn–123.5bn) yuan"


def test_a_chinese_count_keeps_its_measure_word() -> None:
    from helpers.sources.numbers import measure_word

    # 市场主体总量达到26万户: 26万户, never 26万; English counts carry no measure word.
    assert [measure_word(u) for u in ("万户", "万余名", "家", "多家", "个以上", "亿元", "%", "万", "")] == [
        "户",
        "名",
        "家",
        "家",
        "个",
        "元",
        "",
        "",
        "",
    ]
    assert format_value(260_000, "count", "zh", measure="户") == "26万户"
    assert format_value(260_000, "count", "en", measure="户") == "260 thousand"
    assert format_estimate(260_000, 255_000, 265_000, "count", "zh", "户") == "26万户"
