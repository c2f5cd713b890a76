"""An editor's helper for a new name: close gazetteer entries and, opt-in, a geocoder's point.

Geocoding goes through geopy's Nominatim client, only when asked (``--geocode``), and every
answer (a point, or "no match") is cached in the pipeline cache folder, so a name is asked
once. A geocoder that cannot be reached gives one line saying so, and nothing is cached.
Never used by ``make maps`` or the tests.
"""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from pipeline.cache import cache_dir
from pipeline.gazetteer import Matcher, distance_km, load_gazetteer
from pipeline.model import Gazetteer, Point
from pipeline.normalize import name_key

USER_AGENT = "news-to-map gazetteer editor helper"
GEOCODE_CACHE = "geocode.json"
GEOCODE_TIMEOUT_S = 10
# decimals of a geocoded coordinate (about 1 m)
COORDINATE_DECIMALS = 5


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
        if point is not None and (far := _outside(point, gazetteer)):
            lines.append(far)
            point = None
    entry = {
        "id": _slug(name),
        "names": {"en": name, "fr": name, "ar": ""},
        "aliases": [],
        "location": {"lat": point.lat, "lon": point.lon} if point else {"lat": None, "lon": None},
        "baseline": next(iter(gazetteer.sides)),
    }
    lines.append("# a new entry for gazetteer districts (check every field):")
    lines.append(yaml.safe_dump([entry], allow_unicode=True, sort_keys=False).rstrip())
    return "\n".join(lines)


def geocode_name(query: str, *, folder: Path | None = None) -> tuple[Point | None, str]:
    """Asks Nominatim for ``query`` through geopy, with a JSON cache: the point (None when
    there is no match or no answer) and one line saying what happened. Never raises for a
    network failure or an unreadable cache."""
    path = (folder or cache_dir()) / GEOCODE_CACHE
    cache = _read_cache(path)
    # a cached answer is a point or null (no match); anything else is asked again
    if query in cache and (cache[query] is None or _point(cache[query]) is not None):
        point = _point(cache[query])
        return point, f"geocoder (cached): {_describe(point)}"
    from geopy.exc import GeopyError
    from geopy.geocoders import Nominatim

    # ask, and on any failure of the network or the service say so in one line
    try:
        location = Nominatim(user_agent=USER_AGENT, timeout=GEOCODE_TIMEOUT_S).geocode(query)
    except (GeopyError, OSError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        msg = f"geocoder: no answer from Nominatim (offline?): {reason}"
        return None, msg
    point = None
    if location is not None:
        point = Point(
            lat=round(float(location.latitude), COORDINATE_DECIMALS),
            lon=round(float(location.longitude), COORDINATE_DECIMALS),
        )
    cache[query] = None if point is None else {"lat": point.lat, "lon": point.lon}
    _write_cache(path, cache)
    return point, f"geocoder: {_describe(point)}"


def _read_cache(path: Path) -> dict[str, Any]:
    """The cached answers; an unreadable or damaged cache counts as empty."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, cache: dict[str, Any]) -> None:
    """Writes the cache atomically (a temporary file renamed over it); a failure is ignored."""
    text = json.dumps(cache, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        pass


def _point(value: Any) -> Point | None:
    if isinstance(value, dict) and {"lat", "lon"} <= set(value):
        try:
            return Point(lat=float(value["lat"]), lon=float(value["lon"]))
        except (TypeError, ValueError):
            return None
    return None


def _describe(point: Point | None) -> str:
    return "no match" if point is None else f"lat {point.lat}, lon {point.lon}"


def _outside(point: Point, gazetteer: Gazetteer) -> str | None:
    """A warning when the geocoder's point lies outside the city's radius."""
    distance = distance_km(gazetteer.city.center, point)
    if distance <= gazetteer.city.radius_km:
        return None
    return (
        f"the point lies {distance:.0f} km from the city centre, outside radius_km "
        f"{gazetteer.city.radius_km:g}: another place of that name? (not used below)"
    )


def _slug(name: str) -> str:
    """A lowercase ASCII id from the name as written (accents dropped)."""
    folded = unicodedata.normalize("NFKD", name).lower()
    words = "".join(ch if ch.isascii() and ch.isalnum() else " " for ch in folded).split()
    return "-".join(words) or "new-district"
