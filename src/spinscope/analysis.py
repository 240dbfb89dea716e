"""The result of analysing one Document: stand-off labels with scores and evidence.

Every label points into ``Document.text``: technique spans by character
range, paragraph labels by paragraph index, article labels (genre, frames)
with the paragraphs that drove them as evidence. ``Analysis.to_dict()``
produces the versioned JSON described by ``schemas/analysis.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from spinscope.document import Document

if TYPE_CHECKING:
    from spinscope.entities import Entity
    from spinscope.narratives.evidence import Evidence as NarrativeEvidence
    from spinscope.narratives.model import NarrativePrediction
    from spinscope.quotes import QuoteResult

__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Evidence",
    "LabelScore",
    "ParagraphLabels",
    "TechniqueSpan",
]

#: Bump the minor version for added fields, the major one for changed ones.
#: 1.4: ``model`` names the component pipeline (``analyzers``: component -> registered name; ``components``: versions, model hashes).
SCHEMA_VERSION = "1.4"

EvidenceKind = Literal["span", "strongest-tokens", "sentence", "paragraph"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A range of ``Document.text`` that supports a label.

    ``kind``: ``span`` -- a predicted technique span; ``strongest-tokens`` --
    no span cleared its threshold, so the tokens the model scored highest
    for the label are shown instead; ``paragraph`` -- a whole paragraph that
    pushed an article-level label (genre, frame) the most; ``sentence`` -- the
    sentence the multilingual model scored highest for a technique (it has no
    token-level output, so it cannot point at exact words).
    """

    start: int
    end: int
    score: float
    kind: EvidenceKind = "span"
    paragraph: int | None = None

    def to_dict(self, doc: Document) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": doc.text[self.start : self.end],
            "score": round(self.score, 4),
            "kind": self.kind,
            "paragraph": self.paragraph,
        }


@dataclass(frozen=True, slots=True)
class LabelScore:
    """A label with its calibrated score and the evidence for it."""

    label: str
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class TechniqueSpan:
    """A technique predicted on a character range ``[start, end)``."""

    start: int
    end: int
    technique: str
    score: float
    paragraph: int
    #: ``span``: exact words from the token-level English model; ``sentence``:
    #: a whole sentence from the multilingual model.
    kind: Literal["span", "sentence"] = "span"


@dataclass(frozen=True, slots=True)
class ParagraphLabels:
    """Techniques predicted for one paragraph (index into ``Document.paragraphs``)."""

    paragraph: int
    labels: tuple[LabelScore, ...]


