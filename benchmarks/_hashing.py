"""One digest over a model's files, so a results file says exactly which model it scored."""

from __future__ import annotations

import hashlib
from pathlib import Path


def files_sha256(directory: Path, pattern: str) -> str:
    """SHA-256 over the names and bytes of ``directory``'s files matching ``pattern``, in name order."""
    digest = hashlib.sha256()
    for p in sorted(directory.glob(pattern)):
        digest.update(p.name.encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()
