"""Label taxonomies shipped with spinscope, and a small typed loader.

Each taxonomy is a JSON file in ``spinscope/taxonomy/data/`` with the exact
label strings a dataset uses, a display name, a plain-English definition
written for this project, and a ``categories`` table that groups the labels:

- ``techniques``: 23 persuasion techniques (SemEval-2023), in 6 categories;
- ``frames``: 14 framing dimensions (SemEval-2023), no categories;
- ``genres``: 3 news genres (SemEval-2023), no categories;
- ``roles``: 22 fine entity roles (SemEval-2025), category = main role;
- ``narratives``: narratives and sub-narratives (SemEval-2025), category =
  domain (``URW``, ``CC``, or ``Other`` for the catch-all label), and a
  sub-narrative's ``parent`` is its narrative.

Label order is file order, which follows the official scorer lists, so
:meth:`Taxonomy.index` gives stable positions for model output heads.

>>> from spinscope import taxonomy
>>> taxonomy.techniques().get("Loaded_Language").category
'manipulative_wording'
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from spinscope.errors import ConfigError

__all__ = [
    "NAMES", "Category", "Label", "Taxonomy", "fine_roles", "frames", "genres", "load", "main_roles",
    "narrative_labels", "narratives", "narratives_for_domain", "roles", "subnarrative_labels",
    "subnarratives_of", "techniques",
]  # fmt: skip

#: The taxonomies shipped as package data.
NAMES: tuple[str, ...] = ("techniques", "frames", "genres", "roles", "narratives")

# Keys are checked strictly so that a typo such as "defintion" in a data file
# fails loudly instead of silently producing a label without a definition.
_TOP_KEYS = {"taxonomy", "version", "source", "categories", "labels"}
_LABEL_KEYS = {"label", "name", "category", "definition", "example", "parent", "in_official_list"}


@dataclass(frozen=True)
class Category:
    """A group of labels: a technique category, a main role or a domain."""

    key: str
    name: str
    description: str


@dataclass(frozen=True)
class Label:
    """One label of a taxonomy.

    ``label`` is the exact string the dataset uses; ``category`` is a key of
    :attr:`Taxonomy.categories` (``None`` in taxonomies without categories);
    ``parent`` is another label of the same taxonomy (sub-narratives only);
    ``in_official_list`` is ``False`` for labels found in the annotated data
    but missing from the organisers' scorer lists.
    """

    label: str
    name: str
    category: str | None
    definition: str
    example: str | None = None
    parent: str | None = None
    in_official_list: bool = True


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """An ordered, validated, read-only set of labels; get one with :func:`load`.

    ``name`` is e.g. ``"techniques"``, ``version`` the data file's version,
    ``source`` the dataset or paper defining the label set, ``labels`` every
    label in file order and ``categories`` maps a category key to its
    :class:`Category` (empty for taxonomies without categories).
    """

    name: str
    version: str
    source: str
    categories: Mapping[str, Category]
    labels: tuple[Label, ...]
    _positions: Mapping[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Taxonomies are cached and shared, so hand out read-only mappings only.
        object.__setattr__(self, "categories", MappingProxyType(dict(self.categories)))
        positions = {lab.label: i for i, lab in enumerate(self.labels)}
        object.__setattr__(self, "_positions", MappingProxyType(positions))

    def get(self, label: str) -> Label:
        """Return the :class:`Label` whose string is ``label``; ``KeyError`` if unknown."""
        return self.labels[self.index(label)]

    def index(self, label: str) -> int:
        """Position of ``label`` in :attr:`labels`; ``KeyError`` if unknown."""
        try:
            return self._positions[label]
        except (KeyError, TypeError):
            raise KeyError(self._unknown(label, self._positions, "label")) from None

    def by_category(self, category: str) -> tuple[Label, ...]:
        """Labels whose category is ``category``, in file order; ``KeyError`` if unknown."""
        if category not in self.categories:
            raise KeyError(self._unknown(category, self.categories, "category"))
        return tuple(lab for lab in self.labels if lab.category == category)

    def children(self, label: str) -> tuple[Label, ...]:
        """Labels whose parent is ``label``, in file order; ``KeyError`` if unknown."""
        self.index(label)
        return tuple(lab for lab in self.labels if lab.parent == label)

    def __contains__(self, label: object) -> bool:
        return isinstance(label, str) and label in self._positions

    def __iter__(self) -> Iterator[Label]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"<Taxonomy {self.name} v{self.version}: {len(self)} labels>"

    def _unknown(self, value: object, known: Mapping[str, object], what: str) -> str:
        # Label strings are long and fiddly (underscores, hyphens, curly
        # apostrophes), so suggest the nearest ones instead of only saying no.
        hint = difflib.get_close_matches(str(value), list(known), n=3, cutoff=0.6)
        extra = f"; did you mean {', '.join(map(repr, hint))}?" if hint else ""
        return f"{value!r} is not a {what} of taxonomy {self.name!r}{extra}"


def _text(obj: Mapping[str, Any], key: str, subject: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("E603", subject, f"{where}: {key!r} must be a non-empty string")
    return value


def _opt_text(obj: Mapping[str, Any], key: str, subject: str, where: str) -> str | None:
    return None if obj.get(key) is None else _text(obj, key, subject, where)


def _label(entry: object, where: str, categories: Mapping[str, Category], subject: str) -> Label:
    """Validate one entry of ``labels`` (everything except links to other labels)."""
    if not isinstance(entry, dict):
        raise ConfigError("E603", subject, f"{where} must be an object")
    if set(entry) - _LABEL_KEYS:
        raise ConfigError("E603", subject, f"{where}: unknown keys {sorted(set(entry) - _LABEL_KEYS)}")
    text = _text(entry, "label", subject, where)
    where = f"label {text!r}"
    if text != text.strip():
        raise ConfigError("E603", subject, f"{where} has leading or trailing spaces")
    official = entry.get("in_official_list", True)
    if not isinstance(official, bool):
        raise ConfigError("E603", subject, f"{where}: 'in_official_list' must be true or false")
    category = entry.get("category")
    # A flat taxonomy (frames, genres) has no categories; its labels say so
    # with null rather than carry a key that nothing defines.
    if (category not in categories) if categories else (category is not None):
        raise ConfigError("E602", subject, f"{where}: category {category!r} is not in 'categories'")
    return Label(
        text, _text(entry, "name", subject, where), category, _text(entry, "definition", subject, where),
        example=_opt_text(entry, "example", subject, where),
        parent=_opt_text(entry, "parent", subject, where),
        in_official_list=official,
    )  # fmt: skip


def _build(data: object, subject: str) -> Taxonomy:
    """Validate parsed JSON and turn it into a :class:`Taxonomy`."""
    if not isinstance(data, dict):
        raise ConfigError("E600", subject, "top level must be a JSON object")
    if set(data) - _TOP_KEYS:
        raise ConfigError("E603", subject, f"unknown top-level keys {sorted(set(data) - _TOP_KEYS)}")
    raw_cats = data.get("categories", {})
    if not isinstance(raw_cats, dict):
        raise ConfigError("E603", subject, "'categories' must be an object")
    categories: dict[str, Category] = {}
    for key, cat in raw_cats.items():
        where = f"category {key!r}"
        if not isinstance(cat, dict) or set(cat) != {"name", "description"}:
            raise ConfigError("E603", subject, f"{where} must have exactly 'name' and 'description'")
        categories[key] = Category(key, *(_text(cat, k, subject, where) for k in ("name", "description")))
    raw_labels = data.get("labels")
    if not isinstance(raw_labels, list) or not raw_labels:
        raise ConfigError("E603", subject, "'labels' must be a non-empty list")

    by_label: dict[str, Label] = {}
    for i, entry in enumerate(raw_labels):
        lab = _label(entry, f"labels[{i}]", categories, subject)
        if lab.label in by_label:
            raise ConfigError("E601", subject, f"label {lab.label!r} appears twice")
        by_label[lab.label] = lab
    for lab in by_label.values():
        if lab.parent is None:
            continue
        parent = by_label.get(lab.parent)
        # Only two levels exist (narrative > sub-narrative); insisting on a
        # top-level parent in the same category also rules out cycles.
        if parent is None or parent.parent is not None or parent.category != lab.category:
            problem = f"parent {lab.parent!r} is not a top-level label of the same category in this file"
            raise ConfigError("E602", subject, f"label {lab.label!r}: {problem}")
    return Taxonomy(
        _text(data, "taxonomy", subject, "file"), _text(data, "version", subject, "file"),
        _text(data, "source", subject, "file"), categories, tuple(by_label.values()),
    )  # fmt: skip


def _load_path(path: Path | Traversable, expected: str | None = None) -> Taxonomy:
    """Load and validate one taxonomy file, uncached (tests feed it broken files).

    ``expected``, when given, must equal the file's ``taxonomy`` field.
    """
    subject = f"taxonomy {path.name}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("E600", subject, f"cannot read file: {exc}") from exc
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ConfigError("E600", subject, f"invalid JSON at {where}: {exc.msg}") from exc
    tax = _build(data, subject)
    if expected is not None and tax.name != expected:
        raise ConfigError("E603", subject, f"'taxonomy' is {tax.name!r}, expected {expected!r}")
    return tax


@cache
def load(name: str) -> Taxonomy:
    """Load a shipped taxonomy by name (one of :data:`NAMES`); cached per name.

    Raises :class:`~spinscope.errors.ConfigError` for an unknown name or an
    invalid data file.
    """
    if name not in NAMES:
        raise ConfigError("E604", "taxonomy name", f"unknown taxonomy {name!r}; known: {', '.join(NAMES)}")
    # importlib.resources works from a wheel, a zip or a src checkout alike.
    return _load_path(resources.files(__name__).joinpath("data", f"{name}.json"), expected=name)


def techniques() -> Taxonomy:
    """The 23 SemEval-2023 persuasion techniques, grouped in 6 categories."""
    return load("techniques")


def frames() -> Taxonomy:
    """The 14 SemEval-2023 framing dimensions."""
    return load("frames")


def genres() -> Taxonomy:
    """The 3 SemEval-2023 news genres: reporting, opinion, satire."""
    return load("genres")


def roles() -> Taxonomy:
    """The 22 SemEval-2025 fine entity roles; their category is the main role."""
    return load("roles")


def narratives() -> Taxonomy:
    """SemEval-2025 narratives and sub-narratives of both domains, plus ``Other``."""
    return load("narratives")


def main_roles() -> tuple[str, ...]:
    """The main roles, ``('Protagonist', 'Antagonist', 'Innocent')``."""
    return tuple(roles().categories)


def fine_roles(main: str) -> tuple[Label, ...]:
    """Fine roles under main role ``main``; ``KeyError`` if ``main`` is unknown."""
    return roles().by_category(main)


def narratives_for_domain(domain: str) -> tuple[Label, ...]:
    """Top-level narratives of ``domain`` (``"URW"`` or ``"CC"``), without sub-narratives."""
    return tuple(lab for lab in narratives().by_category(domain) if lab.parent is None)


def subnarratives_of(label: str) -> tuple[Label, ...]:
    """Sub-narratives of narrative ``label``, including its ``...: Other`` catch-all."""
    return narratives().children(label)


def narrative_labels() -> tuple[str, ...]:
    """Label space of the coarse (narrative) column: every top-level label, ``Other`` included.

    Same strings and order as the official ``subtask2_narratives.txt``.
    """
    return tuple(lab.label for lab in narratives() if lab.parent is None)


def subnarrative_labels(official_only: bool = False) -> tuple[str, ...]:
    """Label space of the fine (sub-narrative) column: every leaf label, ``Other`` included.

    With ``official_only`` the labels missing from the organisers' list are
    dropped, giving ``subtask2_subnarratives.txt`` exactly; the official
    scorer ignores those labels.
    """
    tax = narratives()
    has_children = {lab.parent for lab in tax if lab.parent is not None}
    keep = (lab for lab in tax if lab.label not in has_children)
    return tuple(lab.label for lab in keep if lab.in_official_list or not official_only)
