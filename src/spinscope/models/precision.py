"""How the English encoder runs: the precisions, and which one a pipeline uses.

Kept apart from :mod:`spinscope.models.bundle` so that choosing a precision
(``spinscope.load(precision=...)``, which loads nothing) never imports torch.
"""

from __future__ import annotations

import os
from functools import lru_cache

from spinscope.errors import ConfigError

__all__ = ["AUTO", "DEFAULT_PRECISION", "PRECISIONS", "PRECISION_ENV", "native_bf16", "resolve_precision"]

#: How the English encoder's layers may run, all from the same fp32 weights:
#: ``fp32`` as trained; ``bf16``, its matrix products in bfloat16 (torch
#: autocast; layer norms, softmax and every head stay fp32), fast on CPUs
#: with native bfloat16 (AMX or AVX512-BF16); ``int8``, torch dynamic
#: quantisation of every Linear layer of the encoder (heads stay fp32).
PRECISIONS: tuple[str, ...] = ("fp32", "bf16", "int8")
#: ``auto``: ``bf16`` where the CPU computes bfloat16 natively, else ``fp32``.
AUTO = "auto"
#: What ``spinscope.load()`` uses when neither ``precision=`` nor ``$SPINSCOPE_PRECISION`` says:
#: ``auto``, so bf16 on CPUs with native bfloat16, where it runs both encoders about twice as fast
#: and every dev score stays within issue 19's bounds (BENCHMARKS.md, issue 19's sections), and fp32
#: elsewhere. ``fp32`` gives analyses byte-identical to the model as trained.
DEFAULT_PRECISION = AUTO
PRECISION_ENV = "SPINSCOPE_PRECISION"


@lru_cache(maxsize=1)
def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (``amx_bf16`` or ``avx512_bf16`` in /proc/cpuinfo).

    Without it torch emulates bfloat16, which is slower than fp32, so
    ``auto`` then picks fp32. Only Linux says; elsewhere the answer is no.
    """
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool({"amx_bf16", "avx512_bf16"} & flags)
    except OSError:
        pass
    return False


def resolve_precision(precision: str | None = None) -> str:
    """The encoder precision to use, one of :data:`PRECISIONS`.

    *precision*, else ``$SPINSCOPE_PRECISION``, else :data:`DEFAULT_PRECISION`;
    ``auto`` becomes ``bf16`` or ``fp32`` by :func:`native_bf16`. An unknown
    value is a :class:`~spinscope.errors.ConfigError` (E909) naming the known ones.
    """
    chosen = precision if precision is not None else os.environ.get(PRECISION_ENV) or DEFAULT_PRECISION
    value = chosen.strip().lower()
    if value == AUTO:
        return "bf16" if native_bf16() else "fp32"
    if value not in PRECISIONS:
        where = "precision" if precision is not None else f"${PRECISION_ENV}"
        known = ", ".join((*PRECISIONS, AUTO))
        raise ConfigError("E909", where, f"{chosen!r} is not an encoder precision; use one of {known}")
    return value
