"""Data exports of a run (CSV and one XLSX) and its index page.

Every file is written whole to a temporary name and renamed over the old one. The CSV files keep every
character; the XLSX cannot hold control characters (openpyxl refuses them) nor cells over 32,767
characters, so such text is replaced or shortened there deliberately and the run says so once, pointing to
the CSV that keeps the full text.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.analysis.audit import SEVERITIES, with_rule_names
from helpers.analysis.tables import Analysis, load_analysis
from helpers.notebook.labels import SEVERITY_LABELS, basis_short, format_value, pick, rule_name
from helpers.notebook.params import HEADLINE_INDICATORS, resolve
from helpers.publish.html import (
    PAGE_LABELS,
    Card,
    FindingGroup,
    index_page,
    page_name,
    render_index,
    run_metadata,
)
from helpers.publish.staging import atomic_write_bytes
from helpers.sources.numbers import measure_word
from helpers.sources.registry import SUBJECT_REPORT_ID

#: The XLSX of the project's report (the workbook of any report is named after its id: ``xlsx_name``).
XLSX_NAME = f"{SUBJECT_REPORT_ID}.xlsx"
#: Headline figures on the index page: those of the first headline indicators the report prints.
INDEX_FIGURES = 5


def xlsx_name(report_id: str) -> str:
    """The workbook of a run: the three tables of the report ``report_id``, a sheet each."""
    return f"{report_id}.xlsx"


#: The notebook whose page lists every finding, and the anchor of its findings section.
AUDIT_STEM = "07_data_audit"
AUDIT_ANCHOR = "findings"


def _analysis(parameters: dict[str, Any]) -> Analysis:
    return load_analysis(resolve(parameters["report_dir"]), resolve(parameters["reference_dir"]))


#: The longest text an XLSX cell holds.
XLSX_CELL_LIMIT = 32_767
SHORTENED = " … [shortened: the CSV has the full text]"
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_safe(table: pd.DataFrame, sheet: str) -> tuple[pd.DataFrame, list[str]]:
    """The table with text an XLSX can hold (control characters as U+FFFD, long cells shortened), and notes."""
    notes: list[str] = []
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype != object and not pd.api.types.is_string_dtype(safe[column]):
            continue
        values = safe[column].astype(object)
        text = values.map(lambda v: isinstance(v, str))
        control = text & values.map(lambda v: bool(isinstance(v, str) and _XLSX_ILLEGAL.search(v)))
        if control.any():
            values[control] = values[control].map(lambda v: _XLSX_ILLEGAL.sub("\ufffd", v))
            notes.append(f"{sheet}.{column}: {int(control.sum())} cell(s) with control characters shown as \ufffd")
        long = text & values.map(lambda v: isinstance(v, str) and len(v) > XLSX_CELL_LIMIT)
        if long.any():
            values[long] = values[long].map(lambda v: v[: XLSX_CELL_LIMIT - len(SHORTENED)] + SHORTENED)
            notes.append(f"{sheet}.{column}: {int(long.sum())} cell(s) over {XLSX_CELL_LIMIT} characters shortened")
        safe[column] = values
    return safe, notes


def write_data_exports(folder: Path, parameters: dict[str, Any]) -> list[str]:
    """figures.csv, derived_metrics.csv, audit_findings.csv and one XLSX with a sheet each.

    Returns the notes on text the XLSX could not hold as it is (empty when there is none).
    """
    folder.mkdir(parents=True, exist_ok=True)
    analysis = _analysis(parameters)
    figures, metrics, findings = analysis.figures, analysis.metrics, analysis.findings
    # The rule's id for code, its name in both languages for people.
    tables = {"figures": figures, "derived_metrics": metrics, "audit_findings": with_rule_names(findings)}
    notes: list[str] = []
    safe_tables = {}
    for name, table in tables.items():
        safe_tables[name], found = xlsx_safe(table, name)
        notes += found
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in safe_tables.items():
            table.to_excel(writer, sheet_name=name, index=False)
    # Every file is built in memory first: a failure leaves no half-written file behind.
    contents = {f"{name}.csv": table.to_csv(index=False).encode("utf-8") for name, table in tables.items()}
    contents[xlsx_name(analysis.report.report_id)] = buffer.getvalue()
    for name, data in contents.items():
        atomic_write_bytes(folder / name, data)
    return notes


def _headlines(staging: Path, analysis: Analysis, lang: str, basis: str) -> list[tuple[str, str]]:
    """Headline numbers from the overview's results file (empty when the overview has not run)."""
    figures, bases, subject = analysis.figures, analysis.bases, analysis.subject
    path = staging / "results" / ("00_overview.json" if lang == "en" else f"00_overview.{lang}.json")
    if not path.exists():
        return []
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    rows = figures.set_index("figure_id")
    own = {o.indicator: o.item_id for o in analysis.observations if o.source == analysis.report.report_id}
    headlines = []
    for figure_id in [own[code] for code in HEADLINE_INDICATORS if code in own][:INDEX_FIGURES]:
        if f"figure.{figure_id}" in results and figure_id in rows.index:
            row = rows.loc[figure_id]
            sign = "≥ " if row["qualifier"] == "at_least" else ""
            label = row["indicator_zh"] if lang == "zh" else row["indicator_en"]
            value = format_value(
                results[f"figure.{figure_id}"], row["unit"], lang, measure=measure_word(row["unit_as_printed"])
            )
            headlines.append((label, sign + value))
    labels = {
        f"gdp_share_of_{p}": (f"GDP share of {subject.names(p)[0]}", f"GDP占{subject.names(p)[1]}比重")
        for p in subject.parent_ids[:2]
    }
    labels["gdp_per_capita"] = (
        f"GDP per capita ({basis_short(bases, basis, 'en')})",
        f"人均GDP（{basis_short(bases, basis, 'zh')}）",
    )
    for metric_id, label in labels.items():
        if results.get(metric_id) is not None:
            unit = "yuan_per_person" if metric_id == "gdp_per_capita" else "percent"
            headlines.append((pick(label, lang), format_value(results[metric_id], unit, lang)))
    return headlines


