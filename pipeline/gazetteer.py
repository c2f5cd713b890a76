"""The gazetteer: the editable YAML of a city's districts, validated, and names matched in text.

``load_gazetteer`` reads ``gazetteer/<city>.yaml`` into the model's ``Gazetteer`` and reports
every problem of the file at once (``path:line: message``). ``Matcher`` finds the names of
districts, groups, the city and places elsewhere in running text, by their transliteration
keys (``normalize.name_key``), and resolves or suggests a bare name.

Finding names is the first pass over every article, so it must cost little: a screen in C
(``normalize.WordScreen``, one table lookup per character over a batch of texts) lists the
few places where a name can start, and the exact check runs only there (see ``Matcher``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from pipeline._errors import InputError, Problem
from pipeline._yamlio import Fields, line_of, parse_yaml, read_text, show
from pipeline.model import SIDE_PATTERNS, City, District, Gazetteer, Group, Point, Side
from pipeline.normalize import (
    APOSTROPHES,
    ELISIONS,
    HYPHENS,
    JOINERS,
    TOKEN_PATTERN,
    WORD_CHAR_PATTERN,
    WORD_MARKS,
    Token,
    WordScreen,
    compiled_screen,
    is_article,
    joins_name,
    loose_signature,
    may_drop,
    name_key,
    name_tokens,
    starts_capital,
    tokenize,
    word_key,
)

KINDS = ("district", "landmark", "industrial", "camp")
# every district carries its name in these languages
NAME_LANGUAGES = ("en", "fr", "ar")
# baseline shares must sum to 1 within this
SHARE_TOLERANCE = 0.01
# a district point may sit this far outside its own boundary (degrees, about 100 m)
BOUNDARY_SLACK_DEG = 0.001
EARTH_RADIUS_KM = 6371.0088
# fuzzy suggestions below this score (0-100) are not worth showing
SUGGEST_CUTOFF = 70.0

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")
_POINT_KEYS = frozenset({"lat", "lon"})


class Mention(NamedTuple):
    """A name found in a text: its exact span and what it names (a named tuple: the
    compiled pass makes one for every name it finds, as cheaply as a tuple)."""

    start: int
    end: int
    surface: str
    kind: str  # "district" | "group" | "city" | "outside"
    target: str  # district id, group id, city id, or the outside name


# --- loading -------------------------------------------------------------------------------


def load_gazetteer(path: str | Path) -> Gazetteer:
    """Reads and validates a gazetteer YAML; raises ``InputError`` with every problem."""
    path_text = str(path)
    problems: list[Problem] = []
    text, data = read_text(path, problems)
    if text is None:
        raise InputError(problems)
    document, parse_problems = parse_yaml(text, path=path_text)
    problems.extend(parse_problems)
    if not isinstance(document, dict):
        if not parse_problems:
            msg = "the gazetteer must be a mapping with city, sides, baseline and districts"
            problems.append(Problem(path_text, line_of(document), msg))
        raise InputError(problems)

    reader = _Reader(path_text, problems, base_dir=Path(path).parent)
    top = Fields(document, path=path_text, problems=problems)
    city = reader.city(top)
    sides = reader.sides(top)
    baseline_date = reader.baseline_date(top)
    groups = reader.groups(top)
    districts = reader.districts(top, group_ids={g.id for g in groups})
    credit = top.text("credit") or ""
    reader.check_names()
    reader.check_ids(groups, districts)
    if problems or city is None or baseline_date is None:
        raise InputError(sorted(problems))

    # the version covers the YAML and every boundary file it names
    digest = hashlib.sha256(data)
    for name, content in sorted(reader.boundary_files.items()):
        digest.update(b"\0" + name.encode("utf-8") + b"\0" + content)
    members: dict[str, list[str]] = {g.id: [] for g in groups}
    for district in districts:
        for group_id in district.part_of:
            members[group_id].append(district.id)
    return Gazetteer(
        path=path_text,
        city=city,
        sides=sides,
        baseline_date=baseline_date,
        districts=tuple(districts),
        groups=tuple(
            Group(id=g.id, names=g.names, aliases=g.aliases, members=tuple(members[g.id]))
            for g in groups
        ),
        credit=credit,
        version=digest.hexdigest(),
        files=tuple(
            (str(reader.base_dir / name), hashlib.sha256(content).hexdigest())
            for name, content in sorted(reader.boundary_files.items())
        ),
    )


@dataclass(frozen=True)
class _Named:
    """An entry that has names, with the line of each name, for the duplicate-name check."""

    kind: str
    id: str
    line: int
    names: tuple[tuple[str, int], ...]

    @property
    def label(self) -> str:
        return "city" if self.kind == "city" else f"{self.kind} {self.id!r}"


class _Reader:
    """Validates the parts of one gazetteer file, collecting problems as it goes."""

    def __init__(self, path: str, problems: list[Problem], *, base_dir: Path) -> None:
        self.path = path
        self.problems = problems
        self.base_dir = base_dir
        self.boundary_files: dict[str, bytes] = {}
        self.named: list[_Named] = []
        self.outside: list[tuple[str, int]] = []
        self.lines: dict[tuple[str, str], int] = {}
        self.center: Point | None = None
        self.radius: float | None = None
        self.side_ids: set[str] = set()

    # the city ---------------------------------------------------------------------------

    def city(self, top: Fields) -> City | None:
        mapping = top.mapping_of("city", required=True)
        if mapping is None:
            return None
        fields = self.fields(mapping, "city", line=top.line_of("city"))
        city_id = self.slug(fields, "id")
        names = self.names(fields, languages=())
        aliases = fields.strings("aliases")
        center = self.point(fields, "center")
        radius = fields.number("radius_km", required=True)
        if radius is not None and radius <= 0:
            fields.add("radius_km", f"must be positive, got {show(radius)}")
            radius = None
        # the districts are checked against the centre and radius even if the rest is wrong
        self.center, self.radius = center, radius
        outside = fields.strings("outside")
        self.outside = self.string_lines(fields, "outside")
        self.add_named("city", city_id or "", fields, names)
        boundary: tuple[Point, ...] = ()
        if fields.has("boundary"):
            rings = self.rings(fields, "boundary")
            if len(rings) > 1:
                fields.add("boundary", "must be one ring of points")
            boundary = rings[0] if rings else ()
        if city_id is None or center is None or radius is None:
            return None
        return City(
            id=city_id,
            names=names,
            aliases=aliases,
            center=center,
            radius_km=radius,
            boundary=boundary,
            outside=outside,
        )

    # the sides --------------------------------------------------------------------------

    def sides(self, top: Fields) -> dict[str, Side]:
        mapping = top.mapping_of("sides", required=True)
        if mapping is None:
            return {}
        if not mapping:
            top.add("sides", "must name at least one side")
        sides: dict[str, Side] = {}
        for side_id, spec in mapping.items():
            label = f"side {side_id!r}"
            line = line_of(mapping, side_id)
            if not isinstance(side_id, str) or not _SLUG.match(side_id):
                msg = f"{label}: the id must be a lowercase slug of a-z, 0-9 and '-'"
                self.problems.append(Problem(self.path, line, msg))
                continue
            # a side with a bad colour is still a side: baselines may name it
            self.side_ids.add(side_id)
            if not isinstance(spec, dict):
                msg = f"{label}: must be a mapping with label, color and actors, got {show(spec)}"
                self.problems.append(Problem(self.path, line, msg))
                continue
            fields = self.fields(spec, label, line=line)
            labels = self.names(fields, languages=(), key="label")
            color = fields.text("color", required=True)
            if color is not None and not _COLOR.match(color):
                fields.add("color", f"must be a colour written #rrggbb, got {show(color)}")
                color = None
            actors = fields.strings("actors")
            pattern = fields.text("pattern")
            if pattern is not None and pattern not in SIDE_PATTERNS:
                choices = ", ".join(SIDE_PATTERNS)
                fields.add("pattern", f"must be one of {choices}, got {show(pattern)}")
                pattern = None
            if labels and color is not None:
                sides[side_id] = Side(
                    id=side_id, label=labels, color=color.lower(), actors=actors, pattern=pattern
                )
        return sides

    def baseline_date(self, top: Fields) -> Any:
        mapping = top.mapping_of("baseline", required=True)
        if mapping is None:
            return None
        fields = self.fields(mapping, "baseline", line=top.line_of("baseline"))
        fields.text("source")
        return fields.date("date", required=True)

    # groups and districts ---------------------------------------------------------------

    def entries(self, top: Fields, key: str, *, required: bool) -> list[tuple[Any, int]]:
        value = top.get(key, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            top.add(key, f"must be a list, got {show(value)}")
            return []
        if required and not value:
            top.add(key, "must list at least one entry")
        return [(item, line_of(value, i, default=top.line_of(key))) for i, item in enumerate(value)]

    def fields(self, mapping: Any, label: str, *, line: int) -> Fields:
        return Fields(mapping, path=self.path, problems=self.problems, label=label, line=line)

    def entry_fields(self, kind: str, item: Any, line: int, index: int) -> Fields | None:
        """The fields of a group or district, labelled by its id (or its rank without one)."""
        named = isinstance(item, dict) and isinstance(item.get("id"), str)
        label = f"{kind} {item['id']!r}" if named else f"{kind} #{index + 1}"
        if not isinstance(item, dict):
            msg = f"{label}: must be a mapping, got {show(item)}"
            self.problems.append(Problem(self.path, line, msg))
            return None
        return self.fields(item, label, line=line)

    def add_named(self, kind: str, entry_id: str, fields: Fields, names: dict[str, str]) -> None:
        """Remembers the names of an entry (valid or not) for the duplicate-name check."""
        self.named.append(_Named(kind, entry_id, fields.line, self.name_lines(fields, names)))

    def groups(self, top: Fields) -> list[Group]:
        groups: list[Group] = []
        for index, (item, line) in enumerate(self.entries(top, "groups", required=False)):
            fields = self.entry_fields("group", item, line, index)
            if fields is None:
                continue
            group_id = self.slug(fields, "id")
            unique = group_id is not None and self.first_line("group", group_id, fields)
            names = self.names(fields, languages=())
            aliases = fields.strings("aliases")
            self.add_named("group", str(item.get("id")), fields, names)
            if unique and group_id is not None and names:
                groups.append(Group(id=group_id, names=names, aliases=aliases, members=()))
        return groups

    def districts(self, top: Fields, *, group_ids: set[str]) -> list[District]:
        districts: list[District] = []
        for index, (item, line) in enumerate(self.entries(top, "districts", required=True)):
            fields = self.entry_fields("district", item, line, index)
            if fields is None:
                continue
            district = self.district(fields, group_ids=group_ids)
            if district is not None:
                districts.append(district)
        return districts

    def district(self, fields: Fields, *, group_ids: set[str]) -> District | None:
        district_id = self.slug(fields, "id")
        unique = district_id is not None and self.first_line("district", district_id, fields)
        names = self.names(fields, languages=NAME_LANGUAGES)
        aliases = fields.strings("aliases")
        self.add_named("district", str(fields.mapping.get("id")), fields, names)
        location = self.point(fields, "location")
        if location is not None:
            self.check_radius(fields, "location", location)
        baseline = self.shares(fields)
        kind = fields.text("kind") or "district"
        if kind not in KINDS:
            fields.add("kind", f"must be one of {', '.join(KINDS)}, got {show(kind)}")
        sector = fields.text("sector")
        part_of = fields.strings("part_of")
        for group_id, line in self.string_lines(fields, "part_of"):
            if group_id not in group_ids:
                known = ", ".join(sorted(group_ids)) or "none defined"
                msg = f"{fields.label}: part_of names an unknown group {group_id!r} "
                msg += f"(groups: {known})"
                self.problems.append(Problem(self.path, line, msg))
        boundary: tuple[tuple[Point, ...], ...] = ()
        if fields.has("boundary"):
            boundary = self.rings(fields, "boundary")
            if boundary and location is not None:
                self.check_inside(fields, location, boundary)
        if not unique or district_id is None or location is None or baseline is None:
            return None
        return District(
            id=district_id,
            names=names,
            aliases=aliases,
            location=location,
            baseline=baseline,
            kind=kind if kind in KINDS else "district",
            sector=sector,
            part_of=part_of,
            boundary=boundary,
            line=fields.line,
        )

    # fields shared by the entries -------------------------------------------------------

    def first_line(self, kind: str, entry_id: str, fields: Fields) -> bool:
        """True for the first entry of this kind and id; a problem for a duplicate."""
        first = self.lines.get((kind, entry_id))
        if first is not None:
            msg = f"is a duplicate: {kind} {entry_id!r} is already defined at line {first}"
            fields.add("id", msg)
            return False
        self.lines[(kind, entry_id)] = fields.line
        return True

    def slug(self, fields: Fields, key: str) -> str | None:
        value = fields.text(key, required=True)
        if value is not None and not _SLUG.match(value):
            fields.add(key, f"must be a lowercase slug of a-z, 0-9 and '-', got {show(value)}")
            return None
        return value

    def names(
        self, fields: Fields, *, languages: tuple[str, ...], key: str = "names"
    ) -> dict[str, str]:
        mapping = fields.mapping_of(key, required=True)
        if mapping is None:
            return {}
        inner = fields.nested(key, mapping)
        names: dict[str, str] = {}
        for language in mapping:
            value = inner.text(str(language))
            if value is not None:
                names[str(language)] = value
        for language in languages:
            if language not in mapping:
                inner.add(language, "is missing")
        if not mapping:
            fields.add(key, "must give at least one name")
        return names

    def name_lines(self, fields: Fields, names: dict[str, str]) -> tuple[tuple[str, int], ...]:
        """Each name and alias of an entry with its line."""
        names_value = fields.get("names")
        pairs = [
            (name, line_of(names_value, lang, default=fields.line)) for lang, name in names.items()
        ]
        return (*pairs, *self.string_lines(fields, "aliases"))

    def string_lines(self, fields: Fields, key: str) -> list[tuple[str, int]]:
        """The strings of a list field with the line of each (bad items left out)."""
        value = fields.get(key)
        if isinstance(value, str):
            return [(value, fields.line_of(key))] if value.strip() else []
        if not isinstance(value, list):
            return []
        return [
            (item, line_of(value, i, default=fields.line_of(key)))
            for i, item in enumerate(value)
            if isinstance(item, str) and item.strip()
        ]

    def point(self, fields: Fields, key: str) -> Point | None:
        value = fields.get(key, required=True)
        if value is None:
            return None
        if not isinstance(value, dict):
            fields.add(key, f"must be a mapping {{lat: .., lon: ..}}, got {show(value)}")
            return None
        return self.coordinates(fields.nested(key, value))

    def coordinates(self, fields: Fields) -> Point | None:
        fields.unknown(_POINT_KEYS)
        lat = fields.number("lat", required=True)
        lon = fields.number("lon", required=True)
        if lat is not None and not -90 <= lat <= 90:
            fields.add("lat", f"must lie between -90 and 90, got {show(lat)}")
            lat = None
        if lon is not None and not -180 <= lon <= 180:
            fields.add("lon", f"must lie between -180 and 180, got {show(lon)}")
            lon = None
        if lat is None or lon is None:
            return None
        return Point(lat=lat, lon=lon)

    def check_radius(self, fields: Fields, key: str, point: Point) -> None:
        if self.center is None or self.radius is None:
            return
        distance = distance_km(self.center, point)
        if distance <= self.radius:
            return
        swapped = Point(lat=point.lon, lon=point.lat)
        if distance_km(self.center, swapped) <= self.radius:
            msg = (
                f"has lat and lon swapped: lat {point.lat} lon {point.lon} lies {distance:.0f} km "
                f"from the city centre, lat {point.lon} lon {point.lat} would lie inside radius_km"
            )
        else:
            msg = (
                f"lies {distance:.1f} km from the city centre, outside radius_km "
                f"{self.radius:g} (lat {point.lat}, lon {point.lon})"
            )
        fields.add(key, msg)

    def shares(self, fields: Fields) -> dict[str, float] | None:
        value = fields.get("baseline", required=True)
        if value is None:
            return None
        sides = self.side_ids
        known = ", ".join(sorted(sides)) or "none defined"
        if isinstance(value, str):
            if sides and value not in sides:
                fields.add("baseline", f"names an unknown side {value!r} (sides: {known})")
                return None
            return {value: 1.0}
        if not isinstance(value, dict):
            fields.add("baseline", f"must be a side id or a mapping side: share, got {show(value)}")
            return None
        inner = fields.nested("baseline", value)
        shares: dict[str, float] = {}
        ok = True
        for side_id in value:
            if sides and side_id not in sides:
                inner.add(str(side_id), f"is an unknown side (sides: {known})")
                ok = False
                continue
            share = inner.number(str(side_id), required=True)
            if share is None:
                ok = False
            elif not 0 <= share <= 1:
                inner.add(str(side_id), f"must be a share between 0 and 1, got {show(share)}")
                ok = False
            elif share > 0:
                shares[str(side_id)] = share
        if not ok:
            return None
        total = sum(shares.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            fields.add("baseline", f"shares must sum to 1, got {total:g}")
            return None
        # shares within the tolerance are scaled to sum to exactly 1
        return {side_id: share / total for side_id, share in shares.items()}

    # boundaries -------------------------------------------------------------------------

    def rings(self, fields: Fields, key: str) -> tuple[tuple[Point, ...], ...]:
        value = fields.get(key)
        if isinstance(value, str):
            return self.rings_from_file(fields, key, value)
        if not isinstance(value, list) or not value:
            msg = f"must be a ring of points, a list of rings, or a GeoJSON file, got {show(value)}"
            fields.add(key, msg)
            return ()
        # one ring (a list of points) or a list of rings
        if all(isinstance(item, list) for item in value):
            raw_rings = [(f"{key}[{i}]", ring, line_of(value, i)) for i, ring in enumerate(value)]
        else:
            raw_rings = [(key, value, fields.line_of(key))]
        rings: list[tuple[Point, ...]] = []
        for label, ring, line in raw_rings:
            points: list[Point] = []
            bad = False
            for i, item in enumerate(ring):
                point_line = line_of(ring, i, default=line)
                if not isinstance(item, dict):
                    msg = f"{fields.label}: {label}[{i}] must be a mapping {{lat: .., lon: ..}}, "
                    msg += f"got {show(item)}"
                    self.problems.append(Problem(self.path, point_line, msg))
                    bad = True
                    continue
                inner = Fields(
                    item, path=self.path, problems=self.problems, label=fields.label,
                    prefix=f"{label}[{i}].", line=point_line,
                )
                point = self.coordinates(inner)
                if point is None:
                    bad = True
                else:
                    points.append(point)
            if not bad and self.check_ring(fields, label, line, points):
                rings.append(tuple(points))
        return tuple(rings)

    def rings_from_file(self, fields: Fields, key: str, name: str) -> tuple[tuple[Point, ...], ...]:
        file = self.base_dir / name
        line = fields.line_of(key)
        try:
            content = file.read_bytes()
        except OSError as error:
            missing = isinstance(error, FileNotFoundError)
            reason = "not found" if missing else (error.strerror or str(error))
            fields.add(key, f"file {name!r} {reason} (looked for {str(file)!r})")
            return ()
        self.boundary_files[name] = content
        try:
            rings = _geojson_rings(json.loads(content.decode("utf-8")))
        except (ValueError, TypeError, KeyError, IndexError) as error:
            fields.add(key, f"file {name!r} is not a GeoJSON polygon: {error}")
            return ()
        kept: list[tuple[Point, ...]] = []
        for i, ring in enumerate(rings):
            label = f"{key} file {name!r} polygon {i + 1}"
            if self.check_ring(fields, label, line, list(ring)):
                kept.append(ring)
        return tuple(kept)

    def check_ring(self, fields: Fields, label: str, line: int, points: list[Point]) -> bool:
        def add(message: str) -> None:
            self.problems.append(Problem(self.path, line, f"{fields.label}: {label} {message}"))

        distinct = {(p.lat, p.lon) for p in points}
        if len(distinct) < 3:
            add(f"needs at least 3 distinct points, got {len(distinct)}")
            return False
        polygon = Polygon([(p.lon, p.lat) for p in points])
        if not polygon.is_valid:
            add(f"is not a valid polygon: {explain_validity(polygon)}")
            return False
        center, radius = self.center, self.radius
        if center is not None and radius is not None:
            middle = polygon.representative_point()
            inside = Point(lat=middle.y, lon=middle.x)
            distance = distance_km(center, inside)
            if distance > radius:
                if distance_km(center, Point(lat=inside.lon, lon=inside.lat)) <= radius:
                    add("has lat and lon swapped: swapped, it would lie inside radius_km")
                else:
                    away = f"{distance:.1f} km from the city centre"
                    add(f"lies {away}, outside radius_km {radius:g}")
                return False
        return True

    def check_inside(
        self, fields: Fields, location: Point, rings: tuple[tuple[Point, ...], ...]
    ) -> None:
        spot = ShapelyPoint(location.lon, location.lat)
        gaps = [Polygon([(p.lon, p.lat) for p in ring]).distance(spot) for ring in rings]
        if min(gaps) > BOUNDARY_SLACK_DEG:
            msg = f"lies outside its boundary (lat {location.lat}, lon {location.lon})"
            fields.add("location", msg)

    # names and ids across entries -------------------------------------------------------

    def check_names(self) -> None:
        """Two entries whose names normalise to the same key are a problem, naming both."""
        owners: dict[str, tuple[_Named, str, int]] = {}
        reported: set[tuple[str, str, str]] = set()
        for entry in self.named:
            for name, line in entry.names:
                key = name_key(name)
                if not key:
                    msg = f"{entry.label}: name {name!r} has no letters to match"
                    self.problems.append(Problem(self.path, line, msg))
                    continue
                first = owners.get(key)
                if first is None:
                    owners[key] = (entry, name, line)
                elif (first[0].kind, first[0].id) != (entry.kind, entry.id):
                    other, other_name, other_line = first
                    # one problem per pair of entries and key, at the first name that clashes
                    if (entry.label, other.label, key) in reported:
                        continue
                    reported.add((entry.label, other.label, key))
                    msg = (
                        f"{entry.label}: name {name!r} normalises to {key!r} like {other.label}'s "
                        f"name {other_name!r} (line {other_line}); one of them must change"
                    )
                    self.problems.append(Problem(self.path, line, msg))
        for name, line in self.outside:
            key = name_key(name)
            if key in owners:
                other, other_name, other_line = owners[key]
                msg = (
                    f"city: outside name {name!r} normalises to {key!r} like {other.label}'s name "
                    f"{other_name!r} (line {other_line}); a place elsewhere cannot share it"
                )
                self.problems.append(Problem(self.path, line, msg))

    def check_ids(self, groups: list[Group], districts: list[District]) -> None:
        district_ids = {d.id: d.line for d in districts}
        for group in groups:
            if group.id in district_ids:
                line = self.lines[("group", group.id)]
                msg = (
                    f"group {group.id!r}: id is also the id of a district "
                    f"(line {district_ids[group.id]}); ids must differ"
                )
                self.problems.append(Problem(self.path, line, msg))


def _geojson_rings(document: Any) -> list[tuple[Point, ...]]:
    """The outer rings of the polygons of a GeoJSON object, as Points."""
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        return [ring for feature in document["features"] for ring in _geojson_rings(feature)]
    if kind == "Feature":
        return _geojson_rings(document["geometry"])
    if kind == "GeometryCollection":
        return [ring for geometry in document["geometries"] for ring in _geojson_rings(geometry)]
    if kind == "Polygon":
        return [_geojson_ring(document["coordinates"][0])]
    if kind == "MultiPolygon":
        return [_geojson_ring(polygon[0]) for polygon in document["coordinates"]]
    msg = f"expected a Polygon, MultiPolygon, Feature or FeatureCollection, got type {show(kind)}"
    raise ValueError(msg)


def _geojson_ring(positions: Any) -> tuple[Point, ...]:
    points = []
    for position in positions:
        lon, lat = position[0], position[1]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lon, lat)):
            msg = f"a position must hold two numbers, got {show(position)}"
            raise ValueError(msg)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            msg = f"a position must hold finite numbers, got {show(position)}"
            raise ValueError(msg)
        points.append(Point(lat=float(lat), lon=float(lon)))
    return tuple(points)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance between two points (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# --- matching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    kind: str
    target: str
    proper: bool  # every spelling is capitalised: a word in lower case is not this name


@dataclass(frozen=True)
class _Plan:
    """What a piece of text holds from one of its words on (see ``Matcher._plans``)."""

    index: int  # the word that may start a name
    local: tuple[int, int, _Entry] | None  # the name within the piece alone (offsets in it)
    open: tuple[str, ...] | None  # the keys so far when the name may go on past the piece
    look_back: bool  # the word starts the piece: its article, if any, stands before it


_NON_SPACE = re.compile(r"\S+")
# a piece of text with the spaces before it, or the spaces that end the text
_UNIT = re.compile(r"\s*\S+|\s*\Z")
# what a word may hold beside letters and digits, looking back from a place
_MARKS_AND_APOSTROPHES = WORD_MARKS | frozenset(APOSTROPHES)
# a name found: start, end, entry
_Hit = tuple[int, int, "_Entry"]
# the word before a name and the characters between (for al-Shaar, al Shaar)
_WORD_BEFORE = re.compile(rf"(?<!{WORD_CHAR_PATTERN})({TOKEN_PATTERN})([{re.escape(JOINERS)}]+)\Z")
# how far back to look for the article of a name
_ARTICLE_LOOKBACK = 16
# the consonant classes of the free article (al, el)
_ARTICLE_CLASSES = frozenset({"L"})
# what the exact check may read before a place, at most (see ``Matcher._root``)
_WINDOW = _ARTICLE_LOOKBACK + 1
_APOSTROPHE = re.compile(f"[{re.escape(APOSTROPHES)}]")
# what ``Matcher._closed`` puts after a cut text: no name goes on across a blank line
_NOTHING_JOINS = "\n\n"
# characters that close a piece of text and never join words of a name (no word
# characters, joiners or apostrophes): a piece ending in them holds the names of the piece
# without them, with nothing after it
_CLOSING = ".,;:!?)]}»\"”…"
# apostrophes that are letters too (ʼ, ʿ): a word of letters may hold them
_LETTER_APOSTROPHES = frozenset(c for c in APOSTROPHES if c.isalpha())
# pieces of text and contexts examined once and remembered; past this many, forgotten
_SEEN_LIMIT = 200_000
# articles screened together (one numpy pass), in ``find_each``
SCREEN_BATCH = 256


class Matcher:
    """Finds and resolves the names of a gazetteer's districts, groups, city and elsewhere.

    ``find`` (one text) and ``find_each`` (many) look only where a name can start: at a word
    in upper case (or in a script without case, such as Arabic) whose consonant classes are
    those of a first word of some name, and at the words that the gazetteer itself writes
    in lower case (``vieille ville``), as written. ``normalize.WordScreen`` finds those
    places for a whole batch of texts in C; the exact check runs only there, and what it
    finds is remembered by all it read: the piece of text (from the word to the next space),
    what stands before it and the pieces after it (see ``_find_at``). A name
    written in lower case in the gazetteer is thus found in lower case only in the
    gazetteer's own spelling of its first word; in capitals, in any.
    """

    def __init__(self, gazetteer: Gazetteer, *, compiled: bool = True) -> None:
        self.gazetteer = gazetteer
        # the screen's walk and the lookups at each place in C, where the extension was
        # built (``compiled=False``: numpy and Python, to the same names)
        self._compiled = compiled
        self._compiled_each = _compiled_each() if compiled else None
        self._entries: dict[tuple[str, ...], _Entry] = {}
        self._members = {g.id: g.members for g in gazetteer.groups}
        self._district_ids = {d.id for d in gazetteer.districts}
        self._literals: set[str] = set()
        # the first registered owner of a key wins: places elsewhere never resolve to a district
        city = gazetteer.city
        self._add(("city", city.id), [*city.names.values(), *city.aliases])
        for name in city.outside:
            self._add(("outside", name), [name])
        for group in gazetteer.groups:
            self._add(("group", group.id), [*group.names.values(), *group.aliases])
        self._suggest_keys: list[str] = []
        self._suggest_ids: list[str] = []
        for district in gazetteer.districts:
            names = [*district.names.values(), *district.aliases]
            self._add(("district", district.id), names)
            for name in names:
                self._suggest_keys.append(name_key(name))
                self._suggest_ids.append(district.id)
        self._firsts = frozenset(key[0] for key in self._entries)
        # the words of names that come after their first, by the word before them
        followers: dict[str, set[str]] = {}
        for key in self._entries:
            for word, following in zip(key, key[1:]):
                followers.setdefault(word, set()).add(following)
        self._followers = {word: frozenset(after) for word, after in followers.items()}
        self._prefixes = frozenset(key[:n] for key in self._entries for n in range(1, len(key) + 1))
        self._screen: WordScreen | None = None  # built on the first search
        self._chunks: dict[str, tuple[Token, ...]] = {}
        self._tail_plans: dict[str, tuple[_Plan, ...]] = {}
        # what the exact check found at a place, by what it read there (see _find_at)
        self._places: dict[tuple[str, int | str], Any] = {}
        self._remembered = 0  # the entries of that tree
        self._read_to = 0  # how far the current exact check has read the text
        self._read_end = False  # whether it looked past the last piece of the text
        # words of letters alone, and whether each is the free article before a space
        self._article_words: dict[str, bool] = {}
        # the same tree by the text from _WINDOW characters before a place to its piece's end
        self._windows: dict[str | None, Any] = {}

    def _add(self, owner: tuple[str, str], names: list[str]) -> None:
        spellings: dict[tuple[str, ...], list[bool]] = {}
        for name in names:
            content = name_tokens(name)
            if not content:
                continue
            key = tuple(t.key for t in content)
            spellings.setdefault(key, []).append(starts_capital(content[0].text[:1]))
            # a first word the capital scan cannot see is looked for as written
            if not starts_capital(content[0].text[:1]):
                self._literals.add(content[0].text)
        for key, capitals in spellings.items():
            if key not in self._entries:
                self._entries[key] = _Entry(owner[0], owner[1], proper=all(capitals))

    # finding names in running text ------------------------------------------------------

    def find(self, text: str) -> list[Mention]:
        """Every name in ``text``: non-overlapping, longest first, sorted by start."""
        return self.find_each([text])[0]

    def screen(self, texts: Sequence[str]) -> list[list[int]]:
        """The screen alone: for each text, the offsets where a name may start (what the
        exact check of ``find_each`` then reads; a superset of the names' starts)."""
        return self._screener().starts(texts)

    def _screener(self) -> WordScreen:
        if self._screen is None:
            self._screen = WordScreen(self._firsts, self._literals, compiled=self._compiled)
        return self._screen

    def find_each(self, texts: Iterable[str]) -> list[list[Mention]]:
        """``find`` for each text, screened in batches (much cheaper than one by one)."""
        self._screener()
        results: list[list[Mention]] = []
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) == SCREEN_BATCH:
                results.extend(self._find_batch(batch))
                batch = []
        if batch:
            results.extend(self._find_batch(batch))
        return results

    def _find_batch(self, texts: list[str]) -> list[list[Mention]]:
        assert self._screen is not None
        # what the matcher remembers stays bounded on any corpus
        remembered = len(self._chunks) + len(self._tail_plans) + len(self._windows)
        if remembered + len(self._article_words) + self._remembered > _SEEN_LIMIT:
            self._chunks.clear()
            self._tail_plans.clear()
            self._places.clear()
            self._windows.clear()
            self._article_words.clear()
            self._remembered = 0
        tables = self._screen.compiled_tables()
        if self._compiled_each is not None and tables is not None:
            # the walk, the lookups and the mentions of the whole batch in C
            lookups = (
                self._windows, self._places, self._tail_plans, self._article_words,
                _PLAIN_TABLE, _CHARACTER_FLAGS, _WINDOW, _ARTICLE_LOOKBACK,
                self._root, self._closed, self._state, self._examine,
            )
            return self._compiled_each(tables, texts, lookups, Mention)  # type: ignore[no-any-return]
        return [
            self._find_at(text, *places) if places[0] else []
            for text, places in zip(texts, self._screen.places(texts))
        ]

    def _find_at(
        self, text: str, starts: list[int], ends: list[int], nexts: list[int]
    ) -> list[Mention]:
        """The names that begin in the pieces of text at the ``starts`` (one place a piece;
        ``ends``: where each piece ends, ``nexts``: where the piece after it ends, or -1):
        non-overlapping, longest first, sorted by start."""
        # leftmost first, then longest; a name inside or across a kept one is dropped
        kept = []
        reach = -1
        hits = self._hits(text, starts, ends, nexts)
        for start, end, entry in sorted(hits, key=_leftmost_longest):
            if start >= reach:
                kept.append(Mention(start, end, text[start:end], entry.kind, entry.target))
                reach = end
        return kept

    def _hits(
        self, text: str, starts: list[int], ends: list[int], nexts: list[int]
    ) -> list[_Hit]:
        """The names found at each place, unsorted (``pipeline._screen.find_each`` does the
        same in C for a whole batch, with the screen's walk before and the names kept after,
        where it was built).

        The exact check at a place reads the piece of text there (up to the next space),
        what stands before it (only through the state ``_before`` gives), and the pieces
        after it one by one for as long as a name may go on. What it found is remembered in
        a tree: by the piece and that state, then by each whole piece it read after (a piece
        that merely begins the same, "ce" and "cemetery", is another key); the same piece,
        state and pieces elsewhere give the same names there. The tree's entry for a piece
        and its state is also found by the text from ``_WINDOW`` characters before the place
        to the piece's end, which is most often the same: one lookup instead of the state.
        Two kinds of new text are answered without the whole check: a next piece into which
        no name can go on gets the names found with nothing after (``_closed``), and a piece
        that ends in closing marks ("Chaar,") those of the piece without them
        (``_closed_piece``).
        """
        found: list[_Hit] = []
        windows = self._windows
        for at, reach, after in zip(starts, ends, nexts):
            # most places are found again with the same text before them and the same piece
            window = text[at - _WINDOW : reach] if at >= _WINDOW else None
            node = windows.get(window)
            if node is None:
                node = self._root(text, at, reach, window)
            if node.__class__ is dict:
                # the next piece (the screen found its end), then any others
                end = len(text) if after < 0 else after
                previous, parent, unit = text[at:reach], node, text[reach:end]
                node = parent.get(unit)
                while node.__class__ is dict:
                    match = _UNIT.match(text, end)
                    assert match is not None  # one of its branches always matches
                    previous, parent, unit, end = unit, node, match.group(), match.end()
                    node = parent.get(unit)
                if node is None:
                    stop = end - len(unit)
                    node = self._closed(parent, text, at, reach, stop, unit, previous)
                if node is None:
                    before = self._state(text, at)
                    node = self._examine(text, at, reach, text[at:reach], before)
            if node:
                found.extend([(at + start, at + end, entry) for start, end, entry in node])
        return found

    def _root(self, text: str, at: int, reach: int, window: str | None) -> Any:
        """What the tree holds for the piece at ``at`` and what stands before it (examined
        if new); remembered by ``window`` when that text decides it."""
        tail = text[at:reach]
        plans = self._tail_plans.get(tail)
        if plans is None:
            plans = self._plans(tail)
        # a piece none of whose words begins a name (the screen lets some through)
        if not plans:
            root: Any = ()
        else:
            before = self._state(text, at)
            root = self._places.get((tail, before))
            if root is None:
                core = tail.rstrip(_CLOSING)
                if core and core != tail:
                    root = self._closed_piece(text, at, core, before)
                    self._places[(tail, before)] = root
                    self._remembered += 1
                else:
                    self._examine(text, at, reach, tail, before)
                    root = self._places[(tail, before)]
            # the window holds what the check reads before the place unless an apostrophe
            # makes it read the word before whole
            if before.__class__ is not int or _APOSTROPHE.search(text, at - _WINDOW, at):
                window = None
        if window is not None:
            self._windows[window] = root
        return root

    def _closed(
        self,
        node: dict[Any, Any],
        text: str,
        at: int,
        reach: int,
        stop: int,
        unit: str,
        previous: str,
    ) -> Any:
        """The names at ``at`` when the next piece of text, ``unit`` (from ``stop``, with the
        spaces before it), is new in the tree at ``node`` (reached by reading ``previous``
        last) but no name can go on into it, or through it:

        - no piece follows;
        - what stands before its first word does not join words of a name;
        - no name goes on from the last word of ``previous`` into that word
          (``_ends_names``);
        - or the piece ends in closing marks ("al-Jabal,"): no name goes on past them.

        Those names are the ones found with the text cut at ``stop`` (after the piece
        without its closing marks, in the last case) and a blank line put after it,
        examined once for the node, then remembered under each such piece. None when a
        name may go on."""
        piece = unit.lstrip()
        if piece:
            tokens = self._tokens(piece)
            if not tokens:
                return None  # punctuation alone: a name may go on past it
            core = unit.rstrip(_CLOSING)
            if core != unit and core.strip():
                # the names of the piece without its closing marks, with nothing after
                stop += len(core)
                names = self._ended(node.get(core), text, at, reach, stop, None)
                node[unit] = names
                self._remembered += 1
                return names
            gap = unit[: len(unit) - len(piece) + tokens[0].start]
            if joins_name(gap) and not self._ends_names(previous, tokens[0].key):
                return None
        names = self._ended(node, text, at, reach, stop, None)
        node[unit] = names
        self._remembered += 1
        return names

    def _ends_names(self, previous: str, key: str) -> bool:
        """True when no name goes on from the last word of the piece ``previous`` into a
        word of ``key``, or past it: that last word may not be dropped (an article, an
        elision), and either no name has a word after it, or the word of ``key`` follows it
        in no name and may not be dropped either."""
        tokens = self._tokens(previous.lstrip())
        if not tokens:
            return False
        last = tokens[-1]
        if last.elision or may_drop(last.key):
            return False
        after = self._followers.get(last.key)
        return not after or (key not in after and not may_drop(key))

    def _closed_piece(self, text: str, at: int, core: str, before: int | str) -> Any:
        """The names at ``at`` whose piece of text is ``core`` and closing characters: those
        of ``core`` with nothing after it (shared by "Chaar", "Chaar," and "Chaar.")."""
        reach = at + len(core)
        return self._ended(self._places.get((core, before)), text, at, reach, reach, before)

    def _ended(
        self, node: Any, text: str, at: int, reach: int, stop: int, before: int | str | None
    ) -> Any:
        """The names at ``at`` (its piece ends at ``reach``) with the text cut at ``stop`` and
        a blank line after it: what ``node``, the tree's node for the text read to ``stop``,
        holds for that end, else examined (the check on the cut text reads to the cut and
        keeps its names there). ``before``: from ``_state``, or None to look it up."""
        if node.__class__ is dict:
            node = node.get(_NOTHING_JOINS)
        if node is None:
            if before is None:
                before = self._state(text, at)
            cut = text[:stop] + _NOTHING_JOINS
            node = self._examine(cut, at, reach, text[at:reach], before)
        return node

    def _state(self, text: str, at: int) -> int | str:
        """What the exact check at ``at`` may learn of the text before it (see ``_before``),
        looked up most often: a space after a word of letters whose kind is known (an
        article or not), or after a character that cannot end an article."""
        if at > 1 and text[at - 1] == " ":
            char = text[at - 2]
            number = ord(char)
            seen = _PLAIN_TABLE[number] if number < len(_PLAIN_TABLE) else 0
            plain = seen == _PLAIN if seen else _plain_end(char)
            if plain:
                return 0
            space = text.rfind(" ", max(0, at - _ARTICLE_LOOKBACK - 1), at - 1)
            article = self._article_words.get(text[space + 1 : at - 1])
            if article is not None and space >= 0:
                return at - space - 1 if article else 0
        return self._before(text, at)

    def _before(self, text: str, at: int) -> int | str:
        """What the exact check at ``at`` may learn of the text before it.

        At the start of a word after anything but an apostrophe, the exact check reads the
        text before only to find the name's article: how far back it starts is all that
        counts. Otherwise (after an apostrophe, or inside a word) it may read the word
        before itself: that text, as ``_context_start`` bounds it.
        """
        if at == 0:
            return 0
        if text[at - 1] not in APOSTROPHES and _starts_word(text, at):
            return at - self._article_before(text, at)
        return text[_context_start(text, at) : at]

    def _examine(
        self, text: str, at: int, reach: int, tail: str, before: int | str
    ) -> tuple[_Hit, ...]:
        """The exact check at ``at`` (a place not seen before), remembered in the tree."""
        found: list[_Hit] = []
        self._read_to, self._read_end = reach, False
        self._match_tail(text, tail, (at,), found)
        names = tuple((start - at, end - at, entry) for start, end, entry in found)
        # the pieces the check read after its own, one key each; then the end, if it saw it
        units: list[str] = []
        position = reach
        while position < self._read_to:
            unit = _UNIT.match(text, position)
            assert unit is not None
            units.append(unit.group())
            position = unit.end()
        if self._read_end and (not units or not units[-1].isspace()):
            units.append("")
        parent: dict[Any, Any] = self._places
        key: Any = (tail, before)
        for unit in units:
            child = parent.get(key)
            if child is None:
                child = parent[key] = {}
            # the check reads the same pieces wherever it begins the same way
            assert child.__class__ is dict
            parent, key = child, unit
            self._remembered += 1
        parent[key] = names
        self._remembered += 1
        return names

    def _match_tail(
        self, text: str, tail: str, offsets: Iterable[int], found: list[tuple[int, int, _Entry]]
    ) -> None:
        """Names that start in ``tail`` at each of its ``offsets`` in ``text``."""
        plans = self._plans(tail)
        size = len(tail)
        for offset in offsets:
            if not _starts_word(text, offset):
                # the piece begins inside a word (al'Al-Bab): only its later words count,
                # and what stands before them is read from the text itself
                for plan in plans:
                    match = self._match_at(text, offset, tail, plan.index) if plan.index else None
                    if match is not None:
                        found.append(match)
                continue
            for plan in plans:
                match = plan.local
                if plan.open is not None:
                    # the name may go on into the next piece of text: look at its first word
                    if self._continues(plan, text, offset + size):
                        match = self._match_at(text, offset, tail, plan.index)
                        if match is not None:
                            found.append(match)
                        continue
                if match is not None:
                    start, end, entry = match
                    start = self._article_before(text, offset) if plan.look_back else offset + start
                    found.append((start, offset + end, entry))

    def _plans(self, tail: str) -> tuple[_Plan, ...]:
        """For each word of ``tail`` that may start a name: the name found in ``tail`` alone,
        and the words so far when the name may go on past its end."""
        plans = self._tail_plans.get(tail)
        if plans is None:
            tokens = self._tokens(tail)
            built = []
            for index, token in enumerate(tokens):
                if token.key not in self._firsts:
                    continue
                keys, ends, reached_end = self._walk(tail, 0, tail, index)
                if keys is None:
                    continue
                picked = self._pick(tokens[index], keys, ends)
                local = None
                start = self._article_before(tail, token.start)
                if picked is not None:
                    local = (start, picked[0], picked[1])
                # the name may go on past the piece only if nothing but joiners ends it
                rest = tail[ends[-1] :]
                goes_on = reached_end and (not rest or joins_name(rest))
                open_keys = tuple(keys) if goes_on else None
                built.append(_Plan(index, local, open_keys, look_back=token.start == 0))
            plans = tuple(built)
            self._tail_plans[tail] = plans
        return plans

    def _continues(self, plan: _Plan, text: str, end: int) -> bool:
        """True when the next word after offset ``end`` may extend the plan's name."""
        if plan.open is None:
            return False
        position = end
        # the next word may lie past pieces of punctuation alone ("Karam - al-Myessar")
        while (following := _NON_SPACE.search(text, position)) is not None:
            self._note_read(text, following)
            tokens = self._tokens(following.group())
            if tokens:
                break
            if not joins_name(text[end : following.end()]):
                return False
            position = following.end()
        else:
            self._note_read(text, None)
            return False
        if not joins_name(text[end : following.start() + tokens[0].start]):
            return False
        keys, key = plan.open, tokens[0].key
        # an article (the last word so far or the next one) may hide the rest: the slow way
        return (*keys, key) in self._prefixes or may_drop(key) or may_drop(keys[-1])

    def _note_read(self, text: str, following: re.Match[str] | None) -> None:
        """Remembers how far the exact check read: to the next piece, or to the end."""
        if following is None:
            self._read_to, self._read_end = len(text), True
        else:
            self._read_to = max(self._read_to, following.end())

    def _tokens(self, chunk: str) -> tuple[Token, ...]:
        tokens = self._chunks.get(chunk)
        if tokens is None:
            tokens = tuple(tokenize(chunk))
            self._chunks[chunk] = tokens
        return tokens

    def _walk(
        self, text: str, offset: int, chunk: str, index: int
    ) -> tuple[list[str] | None, list[int], bool]:
        """The keys and ends of the words of a possible name from token ``index`` of the
        piece at ``offset``, and whether the walk ran out of text (rather than of name)."""
        tokens = self._tokens(chunk)
        first = tokens[index]
        keys = [first.key]
        ends = [offset + first.end]
        previous = first
        base, position, i = offset, offset + len(chunk), index + 1
        while True:
            # the next word, in this piece or in the next one
            if i >= len(tokens):
                # what follows the last word up to here must join it to the next ("al-")
                rest = text[ends[-1] : position]
                if rest and not joins_name(rest):
                    return keys, ends, False
                following = _NON_SPACE.search(text, position)
                self._note_read(text, following)
                if following is None:
                    return keys, ends, True
                base, position, i = following.start(), following.end(), 0
                tokens = self._tokens(following.group())
                continue
            token = tokens[i]
            i += 1
            gap = text[ends[-1] : base + token.start]
            if not joins_name(gap):
                return keys, ends, False
            # the word before was an article or an elision: it leaves the key
            if previous.elision or is_article(previous.key, gap):
                keys.pop()
                ends.pop()
                if not keys:
                    return None, ends, False  # the first word is an article, not a name
            keys.append(token.key)
            ends.append(base + token.end)
            previous = token
            # go on while the words so far begin some name
            if tuple(keys) not in self._prefixes and not (
                may_drop(token.key) and tuple(keys[:-1]) in self._prefixes
            ):
                return keys, ends, False

    def _pick(self, first: Token, keys: list[str], ends: list[int]) -> tuple[int, _Entry] | None:
        """The longest run of the words that is a name: its end and entry."""
        # a word in lower case starts only a name written so in the gazetteer, as written
        lowercase = not starts_capital(first.text[:1])
        for count in range(len(keys), 0, -1):
            entry = self._entries.get(tuple(keys[:count]))
            if entry is None:
                continue
            if not lowercase or (not entry.proper and first.text in self._literals):
                return ends[count - 1], entry
        return None

    def _match_at(
        self, text: str, offset: int, chunk: str, index: int
    ) -> tuple[int, int, _Entry] | None:
        """The name that starts with token ``index`` of the piece at ``offset``, if any."""
        keys, ends, _ = self._walk(text, offset, chunk, index)
        if keys is None:
            return None
        first = self._tokens(chunk)[index]
        picked = self._pick(first, keys, ends)
        if picked is None:
            return None
        return self._article_before(text, offset + first.start), picked[0], picked[1]

    def _article_before(self, text: str, start: int) -> int:
        """The start of a name, moved back over its article (al-Shaar, al Shaar)."""
        if start == 0:
            return start
        # most often one space follows a word of letters alone after a space: that word is
        # what the pattern below would find, with no pattern needed
        end = start - 1
        if text[end] == " " and end > 0 and text[end - 1] not in JOINERS:
            if not _may_end_article(text[end - 1]):
                return start
            space = text.rfind(" ", max(0, start - _ARTICLE_LOOKBACK - 1), end)
            word = text[space + 1 : end]
            if space >= 0 and word.isalpha() and _LETTER_APOSTROPHES.isdisjoint(word):
                article = self._article_words.get(word)
                if article is None:
                    article = self._article_words[word] = is_article(word_key(word), " ")
                return space + 1 if article else start
        # most names follow a space after a word that cannot be an article: done here
        end = start
        while end > 0 and text[end - 1] in JOINERS and start - end < _ARTICLE_LOOKBACK:
            end -= 1
        if end == start or end == 0:
            return start
        # written apart, only the free article (al, el, ala...) counts: it ends in l or a vowel
        hyphenated = any(c in HYPHENS for c in text[end:start])
        if not hyphenated and not _may_end_article(text[end - 1]):
            return start
        match = _WORD_BEFORE.search(text, max(0, start - _ARTICLE_LOOKBACK), start)
        if match is None or not _starts_word(text, match.start(1)):
            return start
        # the last word of what stands before ("d'as-Sukkari": "as")
        tokens = self._tokens(match.group(1))
        if not tokens or tokens[-1].elision or not is_article(tokens[-1].key, match.group(2)):
            return start
        return match.start(1) + tokens[-1].start

    # resolving one name -----------------------------------------------------------------

    def resolve(self, name: str) -> Mention | None:
        """What a bare name names (the whole name must match), or None."""
        entry = self._entries.get(tuple(name_key(name).split()))
        if entry is not None:
            return Mention(0, len(name), name, entry.kind, entry.target)
        if name.strip() in self._district_ids:
            return Mention(0, len(name), name, "district", name.strip())
        return None

    def suggest(self, name: str, *, limit: int = 3) -> list[str]:
        """District ids whose names are closest to ``name`` (fuzzy, on keys), best first."""
        key = name_key(name)
        if not key or limit <= 0:
            return []
        scores: dict[str, float] = {}
        matches = process.extract(
            key, self._suggest_keys, scorer=fuzz.ratio, limit=None, score_cutoff=SUGGEST_CUTOFF
        )
        for _choice, score, index in matches:
            district_id = self._suggest_ids[index]
            scores[district_id] = max(score, scores.get(district_id, 0.0))
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [district_id for district_id, _score in ranked[:limit]]

    def members(self, group_id: str) -> tuple[str, ...]:
        """The district ids of a group (from the districts' ``part_of``)."""
        if group_id not in self._members:
            msg = f"unknown group {group_id!r}"
            raise KeyError(msg)
        return self._members[group_id]


