"""Test seam for the store: a fast, deterministic analyser that builds real Analysis objects.

The store's own logic (resume, dedup, batching, normalisation, queries) does
not depend on what the model predicts, only on the shape of an Analysis, so
these tests replace the 5-10 s model with rules over words. Nothing here is
shipped: it lives in tests/ and is injected as ``pipe=`` (like httpx's mock
transport). Tests that check the real pipeline end to end use it instead.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from spinscope.analysis import Analysis, LabelScore, ParagraphLabels, TechniqueSpan
from spinscope.document import Document
from spinscope.entities.group import Entity, Mention
from spinscope.entities.roles import RolePrediction
from spinscope.narratives.model import NarrativePrediction
from spinscope.quotes.model import Cue, Insertion, Quote, QuoteResult

#: Words that trigger a technique label on their paragraph (and a span on the word).
CUES = {
    "corrupt": "Name_Calling-Labeling",
    "traitors": "Name_Calling-Labeling",
    "catastrophe": "Appeal_to_Fear-Prejudice",
    "everyone": "Appeal_to_Popularity",
    "always": "Exaggeration-Minimisation",
}
FRAMES = {"budget": "Economic", "court": "Legality_Constitutionality_and_jurisprudence", "police": "Crime_and_punishment"}
#: Names the fake NER finds; the role depends on the words around them.
NAMES = ("Mayor Lind", "Councillor Okafor", "Harbour Board")
CLIMATE = "CC: Amplifying Climate Fears"
CLIMATE_SUB = "CC: Amplifying Climate Fears: Doomsday scenarios for humans"

META = {"name": "rules-for-tests", "version": "1"}


def _role(context: str) -> RolePrediction:
    if "corrupt" in context or "traitors" in context:
        return RolePrediction("Antagonist", {"Antagonist": 0.9, "Protagonist": 0.05, "Innocent": 0.05}, ("Corrupt",), {"Corrupt": 1.0})
    if "saved" in context or "praised" in context:
        return RolePrediction("Protagonist", {"Antagonist": 0.05, "Protagonist": 0.9, "Innocent": 0.05}, ("Guardian",), {"Guardian": 1.0})
    return RolePrediction("Innocent", {"Antagonist": 0.1, "Protagonist": 0.1, "Innocent": 0.8}, ("Victim",), {"Victim": 1.0})


def analyse_one(doc: Document) -> Analysis:
    """The rules above over one document: deterministic, a millisecond, every Analysis field filled."""
    analysis = Analysis(document=doc, model=dict(META))
    text = doc.text
    low = text.lower()
    for i, (p, ptext) in enumerate(doc.iter_paragraphs()):
        labels: dict[str, float] = {}
        for word, technique in CUES.items():
            for m in re.finditer(rf"\b{word}\b", ptext.lower()):
                labels[technique] = 0.8
                start = p.start + m.start()
                analysis.spans.append(TechniqueSpan(start, start + len(word), technique, 0.7, i))
        if labels:
            analysis.paragraphs.append(ParagraphLabels(i, tuple(LabelScore(t, s) for t, s in sorted(labels.items()))))
    analysis.spans.sort(key=lambda s: (s.start, s.technique))
    genre = "opinion" if "should" in low else "reporting"
    analysis.genre = LabelScore(genre, 0.9)
    analysis.genre_probabilities = {"reporting": 0.9 if genre == "reporting" else 0.05, "opinion": 0.9 if genre == "opinion" else 0.05, "satire": 0.05}
    analysis.frames = [LabelScore(f, 0.6) for w, f in FRAMES.items() if w in low]
    analysis.frame_scores = {f.label: f.score for f in analysis.frames}
    entities: list[Entity] = []
    for name in NAMES:
        mentions = []
        for m in re.finditer(re.escape(name), text):
            para = doc.paragraph_at(m.start()) or 0
            role = _role(doc.paragraph_text(para).lower())
            mentions.append(Mention(m.start(), m.end(), para, "PERSON", "ner", role))
        if mentions:
            entities.append(Entity(len(entities), name, "PERSON", mentions, role=mentions[0].role))
    analysis.entities = entities
    quotes = []
    for m in re.finditer(r'"([^"\n]+)"', text):
        inner_start, inner_end = m.start(1), m.end(1)
        insertions = tuple(
            Insertion(inner_start + b.start(), inner_start + b.end(), b.group(0), "editorial-candidate")
            for b in re.finditer(r"\[[^\]]+\]", m.group(1))
        )
        after = re.match(r",? (said|says) ([A-Z][a-z]+(?: [A-Z][a-z]+)?)", text[m.end() : m.end() + 60])
        speaker = after.group(2) if after else None
        cue = Cue(after.group(1), m.end() + after.start(1), m.end() + after.end(1)) if after else None
        para = doc.paragraph_at(m.start()) or 0
        quotes.append(Quote(inner_start, inner_end, m.start(), m.end() - 1, "speech", (para,), speaker, None, "adjacent" if speaker else None, cue, insertions))
    analysis.quotes = QuoteResult(doc.id, tuple(quotes))
    if "climate" in low:
        analysis.narratives = NarrativePrediction((CLIMATE,), (CLIMATE_SUB,), "CC", CLIMATE, {CLIMATE: 0.7, CLIMATE_SUB: 0.6})
    else:
        analysis.narratives = NarrativePrediction(("Other",), ("Other",), "Other", "Other", {"Other": 0.8})
    return analysis


def fake_analyse(docs: Sequence[Document]) -> Iterator[Analysis]:
    """``pipe=`` for :func:`spinscope.store.add_inputs`."""
    for doc in docs:
        yield analyse_one(doc)


# -- generated articles (tests write their own texts) --------------------------------------------
OUTLETS = ("The Harbour Herald", "Daily Lantern", "Northern Wire")
SENTENCES = (
    "Mayor Lind presented the new harbour budget to the council on Tuesday.",
    "Critics called the plan corrupt and said everyone already knew it would fail.",
    "Councillor Okafor praised the engineers who saved the old pier from the storm.",
    "The court will hear the appeal next month, officials said.",
    "Residents fear a catastrophe if the sea wall is not repaired before winter.",
    "The police said no one was hurt when the crane collapsed.",
    "Scientists warned that climate change would raise the water level in the bay.",
    "The ferry timetable changes on Monday and tickets will cost slightly more.",
)


def article(i: int, rng: random.Random, *, paragraphs: int = 4) -> dict[str, Any]:
    """One generated article as a JSONL object; ``i`` makes its text unique."""
    body = []
    for j in range(paragraphs):
        words = " ".join(rng.choice(SENTENCES) for _ in range(2))
        body.append(f"{words} (Item {i}, paragraph {j}.)")
    day = 1 + i % 28
    month = 1 + (i // 28) % 3
    body.insert(1, f'"We will not let [the] traitors sink this town," said Mayor Lind in report {i}.')
    return {
        "id": f"gen-{i}",
        "title": f"Harbour report number {i}",
        "text": "\n\n".join(body),
        "source": OUTLETS[i % len(OUTLETS)],
        "url": f"https://news.example/{i}",
        "published": f"2026-{month:02d}-{day:02d}",
    }


def write_jsonl(path: Path, n: int, *, seed: int = 0, start: int = 0) -> list[dict[str, Any]]:
    """Write ``n`` generated articles to ``path``; returns them."""
    rng = random.Random(seed)
    rows = [article(start + i, rng) for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return rows
