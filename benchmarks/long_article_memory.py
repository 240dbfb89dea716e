"""Peak memory of one very long article: 10,000 paragraphs against 1,000, each in its own process.

    python benchmarks/long_article_memory.py [--sizes 1000 10000]

The claim checked: paragraphs stream through the encoder in bounded chunks
(``SpinModel.encode_paragraphs``; ``tests/test_detector.py`` asserts the
chunking itself), so peak RSS grows far slower than the article. Each size
runs in a fresh subprocess so its peak RSS is its own; ``loaded`` is the
same process's peak after loading the models and analysing a one-paragraph
article, the baseline the growth is measured against.

Writes ``benchmarks/results/long-article-memory.json``; BENCHMARKS.md quotes it.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import spinscope
from spinscope.models.bundle import load_model
from spinscope.pipeline import analyze

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

n = int(sys.argv[1])
model = load_model()
analyze(spinscope.document_from_text("Warm-up\n\nOne item shipped.", detect_language=False), model=model)
loaded = peak_mb()
text = "Many paragraphs\n\n" + "\n\n".join(f"Item {i} shipped." for i in range(n))
started = time.perf_counter()
result = analyze(spinscope.document_from_text(text, detect_language=False), model=model)
seconds = time.perf_counter() - started
assert len(result.document.paragraphs) == n + 1 and result.genre is not None
print(json.dumps({"paragraphs": n, "loaded_peak_rss_mb": loaded, "peak_rss_mb": peak_mb(), "seconds": seconds}))
"""


def measure(n: int) -> dict[str, float]:
    """One fresh process: analyse an article of ``n`` one-line paragraphs."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(n)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 10000], metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    small, large = (measure(n) for n in args.sizes)
    growth_small = small["peak_rss_mb"] - small["loaded_peak_rss_mb"]
    growth_large = large["peak_rss_mb"] - large["loaded_peak_rss_mb"]
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "runs": [small, large],
        "paragraph_ratio": large["paragraphs"] / small["paragraphs"],
        "peak_rss_ratio": large["peak_rss_mb"] / small["peak_rss_mb"],
        "growth_over_loaded_ratio": growth_large / max(growth_small, 1.0),
        "seconds_ratio": large["seconds"] / small["seconds"],
    }
    path = Path(__file__).parent / "results" / "long-article-memory.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
