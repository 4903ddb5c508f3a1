"""On-disk cache for slow symbolic work (generated kernel source, simplified expressions).

Entries live under ``$QGSYM_CACHE_DIR`` (default ``~/.cache/qgsym``), one file per key,
named by the SHA-256 of the key (which callers build from ``srepr`` of the expressions, the
SymPy version and the qgsym version). Each file starts with a checksum line of its body;
a file whose checksum does not match (truncated, edited, corrupt) is rebuilt, never
trusted. Writes are atomic (temporary file + :func:`os.replace`), so concurrent processes
at worst both build the same entry.

The cache holds code: kernel entries are Python source that qgsym compiles and runs, and a
checksum only detects accidents (anyone who can write an entry can recompute it). So the
cache is treated the way ssh treats its keys: the cache folder, every folder below it and
every entry must be owned by the current user and not writable by group or others, else
qgsym refuses with a one-line :class:`CacheError` (it never silently falls back). Folders
are created with mode 0700 and entries with mode 0600.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import sympy

import qgsym
from qgsym.errors import QgsymError

_HEADER = "# qgsym-cache sha256:"
_PRIVATE_FOLDER = 0o700
_PRIVATE_FILE = 0o600


class CacheError(QgsymError):
    """The cache folder or an entry could be changed by someone else (it holds code)."""


def check_private(path: Path) -> None:
    """Refuse ``path`` unless it is owned by the current user and not group/other-writable.

    Parameters
    ----------
    path : Path
        A cache folder or entry that exists.

    Raises
    ------
    CacheError
        One line naming the path, what is wrong and how to fix it.
    OSError
        ``path`` cannot be inspected (e.g. it does not exist).
    """
    status = os.stat(path)  # a symbolic link is judged by what it points to
    kind = "folder" if stat.S_ISDIR(status.st_mode) else "entry"
    if status.st_uid != os.getuid():
        raise CacheError(f"cache {kind} '{path}' is owned by user id {status.st_uid}, not by "
                         f"you ({os.getuid()}); the kernel cache holds code: remove it or set "
                         "QGSYM_CACHE_DIR to a folder of your own")
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheError(f"cache {kind} '{path}' is writable by group or others (mode "
                         f"{stat.S_IMODE(status.st_mode):04o}); the kernel cache holds code: "
                         f"run 'chmod go-w {path}' or set QGSYM_CACHE_DIR")


def cache_directory() -> Path:
    """The cache folder, created with mode 0700 on first use and checked by :func:`check_private`.

    Raises
    ------
    CacheError
        The folder is not private (see :func:`check_private`).
    OSError
        It cannot be created.
    """
    root = os.environ.get("QGSYM_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "qgsym"
    )
    return private_folder(Path(root))


def private_folder(path: Path) -> Path:
    """Create ``path`` (mode 0700) when absent, then check it with :func:`check_private`."""
    path.mkdir(mode=_PRIVATE_FOLDER, parents=True, exist_ok=True)
    check_private(path)
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

    Raises
    ------
    CacheError
        The cache folder, the namespace folder or the entry is not private.
    """
    try:
        folder = private_folder(cache_directory() / namespace)
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
            os.chmod(handle.name, _PRIVATE_FILE)
            handle.write(f"{_HEADER}{body_hash}\n{text}")
            temporary = handle.name
        os.replace(temporary, path)
    except OSError:
        pass
    return text


def _read_valid(path: Path) -> str | None:
    """The body of entry ``path`` when present, private and intact; else None.

    Raises
    ------
    CacheError
        The entry exists but is not private (:func:`check_private`).
    """
    try:
        check_private(path)
    except OSError:  # absent or unreadable: rebuilt
        return None
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


def package_fingerprint() -> str:
    """SHA-256 of every ``.py`` source of the installed package (path and bytes).

    Cached evidence is keyed on it: an edit anywhere in qgsym invalidates it, so a result
    never depends on a hand-kept list of the sources it was computed with. (Cheap: ~1 MB of
    source, hashed once per process.)
    """
    global _FINGERPRINT
    if _FINGERPRINT is None:
        root = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        _FINGERPRINT = digest.hexdigest()
    return _FINGERPRINT


_FINGERPRINT: str | None = None
_EVIDENCE = "evidence"


def cached_json(name: str, build: Callable[[], dict], *key_parts: str) -> dict:
    """``build()`` (a JSON-serialisable dict of heavy symbolic or numeric evidence), cached.

    Keyed on ``name``, ``key_parts`` and :func:`package_fingerprint`; values are JSON, so
    nothing is unpickled or evaluated when read back.
    """
    key = cache_key(_EVIDENCE, name, package_fingerprint(), *key_parts)
    return json.loads(cached_text(_EVIDENCE, key, lambda: json.dumps(build(), sort_keys=True)))
