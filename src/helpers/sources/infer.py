"""What a report text says about itself: who speaks, at which level, with which division code, for which year.

``jinshui-report add`` fills ``report.toml`` from these readings. The entity is the division named where a
report names its speaker: the people's congress it is delivered to (``在许昌市第七届人民代表大会…``), the
government (``许昌市人民政府市长``), the title (``2021年东莞市政府工作报告``), looked up by name in the division
table (``helpers.sources.divisions``), which gives its code, level and parents. The year reviewed is read
from the review heading (``一、2020年工作回顾``), the dateline (a work report delivered in 2021 reviews 2020),
the title's year and, for the State Council, the session of the National People's Congress; all of them
must agree. Every reading keeps where it was read (``evidence``), for the command to print; whatever cannot
be read is a problem of one line naming the flag that supplies it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from helpers.sources.divisions import NATION_CODE, Division, DivisionTable
from helpers.sources.numbers import parse_chinese_integer
from helpers.sources.text import MappedText, front_matter

#: Levels a report may have (the registry's), in the order the messages list them.
REPORT_LEVELS: tuple[str, ...] = ("province", "city", "district", "county", "nation")
_YEAR_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_DATE = re.compile(
    r"((?:19|20)\d\d|[〇零一二三四五六七八九]{4})年(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})日"
)
_YEAR = re.compile(r"((?:19|20)\d\d)年")
#: What follows the name of the entity a report speaks for: its congress, its government, its head.
_SPEAKER_CONTEXT = re.compile(
    r"(?:第?[一二三四五六七八九十]+届)?人民代表大会|[一二三四五六七八九十]+届人大|人民政府|政府工作报告|政府"
    r"|(?:代理?)?(?:省长|市长|区长|县长|州长|盟长|旗长|主席)"
)
#: The National People's Congress and the State Council: the nation speaks.
_NATION_CONTEXT = re.compile(r"全国人民代表大会|国务院总理|我代表国务院")
_NPC_SESSION = re.compile(r"第([一二三四五六七八九十]+)届全国人民代表大会第([一二三四五六七八九十]+)次会议")
#: A heading of the review part: short, no full stop, a year and a word of review.
_REVIEW_HEADING_WORDS = re.compile(r"回顾|成就|总结")
_OPENING_YEAR = re.compile(r"^(?:刚刚过去的|过去的)?((?:19|20)\d\d)年?(?:是|，|,|极不平凡)")
_HEAD_LINES = 12


@dataclass(frozen=True)
class Overrides:
    """What the command's flags say; each replaces the reading of the text."""

    report_id: str | None = None
    level: str | None = None
    division_code: str | None = None
    year_reviewed: int | None = None
    entity: str | None = None


@dataclass
class Inferred:
    """Everything read from a text for ``report.toml``; ``problems`` lists what could not be read."""

    title: str = ""
    kind: str = "report"
    entity_zh: str = ""
    entity_en: str = ""
    level: str = ""
    division_code: str = ""
    parent_codes: tuple[str, ...] = ()
    year_reviewed: int | None = None
    year_of_report: int | None = None
    published: str = ""
    published_as_printed: str = ""
    source_url: str = ""
    report_id: str = ""
    #: Ids to use instead when ``report_id`` is taken by another text (福州 and 抚州 are both Fuzhou).
    alternative_ids: tuple[str, ...] = ()
    #: Where each reading comes from (field -> a short phrase with the words of the text).
    evidence: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _head(mapped: MappedText) -> list[str]:
    """The lines before the body: title, dateline, speaker (up to the greeting, a heading or a sentence)."""
    head: list[str] = []
    for line in mapped.text.split("\n"):
        if not line.strip():
            continue
        if line.startswith("各位代表") or re.match(r"^[一二三四五六七八九十]+、", line) or len(head) >= _HEAD_LINES:
            break
        if head and "。" in line:
            break
        head.append(line.strip())
    return head


def _chinese_number(text: str) -> int:
    """An Arabic or Chinese numeral (三十, 二十三) as an int."""
    return int(text) if text.isdigit() else parse_chinese_integer(text)


def _date(match: re.Match[str]) -> str:
    """A printed date as YYYY-MM-DD."""
    year = int(match.group(1).translate(_YEAR_DIGITS))
    return f"{year:04d}-{_chinese_number(match.group(2)):02d}-{_chinese_number(match.group(3)):02d}"


