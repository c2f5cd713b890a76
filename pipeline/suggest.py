"""An editor's helper for a new name: close gazetteer entries and, opt-in, a geocoder's point.

Geocoding goes through geopy's Nominatim client, only when asked (``--geocode``), and every
answer is cached in the pipeline cache folder so a name is asked once. Never used by
``make maps`` or the tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from pipeline.gazetteer import Matcher, load_gazetteer
from pipeline.normalize import name_key

USER_AGENT = "news-to-map gazetteer editor helper"
GEOCODE_CACHE = "geocode.json"


def cache_dir() -> Path:
    """The pipeline's cache folder: ``$PIPELINE_CACHE_DIR`` or ``.cache/pipeline``."""
    return Path(os.environ.get("PIPELINE_CACHE_DIR") or ".cache/pipeline")


def suggest_entry(name: str, *, gazetteer_path: str, geocode: bool = False) -> str:
    """What the gazetteer knows of ``name``, and a YAML entry to start from when it is new."""
    gazetteer = load_gazetteer(gazetteer_path)
    matcher = Matcher(gazetteer)
    lines = [f"name: {name!r}  key: {name_key(name)!r}"]
    found = matcher.resolve(name)
    if found is not None:
        lines.append(f"already resolves: {found.kind} {found.target}")
        return "\n".join(lines)
    close = matcher.suggest(name)
    lines.append("close entries: " + (", ".join(close) if close else "none"))
    point = None
    if geocode:
        city = gazetteer.city.names.get("en") or gazetteer.city.id
        point, message = geocode_name(f"{name}, {city}")
        lines.append(message)
    entry = {
        "id": _slug(name),
        "names": {"en": name, "fr": name, "ar": ""},
        "aliases": [],
        "location": {"lat": point[0], "lon": point[1]} if point else {"lat": None, "lon": None},
        "baseline": next(iter(gazetteer.sides)),
    }
    lines.append("# a new entry for gazetteer districts (check every field):")
    lines.append(yaml.safe_dump([entry], allow_unicode=True, sort_keys=False).rstrip())
    return "\n".join(lines)


def geocode_name(query: str) -> tuple[tuple[float, float] | None, str]:
    """Asks Nominatim for ``query`` through geopy, with a JSON cache; never raises on network errors."""
    path = cache_dir() / GEOCODE_CACHE
    cache: dict[str, list[float] | None] = {}
    if path.exists():
        cache = json.loads(path.read_text(encoding="utf-8"))
    if query in cache:
        hit = cache[query]
        return (tuple(hit) if hit else None), f"geocoder (cached): {hit or 'no match'}"  # type: ignore[return-value]
    from geopy.exc import GeopyError
    from geopy.geocoders import Nominatim

    try:
        location = Nominatim(user_agent=USER_AGENT, timeout=10).geocode(query)
    except (GeopyError, OSError) as error:
        return None, f"geocoder unreachable (offline?): {type(error).__name__}: {error}"
    point = [round(location.latitude, 5), round(location.longitude, 5)] if location else None
    cache[query] = point
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cache, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    return (tuple(point) if point else None), f"geocoder: {point or 'no match'}"  # type: ignore[return-value]


def _slug(name: str) -> str:
    key = name_key(name)
    return "-".join("".join(ch if ch.isascii() and ch.isalnum() else " " for ch in key).split()) or "new-district"
