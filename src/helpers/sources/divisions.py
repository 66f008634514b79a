"""China's administrative divisions: one table of codes, names, levels and parents, read from a CSV of the project.

``data/reference/divisions/divisions.csv`` holds every province, prefecture-level city and county-level unit
(district, county, county-level city, functional zone) with its GB/T 2260 code, full and short name, level,
parent code and an English short name. It was extracted once from the location dictionary that the
``jionlp`` package ships (``python -m helpers.sources.divisions --from-wheel PATH`` regenerates it and its
provenance note from the wheel), so that the project does not depend on that heavy package at run time.
``jinshui-report add`` reads it to infer a report's division code, level and parents.

Levels: ``nation`` (one row the extraction adds: code ``100000``, the code the corpus uses for China),
``province`` (provinces, autonomous regions, the four municipalities, the two SARs), ``city`` (prefecture-level
cities, autonomous prefectures, 地区, 盟), ``district`` (市辖区), ``county`` (counties, county-level cities,
banners …) and ``zone`` (development zones that the statistics office codes like county-level units, 7x). A
municipality is a province with city rank: its districts have the province as their parent, as do the
county-level cities a province administers directly (济源, 仙桃).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from helpers import paths

DIVISIONS_DIR: Path = paths.REFERENCE_DIR / "divisions"
DIVISIONS_CSV = "divisions.csv"
PROVENANCE_FILE = "README.md"
NATION_CODE = "100000"
COLUMNS: tuple[str, ...] = ("code", "name", "short_name", "level", "parent_code", "name_en")
DIVISION_LEVELS: tuple[str, ...] = ("nation", "province", "city", "district", "county", "zone")
#: The files of the wheel the table is made from: the location tree, and the two dictionaries of readings.
LOCATION_MEMBER = "jionlp/dictionary/china_location.zip"
PHRASE_MEMBER = "jionlp/dictionary/pinyin_phrase.zip"
CHAR_MEMBER = "jionlp/dictionary/chinese_char_dictionary.zip"
#: Short names whose English form is not their plain pinyin (conventional renderings).
ENGLISH_OVERRIDES: dict[str, str] = {
    "陕西": "Shaanxi",
    "内蒙古": "Inner Mongolia",
    "西藏": "Tibet",
    "香港": "Hong Kong",
    "澳门": "Macao",
    "中国": "China",
}


@dataclass(frozen=True)
class Division:
    """One administrative division."""

    code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    name_en: str


@dataclass(frozen=True, eq=False)
class DivisionTable:
    """Every division by code, with look-ups by name and along the tree (hashed by identity: one per file)."""

    by_code: dict[str, Division]
    _children: dict[str, list[Division]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        """Index the children of each division once."""
        for division in self.by_code.values():
            self._children.setdefault(division.parent_code, []).append(division)

    def get(self, code: str) -> Division | None:
        """The division of a code, or None."""
        return self.by_code.get(code)

    def ancestors(self, code: str) -> list[Division]:
        """The divisions above ``code``, nearest first, up to the nation (empty for an unknown code)."""
        found: list[Division] = []
        division = self.by_code.get(code)
        while division is not None and division.parent_code:
            division = self.by_code.get(division.parent_code)
            if division is not None:
                found.append(division)
        return found

    def children(self, code: str) -> list[Division]:
        """The divisions directly below ``code``."""
        return list(self._children.get(code, []))

    def named(self, name: str) -> list[Division]:
        """Divisions whose full name is ``name`` (several places share a name: 鼓楼区, 朝阳区)."""
        return [d for d in self.by_code.values() if d.name == name]

    def __iter__(self) -> Iterator[Division]:
        """Every division, in the order of the file."""
        return iter(self.by_code.values())

    def __len__(self) -> int:
        """The number of divisions."""
        return len(self.by_code)


@lru_cache(maxsize=4)
def load_divisions(path: Path | None = None) -> DivisionTable:
    """Read the divisions table (cached); a missing column or a duplicate code is an error."""
    path = path or DIVISIONS_DIR / DIVISIONS_CSV
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}")
        by_code: dict[str, Division] = {}
        for line, row in enumerate(reader, 2):
            if row["code"] in by_code:
                raise ValueError(f"{path} line {line}: code {row['code']} twice")
            if row["level"] not in DIVISION_LEVELS:
                raise ValueError(f"{path} line {line}: level {row['level']!r} not one of {DIVISION_LEVELS}")
            by_code[row["code"]] = Division(**{c: row[c] for c in COLUMNS})
    return DivisionTable(by_code)


# --- extraction from the jionlp wheel ------------------------------------------------------------------------


def _read_member(wheel: zipfile.ZipFile, member: str) -> tuple[str, str]:
    """The text of the one file inside a zipped dictionary of the wheel, and the zip's sha256."""
    data = wheel.read(member)
    with zipfile.ZipFile(io.BytesIO(data)) as inner:
        names = inner.namelist()
        if len(names) != 1:
            raise ValueError(f"{member}: expected one file inside, found {names}")
        return inner.read(names[0]).decode("utf-8"), hashlib.sha256(data).hexdigest()


