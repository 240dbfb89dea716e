"""Has the quote been altered? Insertions, truncations and a scoring hook.

*Insertions* are words in brackets -- ``[Western partners]``,
``(the accord)`` -- that the writer, not the speaker, put inside the marks.
A bracket that touches a letter (``[t]he``, ``(C)oordinated``,
``increas(es)``) changes part of a word: a ``split-word`` insertion. One
that names who or what a pronoun means (``They [Western partners]``) or
holds a longer phrase is a ``clarification``. A bracket holding a word of
judgement (:data:`~spinscope.quotes.lexicon.JUDGEMENT_WORDS`: ``(so-called)``,
``[terrorist]``, ``(foreign-backed)``) is ``editorial`` whatever a model says
of the bracket alone, which is too short to score well. Any other one- or
two-word lower-case bracket (``The (stable) neighbour``) is an
``editorial-candidate``: a word that may colour the speech, to be confirmed
by :func:`classify_insertions` with a technique scorer. Bracketed ellipses
(``[...]``) are omissions, not insertions.

*Truncations* are ellipses at either edge of the quoted words
(``"... will not be tolerated"``, ``"we will respond..."``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from spinscope.quotes.lexicon import CLARIFYING_ANTECEDENTS, ELLIPSES, JUDGEMENT_AFFIXES, JUDGEMENT_WORDS
from spinscope.quotes.model import Insertion

__all__ = [
    "Scorer",
    "judges",
    "EDITORIAL_TECHNIQUES",
    "EDITORIAL_THRESHOLD",
    "find_insertions",
    "find_ellipses",
    "truncation",
    "classify_insertions",
]

#: ``scorer(text) -> {technique: score}``; the techniques model fits it.
Scorer = Callable[[str], Mapping[str, float]]

#: Techniques whose score marks an insertion as editorial.
EDITORIAL_TECHNIQUES: tuple[str, ...] = ("Loaded_Language", "Name_Calling-Labeling")
EDITORIAL_THRESHOLD = 0.5

_BRACKETS = re.compile(r"\[[^\[\]\n]{1,120}\]|\([^()\n]{1,120}\)")
_ELLIPSIS_RE = re.compile("|".join(re.escape(e) for e in ELLIPSES))
_FIRST_PERSON = re.compile(r"\b(?:I|me|my)\b")
_EDGE_PUNCT = " \t\n,.;:!?\"“”‘’'"


def find_ellipses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` of every ellipsis in ``text[start:end]``."""
    return [(m.start(), m.end()) for m in _ELLIPSIS_RE.finditer(text, start, end)]


def _is_ellipsis(content: str) -> bool:
    return content.strip() in {"...", "…", ". . ."}


def find_insertions(text: str, start: int, end: int) -> list[Insertion]:
    """Bracketed insertions inside the quoted words ``text[start:end]``.

    Parameters
    ----------
    text:
        The document text.
    start, end:
        The quote's inner range.

    Returns
    -------
    list[Insertion]
        In text order, each with its kind (``split-word``, ``clarification``
        or ``editorial-candidate``).

    Example
    -------
    >>> [i.text for i in find_insertions('x [t]he (the accord) y', 0, 22)]
    ['[t]', '(the accord)']
    """
    found: list[Insertion] = []
    for m in _BRACKETS.finditer(text, start, end):
        content = m.group(0)[1:-1]
        if _is_ellipsis(content) or not content.strip():
            continue
        if _FIRST_PERSON.search(content):
            continue  # "(and I repeat, ...)": the speaker's own aside, not the writer's
        before = text[m.start() - 1] if m.start() > start else ""
        after = text[m.end()] if m.end() < end else ""
        if content.isalpha() and len(content) <= 4 and (before.isalpha() or after.isalpha()):
            kind = "split-word"
        else:
            kind = _insertion_kind(text, start, m.start(), content)
        found.append(Insertion(m.start(), m.end(), m.group(0), kind))  # type: ignore[arg-type]
    return found


def judges(content: str) -> bool:
    """Whether bracketed *content* holds a word of judgement (see :data:`JUDGEMENT_WORDS`)."""
    for word in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", content):
        w = word.lower()
        if w in JUDGEMENT_WORDS or w.endswith(JUDGEMENT_AFFIXES) or any(p in JUDGEMENT_WORDS for p in w.split("-")):
            return True
    return False


def _insertion_kind(text: str, quote_start: int, pos: int, content: str) -> str:
    words = content.split()
    if judges(content):
        return "editorial"  # "(so-called)", "[terrorist]", "they [the junta]": a judgement, pronoun or not
    prev = re.findall(r"[A-Za-z]+", text[max(quote_start, pos - 20) : pos])
    if prev and prev[-1].lower() in CLARIFYING_ANTECEDENTS:
        return "clarification"  # "they [the partners]": says who, adds nothing
    if len(words) <= 2 and content[:1].islower() and all(re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)*", w) for w in words):
        return "editorial-candidate"
    return "clarification"


def truncation(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the quoted words ``text[start:end]`` begin / end with an ellipsis."""
    inner = text[start:end]
    head = inner.lstrip(_EDGE_PUNCT.replace(".", ""))
    tail = inner.rstrip(" \t\n,;:\"”’'")
    left = any(head.startswith(e) for e in ELLIPSES)
    right = any(tail.endswith(e) for e in ELLIPSES)
    return left, right


def classify_insertions(
    quote_insertions: Sequence[Insertion],
    scorer: Scorer,
    *,
    threshold: float = EDITORIAL_THRESHOLD,
    techniques: Iterable[str] = EDITORIAL_TECHNIQUES,
) -> tuple[Insertion, ...]:
    """Decide ``editorial-candidate`` insertions with *scorer*; keep the scores of the others.

    Split-word insertions are left alone: they change a letter, not the
    message. Every other insertion is scored on its words without the
    brackets, and the scores are kept on it. Only a candidate's kind
    depends on them: it becomes ``editorial`` if any of *techniques* scores
    at least *threshold*, else ``clarification``. A clarification that says
    who a pronoun means, or a bracket already ``editorial`` by its words of
    judgement, keeps its kind: the model reads a two-word bracket out of
    context, and was wrong both ways on such brackets (a loaded score for
    "the partners", a low one for "foreign-backed").

    Parameters
    ----------
    quote_insertions:
        A quote's insertions, e.g. ``quote.insertions``.
    scorer:
        ``scorer(text) -> {technique: score}``, such as the techniques model
        wrapped in a function; tests pass a small deterministic one.
    threshold, techniques:
        What counts as loaded.

    Example
    -------
    >>> ins = find_insertions("The [criminal] regime", 0, 21)
    >>> classify_insertions(ins, lambda t: {"Loaded_Language": 0.9})[0].kind
    'editorial'
    """
    wanted = tuple(techniques)
    out = []
    for ins in quote_insertions:
        if ins.kind == "split-word":
            out.append(ins)
            continue
        scores = dict(scorer(ins.text[1:-1]))
        kind = ins.kind
        if kind == "editorial-candidate":
            loaded = any(scores.get(t, 0.0) >= threshold for t in wanted)
            kind = "editorial" if loaded else "clarification"
        out.append(replace(ins, kind=kind, scores=scores))
    return tuple(out)
