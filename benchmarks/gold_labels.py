"""A program's value against a hand label: the one verdict the accuracy benchmarks share.

``recognizer_accuracy.py`` (the drafted figures of ``jinshui-report add``) and ``cross_section_accuracy.py``
(the values a corpus run's cross-section shows) both read the hand-labelled samples of
``data/annotation_gold/`` and class every (report, indicator) pair; they class it here, so that their tables
count the same thing and can be read side by side.
"""

from __future__ import annotations

#: The verdicts, in the order the tables print them.
CLASSES = ("correct", "wrong value", "missed", "false figure")
#: Values this close (relative) are the same: the rounding of 亿 and 万.
TOLERANCE = 0.005


def classify(status: str, gold_value: str, found: float | None) -> str:
    """One of CLASSES for a gold row (its status and value) and the program's value for its indicator (or None).

    - correct: stated, and found with the same value (within TOLERANCE), or not stated and not found;
    - wrong value: stated and found with another value;
    - missed: stated, not found;
    - false figure: not stated, but found.
    """
    if status == "not_stated":
        return "correct" if found is None else "false figure"
    if found is None:
        return "missed"
    expected = float(gold_value)
    close = abs(found - expected) <= TOLERANCE * max(abs(expected), 1e-9)
    return "correct" if close else "wrong value"
