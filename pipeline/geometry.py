"""District areas: the gazetteer's boundaries where given, Voronoi cells of the points elsewhere.

The cells are computed in a local metric plane (an equirectangular projection centred on the
city, accurate to a few metres over a city's extent), clipped to the city's area, and carved
around the districts that have a boundary.

The city's area is its ``boundary`` ring (else a circle of ``radius_km``), grown to reach the
district points that lie outside it: each such point gets a lobe, the convex hull of a disc
around the point, of the nearest stretch of the outline and of its nearest district points
inside, so that its cell is a real piece of land joined to the city rather than an island.
A cell that a bend of the outline cuts in two keeps the piece holding its point and gives the
other to a neighbour. Every district gets exactly one non-empty area, around its point; areas
do not overlap; coordinates come back in lon/lat, rounded to five decimals (about a metre).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import MultiPoint, Point as ShapelyPoint, Polygon
from shapely.geometry.base import BaseGeometry

from pipeline.model import City, District, Gazetteer, Point

EARTH_RADIUS_M = 6_371_008.8
# a district point outside the city's outline gets a lobe: a disc of half its distance to the
# outline, within these bounds, joined by a convex hull to its nearest points inside the city
LOBE_MIN_RADIUS_M = 500.0
LOBE_MAX_RADIUS_M = 1200.0
LOBE_NEIGHBOURS = 3
LOBE_SHORE_M = 250.0  # half the width, at least, by which a lobe meets the city
# a district point swallowed by another district's boundary keeps a disc of this radius
SWALLOWED_BUFFER_M = 150.0
# a stray piece of a cell goes to the neighbour whose border within this band is longest
STRAY_BAND_M = 1.0
# two district points closer than this are moved apart before the Voronoi diagram
TWIN_SPACING_M = 5.0
DECIMALS = 5
GRID = 10.0**-DECIMALS


@dataclass(frozen=True)
class Area:
    """The drawn area of one district: a shapely (Multi)Polygon in lon/lat."""

    geometry: BaseGeometry
    approximate: bool  # True when computed from points rather than given by the gazetteer


@dataclass(frozen=True)
class _Plane:
    """A local equirectangular plane in metres, centred on the city."""

    lat0: float
    lon0: float

    @property
    def kx(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))

    @property
    def ky(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M

    def to_metres(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky, lon0, lat0 = self.kx, self.ky, self.lon0, self.lat0

        def forward(c: np.ndarray) -> np.ndarray:
            return np.column_stack(((c[:, 0] - lon0) * kx, (c[:, 1] - lat0) * ky))

        return shapely.transform(geom, forward)

    def to_degrees(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky, lon0, lat0 = self.kx, self.ky, self.lon0, self.lat0

        def back(c: np.ndarray) -> np.ndarray:
            return np.column_stack((c[:, 0] / kx + lon0, c[:, 1] / ky + lat0))

        return shapely.transform(geom, back)

    def point(self, p: Point) -> ShapelyPoint:
        return ShapelyPoint((p.lon - self.lon0) * self.kx, (p.lat - self.lat0) * self.ky)


def district_areas(gazetteer: Gazetteer) -> dict[str, Area]:
    """One non-empty area per district, keyed by district id, in the gazetteer's order."""
    plane = _Plane(lat0=gazetteer.city.center.lat, lon0=gazetteer.city.center.lon)
    districts = gazetteer.districts
    city_area = city_area_metres(gazetteer.city, plane)

    # the districts the gazetteer draws: smaller boundaries are cut out of larger ones
    given: dict[str, BaseGeometry] = {
        d.id: _boundary_metres(d, plane) for d in districts if d.boundary
    }
    given = _carve_given(given)

    # the other districts: a point each; a point inside a drawn district keeps a small disc
    free = [d for d in districts if not d.boundary]
    drawn = shapely.union_all(list(given.values())) if given else Polygon()
    swallowed: dict[str, BaseGeometry] = {}
    for d in free:
        point = plane.point(d.location)
        if not drawn.is_empty and drawn.contains(point):
            swallowed[d.id] = point.buffer(SWALLOWED_BUFFER_M, quad_segs=8)
    if swallowed:
        holes = shapely.union_all(list(swallowed.values()))
        given = {k: g.difference(holes) for k, g in given.items()}
        drawn = drawn.union(holes)
    cells = _voronoi_cells([d for d in free if d.id not in swallowed], plane, city_area, drawn)
    cells.update(swallowed)

    areas: dict[str, Area] = {}
    for d in districts:
        metric = given.get(d.id)
        approximate = metric is None
        if metric is None:
            metric = cells[d.id]
        geometry = _rounded(plane.to_degrees(metric))
        if geometry.is_empty:
            # a sliver that rounding erased: fall back to a disc around the point
            disc = plane.point(d.location).buffer(SWALLOWED_BUFFER_M, quad_segs=8)
            geometry = _rounded(plane.to_degrees(disc))
        areas[d.id] = Area(geometry=geometry, approximate=approximate)
    return areas


def city_area(city: City) -> BaseGeometry:
    """The city's outline in lon/lat: its boundary ring, else a circle of ``radius_km``."""
    plane = _Plane(lat0=city.center.lat, lon0=city.center.lon)
    return _rounded(plane.to_degrees(city_area_metres(city, plane)))


