"""Short news-like English articles, generated from a seed: names, places, quotes, loaded words.

Written for the Ray engine's tests and benchmarks/ray_scaling.py: the same
seed gives the same articles, byte for byte, on every machine. The text is
invented here (no dataset text); it mixes plain reporting with the kinds of
wording the models label (name calling, appeals to fear, loaded language),
so the analyses have genres, techniques, quotes and entities to compare.
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = ["generate_articles", "write_articles"]

_PEOPLE = [
    "Maria Okafor", "Daniel Brandt", "Aiko Tanaka", "Samuel Reyes", "Helena Novak", "Omar Haddad",
    "Grace Whitfield", "Lukas Meier", "Priya Raman", "Tomasz Wilk", "Elena Costa", "James Mwangi",
]  # fmt: skip
_ROLES = ["the finance minister", "the opposition leader", "a union spokesperson", "the mayor", "a senior economist",
          "the health secretary", "a local teacher", "the party chairman"]  # fmt: skip
_PLACES = [
    "Brussels",
    "Nairobi",
    "Lisbon",
    "Warsaw",
    "Ottawa",
    "Manila",
    "Lagos",
    "Vienna",
    "Santiago",
    "Oslo",
]
_BODIES = ["the European Commission", "the central bank", "the city council", "parliament", "the World Health Organization",
           "the transport ministry", "the national statistics office"]  # fmt: skip
_TOPICS = [
    ("a new fuel tax", "prices at the pump"), ("the hospital reform", "waiting lists"), ("a bridge project", "the budget"),
    ("the border agreement", "trade"), ("a school funding plan", "class sizes"), ("the water deal", "farmers"),
]  # fmt: skip
_REPORT = [
    "{body} published figures on {topic} on {day}, showing a change of {pct} percent since last year.",
    "Officials in {place} said the measure on {topic} would take effect in {month}.",
    "The vote on {topic} passed by {a} to {b}, after a debate that lasted most of the afternoon.",
    "Analysts expect {issue} to remain the main concern for households in {place} this winter.",
]
_LOADED = [
    "Critics call {topic} a reckless betrayal that will destroy {issue} for a generation.",
    "Only a fool would believe the promises of these corrupt, incompetent bureaucrats.",
    "If nothing is done now, {place} will face chaos, ruin and a disaster nobody can undo.",
    "The so-called experts behind {topic} have lied to ordinary families again and again.",
    "Every patriot knows the truth: this is an attack on our freedom and our children.",
]
_QUOTES = [
    '"We will not accept {topic} in its current form," said {person}, {role}.',
    '{person}, {role}, said the plan was "a step in the right direction, but not enough".',
    '"This is about {issue}, nothing else," {person} told reporters in {place}.',
    'According to {person}, {role}, "the numbers simply do not add up".',
    '"People are frightened, and they have every right to be," said {person}.',
]
_TITLES = [
    "{place} divided over {topic}", "{person} attacks {topic}", "What {topic} means for {issue}",
    "Vote on {topic} expected this week", "Outrage in {place} as {topic} goes ahead",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_MONTHS = ["January", "March", "May", "July", "September", "November"]


def _article(rng: random.Random, number: int) -> str:
    topic, issue = rng.choice(_TOPICS)
    fill = {
        "topic": topic, "issue": issue, "place": rng.choice(_PLACES), "body": rng.choice(_BODIES),
        "day": rng.choice(_DAYS), "month": rng.choice(_MONTHS), "pct": rng.randint(2, 40),
        "a": rng.randint(150, 300), "b": rng.randint(20, 149),
    }  # fmt: skip
    opinion = rng.random() < 0.5  # half plain reporting, half with loaded wording

    def quote() -> str:
        return rng.choice(_QUOTES).format(person=rng.choice(_PEOPLE), role=rng.choice(_ROLES), **fill)

    title = rng.choice(_TITLES).format(person=rng.choice(_PEOPLE), **fill)
    paragraphs = [title[0].upper() + title[1:], rng.choice(_REPORT).format(**fill) + " " + quote()]
    for _ in range(rng.randint(2, 4)):
        pool = _LOADED if opinion and rng.random() < 0.6 else _REPORT
        sentences = [rng.choice(pool).format(**fill) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.5:
            sentences.append(quote())
        paragraphs.append(" ".join(sentences))
    paragraphs.append(f"(Article {number} of the generated test corpus.)")
    return "\n\n".join(paragraphs) + "\n"


def generate_articles(n: int, *, seed: int = 18) -> list[str]:
    """``n`` articles (title, then 3-6 paragraphs), the same for the same ``seed``."""
    rng = random.Random(seed)
    return [_article(rng, i) for i in range(n)]


def write_articles(folder: Path, n: int, *, seed: int = 18) -> list[Path]:
    """Write :func:`generate_articles` to ``folder/article-000.txt``...; returns the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(generate_articles(n, seed=seed)):
        path = folder / f"article-{i:03d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