class _Romanizer:
    """Pinyin of a short place name from jionlp's phrase dictionary, else each character's first reading."""

    def __init__(self, phrases_text: str, chars_text: str) -> None:
        self.phrases: dict[str, list[str]] = {}
        for line in phrases_text.splitlines():
            word, _, reading = line.partition("\t")
            if reading and len(word) <= 8 and "<py_unk>" not in reading:
                self.phrases.setdefault(word, reading.split("/"))
        self.chars: dict[str, str] = {}
        for line in chars_text.splitlines():
            fields = line.split("\t")
            found = re.search(r"\[([^\]\s]+)\]", fields[-1]) if len(fields) > 1 else None
            if found:
                self.chars.setdefault(fields[0], found.group(1))

    def syllables(self, word: str) -> list[str]:
        """The readings of ``word``, longest dictionary phrase first."""
        found: list[str] = []
        position = 0
        while position < len(word):
            for size in range(min(8, len(word) - position), 1, -1):
                reading = self.phrases.get(word[position : position + size])
                if reading and len(reading) == size:
                    found += reading
                    position += size
                    break
            else:
                reading_of_char = self.chars.get(word[position])
                if reading_of_char:
                    found.append(reading_of_char)
                position += 1
        return found

    def english(self, short_name: str) -> str:
        """Zhengzhou, Xi'an, Lüliang: toneless pinyin, capitalized, an apostrophe before a vowel syllable."""
        short_name = max(short_name.split("/"), key=len)  # 克州/克孜勒苏: the fuller of two aliases
        if short_name in ENGLISH_OVERRIDES:
            return ENGLISH_OVERRIDES[short_name]
        word = re.sub(r"(?<=..)(市|县|区|旗)$", "", short_name)
        parts = []
        for index, syllable in enumerate(self.syllables(word)):
            marks = unicodedata.normalize("NFD", syllable)
            kept = "".join(c for c in marks if c == "\u0308" or not unicodedata.combining(c))  # keep ü
            plain = unicodedata.normalize("NFC", kept).lower()
            if index and plain[:1] in "aoe":
                plain = "'" + plain
            parts.append(plain)
        return "".join(parts).capitalize()


def _county_level(name: str, code: str) -> str:
    """A county-level line's level: district (市辖区), zone (a development zone, 7x) or county (县, 县级市, 旗)."""
    if code[4] == "7":
        return "zone"
    if name.endswith("区") and not name.endswith(("林区", "特区")):
        return "district"
    return "county"


def extract_divisions(location_text: str, romanizer: _Romanizer) -> list[Division]:
    """Turn jionlp's tab-indented location tree (province / city / county lines) into divisions."""
    rows = [Division(NATION_CODE, "中华人民共和国", "中国", "nation", "", "China")]
    seen = {NATION_CODE}
    province = city = ""
    for raw in location_text.splitlines():
        depth = len(raw) - len(raw.lstrip("\t"))
        fields = raw.strip().split("\t")
        if depth > 2 or len(fields) != 3 or not re.fullmatch(r"\d{6}", fields[1]):
            continue  # towns and villages, and rows without a code of their own (Taiwan's districts)
        name, code, short = fields
        if depth == 0:
            province, city, level, parent = code, "", "province", NATION_CODE
        elif depth == 1:
            # A municipality repeats itself as its only city; 省直辖行政区划 groups county-level units.
            city = code if code != province and not name.endswith("直辖行政区划") else ""
            if not city:
                continue
            level, parent = "city", province
        else:
            if name.endswith("直辖行政区划"):
                continue  # 东莞, 中山, 儋州: the city administers its towns directly
            level, parent = _county_level(name, code), city or province
        if code in seen:
            continue  # Hong Kong's and Macao's districts carry the SAR's code
        seen.add(code)
        rows.append(Division(code, name, short, level, parent, romanizer.english(short)))
    return rows


def _licence(wheel: zipfile.ZipFile) -> str:
    """The licence the wheel's metadata declares."""
    for member in wheel.namelist():
        if member.endswith(".dist-info/METADATA"):
            for line in wheel.read(member).decode("utf-8").splitlines():
                if line.startswith("License:"):
                    return line.partition(":")[2].strip()
    return "not declared"