def _compiled_each() -> Callable[..., list[list[Mention]]] | None:
    """One batch of ``Matcher.find_each`` in C (the screen's walk, ``Matcher._hits`` and the
    names kept), or None (``compiled_screen``)."""
    module = compiled_screen()
    return None if module is None else module.find_each  # type: ignore[no-any-return]


def _leftmost_longest(hit: _Hit) -> tuple[int, int]:
    """Sorts names leftmost first, then longest first."""
    return hit[0], -hit[1]


def _context_start(text: str, at: int) -> int:
    """Where the text that the exact check may read before offset ``at`` begins: the
    joiners an article lookback crosses, the word before them, and one more character."""
    start, floor = at, at - _ARTICLE_LOOKBACK
    while start > 0 and text[start - 1] in JOINERS and start > floor:
        start -= 1
    while start > 0:
        char = text[start - 1]
        if not (char.isalnum() or char in _MARKS_AND_APOSTROPHES):
            break
        start -= 1
    return max(0, start - 1)


@functools.lru_cache(maxsize=4096)
def _may_end_article(char: str) -> bool:
    """True when a word ending in ``char`` may be the free article (al, el): its consonant
    classes are those of the article's (l) or none."""
    return loose_signature(char) <= _ARTICLE_CLASSES


def _plain_end(char: str) -> bool:
    """True when a name after this character and one space has no article before it: the
    character is no joiner, and either no word character or none that may end an article."""
    plain = char not in JOINERS and (
        not _WORD_CHAR.fullmatch(char) or not _may_end_article(char)
    )
    if len(char) == 1 and ord(char) < len(_PLAIN_TABLE):
        _PLAIN_TABLE[ord(char)] = _PLAIN if plain else _NOT_PLAIN
    return plain


