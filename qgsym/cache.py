"""On-disk cache for slow symbolic work (generated kernel source, simplified expressions).

Entries live under ``$QGSYM_CACHE_DIR`` (default ``~/.cache/qgsym``), one file per key,
named by the SHA-256 of the key (which callers build from ``srepr`` of the expressions, the
SymPy version and the qgsym version). Each file starts with a checksum line of its body;
a file whose checksum does not match (truncated, edited, corrupt) is rebuilt, never
trusted. Writes are atomic (temporary file + :func:`os.replace`), so concurrent processes
at worst both build the same entry.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import sympy

import qgsym

_HEADER = "# qgsym-cache sha256:"


def cache_directory() -> Path:
    """The cache folder (created on first use)."""
    root = os.environ.get("QGSYM_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "qgsym"
    )
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(*parts: str) -> str:
    """Hash of the key parts plus the SymPy and qgsym versions."""
    digest = hashlib.sha256()
    for part in (sympy.__version__, qgsym.__version__, *parts):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def cached_text(namespace: str, key: str, build: Callable[[], str]) -> str:
    """Return the cached text for ``key``, building (and storing) it when absent or corrupt.

    Parameters
    ----------
    namespace : str
        Sub-folder (e.g. ``"kernels"``).
    key : str
        From :func:`cache_key`.
    build : callable
        Produces the text when the cache has no valid entry.
    """
    try:
        folder = cache_directory() / namespace
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return build()  # an unwritable cache never stops a computation
    path = folder / f"{key}.txt"
    text = _read_valid(path)
    if text is not None:
        return text
    text = build()
    body_hash = hashlib.sha256(text.encode()).hexdigest()
    try:
        with tempfile.NamedTemporaryFile(
            "w", dir=folder, delete=False, suffix=".tmp", encoding="utf-8"
        ) as handle:
            handle.write(f"{_HEADER}{body_hash}\n{text}")
            temporary = handle.name
        os.replace(temporary, path)
    except OSError:
        pass
    return text


def _read_valid(path: Path) -> str | None:
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    header, _, body = content.partition("\n")
    if not header.startswith(_HEADER):
        return None
    if hashlib.sha256(body.encode()).hexdigest() != header[len(_HEADER):]:
        return None
    return body
