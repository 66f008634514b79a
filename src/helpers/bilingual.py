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
    """The non-empty parts joined: "; " in English, "；" in Chinese."""
    return Bilingual("; ".join(p.en for p in parts if p.en), "；".join(p.zh for p in parts if p.zh))
