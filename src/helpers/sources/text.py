"""Report texts: read them strictly, normalize every shape they arrive in, and map back to the text as read.

Texts come as plain text with page-break artifacts (Jinshui: ``规`` / ``范提升`` split across blank lines),
Markdown with YAML front matter, bold, image links, HTML comments, footnote marks and tables (the parent
reports), Windows line endings, lines of only spaces, paragraphs with no line breaks at all indented with
full-width spaces, and letter-spaced headings (``政 府 工 作 报 告``). :func:`normalize` turns any of them
into the text all quotes refer to, paragraphs separated by one newline, and keeps for every character its
offset in the text as Python reads the file in text mode (``open(path, encoding="utf-8").read()``), so that
an annotation found in the normalized text can name where it stands in the file.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: Punctuation that ends a paragraph; a body paragraph ending in anything else was cut by a page break.
_PARAGRAPH_END = tuple("。！？；：”」)）")
#: Punctuation found in body sentences but never in the report's headings.
_SENTENCE_MARKS = re.compile(r"[,，。；、]")
#: Characters that bound a "natural clause" for quoting.
CLAUSE_DELIMITERS = ",，。；;！？\n"
_CLAUSE_DELIMITER = re.compile(f"[{re.escape(CLAUSE_DELIMITERS)}]")
#: Whitespace stripped around lines: ASCII, the full-width space used for indentation, no-break space.
_LINE_SPACE = " \t\u3000\xa0"


class TextEncodingError(ValueError):
    """A report file that cannot be decoded with the expected encoding; the message says which and where."""


@dataclass(frozen=True)
class PageBreakJoin:
    """One page-break artifact that was joined: the text before and after the break."""

    before: str
    after: str


@dataclass(frozen=True)
class MappedText:
    """A text and, for each of its characters, the offset of the character it came from in the text as read."""

    text: str
    origin: tuple[int, ...]

    @classmethod
    def identity(cls, text: str) -> MappedText:
        """The text as read: every character maps to itself."""
        return cls(text, tuple(range(len(text))))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the text as read of the normalized characters ``[start, end)`` (end exclusive)."""
        return self.origin[start], self.origin[end - 1] + 1

    def substitute(self, pattern: re.Pattern[str], keep: Callable[[re.Match[str]], str | int | None]) -> MappedText:
        """Replace each match by what ``keep`` returns: ``None`` deletes it, an int keeps that group, a str inserts it.

        Kept characters keep their origin; inserted text takes the origin of the match's first character.
        """
        pieces: list[str] = []
        origin: list[int] = []
        position = 0
        for match in pattern.finditer(self.text):
            pieces.append(self.text[position : match.start()])
            origin.extend(self.origin[position : match.start()])
            replacement = keep(match)
            if isinstance(replacement, int):
                start, end = match.span(replacement)
                if start >= 0:
                    pieces.append(self.text[start:end])
                    origin.extend(self.origin[start:end])
            elif replacement:
                anchor = self.origin[match.start()] if match.start() < len(self.origin) else len(self.origin)
                pieces.append(replacement)
                origin.extend([anchor] * len(replacement))
            position = match.end()
        pieces.append(self.text[position:])
        origin.extend(self.origin[position:])
        return MappedText("".join(pieces), tuple(origin))

    def slice(self, start: int, end: int) -> MappedText:
        """The characters ``[start, end)`` with their origins."""
        return MappedText(self.text[start:end], self.origin[start:end])

    @staticmethod
    def join(parts: list[MappedText], separator: str = "") -> MappedText:
        """Concatenate; each separator takes the origin just after the part before it."""
        text: list[str] = []
        origin: list[int] = []
        for index, part in enumerate(parts):
            if index and separator:
                anchor = origin[-1] + 1 if origin else 0
                text.append(separator)
                origin.extend([anchor] * len(separator))
            text.append(part.text)
            origin.extend(part.origin)
        return MappedText("".join(text), tuple(origin))


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_text_file(path: Path, encoding: str = "utf-8") -> str:
    """Read a report as Python does in text mode (universal newlines); a decoding error names file and encoding."""
    try:
        with path.open(encoding=encoding) as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise TextEncodingError(
            f"{path}: not valid {encoding} (byte {error.start}: {error.reason}); "
            f"convert it to UTF-8 or name its encoding (e.g. --encoding gbk)"
        ) from None
    except LookupError:
        raise TextEncodingError(f"{path}: unknown encoding {encoding!r}") from None