def city_area_metres(city: City, plane: _Plane) -> BaseGeometry:
    if len(city.boundary) >= 3:
        ring = Polygon([(p.lon, p.lat) for p in city.boundary])
        return shapely.make_valid(plane.to_metres(ring))
    return plane.point(city.center).buffer(city.radius_km * 1000.0, quad_segs=32)


def _boundary_metres(district: District, plane: _Plane) -> BaseGeometry:
    rings = [ring for ring in district.boundary if len(ring) >= 3]
    polygons = [Polygon([(p.lon, p.lat) for p in ring]) for ring in rings]
    return shapely.make_valid(plane.to_metres(shapely.union_all(polygons)))


def _carve_given(given: dict[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    """Drawn districts must not overlap: each loses what the smaller ones cover."""
    order = sorted(given, key=lambda k: (given[k].area, k))
    carved: dict[str, BaseGeometry] = {}
    taken: BaseGeometry = Polygon()
    for key in order:
        rest = given[key].difference(taken) if not taken.is_empty else given[key]
        # a boundary wholly covered by smaller ones keeps its own shape rather than vanish
        carved[key] = rest if rest.area > 0 else given[key]
        taken = taken.union(given[key])
    return {k: carved[k] for k in given}


def _voronoi_cells(
    districts: list[District], plane: _Plane, city: BaseGeometry, drawn: BaseGeometry
) -> dict[str, BaseGeometry]:
    """Voronoi cells of the district points, clipped to the city area, minus the drawn areas."""
    if not districts:
        return {}
    points = _spread_twins([plane.point(d.location) for d in districts])
    region = _with_lobes(city, points)
    if len(points) == 1:
        cells = [region]
    else:
        extent = region.union(MultiPoint(points)).envelope.buffer(1000.0)
        diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=extent, ordered=True)
        cells = list(diagram.geoms)
    result: dict[str, BaseGeometry] = {}
    for district, cell in zip(districts, cells, strict=True):
        clipped = cell.intersection(region)
        if not drawn.is_empty:
            clipped = clipped.difference(drawn)
        result[district.id] = _polygonal(clipped)
    return _gather_strays(result, dict(zip((d.id for d in districts), points, strict=True)))


def _gather_strays(
    cells: dict[str, BaseGeometry], points: dict[str, ShapelyPoint]
) -> dict[str, BaseGeometry]:
    """A cell that a bend of the outline cut in pieces keeps the piece holding its point.

    Each other piece goes to the neighbour that shares the longest border with it, so that no
    district is drawn as two islands and the cells still cover the same ground.
    """
    result = dict(cells)
    for key in cells:
        geometry = result[key]
        if geometry.geom_type != "MultiPolygon":
            continue
        point = points[key]
        pieces = sorted(geometry.geoms, key=lambda g: (g.distance(point), -g.area))
        kept = [pieces[0]]
        for stray in pieces[1:]:
            # the border shared with each neighbour, measured as the overlap of a thin band
            band = stray.buffer(STRAY_BAND_M, quad_segs=2)
            shared = [
                (band.intersection(other).area, n)
                for n, (other_key, other) in enumerate(result.items())
                if other_key != key and not other.is_empty
            ]
            border, n = max(shared, default=(0.0, -1))
            if border <= 0.0:
                kept.append(stray)  # an island: nobody else can take it
                continue
            neighbour = list(result)[n]
            result[neighbour] = _polygonal(result[neighbour].union(stray))
        result[key] = shapely.union_all(kept)
    return result


def _with_lobes(city: BaseGeometry, points: list[ShapelyPoint]) -> BaseGeometry:
    """The city grown by one lobe per point outside it, each lobe touching the city."""
    inside = [p for p in points if city.contains(p)]
    lobes = []
    for p in points:
        if city.contains(p):
            continue
        distance = city.distance(p)
        radius = min(max(0.5 * distance, LOBE_MIN_RADIUS_M), LOBE_MAX_RADIUS_M)
        # the nearest points inside, in a fixed order when two are as near
        near = sorted(inside, key=lambda q: (q.distance(p), q.x, q.y))[:LOBE_NEIGHBOURS]
        # the nearest spot of the city itself, so that the lobe always meets it broadly
        shore = shapely.ops.nearest_points(city, p)[0]
        parts = [p.buffer(radius, quad_segs=8), shore.buffer(LOBE_SHORE_M, quad_segs=4), *near]
        lobes.append(shapely.union_all(parts).convex_hull)
    return shapely.union_all([city, *lobes]) if lobes else city


def _spread_twins(points: list[ShapelyPoint]) -> list[ShapelyPoint]:
    """Moves points that share a spot a few metres apart, in a fixed pattern, so each has a cell."""
    seen: dict[tuple[int, int], int] = {}
    spread = []
    for p in points:
        key = (round(p.x / TWIN_SPACING_M), round(p.y / TWIN_SPACING_M))
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:
            angle = n * 2.399963  # the golden angle: successive twins never line up
            radius = TWIN_SPACING_M * math.sqrt(n)
            p = ShapelyPoint(p.x + radius * math.cos(angle), p.y + radius * math.sin(angle))
        spread.append(p)
    return spread


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keeps the polygons of a geometry (a clip can leave stray lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else Polygon()


def _rounded(geom: BaseGeometry) -> BaseGeometry:
    """Snaps to a 1e-5 degree grid, keeping the geometry valid and polygonal."""
    snapped = shapely.set_precision(geom, GRID)
    return shapely.normalize(_polygonal(snapped))


__all__ = ["Area", "city_area", "district_areas"]
