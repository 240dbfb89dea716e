"""What every pipeline component shares: the base class, the registry, the per-document work and the models.

A component is a class registered under a versioned name
(``"quotes.v1"``). It declares the attributes it ``requires`` (assigned by
an earlier component), the ones it ``assigns``, and the ones it must come
``after`` when some component of the pipeline assigns them (the encoder
pools entity mentions in its one pass, so it must follow ``entities`` when
``entities`` runs at all). :class:`~spinscope.pipeline.Pipeline` checks
the order when it is built.

Components work on batches: ``pipe(works)`` fills the :class:`Work` of
several documents in place, in input order, so that one encoder pass can
serve paragraphs of many articles. Heavy imports and model loading happen
inside ``pipe`` (through :class:`Resources`), never at import or at
construction, so a pipeline costs nothing until the first document
arrives.

A behaviour change gets a new registered name (``quotes.v2``) rather than
a silent change to an old one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from spinscope.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

    from spinscope.analysis import Analysis
    from spinscope.document import Document
    from spinscope.entities import Entity, RoleModel
    from spinscope.entities.encoder_ner import EncoderNer
    from spinscope.genre.model import GenreModel
    from spinscope.models.bundle import ParagraphOutput, SpinModel
    from spinscope.multilingual.encoder import MultilingualEncoder
    from spinscope.multilingual.model import MultilingualModel
    from spinscope.multilingual.route import ParagraphRoute
    from spinscope.narratives.model import NarrativeModel

__all__ = [
    "Component",
    "EncodedParagraphs",
    "Resources",
    "Work",
    "component",
    "get_factory",
    "model_digest",
    "registered",
]


# -- the work on one document -------------------------------------------------------------


def _slim(out: ParagraphOutput) -> ParagraphOutput:
    """What roles and narratives need of an encoder output, without the token probabilities."""
    from spinscope.models.bundle import ParagraphOutput

    return ParagraphOutput(out.paragraph_probs, out.mean, [], out.span_vectors)


class EncodedParagraphs:
    """The English encoder's outputs for some paragraphs of one document, in paragraph order.

    ``indexes[j]`` is the paragraph that output ``j`` belongs to. The outputs
    may be a lazy stream (one long article, so its token probabilities are
    never all held at once): the first :meth:`stream` consumes it, and every
    later reader gets the slim outputs (no token windows) it left behind.
    """

    def __init__(self, indexes: Sequence[int], outputs: Iterable[ParagraphOutput]) -> None:
        self.indexes = list(indexes)
        self._pending: Iterator[ParagraphOutput] | None = iter(outputs)
        self._slim: list[ParagraphOutput] = []

    def stream(self) -> Iterator[tuple[int, ParagraphOutput]]:
        """``(paragraph, full output)`` pairs, once; later calls raise RuntimeError."""
        if self._pending is None:
            raise RuntimeError("the token-level outputs were already consumed")
        pending, self._pending = self._pending, None
        for index, out in zip(self.indexes, pending, strict=True):
            self._slim.append(_slim(out))
            yield index, out

    def slim(self) -> list[tuple[int, ParagraphOutput]]:
        """Every ``(paragraph, output)`` without token windows (drains an unread stream)."""
        if self._pending is not None:
            for _ in self.stream():
                pass
        return list(zip(self.indexes, self._slim, strict=True))

    def means(self) -> np.ndarray:
        """``[len(indexes), dim]`` paragraph vectors (``[0, 384]`` when nothing was encoded)."""
        import numpy as np

        rows = [o.mean for _, o in self.slim()]
        return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


@dataclass(eq=False)
class Work:
    """One document on its way through the pipeline.

    ``analysis`` is what the caller gets; the other fields are what a
    component leaves for the ones after it. ``skipped`` maps a thing a
    component did not analyse ("entities", "roles", ...) to why; the
    pipeline turns it into one warning at the end.
    """

    doc: Document
    analysis: Analysis
    #: ``language``: one route per paragraph; None when no component routed (every paragraph is English).
    routes: list[ParagraphRoute] | None = None
    #: ``entities``: grouped mentions, before roles.
    entities: list[Entity] | None = None
    #: ``entities.v3``: the encoder NER head that tags this English article inside the encoder's pass;
    #: ``encoder`` fills ``entities`` from its tags (and clears this) once the article is encoded.
    entity_tagger: EncoderNer | None = None
    #: ``encoder``: the English pass over the English paragraphs.
    encoded: EncodedParagraphs | None = None
    #: ``multilingual``: USE vectors of the paragraphs it covered (rows follow ``covered``).
    multilingual_vectors: np.ndarray | None = None
    covered: list[int] = field(default_factory=list)
    #: ``multilingual``: the language of a mostly non-English article (its article labels came from there).
    foreign_language: str | None = None
    foreign_article: bool = False
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def english_article(self) -> bool:
        """Whether the English-only analyses (entities, roles, English narratives) apply.

        Without routing every article is read as English; with it, an article
        whose language is English or unknown.
        """
        language = self.doc.language
        return self.routes is None or language is None or language.code == "en"

    @property
    def english_paragraphs(self) -> list[int]:
        """The paragraphs the English models read: all of them without routing."""
        if self.routes is None:
            return list(range(len(self.doc.paragraphs)))
        return [i for i, r in enumerate(self.routes) if r.route == "english"]


# -- the models, loaded once per process ------------------------------------------------------


@cache
def _multilingual(precision: str = "fp32") -> tuple[MultilingualModel, MultilingualEncoder]:
    from spinscope.multilingual.encoder import load_multilingual_encoder
    from spinscope.multilingual.route import load_default

    # The multilingual encoder follows the English one's precision: bf16 products where that runs bf16.
    return load_default(), load_multilingual_encoder(precision="bf16" if precision == "bf16" else "fp32")


#: Which role heads the pipeline uses: ``default`` (the shared encoder's states) or ``accurate``
#: (all-mpnet-base-v2 mention windows; ``pip install spinscope[accurate]``).
ROLES_ENV = "SPINSCOPE_ROLES"


def role_model_dir() -> Path:
    """The role model directory ``$SPINSCOPE_ROLES`` selects (``default`` or ``accurate``); E918 for another value."""
    from spinscope.entities.roles import ACCURATE_ROLES_DIR, DEFAULT_ROLES_DIR

    choice = (os.environ.get(ROLES_ENV) or "default").strip().lower()
    if choice not in ("default", "accurate"):
        raise ConfigError("E918", ROLES_ENV, f"is {choice!r}; expected 'default' or 'accurate'")
    return ACCURATE_ROLES_DIR if choice == "accurate" else DEFAULT_ROLES_DIR


@cache
def _role_model(directory: Path) -> RoleModel:
    from spinscope.entities import RoleModel

    return RoleModel.load(directory)


@cache
def _encoder_ner() -> EncoderNer:
    from spinscope.entities.encoder_ner import load_encoder_ner

    return load_encoder_ner()


@cache
def _genre_model() -> GenreModel:
    from spinscope.genre.model import GenreModel

    return GenreModel.load()


@cache
def _narrative_model() -> NarrativeModel:
    from spinscope.narratives.model import NarrativeModel
    from spinscope.narratives.train import DEFAULT_MODEL_DIR

    return NarrativeModel.load(DEFAULT_MODEL_DIR)


@cache
def _multilingual_narratives() -> NarrativeModel:
    from spinscope.multilingual.narratives import load_multilingual_narratives

    return load_multilingual_narratives()


@dataclass(frozen=True)
class Resources:
    """The models components share, each loaded on first use and cached for the process.

    ``model``: the English detector's directory (None: the bundled one);
    ``precision``: how its encoder runs (``fp32``, ``bf16`` or ``int8``, see
    :func:`spinscope.models.bundle.resolve_precision`); the multilingual
    encoder runs its matrix products in bfloat16 too when it is ``bf16``.
    """

    model: str | None = None
    precision: str = "fp32"

    def __post_init__(self) -> None:
        from spinscope.models.paths import default_model_dir

        # The bundled directory named explicitly is the bundled model: one cache entry, one load.
        if self.model is not None and Path(self.model).resolve() == default_model_dir().resolve():
            object.__setattr__(self, "model", None)

    @property
    def spin_model(self) -> SpinModel:
        from spinscope.models.bundle import get_model

        return get_model(self.model, precision=self.precision)

    @property
    def model_dir(self) -> Path:
        from spinscope.models.paths import default_model_dir

        return Path(self.model) if self.model is not None else default_model_dir()

    @property
    def multilingual_model(self) -> MultilingualModel:
        return _multilingual(self.precision)[0]

    @property
    def multilingual_encoder(self) -> MultilingualEncoder:
        return _multilingual(self.precision)[1]

    @property
    def role_model(self) -> RoleModel:
        return _role_model(role_model_dir())

    @property
    def encoder_ner(self) -> EncoderNer:
        return _encoder_ner()

    @property
    def genre_model(self) -> GenreModel:
        return _genre_model()

    @property
    def narrative_model(self) -> NarrativeModel:
        return _narrative_model()

    @property
    def multilingual_narratives(self) -> NarrativeModel:
        return _multilingual_narratives()


@lru_cache(maxsize=32)
def model_digest(directory: str) -> str:
    """``sha256:<hex>`` over a model directory's files (names and bytes, sorted): its identity in ``meta``.

    Reads the files without loading them, so ``Pipeline.meta`` costs no
    model load.
    """
    root = Path(directory)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.iterdir() if p.is_file()):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return f"sha256:{digest.hexdigest()}"


# -- components and their registry -------------------------------------------------------------


class Component:
    """Base class of a pipeline component (see the module docstring).

    Subclasses set the class attributes and implement :meth:`pipe`.
    ``factory`` and ``version`` are filled in by :func:`component`.
    """

    factory: ClassVar[str] = ""
    version: ClassVar[str] = ""
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ()
    after: ClassVar[tuple[str, ...]] = ()
    #: Attributes a *later* component must assign for this one's work to be finished
    #: (``entities.v3``'s mentions come out of ``encoder``'s pass).
    completed_by: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, resources: Resources, **config: Any) -> None:
        self.name = name
        self.resources = resources
        if config:
            raise ConfigError("E903", f"component {name!r}", f"takes no settings, got {sorted(config)}")

    def pipe(self, works: list[Work]) -> None:
        """Fill each :class:`Work` of a batch in place."""
        raise NotImplementedError

    def models(self) -> dict[str, str]:
        """Name -> digest of the model files this component reads (for ``Pipeline.meta``)."""
        return {}

    @property
    def meta(self) -> dict[str, Any]:
        """What this component is: its factory, version, contract and models."""
        return {
            "name": self.name,
            "factory": self.factory,
            "version": self.version,
            "requires": list(self.requires),
            "assigns": list(self.assigns),
            "models": self.models(),
        }


_REGISTRY: dict[str, type[Component]] = {}
C = TypeVar("C", bound=type[Component])


def component(factory: str) -> Callable[[C], C]:
    """Register a :class:`Component` subclass under a versioned name such as ``"quotes.v1"``.

    >>> @component("shout.v1")  # doctest: +SKIP
    ... class Shout(Component):
    ...     assigns = ("warnings",)
    ...     def pipe(self, works):
    ...         for w in works:
    ...             w.analysis.warnings.append("checked")
    """
    base, dot, version = factory.rpartition(".")
    if not dot or not base or not version.startswith("v") or not version[1:].isdigit():
        raise ConfigError("E900", factory, "a component name needs a version suffix, such as 'quotes.v1'")

    def register(cls: C) -> C:
        if not (isinstance(cls, type) and issubclass(cls, Component)):
            raise ConfigError("E900", factory, "only a Component subclass can be registered")
        known = _REGISTRY.get(factory)
        if known is not None and known is not cls and known.__qualname__ != cls.__qualname__:
            raise ConfigError("E901", factory, f"is already registered to {known.__module__}.{known.__qualname__}")
        cls.factory = factory
        cls.version = version[1:]
        _REGISTRY[factory] = cls
        return cls

    return register


def get_factory(factory: str) -> type[Component]:
    """The class registered under ``factory``; E902 names the known ones otherwise."""
    try:
        return _REGISTRY[factory]
    except KeyError:
        raise ConfigError("E902", factory, f"no such component; registered: {', '.join(sorted(_REGISTRY))}") from None


def registered() -> list[str]:
    """Every registered component name, sorted."""
    return sorted(_REGISTRY)