# --- normalization steps, each a pure function of a MappedText ---------------------------------------------

_FRONT_MATTER = re.compile(r"\A\ufeff?---\n.*?\n---[ \t]*(?:\n|\Z)", re.S)
_BOM = re.compile(r"\A\ufeff")
_HTML_COMMENT = re.compile(r"<!--\s*(.*?)\s*-->", re.S)
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_EMPHASIS = re.compile(r"\*\*|__")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HEADING_MARK = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_LIST_MARK = re.compile(r"(?m)^[ \t]*[-*+][ \t]+")
_TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
_INDENT_BREAK = re.compile(r"(?<=\S)[ \t]*\u3000{2,}")
_SPACE_RUN = re.compile(r"[ \t\xa0]{2,}")
_LINE_EDGE_SPACE = re.compile(f"(?m)^[{_LINE_SPACE}]+|[{_LINE_SPACE}]+$")
#: A line of single CJK characters separated by single spaces: a letter-spaced heading (政 府 工 作 报 告).
_LETTER_SPACED = re.compile(r"(?m)^(?:[\u3400-\u9fff] ){2,}[\u3400-\u9fff]$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def front_matter(raw: str) -> dict[str, str]:
    """The ``key: value`` lines of a YAML front-matter block (``source``, ``title``), or an empty dict."""
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}
    fields: dict[str, str] = {}
    for line in match.group().splitlines()[1:-1]:
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip()] = value.strip().strip("'\"")
    return fields


def _strip_markup(text: MappedText) -> MappedText:
    """Remove front matter and Markdown/HTML markup; keep the words of links and of comments (captions)."""
    text = text.substitute(_FRONT_MATTER, lambda _: None)
    text = text.substitute(_BOM, lambda _: None)
    text = text.substitute(_HTML_COMMENT, lambda _: 1)
    text = text.substitute(_IMAGE, lambda _: None)
    text = text.substitute(_LINK, lambda _: 1)
    text = text.substitute(_EMPHASIS, lambda _: None)
    text = text.substitute(_HTML_BREAK, lambda _: None)
    text = text.substitute(_TABLE_RULE, lambda _: None)
    text = text.substitute(_HEADING_MARK, lambda _: None)
    return text.substitute(_LIST_MARK, lambda _: None)


def _tidy_lines(text: MappedText) -> MappedText:
    """Strip each line's edges (full-width indentation too), squeeze space runs, close letter-spaced headings.

    A text with no line breaks marks paragraphs only by their full-width indentation: such a run inside a
    line starts a new paragraph.
    """
    text = text.substitute(_INDENT_BREAK, lambda _: "\n\n")
    text = text.substitute(_LINE_EDGE_SPACE, lambda _: None)
    text = text.substitute(_SPACE_RUN, lambda _: " ")
    return text.substitute(_LETTER_SPACED, lambda m: m.group().replace(" ", ""))


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph, paragraphs being separated by blank lines."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in itertools.chain(_PARAGRAPH_BREAK.finditer(text), [None]):
        end = match.start() if match else len(text)
        chunk = text[position:end]
        if chunk.strip():
            left = len(chunk) - len(chunk.lstrip())
            right = len(chunk.rstrip())
            spans.append((position + left, position + right))
        position = match.end() if match else end
    return spans


def _is_cut_by_page_break(paragraph: str) -> bool:
    """A body paragraph (it has sentence punctuation) that does not end like a paragraph was cut."""
    return bool(_SENTENCE_MARKS.search(paragraph)) and not paragraph.endswith(_PARAGRAPH_END)