def index_titles(analysis: Analysis, lang: str) -> tuple[str, str]:
    """The index page's title and subtitle, naming the report's area and year."""
    labels, subject, meta = PAGE_LABELS[lang], analysis.subject, analysis.report.meta
    year = str(subject.year)
    if lang == "zh":
        entity, full = subject.entity.name_zh, subject.full_name_zh
    else:
        entity, full = subject.entity.name_en, meta.entity_en
    return labels["title"].format(entity=entity, year=year), labels["subtitle"].format(entity=full, year=year)


def finding_groups(findings: pd.DataFrame, lang: str, href: str = "") -> list[FindingGroup]:
    """One group per rule: its name, how many findings, the worst (by severity, then the first) and the others.

    Groups come most severe first, then in the order of their first finding.
    """
    message = "message_zh" if lang == "zh" else "message_en"
    rank = {severity: position for position, severity in enumerate(SEVERITIES)}
    by_rule: dict[str, list[Any]] = {}
    for row in findings.itertuples(index=False):
        by_rule.setdefault(row.rule, []).append(row)
    groups = []
    for rule, members in by_rule.items():
        worst = min(members, key=lambda row: rank[row.severity])  # min keeps the first of equals
        groups.append(
            FindingGroup(
                rule=rule,
                name=rule_name(rule, lang),
                severity=worst.severity,
                severity_label=pick(SEVERITY_LABELS[worst.severity], lang),
                count=len(members),
                example=getattr(worst, message),
                example_id=worst.finding_id,
                others=tuple(
                    (row.severity, pick(SEVERITY_LABELS[row.severity], lang), getattr(row, message))
                    for row in members
                    if row is not worst
                ),
                href=href,
            )
        )
    return sorted(groups, key=lambda group: rank[group.severity])  # a stable sort keeps the first-finding order


def publish_index(
    staging: Path, manifest: dict[str, Any], parameters: dict[str, Any], available: dict[str, Path], twin: str = ""
) -> Path:
    """Write the index page of the run's language (``parameters['lang']``); ``twin`` is the other one's."""
    analysis = _analysis(parameters)
    findings = analysis.findings
    lang = parameters.get("lang", "en")
    entries = manifest["notebooks"]
    cards = [
        Card(
            stem,
            entries[key].get("title", stem),
            entries[key]["status"],
            float(entries[key]["seconds"]),
            page_name(stem, lang),
            entries[key].get("failure", {}).get("error", "") or entries[key].get("error", ""),
            entries[key].get("failure", {}).get("page", ""),
        )
        for stem in available
        for key in [stem if lang == "en" else f"{stem}.{lang}"]
        if key in entries
    ]
    notable = findings[findings["severity"] != "info"]
    audit = next((f"{card.html}#{AUDIT_ANCHOR}" for card in cards if card.stem == AUDIT_STEM), "")
    counts = findings["severity"].value_counts()
    run = manifest["run"]
    labels = PAGE_LABELS[lang]
    extra = [(labels["duration"], f"{run['seconds']:.1f}"), (labels["workers"], str(run["jobs"]))]
    metadata = run_metadata(lang, run["started"], parameters, extra)
    metadata += [(f"sha256 {k}", v) for k, v in run["data"].items()]
    metadata += [(f"{labels['version']} {k}", v) for k, v in run["packages"].items()]
    downloads = [
        (name, f"data/{name}")
        for name in ("figures.csv", "derived_metrics.csv", "audit_findings.csv", xlsx_name(analysis.report.report_id))
    ]
    title, subtitle = index_titles(analysis, lang)
    return render_index(
        staging / index_page(lang),
        title=title,
        subtitle=subtitle,
        headlines=_headlines(staging, analysis, lang, parameters["population_basis"]),
        cards=cards,
        finding_groups=finding_groups(notable, lang, audit),
        severity_counts=[(s, pick(SEVERITY_LABELS[s], lang), int(counts.get(s, 0))) for s in SEVERITY_LABELS],
        metadata=metadata,
        downloads=downloads,
        lang=lang,
        twin_href=twin,
    )
