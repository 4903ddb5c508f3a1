"""Disk cache for the Moyal derivations: JSON results of heavy SymPy work.

Thin layer over :mod:`qgsym.cache` (atomic writes via tempfile + os.replace, entries under
``$QGSYM_CACHE_DIR`` or ``~/.cache/qgsym``, a checksum line so that a corrupt entry is
rebuilt, never trusted). Keys hash the inputs, the SymPy version and the source text of the
modules that compute the result, so an edit of the engine invalidates its entries. Values
are JSON (strings for expressions, via ``sympy.srepr`` when an expression must be kept);
nothing is unpickled and nothing is evaluated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from qgsym.cache import cache_key, cached_text

_SOURCES = ("moyal.py", "derive/moyal_kinetics.py", "derive/moyal_jets.py", "derive/jets.py",
            "claims/moyal.py")


def _source_fingerprint() -> str:
    root = Path(__file__).resolve().parent.parent
    parts = []
    for name in _SOURCES:
        try:
            parts.append((root / name).read_text(encoding="utf-8"))
        except OSError:
            parts.append(name)
    return "\0".join(parts)


def cached_json(name: str, build: Callable[[], dict], *key_parts: str) -> dict:
    """Return ``build()`` (a JSON-serialisable dict), cached on disk under ``moyal/``."""
    key = cache_key("moyal", name, _source_fingerprint(), *key_parts)
    text = cached_text("moyal", key, lambda: json.dumps(build(), sort_keys=True))
    return json.loads(text)


def cached_json_if_present(name: str, *key_parts: str) -> dict | None:
    """The cached result of :func:`cached_json` with the same name and key, or None."""
    from qgsym.cache import _read_valid, cache_directory

    key = cache_key("moyal", name, _source_fingerprint(), *key_parts)
    try:
        text = _read_valid(cache_directory() / "moyal" / f"{key}.txt")
    except OSError:
        return None
    return None if text is None else json.loads(text)
