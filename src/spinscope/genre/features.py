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
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

__all__ = ["FEATURE_NAMES", "form_features"]

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
)


def form_features(title: str, paragraphs: Sequence[str]) -> np.ndarray:
    """``[len(FEATURE_NAMES)]`` float32 form features of one article (title and body paragraphs)."""
    body = "\n".join(paragraphs)
    text = f"{title}\n{body}" if title else body
    words = _WORD.findall(text)
    n_words = max(1, len(words))
    lower = [w.lower() for w in words]
    sentences = max(1, len(_SENTENCE_END.findall(body)) or len([p for p in paragraphs if p.strip()]))
    quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(body))
    head = "\n".join(paragraphs[:2])
    first_body = next((p for p in paragraphs if p.strip()), "")
    title_words = _WORD.findall(title)
    values = [
        math.log1p(len(paragraphs)),
        math.log1p(len(words)),
        math.log1p(len(words) / max(1, len(paragraphs))),
        1.0 if _DATELINE.match(first_body) or _AGENCY.search(head) else 0.0,
        100.0 * len(_AGENCY.findall(text)) / n_words,
        len(_ATTRIBUTION.findall(body)) / sentences,
        quoted / max(1, len(body)),
        100.0 * sum(lw in _FIRST_SINGULAR or w == "I" for lw, w in zip(lower, words, strict=True)) / n_words,
        100.0 * sum(w in _FIRST_PLURAL for w in lower) / n_words,
        100.0 * sum(w in _SECOND for w in lower) / n_words,
        body.count("?") / sentences,
        body.count("!") / sentences,
        len(_WEEKDAY.findall(body)) / sentences,
        sum(c.isdigit() for c in body) / max(1, len(body)),
        sum(w[0].isupper() for w in words) / n_words,
        min(3.0, float(len(_SATIRE.findall(text)))),
        1.0 if title.rstrip().endswith("?") else 0.0,
        1.0 if ":" in title else 0.0,
        math.log1p(len(title_words)),
    ]
    return np.asarray(values, dtype=np.float32)