@lru_cache(maxsize=2)
def _name_pattern(table: DivisionTable) -> tuple[re.Pattern[str], dict[str, list[Division]]]:
    """One pattern matching every name a division goes by, longest first, and the divisions of each name."""
    names: dict[str, list[Division]] = {}
    for division in table:
        if division.level in ("zone",):
            continue
        for name in _names_of(division):
            names.setdefault(name, []).append(division)
    alternatives = sorted(names, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in alternatives)), names


def _names_of(division: Division) -> Iterator[str]:
    """The full name and the short forms a report may print (克州, 阿坝州), never a bare short name."""
    yield division.name
    for alias in division.short_name.split("/"):
        if len(alias) >= 2 and alias != division.name and alias[-1] in "州盟":
            yield alias
    short = division.short_name.split("/")[-1]
    if division.name.endswith("自治州") and len(short) >= 2:
        yield short + "州"


def _candidates(lines: list[str], body: list[str], table: DivisionTable) -> dict[str, tuple[int, int, str]]:
    """Divisions named in the head: code -> (best score, mentions, where); 3 = speaker, 2 = title, 1 = other.

    The first lines of the body count only where they name the speaker (我代表苏州市人民政府).
    """
    pattern, names = _name_pattern(table)
    found: dict[str, tuple[int, int, str]] = {}
    lines = [*lines, *body]
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        for match in pattern.finditer(line):
            after = (line[match.end() :] + following)[:14]  # a dateline may break after the name (宁波市 / 第十五届)
            context = _SPEAKER_CONTEXT.match(after)
            score = 3 if context else (2 if index == 0 else 1)
            if index >= len(lines) - len(body) and not (context and "政府" in context.group()):
                continue
            phrase = f"«{match.group()}{context.group()}»" if context else f"the title «{line}»"
            for division in names[match.group()]:
                best, count, where = found.get(division.code, (0, 0, ""))
                found[division.code] = (max(best, score), count + 1, where if best >= score else phrase)
        nation = _NATION_CONTEXT.search(line)
        if nation:
            _, count, where = found.get(NATION_CODE, (0, 0, ""))
            found[NATION_CODE] = (3, count + 1, where or f"«{nation.group()}»")
    return found


def _disambiguate(choices: list[Division], text: str, table: DivisionTable) -> Division | None:
    """Of divisions sharing a name, the one whose parents the text names most often; None if that is a tie."""
    if len(choices) == 1:
        return choices[0]
    scores = []
    for division in choices:
        names = [n for d in table.ancestors(division.code) if d.code != NATION_CODE for n in (d.name, d.short_name)]
        scores.append(sum(text.count(n) for n in names if len(n) >= 2))
    best = max(scores)
    return choices[scores.index(best)] if best > 0 and scores.count(best) == 1 else None


def _choose_entity(found: dict[str, tuple[int, int, str]], table: DivisionTable) -> list[Division]:
    """The best-named divisions (several when the head names two at the same strength)."""
    if not found:
        return []
    best = max(score for score, _, _ in found.values())
    if best < 2:
        return []
    top = [table.by_code[c] for c, (score, _, _) in found.items() if score == best]
    # 郑州市金水区第…届: a division and one of its parents at the same strength: the division speaks.
    codes = {d.code for d in top}
    return [d for d in top if not any(d.code in {a.code for a in table.ancestors(o.code)} for o in top)] or [
        table.by_code[c] for c in codes
    ]


def english_name(division: Division, table: DivisionTable) -> str:
    """Henan Province, Zhengzhou, Jinshui District, Zhengzhou; China: the corpus's way of naming entities."""
    en = division.name_en
    if division.level == "nation":
        return "China"
    if division.level == "province":
        if division.name.endswith("省"):
            return f"{en} Province"
        return f"{en} Autonomous Region" if division.name.endswith("自治区") else en
    if division.level == "city":
        if division.name.endswith(("自治州", "地区")):
            return f"{en} Prefecture"
        return f"{en} League" if division.name.endswith("盟") else en
    suffix = {"区": " District", "县": " County", "旗": " Banner"}.get(division.name[-1], "")
    parent = table.get(division.parent_code)
    return f"{en}{suffix}, {parent.name_en}" if parent is not None else f"{en}{suffix}"