def _version(wheel_path: Path, wheel: zipfile.ZipFile) -> tuple[str, str]:
    """The package's name and version from the wheel's metadata."""
    for member in wheel.namelist():
        if member.endswith(".dist-info/METADATA"):
            meta = dict(
                line.split(": ", 1) for line in wheel.read(member).decode("utf-8").splitlines() if ": " in line[:40]
            )
            return meta.get("Name", "?"), meta.get("Version", "?")
    return wheel_path.name, "?"


def regenerate(wheel_path: Path, folder: Path = DIVISIONS_DIR) -> Path:
    """Extract the table from a jionlp wheel into ``folder`` (CSV and provenance note); return the CSV's path."""
    with zipfile.ZipFile(wheel_path) as wheel:
        location, location_sha = _read_member(wheel, LOCATION_MEMBER)
        phrases, phrases_sha = _read_member(wheel, PHRASE_MEMBER)
        chars, chars_sha = _read_member(wheel, CHAR_MEMBER)
        package, version = _version(wheel_path, wheel)
        licence = _licence(wheel)
    rows = extract_divisions(location, _Romanizer(phrases, chars))
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([getattr(row, c) for c in COLUMNS] for row in rows)
    target = folder / DIVISIONS_CSV
    target.write_text(buffer.getvalue(), encoding="utf-8")
    counts = {level: sum(r.level == level for r in rows) for level in DIVISION_LEVELS}
    wheel_sha = hashlib.sha256(wheel_path.read_bytes()).hexdigest()
    note = _PROVENANCE.format(
        package=package,
        version=version,
        wheel=wheel_path.name,
        wheel_sha=wheel_sha,
        location=LOCATION_MEMBER,
        location_sha=location_sha,
        phrases=PHRASE_MEMBER,
        phrases_sha=phrases_sha,
        chars=CHAR_MEMBER,
        chars_sha=chars_sha,
        licence=licence,
        csv_sha=hashlib.sha256(target.read_bytes()).hexdigest(),
        rows=len(rows),
        counts=", ".join(f"{n} {level}" for level, n in counts.items()),
    )
    (folder / PROVENANCE_FILE).write_text(note, encoding="utf-8")
    load_divisions.cache_clear()
    return target


_PROVENANCE = """\
# China's administrative divisions (`divisions.csv`)

Generated by `python -m helpers.sources.divisions --from-wheel {wheel}`; do not edit by hand (run the
command again on a newer wheel instead: `python3 -m pip download jionlp --no-deps -d /tmp/jio`).

- package: {package} {version}, `{wheel}`, sha256 `{wheel_sha}`
- licence: {licence} (the package's; the codes themselves are GB/T 2260 and the statistics office's,
  facts of public administration)
- divisions: `{location}`, sha256 `{location_sha}`: its province, city and county lines (towns and
  villages are left out)
- English names: `{phrases}`, sha256 `{phrases_sha}`, else `{chars}`, sha256 `{chars_sha}`
  (the first reading of each character)
- `divisions.csv`: sha256 `{csv_sha}`; {rows} rows: {counts}

Columns: `code` (six digits), `name` (full name, 金水区), `short_name` (jionlp's alias, 金水; two aliases are
separated by `/`, 克州/克孜勒苏), `level` (`nation`, `province`, `city`, `district`, `county`, `zone`),
`parent_code` (the division above; the province for a municipality's districts and for county-level cities
a province administers directly, 济源 419001; empty for the nation) and `name_en` (toneless pinyin of the
short name, with the conventional Shaanxi, Inner Mongolia, Tibet, Hong Kong, Macao; a guess from character
readings where a name is not in the phrase dictionary).

Added by the extraction, not in the package: the row of the nation, `100000` (the code the corpus uses for
China). Left out: the rows 省直辖行政区划 and 市直辖行政区划 (groupings, not divisions), a municipality's repeat of
itself as its own city, Taiwan's districts (no code) and Hong Kong's and Macao's districts (they carry the
SAR's code). The tree is the one of the package's release, not of 2020: a division renamed or merged since
then (jionlp's `china_location_change.txt` lists changes) has its current code and name here.
"""


def main(argv: list[str] | None = None) -> int:
    """Regenerate ``data/reference/divisions/`` from a jionlp wheel."""
    parser = argparse.ArgumentParser(prog="python -m helpers.sources.divisions", description=main.__doc__)
    parser.add_argument("--from-wheel", type=Path, required=True, metavar="PATH", help="a jionlp-*.whl file")
    parser.add_argument("--output", type=Path, default=DIVISIONS_DIR, help="folder to write (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        target = regenerate(args.from_wheel, args.output)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        print(f"error: cannot extract the divisions from {args.from_wheel}: {error}", file=sys.stderr)
        return 2
    print(f"{len(load_divisions(target))} divisions written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