# the characters of the Basic Multilingual Plane seen before one space and a place, by
# number, and whether each is plain (above): 0 while not seen; read by ``Matcher._state``
# and by the compiled lookups (one beyond the plane is told again each time)
_PLAIN, _NOT_PLAIN = 1, 2
_PLAIN_TABLE = bytearray(0x10000)


def _character_flags() -> bytes:
    """For the compiled lookups, by character number: a joiner (1), a mark or apostrophe a
    word may hold (2), an apostrophe (4); ``_context_start`` reads them."""
    flags = bytearray(0x10000)
    for chars, flag in ((JOINERS, 1), (_MARKS_AND_APOSTROPHES, 2), (APOSTROPHES, 4)):
        for char in chars:
            if ord(char) >= 0x10000:
                msg = f"{char!r} is beyond the plane the compiled lookups read"
                raise ValueError(msg)
            flags[ord(char)] |= flag
    return bytes(flags)


_CHARACTER_FLAGS = _character_flags()
_WORD_CHAR = re.compile(WORD_CHAR_PATTERN)


def _starts_word(text: str, at: int) -> bool:
    """True when a word of ``text`` (as ``tokenize`` cuts it) starts at offset ``at``."""
    if at == 0:
        return True
    before = text[at - 1]
    if before not in APOSTROPHES:
        return not _is_word_char(before)
    # after an apostrophe: a word of its own unless the apostrophe is inside a word
    # (Sha'ar), where only an elision at the word's start splits it (d'Alep, not x'd'Alep)
    apostrophe = start = at - 1
    while start > 0 and (
        _is_word_char(text[start - 1])
        or (
            text[start - 1] in APOSTROPHES
            and start >= 2
            and _is_word_char(text[start - 2])
            and _is_word_char(text[start])
        )
    ):
        start -= 1
    if start == apostrophe:
        # nothing before it: a word starts here, unless the apostrophe is a letter (ʼ, ʿ)
        # and so the first character of the word itself
        return not _is_word_char(before)
    return text[start:apostrophe].casefold() in ELISIONS


def _is_word_char(char: str) -> bool:
    """A character of a word as ``tokenize`` cuts words (letters, digits, listed marks)."""
    return char.isalnum() or char in WORD_MARKS