def slug(english: str) -> str:
    """Jinshui District -> jinshui-district; Lüliang -> luliang; Xi'an -> xian: a folder name."""
    plain = unicodedata.normalize("NFD", english)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _entity(
    inferred: Inferred, head: list[str], body: list[str], text: str, overrides: Overrides, table: DivisionTable
) -> None:
    """Entity, level, division code and parents: from the flags, else from the head of the text."""
    division: Division | None = None
    if overrides.division_code:
        division = table.get(overrides.division_code)
        if division is None:
            inferred.problems.append(
                f"division code {overrides.division_code!r} is not in the division table "
                "(data/reference/divisions/divisions.csv): give a --division-code of the table"
            )
            return
        inferred.evidence["entity"] = f"--division-code {division.code}"
    elif overrides.entity:
        _, names = _name_pattern(table)
        choices = names.get(overrides.entity, [])
        division = _disambiguate(choices, text, table) if choices else None
        inferred.evidence["entity"] = "--entity"
        if choices and division is None:
            listed = ", ".join(f"{d.code} ({_path(d, table)})" for d in choices)
            count = len(choices)
            inferred.problems.append(f"{overrides.entity} names {count} divisions ({listed}): give --division-code")
            return
    else:
        found = _candidates(head, body, table)
        top = _choose_entity(found, table)
        if len(top) == 1:
            division = top[0]
        elif top:
            groups = {d.name for d in top}
            if len(groups) == 1:
                division = _disambiguate(top, text, table)
            if division is None:
                listed = ", ".join(f"{d.name} {d.code} ({_path(d, table)})" for d in top)
                inferred.problems.append(f"the opening lines name several divisions ({listed}): give --division-code")
                return
        if division is None:
            inferred.problems.append(
                "cannot tell whose report this is (no division of the table named in the title, dateline or "
                "speaker's line): give --entity (a name such as 许昌市) or --division-code"
            )
            return
        inferred.evidence["entity"] = found[division.code][2]
    inferred.entity_zh = overrides.entity or (division.name if division else "")
    if division is None:
        if not overrides.level:
            inferred.problems.append(
                f"cannot infer the level of {inferred.entity_zh} (not in the division table): "
                f"give --level ({', '.join(REPORT_LEVELS)})"
            )
        inferred.problems.append(
            f"cannot infer the division code of {inferred.entity_zh} (not in the division table): give --division-code"
        )
        inferred.level = overrides.level or ""
        return
    level = overrides.level or division.level
    if level not in REPORT_LEVELS:
        inferred.problems.append(
            f"{division.name} {division.code} is a {division.level}, not a level of a report: "
            f"give --level ({', '.join(REPORT_LEVELS)})"
        )
        return
    inferred.level = level
    inferred.division_code = division.code
    inferred.parent_codes = tuple(d.code for d in table.ancestors(division.code))
    inferred.entity_en = english_name(division, table)
    if division.level == "province" and division.name.endswith("市"):
        inferred.evidence["level"] = "a municipality (直辖市): a province with city rank"


def _path(division: Division, table: DivisionTable) -> str:
    """郑州市, 河南省: where a division lies."""
    return ", ".join(d.name for d in table.ancestors(division.code) if d.code != NATION_CODE) or "China"


def _review_heading_year(lines: list[str], head: list[str]) -> tuple[int, str] | None:
    """The year of the first heading of the review (一、2020年工作回顾), with the heading."""
    for line in lines:
        if line in head or "。" in line or len(line) > 50 or re.search("报告|会议", line):
            continue
        years = {int(y) for y in _YEAR.findall(line)}
        if len(years) == 1 and _REVIEW_HEADING_WORDS.search(line):
            return years.pop(), line
    return None


def _npc_session_year(head: list[str]) -> tuple[int, str] | None:
    """The year of a session of the National People's Congress (the 5th began in 1978; terms of five years)."""
    for line in head:
        match = _NPC_SESSION.search(line)
        if match:
            term, session = parse_chinese_integer(match.group(1)), parse_chinese_integer(match.group(2))
            if term >= 5:
                return 1978 + 5 * (term - 5) + session - 1, match.group()
    return None