@dataclass
class Analysis:
    """Everything spinscope found in one Document."""

    document: Document
    genre: LabelScore | None = None
    genre_probabilities: dict[str, float] = field(default_factory=dict)
    frames: list[LabelScore] = field(default_factory=list)
    frame_scores: dict[str, float] = field(default_factory=dict)
    paragraphs: list[ParagraphLabels] = field(default_factory=list)
    spans: list[TechniqueSpan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    quotes: QuoteResult | None = None
    entities: list[Entity] | None = None  # None: the entity analyzer did not run
    narratives: NarrativePrediction | None = None
    narrative_evidence: list[NarrativeEvidence] = field(default_factory=list)
    #: Language of each paragraph as routed (None: unknown); empty when routing did not run.
    paragraph_languages: list[str | None] = field(default_factory=list)

    @property
    def technique_counts(self) -> dict[str, int]:
        """Number of paragraphs carrying each technique."""
        counts: dict[str, int] = {}
        for p in self.paragraphs:
            for ls in p.labels:
                counts[ls.label] = counts.get(ls.label, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Versioned JSON-ready dict (see ``schemas/analysis.schema.json``)."""
        from spinscope.version import __version__
        from spinscope.taxonomy import load

        doc = self.document
        tax = {name: load(name) for name in ("techniques", "frames", "genres")}

        def label_dict(ls: LabelScore, taxonomy: str) -> dict[str, Any]:
            entry = tax[taxonomy].get(ls.label)
            return {
                "label": ls.label,
                "name": entry.name,
                "category": entry.category,
                "score": round(ls.score, 4),
                "definition": {"taxonomy": taxonomy, "text": entry.definition},
                "evidence": [e.to_dict(doc) for e in ls.evidence],
            }

        paragraphs = []
        for pl in self.paragraphs:
            p = doc.paragraphs[pl.paragraph]
            paragraphs.append(
                {
                    "index": pl.paragraph,
                    "line": p.line,
                    "start": p.start,
                    "end": p.end,
                    "language": self.paragraph_languages[pl.paragraph] if self.paragraph_languages else None,
                    "techniques": [label_dict(ls, "techniques") for ls in pl.labels],
                }
            )
        return {
            "schema_version": SCHEMA_VERSION,
            "spinscope_version": __version__,
            "model": self.model,
            "document": {
                k: v
                for k, v in doc.to_dict().items()
                if k not in {"offset_map"}
            },
            "genre": label_dict(self.genre, "genres") if self.genre else None,
            "genre_probabilities": {k: round(v, 4) for k, v in self.genre_probabilities.items()},
            "frames": [label_dict(ls, "frames") for ls in self.frames],
            "frame_scores": {k: round(v, 4) for k, v in self.frame_scores.items()},
            "paragraphs": paragraphs,
            "spans": [
                {
                    "start": s.start,
                    "end": s.end,
                    "text": doc.text[s.start : s.end],
                    "technique": s.technique,
                    "score": round(s.score, 4),
                    "paragraph": s.paragraph,
                    "kind": s.kind,
                }
                for s in self.spans
            ],
            "technique_counts": self.technique_counts,
            "paragraph_languages": list(self.paragraph_languages),
            "warnings": list(self.warnings),
            **self._quotes_dict(),
            **self._entities_dict(),
            **self._narratives_dict(),
        }

    def _entities_dict(self) -> dict[str, Any]:
        if self.entities is None:
            return {}
        text = self.document.text
        out = []
        for e in self.entities:
            out.append(
                {
                    "id": e.id,
                    "name": e.name,
                    "label": e.label,
                    "aliases": list(e.aliases),
                    "stands_for": e.stands_for,
                    "linked": list(e.linked),
                    "role": e.role.to_dict() if e.role else None,
                    "mentions": [
                        {
                            "start": m.start,
                            "end": m.end,
                            "text": text[m.start : m.end],
                            "paragraph": m.paragraph,
                            "label": m.label,
                            "source": m.source,
                            "role": m.role.to_dict() if m.role else None,
                        }
                        for m in e.mentions
                    ],
                }
            )
        return {"entities": out}

    def _narratives_dict(self) -> dict[str, Any]:
        if self.narratives is None:
            return {}
        from spinscope.taxonomy import load

        tax = load("narratives")
        p = self.narratives

        def entry(label: str) -> dict[str, Any]:
            item = tax.get(label) if label in tax else None
            return {
                "label": label,
                "score": round(p.scores.get(label, 0.0), 4),
                "definition": item.definition if item else None,
            }

        text = self.document.text
        return {
            "narratives": {
                "domain": p.domain,
                "dominant": p.dominant,
                "narratives": [entry(n) for n in p.narratives],
                "subnarratives": [entry(n) for n in p.subnarratives],
                "evidence": [
                    {**ev.to_dict(), "text": text[ev.start : ev.end]} for ev in self.narrative_evidence
                ],
            }
        }

    def _quotes_dict(self) -> dict[str, Any]:
        if self.quotes is None:  # the quotation analyzer did not run
            return {}
        text = self.document.text
        return {
            "quotes": [{**q.to_dict(), "text": q.text(text)} for q in self.quotes.quotes],
            "quote_notes": list(self.quotes.notes),
        }
