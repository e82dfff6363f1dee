"""What the query checker found about a query text, remembered on disk between runs.

Checking a query needs rdflib's SPARQL parser, which takes longer to import than the
query takes to run; a named query is the same text every time. So each check is
remembered under a hash of the text and of the checker's own source (a changed checker
forgets every earlier answer), in one small JSON file: `$PEELKG_CACHE_DIR`, else
`$XDG_CACHE_HOME/peelkg`, else `~/.cache/peelkg`. Only successful checks are kept;
a cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

CACHE_FILE = "checked-queries.json"
MAX_ENTRIES = 512


def cache_dir() -> Path:
    explicit = os.environ.get("PEELKG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peelkg"


@functools.lru_cache(maxsize=1)
def checker_version() -> str:
    """A hash of the modules whose code decides what a check finds."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("query.py", "sparqltext.py", "querycache.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:16]


def _key(kind: str, text: str) -> str:
    return hashlib.sha256(f"{checker_version()}\0{kind}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _load(path: Path) -> dict[str, Any]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def get(kind: str, text: str) -> Any | None:
    """What was stored for this kind of check of this text, or None."""
    return _load(cache_dir() / CACHE_FILE).get(_key(kind, text))


def put(kind: str, text: str, value: Any) -> None:
    """Remember a check's result (JSON-able); the oldest entries go beyond MAX_ENTRIES."""
    path = cache_dir() / CACHE_FILE
    entries = _load(path)
    key = _key(kind, text)
    entries.pop(key, None)
    entries[key] = value
    while len(entries) > MAX_ENTRIES:
        entries.pop(next(iter(entries)))
    temp = path.with_name(f".{CACHE_FILE}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