def _years(inferred: Inferred, mapped: MappedText, head: list[str], title: str, overrides: Overrides) -> None:
    """Year reviewed, year of the report and date: every reading of the text must agree."""
    work_report = inferred.kind == "government work report"
    readings: list[tuple[int, str]] = []
    dated = next((m for line in [*head, title] for m in [_DATE.search(line)] if m), None)
    if dated:
        inferred.published, inferred.published_as_printed = _date(dated), dated.group()
        inferred.year_of_report = int(inferred.published[:4])
        if work_report:
            # Delivered in January to March, a report reviews the year before; in December, the year ending.
            december = inferred.published[5:7] == "12"
            if december:
                inferred.year_of_report += 1
            readings.append((inferred.year_of_report - 1, f"delivered on {dated.group()}"))
    title_year = _YEAR.search(_DATE.sub("", title))
    if title_year:
        year = int(title_year.group(1))
        if work_report:
            inferred.year_of_report = inferred.year_of_report or year
            readings.append((year - 1, f"the title «{title}»"))
        elif inferred.kind == "statistical communique":
            readings.append((year, f"the title «{title}»"))
    lines = [line.strip() for line in mapped.text.split("\n") if line.strip()]
    heading = _review_heading_year(lines, head)
    if heading:
        readings.append((heading[0], f"the heading «{heading[1]}»"))
    session = _npc_session_year(head)
    if session:
        readings.append((session[0] - 1, f"«{session[1]}» ({session[0]})"))
        inferred.year_of_report = inferred.year_of_report or session[0]
    if not readings:
        body = [line for line in lines if line not in head][:5]
        opening = next(((m, line) for line in body for m in [_OPENING_YEAR.match(line)] if m), None)
        if opening:
            first_clause = re.split(r"[，,。]", opening[1])[0]
            readings.append((int(opening[0].group(1)), f"the opening «{first_clause}»"))
    if overrides.year_reviewed is not None:
        inferred.year_reviewed = overrides.year_reviewed
        inferred.evidence["year_reviewed"] = "--year-reviewed"
    elif len({year for year, _ in readings}) == 1:
        inferred.year_reviewed = readings[0][0]
        inferred.evidence["year_reviewed"] = "; ".join(where for _, where in readings)
    elif readings:
        said = "; ".join(f"{where} says {year}" for year, where in readings)
        inferred.problems.append(f"the text disagrees on the year it reviews ({said}): give --year-reviewed")
    else:
        inferred.problems.append(
            "cannot infer the year reviewed (no review heading, dateline, title year or session): give --year-reviewed"
        )
    if inferred.year_reviewed is not None and inferred.year_of_report is None:
        inferred.year_of_report = inferred.year_reviewed + 1 if work_report else inferred.year_reviewed


def infer_metadata(raw: str, mapped: MappedText, overrides: Overrides, table: DivisionTable) -> Inferred:
    """Read ``report.toml``'s fields from a text (``raw`` as read, ``mapped`` normalized); flags win."""
    inferred = Inferred()
    meta = front_matter(raw)
    head = _head(mapped)
    inferred.title = meta.get("title") or (head[0] if head else "")
    inferred.source_url = meta.get("source", "")
    opening = " ".join([inferred.title, *head])
    if "政府工作报告" in opening or "向大会报告" in mapped.text[:2000]:
        inferred.kind = "government work report"
    elif "统计公报" in opening:
        inferred.kind = "statistical communique"
    lines = [inferred.title, *head] if meta.get("title") else head
    body = [line for line in mapped.text.split("\n")[: len(head) + 12] if line.strip() and line.strip() not in head]
    _entity(inferred, lines, body[:3], mapped.text, overrides, table)
    _years(inferred, mapped, head, inferred.title, overrides)
    if overrides.report_id:
        inferred.report_id = overrides.report_id
    elif inferred.division_code and inferred.year_of_report:
        name = slug(table.by_code[inferred.division_code].name_en)
        communique = inferred.kind == "statistical communique"
        # As the corpus names them: zhengzhou-2021 (the report of 2021), china-2020-communique (of the year 2020).
        year = inferred.year_reviewed if communique else inferred.year_of_report
        inferred.report_id = f"{name}-{year}-communique" if communique else f"{name}-{year}"
        province = next((d for d in table.ancestors(inferred.division_code) if d.level == "province"), None)
        if province is not None and not communique:  # fuzhou-jiangxi-2021 beside fuzhou-2021 (Fujian's capital)
            inferred.alternative_ids = (f"{name}-{slug(province.name_en)}-{year}",)
        elif inferred.level == "province" and not communique:  # jilin-province-2021 beside jilin-2021 (the city)
            inferred.alternative_ids = (f"{name}-province-{year}",)
    elif not inferred.problems:
        inferred.problems.append("cannot build a report id: give --id")
    return inferred
