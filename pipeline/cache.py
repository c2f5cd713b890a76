"""A cache of extracted claims per article, so an unchanged article is never parsed again.

The key is the article's content hash together with the versions of everything that shapes
its claims: the package, the code of the control stage, the lexicon and the gazetteer. The
folder is ``$PIPELINE_CACHE_DIR`` or ``.cache/pipeline``. Entries are written atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path

from pipeline.model import Claim

_CODE_FILES = ("control.py", "dates.py", "normalize.py", "gazetteer.py", "model.py", "lexicon/fr.yaml")


def cache_dir() -> Path:
    return Path(os.environ.get("PIPELINE_CACHE_DIR") or ".cache/pipeline")


def code_version() -> str:
    """A hash of the modules and data that decide which claims an article yields."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for name in _CODE_FILES:
        path = package / name
        if path.exists():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ClaimCache:
    """Claims of one article, stored as JSON under a key of content and versions."""

    def __init__(self, *, gazetteer_version: str, folder: Path | None = None) -> None:
        self.folder = (folder or cache_dir()) / "claims"
        self.prefix = f"{code_version()}:{gazetteer_version}"

    def key(self, *, article_sha256: str, published: dt.date, article_id: str) -> str:
        text = f"{self.prefix}:{article_id}:{published.isoformat()}:{article_sha256}"
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str) -> list[Claim] | None:
        path = self.folder / key[:2] / f"{key}.json"
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return [claim_from_json(row) for row in rows]

    def put(self, key: str, claims: list[Claim]) -> None:
        path = self.folder / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        # the confidence unrounded, so a cached claim equals a freshly extracted one
        rows = [{**c.to_json(), "confidence": c.confidence} for c in claims]
        data = json.dumps(rows, ensure_ascii=False, sort_keys=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(data)
        os.replace(temporary, path)


def claim_from_json(row: dict[str, object]) -> Claim:
    return Claim(
        article=str(row["article"]),
        district=str(row["district"]),
        side=row["side"] if row["side"] is None else str(row["side"]),
        status=str(row["status"]),
        share=None if row["share"] is None else float(row["share"]),  # type: ignore[arg-type]
        date=dt.date.fromisoformat(str(row["date"])),
        date_precision=str(row["date_precision"]),
        quote=str(row["quote"]),
        confidence=float(row["confidence"]),  # type: ignore[arg-type]
        name=str(row.get("name") or ""),
        via=row.get("via"),  # type: ignore[arg-type]
        correction=bool(row.get("correction")),
        note=row.get("note"),  # type: ignore[arg-type]
        gainer=row.get("gainer"),  # type: ignore[arg-type]
    )
