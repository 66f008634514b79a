"""A text in both languages, joined part by part, so that every note reaches the Chinese page in Chinese.

Notes are composed from pieces (a scope reason, an indicator's scope note, a source's caveat); each piece is a
``Bilingual`` and :func:`join_notes` joins the English parts with "; " and the Chinese parts with "；".
"""

from __future__ import annotations

from typing import NamedTuple


class Bilingual(NamedTuple):
    """One text in English and in Chinese (either may be empty when there is nothing to say)."""

    en: str = ""
    zh: str = ""

    def pick(self, lang: str) -> str:
        """The text in ``lang`` (``en`` or ``zh``)."""
        return self.zh if lang == "zh" else self.en

    def __bool__(self) -> bool:
        """True when either language has text."""
        return bool(self.en or self.zh)


NONE = Bilingual()


def join_notes(*parts: Bilingual) -> Bilingual:
    """The non-empty parts joined, each once: "; " in English, "；" in Chinese.

    Notes are composed from the notes of their inputs, and two inputs often carry the same caveat (the
    indicator's scope note on both sides of a ratio): it is said once.
    """
    english = dict.fromkeys(s for p in parts if p.en for s in p.en.split("; "))
    chinese = dict.fromkeys(s for p in parts if p.zh for s in p.zh.split("；"))
    return Bilingual("; ".join(english), "；".join(chinese))


def split_label(label: str) -> tuple[str, str]:
    """A metric label's subject and what is said of it: ``("GDP", "Jinshui as a share of …")``.

    English labels separate them with ": ", Chinese ones with the full-width "：" (older ones with ":");
    a label with no separator is all subject.
    """
    cuts = [i for i in (label.find("："), label.find(":")) if i >= 0]
    if not cuts:
        return label, ""
    cut = min(cuts)
    return label[:cut].strip(), label[cut + 1 :].strip()
