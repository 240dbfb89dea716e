"""Run the ``spinscope`` CLI with the store's pipeline swapped for the rule-based test analyser.

For the subprocess tests of ``spinscope add`` (kill -9 and resume, two
writers at once): a real process, the real CLI and store, and a fast
deterministic analyser instead of the 5-10 s model. Test-only: nothing in
spinscope reads these variables.

``STORE_DRIVER_DELAY``: seconds slept per article (spreads the kill points);
``STORE_DRIVER_LOG``: a file that gets the content hash of every article
analysed, one a line, flushed as it goes.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import store_helpers

from spinscope import cli
from spinscope.analysis import Analysis
from spinscope.document import Document

DELAY = float(os.environ.get("STORE_DRIVER_DELAY", "0"))
LOG = os.environ.get("STORE_DRIVER_LOG")


def pipe(docs: Sequence[Document]) -> Iterator[Analysis]:
    for doc in docs:
        time.sleep(DELAY)
        analysis = store_helpers.analyse_one(doc)
        if LOG:
            with open(LOG, "a", encoding="utf-8") as fh:
                fh.write(doc.content_hash + "\n")
        yield analysis


cli._store_pipeline = lambda model, exclude=(): (pipe, dict(store_helpers.META))  # type: ignore[assignment]

if __name__ == "__main__":
    sys.argv[0] = "spinscope"
    cli.main()
