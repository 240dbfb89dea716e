"""How the words next to a mention treat it: a small hand-written stance lexicon.

A role is read from what the article says about an entity. Beside the
encoder's pooled context, :func:`stance_features` counts, in the mention's
sentence, the words of three cue lists -- praise (:data:`PRAISE`), attack
(:data:`ATTACK`) and harm suffered (:data:`HARM`) -- each weighted by how
near it stands to the mention (``1 / (1 + words between / 4)``), on the left
and on the right separately (what precedes a name often qualifies it, what
follows is often what it did). The lists were written for this project
from the role definitions of the SemEval-2025 taxonomy, not taken from a
published lexicon. Words are matched by prefix, so ``corrupt`` also
matches ``corruption``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

__all__ = ["ATTACK", "HARM", "PRAISE", "STANCE_DIM", "stance_features"]

#: Cues that cast an entity as a protagonist: help, defence, courage, peace.
PRAISE: tuple[str, ...] = (
    "hero", "heroic", "brave", "courag", "defend", "defender", "protect", "rescue", "saved", "saving",
    "help", "support", "peace", "ceasefire", "negotiat", "mediat", "honest", "principled", "praise",
    "champion", "liberat", "freedom", "resist", "compassion", "leadership",
    "tireless", "aid", "donat", "humanitarian", "reform", "ally", "allies", "solidarity", "welcom",
)  # fmt: skip
#: Cues that cast an entity as an antagonist: aggression, deceit, corruption, blame.
ATTACK: tuple[str, ...] = (
    "regime", "brutal", "ruthless", "tyrant", "tyrann", "dictat", "aggress", "invad", "invasion",
    "attack", "shell", "bomb", "kill", "murder", "atrocit", "terror", "lie", "lied", "lying", "liar",
    "deceiv", "decept", "propaganda", "disinformation", "corrupt", "brib", "stole", "steal", "fraud",
    "crimin", "accus", "blame", "threat", "puppet", "traitor", "betray", "spy", "sabotag", "conspir",
    "incompetent", "fail", "hypocri", "scandal", "scam", "hoax", "alarmis", "agenda", "elite",
    "crush", "jail", "silenc", "censor", "manipulat", "exploit", "masterminded", "orchestrat",
)  # fmt: skip
#: Cues that cast an entity as an innocent: harm suffered, neglect, being used.
HARM: tuple[str, ...] = (
    "victim", "civilian", "suffer", "killed", "wounded", "injur", "displac", "refugee", "forced",
    "starv", "homeless", "abandon", "forgotten", "neglect", "vulnerab", "trapped", "hostage",
    "children", "families", "poor", "scapegoat", "innocent", "died", "dead", "casualt", "flee", "fled",
)  # fmt: skip

_LISTS = (PRAISE, ATTACK, HARM)
#: Width of a stance row: three lists, left and right, plus their totals.
STANCE_DIM = 3 * 3
_BOUNDARY = re.compile(r"[.!?…]\s|\n")


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[\w'-]+", text)]


def _score(words: Sequence[str]) -> np.ndarray:
    """Distance-weighted counts of each list's cues in ``words``, given nearest the mention first."""
    out = np.zeros(len(_LISTS), dtype=np.float32)
    for d, w in enumerate(words):
        for k, cues in enumerate(_LISTS):
            if w.startswith(cues):
                out[k] += 1.0 / (1.0 + d / 4.0)
    return out


def stance_features(text: str, mentions: Sequence[tuple[int, int]]) -> np.ndarray:
    """``[M, 9]`` rows: praise / attack / harm cues left of, right of, and around each ``[start, end)`` mention.

    The range is the mention's sentence (at most 200 characters a side);
    the name itself is left out, so a renamed entity gets the same row.
    """
    rows = np.zeros((len(mentions), STANCE_DIM), dtype=np.float32)
    for i, (start, end) in enumerate(mentions):
        lo = max(0, start - 200)
        for m in _BOUNDARY.finditer(text, lo, start):
            lo = m.end()
        hi = min(len(text), end + 200)
        stop = _BOUNDARY.search(text, end, hi)
        hi = stop.start() + 1 if stop else hi
        left = _score(_words(text[lo:start])[::-1])
        right = _score(_words(text[end:hi]))
        rows[i] = np.concatenate([left, right, left + right])
    return rows
