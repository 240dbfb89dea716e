"""Form features of an article: how it is written, not what it is about.

Reporting, opinion and satire differ in form more than in topic: a wire
report opens with a dateline, attributes what it says ("said", "according
to"), quotes people and keeps the writer out of it; an op-ed speaks in the
first and second person, asks questions and exclaims; a satire site often
says what it is. These cues are counted with small word lists for the six
SemEval-2023 languages (en, fr, de, it, pl, ru) and a few
script-independent patterns, so that one genre model can learn them from
every language's articles and apply them to all.

Every feature is a rate or a log count, so long and short articles are
comparable. :data:`FEATURE_NAMES` lists them in column order.

Every feature is computed from per-paragraph counts (:func:`_segment_counts`)
summed over the article, plus two cues that depend on where a paragraph is
(the dateline of the first body paragraph, an agency credit in the first
two). That is what makes :func:`form_features_leave_one_out` cheap: the
features of the article without paragraph ``i`` are the same function of
the sums minus paragraph ``i``'s counts, so the genre evidence (which
paragraph's removal changes the genre most) needs one counting pass, not
one per paragraph.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

__all__ = ["FEATURE_NAMES", "form_features", "form_features_leave_one_out"]

_WORD = re.compile(r"\w+(?:['’]\w+)?", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…]+(?:\s|$)")


def _words(*groups: str) -> frozenset[str]:
    return frozenset(w for g in groups for w in g.split())


# First person singular / plural and second person, per language (lower-cased word forms).
# Forms another language uses for something else are left out ("i" is "and" in Polish and
# "the" in Italian; "ma", "ta", "was"); the English "I" is counted by its capital.
_FIRST_SINGULAR = _words(
    "me my mine myself i'm i've i'd i'll",
    "je j' moi mon mes",
    "ich mich mir mein meine meinen meinem meiner",
    "io mio mia miei mie",
    "ja mnie mój moja moje mojego mi",
    "я меня мне мой моя моё мое мои мною",
)
_FIRST_PLURAL = _words(
    "we us our ours ourselves we're we've we'll",
    "nous notre nos",
    "wir uns unser unsere unseren unserem unserer",
    "noi nostro nostra nostri nostre",
    "my nas nam nasz nasza nasze naszych",
    "мы нас нам наш наша наше наши нами",
)
_SECOND = _words(
    "you your yours yourself yourselves you're you've",
    "vous votre vos tu toi ton tes",
    "du dich dir dein deine euch euer eure",
    "tu te ti tuo tua voi vostro vostra",
    "ty ciebie tobie twój twoja wy wasz wasza",
    "ты тебя тебе твой твоя вы вас вам ваш ваша",
)
# Weekdays (stems): reports say when things happened.
_WEEKDAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|sabato|domenica|"
    r"poniedzia\w*|wtor\w*|środ\w*|czwart\w*|piąt\w*|sobot\w*|niedziel\w*|"
    r"понедельник\w*|вторник\w*|сред[уаы]|четверг\w*|пятниц\w*|суббот\w*|воскресень\w*)\b",
    re.IGNORECASE,
)
# Attribution: "said", "according to" and their kin.
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|according to|stated|announced|added|reported|confirmed|"
    r"a déclaré|a dit|selon|a affirmé|a annoncé|a indiqué|a précisé|a ajouté|"
    r"sagte|sagt|laut|erklärte|teilte|berichtete|so der|so die|"
    r"ha detto|secondo|ha dichiarato|ha affermato|ha spiegato|ha aggiunto|ha annunciato|"
    r"powiedział\w*|według|poinformował\w*|stwierdził\w*|zapowiedział\w*|dodał\w*|przekazał\w*|"
    r"сказал\w*|заявил\w*|по словам|сообщил\w*|отметил\w*|по данным|подчеркнул\w*|добавил\w*|рассказал\w*)\b",
    re.IGNORECASE,
)
# News agencies and wire credits.
_AGENCY = re.compile(
    r"\b(?:Reuters|AP|AFP|Associated Press|Agence France-Presse|dpa|DPA|ANSA|PAP|"
    r"Interfax|ТАСС|TASS|РИА Новости|RIA Novosti|Интерфакс|UPI|Bloomberg|EFE)\b"
)
# A dateline: "CITY (Agency) -", "CITY, Month 3 -", "CITY -" at the start of the body.
_DATELINE = re.compile(
    r"^\s*[A-ZÀ-ÞА-ЯЁŁŚŻŹĆŃ][\w.'’ -]{1,40}?(?:,\s*[\w.'’ ]{1,30}?)?\s*(?:\([^)]{1,40}\)\s*)?[—–-]{1,2}\s",
    re.UNICODE,
)
_SATIRE = re.compile(
    r"\b(?:satir\w*|parod\w*|the onion|babylon bee|borowitz|duffel blog|waterford whispers|"
    r"gorafi|postillon|lercio|aszdziennik|сатир\w*|пароди\w*|панорама)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"[^\"\n]{1,600}\"|“[^”\n]{1,600}”|«[^»\n]{1,600}»|„[^“”\n]{1,600}[“”]|‘[^’\n]{3,600}’")

# Obligation and recommendation ("should", "must"): an op-ed tells the reader what ought to happen.
_MODAL = _words(
    "should must ought shouldn't mustn't",
    "doit doivent devrait devraient faut",
    "sollte sollten muss müssen müsste müssten",
    "dovrebbe dovrebbero deve devono bisogna occorre",
    "powinien powinna powinno powinni należy trzeba musi muszą",
    "должен должна должны следует нужно надо необходимо",
)
# Hedges: the writer's own uncertainty, rare in a report that attributes instead.
_HEDGE = _words(
    "perhaps maybe possibly probably arguably apparently seemingly",
    "probablement apparemment semble semblent",
    "vielleicht wahrscheinlich offenbar anscheinend vermutlich",
    "forse probabilmente sembra sembrano apparentemente",
    "chyba prawdopodobnie pewnie",
    "возможно вероятно кажется видимо наверное пожалуй",
)
# Intensifiers and blunt evaluation: the writer taking a side.
_INTENSIFIER = _words(
    "very really truly absolutely clearly obviously simply utterly totally completely indeed "
    "ridiculous outrageous shameful disgraceful absurd insane",
    "vraiment absolument évidemment clairement totalement complètement honteux absurde",
    "wirklich absolut offensichtlich völlig total eigentlich",
    "davvero assolutamente ovviamente chiaramente totalmente completamente assurdo",
    "naprawdę absolutnie oczywiście całkowicie zupełnie wręcz",
    "действительно абсолютно очевидно совершенно конечно явно",
)
# Wire and staff credits anywhere in the article ("Reporting by ...", "© 2019", "mit Material von dpa").
_WIRE_CREDIT = re.compile(
    r"(?:\b(?:reporting by|editing by|writing by|additional reporting|contributed to this report|"
    r"staff writer|all rights reserved|avec afp|mit material von|fonte ansa|по материалам)\b|©|\bcopyright\b)",
    re.IGNORECASE,
)
_LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)
_QUOTE_CHARS = re.compile(r"[\"“”«»„]")

# Columns of the per-segment counts (a segment is the title or one body paragraph).
_COUNT_NAMES = (
    "words", "first_singular", "first_plural", "second", "capitalised", "agency", "satire",  # title and body
    "sentences", "nonempty", "quoted_chars", "chars", "attribution", "weekday", "digits", "question",
    "exclamation", "modal", "hedge", "intensifier", "wire_credit", "quote_paragraph", "allcaps", "link",
)  # fmt: skip
_TITLE_AND_BODY = 7  # the first seven count the title too; the others the body alone
_C = {name: k for k, name in enumerate(_COUNT_NAMES)}

FEATURE_NAMES: tuple[str, ...] = (
    "log_paragraphs",
    "log_words",
    "log_words_per_paragraph",
    "dateline",
    "agency_per_100_words",
    "attribution_per_sentence",
    "quoted_share",
    "first_singular_rate",
    "first_plural_rate",
    "second_person_rate",
    "question_per_sentence",
    "exclamation_per_sentence",
    "weekday_per_sentence",
    "digit_share",
    "capitalised_word_share",
    "satire_cue",
    "title_question",
    "title_colon",
    "title_log_words",
    # genre.v2 additions
    "modal_rate",
    "hedge_rate",
    "intensifier_rate",
    "wire_credit",
    "quote_paragraph_share",
    "allcaps_share",
    "link_per_100_words",
    "log_words_per_sentence",
    "title_quote",
    "title_capitalised_share",
    "title_exclamation",
)
#: The genre.v1 form features (the first 19 columns), for comparison in cross-validation.
V1_FEATURES = 19


def _segment_counts(text: str) -> list[float]:
    """Raw counts of one segment (title or paragraph), in :data:`_COUNT_NAMES` order."""
    words = _WORD.findall(text)
    lower = [w.lower() for w in words]
    quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(text))
    return [
        len(words),
        sum(lw in _FIRST_SINGULAR or w == "I" for lw, w in zip(lower, words, strict=True)),
        sum(w in _FIRST_PLURAL for w in lower),
        sum(w in _SECOND for w in lower),
        sum(w[0].isupper() for w in words),
        len(_AGENCY.findall(text)),
        len(_SATIRE.findall(text)),
        len(_SENTENCE_END.findall(text)),
        1.0 if text.strip() else 0.0,
        quoted,
        len(text),
        len(_ATTRIBUTION.findall(text)),
        len(_WEEKDAY.findall(text)),
        sum(c.isdigit() for c in text),
        text.count("?"),
        text.count("!"),
        sum(w in _MODAL for w in lower),
        sum(w in _HEDGE for w in lower),
        sum(w in _INTENSIFIER for w in lower),
        len(_WIRE_CREDIT.findall(text)),
        1.0 if quoted else 0.0,
        sum(len(w) > 1 and w.isupper() and not w.isdigit() for w in words),
        len(_LINK.findall(text)),
    ]


def _opens_like_a_report(paragraphs: Sequence[str]) -> float:
    """1.0 when the first non-empty body paragraph opens with a dateline, or the first two credit an agency."""
    first_body = next((p for p in paragraphs if p.strip()), "")
    return 1.0 if _DATELINE.match(first_body) or _AGENCY.search("\n".join(paragraphs[:2])) else 0.0


def _title_features(title: str) -> list[float]:
    words = _WORD.findall(title)
    return [
        1.0 if title.rstrip().endswith("?") else 0.0,
        1.0 if ":" in title else 0.0,
        math.log1p(len(words)),
        1.0 if _QUOTE_CHARS.search(title) else 0.0,
        sum(w[0].isupper() for w in words) / max(1, len(words)),
        1.0 if "!" in title else 0.0,
    ]


def _features(title_counts: np.ndarray, body: np.ndarray, n_paragraphs: int, opens: float, title_part: list[float]) -> list[float]:
    """The feature vector from the title's counts, the body's summed counts and the positional cue."""
    total = title_counts + body  # only the first seven columns of the title's counts are non-zero
    words = total[_C["words"]]
    n_words = max(1.0, words)
    body_words = body[_C["words"]]
    sentences = max(1.0, body[_C["sentences"]] or body[_C["nonempty"]])
    chars = max(1.0, body[_C["chars"]] + max(0, n_paragraphs - 1))  # paragraphs are joined by newlines
    t_question, t_colon, t_log_words, t_quote, t_caps, t_exclaim = title_part
    return [
        math.log1p(n_paragraphs),
        math.log1p(words),
        math.log1p(words / max(1, n_paragraphs)),
        opens,
        100.0 * total[_C["agency"]] / n_words,
        body[_C["attribution"]] / sentences,
        body[_C["quoted_chars"]] / chars,
        100.0 * total[_C["first_singular"]] / n_words,
        100.0 * total[_C["first_plural"]] / n_words,
        100.0 * total[_C["second"]] / n_words,
        body[_C["question"]] / sentences,
        body[_C["exclamation"]] / sentences,
        body[_C["weekday"]] / sentences,
        body[_C["digits"]] / chars,
        total[_C["capitalised"]] / n_words,
        min(3.0, float(total[_C["satire"]])),
        t_question,
        t_colon,
        t_log_words,
        100.0 * body[_C["modal"]] / n_words,
        100.0 * body[_C["hedge"]] / n_words,
        100.0 * body[_C["intensifier"]] / n_words,
        min(3.0, float(body[_C["wire_credit"]])),
        body[_C["quote_paragraph"]] / max(1.0, body[_C["nonempty"]]),
        100.0 * body[_C["allcaps"]] / n_words,
        100.0 * body[_C["link"]] / n_words,
        math.log1p(body_words / sentences),
        t_quote,
        t_caps,
        t_exclaim,
    ]


def _title_counts(title: str) -> np.ndarray:
    counts = np.asarray(_segment_counts(title), dtype=np.float64)
    counts[_TITLE_AND_BODY:] = 0.0
    return counts


def form_features(title: str, paragraphs: Sequence[str]) -> np.ndarray:
    """``[len(FEATURE_NAMES)]`` float32 form features of one article (title and body paragraphs)."""
    return form_features_leave_one_out(title, paragraphs, ())[0]


def form_features_leave_one_out(title: str, paragraphs: Sequence[str], left_out: Sequence[int]) -> np.ndarray:
    """``[1 + len(left_out), F]``: the article's features, then the features without each paragraph ``left_out[j]``.

    Row ``1 + j`` equals ``form_features(title, paragraphs without left_out[j])``
    (the tests check it against that recomputation); it costs one count per
    paragraph in all, not one pass over the article per row.
    """
    counts = np.asarray([_segment_counts(p) for p in paragraphs], dtype=np.float64).reshape(len(paragraphs), len(_COUNT_NAMES))
    body = counts.sum(0)
    title_counts = _title_counts(title)
    title_part = _title_features(title)
    opens = _opens_like_a_report(paragraphs)
    # The positional cue changes only when a paragraph among the first two or the first non-empty one goes.
    first_body = next((k for k, p in enumerate(paragraphs) if p.strip()), -1)
    rows = [_features(title_counts, body, len(paragraphs), opens, title_part)]
    for i in left_out:
        rest_opens = opens
        if i < 2 or i == first_body:
            rest_opens = _opens_like_a_report([p for k, p in enumerate(paragraphs) if k != i])
        rows.append(_features(title_counts, body - counts[i], len(paragraphs) - 1, rest_opens, title_part))
    return np.asarray(rows, dtype=np.float32)
