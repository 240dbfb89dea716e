"""Same results before and after a pipeline change: analyse fixed inputs, compare the JSON.

    python benchmarks/equivalence.py --out runs/equiv/before          # write snapshots
    python benchmarks/equivalence.py --out runs/equiv/after --compare runs/equiv/before

Inputs: ``examples/`` and the dev articles of SemEval-2023 Task 3 (six
languages, read as ``evaluate`` reads them, with language ID) and
SemEval-2025 Task 10 (en). Each analysis is written as JSON without its
volatile fields (versions, model metadata) under ``--out`` -- never into
the repository, since dataset text is not ours to publish. ``--compare``
prints, per set, how many articles differ and in which top-level fields,
then how many discrete labels moved (genre, frames, paragraph techniques,
spans, narratives, evidence sentences, entity mentions and roles, quotes:
added plus dropped, against the count before), and exits 1 if any differs.
``$SPINSCOPE_PRECISION`` picks the English encoder's precision, as everywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

VOLATILE = {"spinscope_version", "model", "schema_version"}
ROOT = Path(__file__).resolve().parent.parent


def normalised(analysis: dict) -> dict:
    """The analysis without what may change when nothing analytic did."""
    return {k: v for k, v in analysis.items() if k not in VOLATILE}


def _sets(data_dir: Path, only: list[str] | None):
    import spinscope
    from spinscope.datasets import load_semeval2023, to_document

    def examples():
        return [r.document for r in spinscope.read([str(ROOT / "examples")]) if r.document is not None]

    yield "examples", examples
    for lang in ("en", "fr", "ge", "it", "po", "ru"):
        def semeval2023(lang=lang):
            ds = load_semeval2023(data_dir, lang, "dev")
            texts = {}
            for subtask in (1, 2, 3):
                for aid, article in ds.articles.get(subtask, {}).items():
                    texts.setdefault(aid, article)
            return [to_document(a, detect_language=True) for _, a in sorted(texts.items())]

        yield f"semeval2023-{lang}-dev", semeval2023
    def semeval2025():
        folder = data_dir / "semeval2025-task10" / "dev" / "EN" / "subtask-2-documents"
        return [r.document for r in spinscope.read(sorted(str(p) for p in folder.glob("*.txt"))) if r.document]

    yield "semeval2025-en-dev", semeval2025


def labels(analysis: dict) -> dict[str, set]:
    """The discrete decisions of one analysis, by kind: what "how many labels moved" counts."""
    narratives = analysis.get("narratives") or {}
    return {
        "genre": {(analysis.get("genre") or {}).get("label")},
        "frames": {f["label"] for f in analysis.get("frames", [])},
        "paragraph techniques": {(p["index"], t["label"]) for p in analysis.get("paragraphs", []) for t in p.get("techniques", [])},
        "spans": {(s["start"], s["end"], s["technique"]) for s in analysis.get("spans", [])},
        "narratives": {n["label"] for n in narratives.get("narratives", [])} | {n["label"] for n in narratives.get("subnarratives", [])},
        "narrative evidence": {(e["start"], e["end"]) for e in narratives.get("evidence", [])},
        "entity mentions": {(m["start"], m["end"], m["label"]) for e in analysis.get("entities", []) for m in e.get("mentions", [])},
        "mention roles": {
            (m["start"], m["end"], (m.get("role") or {}).get("main_role"))
            for e in analysis.get("entities", []) for m in e.get("mentions", [])
        },
        "quotes": {(q.get("start"), q.get("end"), str(q.get("speaker"))) for q in analysis.get("quotes", [])},
    }  # fmt: skip


def moved(before: list[dict], after: list[dict]) -> dict[str, tuple[int, int]]:
    """Per kind of label: (labels in one run but not the other, labels in the before run)."""
    out: dict[str, tuple[int, int]] = {}
    for old, new in zip(before, after, strict=False):
        a, b = labels(old), labels(new)
        for kind in a:
            n_moved, total = out.get(kind, (0, 0))
            out[kind] = (n_moved + len(a[kind] ^ b[kind]), total + len(a[kind]))
    return out


def analyse(docs):
    try:
        import spinscope

        return [a.to_dict() for a in spinscope.load().pipe(docs)]
    except AttributeError:  # before the component pipeline existed
        from spinscope.pipeline import analyze_documents

        return [a.to_dict() for a in analyze_documents(docs)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--only", nargs="*", default=None, help="set names to run (default: all)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    differing = 0
    for name, load in _sets(args.data_dir, args.only):
        if args.only and name not in args.only:
            continue
        path = args.out / f"{name}.jsonl"
        rows = [normalised(a) for a in analyse(load())]
        path.write_text("".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        line = f"{name}: {len(rows)} articles"
        if args.compare:
            before = [json.loads(x) for x in (args.compare / path.name).read_text(encoding="utf-8").splitlines()]
            fields: dict[str, int] = {}
            changed = 0
            for old, new in zip(before, rows, strict=False):
                keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                changed += bool(keys)
                for k in keys:
                    fields[k] = fields.get(k, 0) + 1
            if len(before) != len(rows):
                changed += abs(len(before) - len(rows))
            differing += changed
            line += f", {changed} differ" + (f" ({', '.join(f'{k} x{n}' for k, n in sorted(fields.items()))})" if fields else "")
            if changed:
                shifts = moved(before, rows)
                line += "\n  labels moved (added or dropped / before): " + ", ".join(
                    f"{kind} {n}/{total}" for kind, (n, total) in shifts.items()
                )
        print(line, flush=True)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