def normalize(raw: str, *, join_page_breaks: bool = False) -> MappedText:
    """The normalized text of ``raw`` (a file's text as read), with the origin of every character.

    Markup and decoration go, words stay: paragraphs are separated by one newline. With
    ``join_page_breaks``, a body paragraph that does not end like one is joined to the next (the page-break
    artifacts of the Jinshui text); texts without such artifacts must not use it, since a heading that
    carries a comma would be joined to its first paragraph.
    """
    text = _tidy_lines(_strip_markup(MappedText.identity(raw)))
    paragraphs = [text.slice(start, end) for start, end in _paragraph_spans(text.text)]
    if not join_page_breaks:
        return MappedText.join(paragraphs, "\n")
    merged: list[MappedText] = []
    # The paragraphs cut so far, joined once their last piece comes: joining at each cut copied the pieces
    # again for every one that followed (quadratic in a text whose paragraphs all lack end punctuation).
    pending: list[MappedText] = []
    pending_marks = False  # whether the pieces so far have sentence punctuation (as the joined text would)
    for paragraph in paragraphs:
        pending.append(paragraph)
        pending_marks = pending_marks or bool(_SENTENCE_MARKS.search(paragraph.text))
        if pending_marks and not paragraph.text.endswith(_PARAGRAPH_END):
            continue  # cut by a page break (see _is_cut_by_page_break): the next paragraph goes on
        merged.append(MappedText.join(pending) if len(pending) > 1 else paragraph)
        pending, pending_marks = [], False
    if pending:
        merged.append(MappedText.join(pending))
    return MappedText.join(merged, "\n")


def find_page_break_joins(raw: str) -> list[PageBreakJoin]:
    """List the page-break artifacts in ``raw``: the tail before and head after each cut (10 chars each)."""
    text = normalize(raw).text.split("\n")
    return [
        PageBreakJoin(before=current[-10:], after=following[:10])
        for current, following in itertools.pairwise(text)
        if _is_cut_by_page_break(current)
    ]


@lru_cache(maxsize=16)
def _normalized_file(path: Path, mtime_ns: int, size: int, join_page_breaks: bool, encoding: str) -> MappedText:
    """Normalize one file; cached on its path, modification time and size, so an edited file is re-read."""
    del mtime_ns, size
    return normalize(read_text_file(path, encoding), join_page_breaks=join_page_breaks)


def normalized_file(path: Path, *, join_page_breaks: bool = False, encoding: str = "utf-8") -> MappedText:
    """The normalized text of a report file with its offset map (cached until the file changes)."""
    stat = path.stat()
    return _normalized_file(path.resolve(), stat.st_mtime_ns, stat.st_size, join_page_breaks, encoding)


@lru_cache(maxsize=4)
def _clause_delimiter_positions(text: str) -> Sequence[int]:
    """Offsets of every clause delimiter in ``text``, ascending: one pass, kept for the text's next mentions.

    Keyed on the string itself (Python keeps a string's hash, and a lookup with the same object compares
    identities first), so each mention of a text costs two binary searches instead of scans of the text.
    """
    return array("q", [match.start() for match in _CLAUSE_DELIMITER.finditer(text)])


def _clamp(offset: int, size: int) -> int:
    """An offset read as ``str.find`` reads its bounds: negative counts from the end, then kept in the text."""
    if offset < 0:
        offset += size
    return min(max(offset, 0), size)


def clause_at(text: str, start: int, end: int) -> str:
    """Return the natural clause around ``text[start:end]``: bounded by commas, full stops or newlines."""
    positions = _clause_delimiter_positions(text)
    size = len(text)
    before = bisect_left(positions, _clamp(start, size))  # delimiters before the mention: positions[:before]
    left = positions[before - 1] + 1 if before else 0
    after = bisect_left(positions, _clamp(end, size))  # the first delimiter at or after its end
    right = positions[after] if after < len(positions) else size
    return text[left:right].strip()
