"""District areas: one non-empty area per district, no overlaps, the city covered."""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import pytest
import shapely
from builders import make_gazetteer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point as ShapelyPoint

from pipeline.geometry import LOBE_MIN_RADIUS_M, Area, city_area, district_areas
from pipeline.model import District, Gazetteer, Point

ROOT = Path(__file__).resolve().parents[1]
# a few metres, in square degrees at Aleppo's latitude (1 m² ~ 1e-10 deg²)
TINY = 1e-8
KM2 = 111.2 * 111.2 * math.cos(math.radians(36.2))  # square kilometres in a square degree


def with_districts(gazetteer: Gazetteer, districts: list[District], **city: object) -> Gazetteer:
    return dataclasses.replace(
        gazetteer,
        districts=tuple(districts),
        city=dataclasses.replace(gazetteer.city, **city),  # type: ignore[arg-type]
    )


def make_district(
    district_id: str, lat: float, lon: float, *, boundary: list[tuple[float, float]] | None = None
) -> District:
    ring = tuple(Point(la, lo) for la, lo in boundary) if boundary else None
    return District(
        id=district_id,
        names={"fr": district_id, "en": district_id, "ar": district_id},
        aliases=(),
        location=Point(lat, lon),
        baseline={"rebels": 1.0},
        boundary=(ring,) if ring else (),
    )


def square(lat: float, lon: float, half: float) -> list[tuple[float, float]]:
    south, north, west, east = lat - half, lat + half, lon - half, lon + half
    return [(south, west), (south, east), (north, east), (north, west)]


def overlap(areas: dict[str, Area]) -> float:
    geoms = [a.geometry for a in areas.values()]
    return sum(a.intersection(b).area for a, b in itertools.combinations(geoms, 2))


def assert_partition(gazetteer: Gazetteer, areas: dict[str, Area]) -> None:
    assert list(areas) == [d.id for d in gazetteer.districts]
    for district_id, area in areas.items():
        assert area.geometry.geom_type in ("Polygon", "MultiPolygon"), district_id
        assert area.geometry.is_valid, district_id
        assert area.geometry.area > 0, district_id
    assert overlap(areas) < TINY


def assert_holds_its_point(gazetteer: Gazetteer, areas: dict[str, Area]) -> None:
    # within a metre or two: the grid of five decimals may move a border that much
    for d in gazetteer.districts:
        here = ShapelyPoint(d.location.lon, d.location.lat)
        assert areas[d.id].geometry.distance(here) < 2e-5, d.id


def union_of(areas: dict[str, Area]) -> shapely.Geometry:
    # grown by one step of the five-decimal grid (about a metre): rounding each area on its
    # own may open a hairline seam between two of them, which is no gap a reader can see
    return shapely.union_all([a.geometry for a in areas.values()]).buffer(1e-5, quad_segs=2)


def test_every_district_gets_one_area_and_they_do_not_overlap() -> None:
    gazetteer = make_gazetteer()
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    assert all(a.approximate for a in areas.values())


def test_the_areas_cover_the_city_circle() -> None:
    gazetteer = make_gazetteer()
    areas = district_areas(gazetteer)
    union = shapely.union_all([a.geometry for a in areas.values()])
    city = city_area(gazetteer.city)
    assert abs(union.area - city.area) / city.area < 1e-3
    assert union.symmetric_difference(city).area / city.area < 1e-3
    # 12 km of radius: about 452 km², in square degrees at 36° north
    km2 = city.area * (111.2 * 111.2 * math.cos(math.radians(36.2)))
    assert 440 < km2 < 460


def test_each_cell_holds_its_own_point() -> None:
    gazetteer = make_gazetteer()
    assert_holds_its_point(gazetteer, district_areas(gazetteer))


def test_the_city_boundary_clips_the_cells() -> None:
    # a 2 km square around the centre instead of the 12 km circle
    ring = square(36.2021, 37.1580, 0.02)
    base = make_gazetteer()
    gazetteer = with_districts(
        base,
        [
            make_district("a", 36.195, 37.150),
            make_district("b", 36.210, 37.165),
            make_district("c", 36.190, 37.170),
        ],
        boundary=tuple(Point(la, lo) for la, lo in ring),
    )
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    union = shapely.union_all([a.geometry for a in areas.values()])
    assert abs(union.area - 0.04 * 0.04) < 1e-7


def test_a_point_outside_the_city_gets_a_cell_joined_to_the_city() -> None:
    ring = square(36.2021, 37.1580, 0.02)
    base = make_gazetteer()
    far = make_district("far", 36.2021, 37.1580 + 0.05)  # ~2.7 km east of the square
    gazetteer = with_districts(
        base,
        [make_district("a", 36.195, 37.150), make_district("b", 36.210, 37.165), far],
        boundary=tuple(Point(la, lo) for la, lo in ring),
    )
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    outside = areas["far"].geometry
    assert outside.contains(ShapelyPoint(far.location.lon, far.location.lat))
    assert outside.geom_type == "Polygon"
    # more than the smallest lobe's disc, and sharing a border with the district inside
    disc_km2 = math.pi * (LOBE_MIN_RADIUS_M / 1000) ** 2
    assert outside.area * KM2 > 1.5 * disc_km2
    assert outside.intersection(areas["b"].geometry).length > 0.005  # ~500 m of border
    assert union_of(areas).geom_type == "Polygon"
    assert areas["far"].approximate


def test_a_cell_cut_by_a_bend_of_the_outline_stays_in_one_piece() -> None:
    # a U-shaped city: the point in the gap between the arms sees both arms
    ring = [(36.18, 37.13), (36.18, 37.19), (36.22, 37.19), (36.22, 37.175),
            (36.19, 37.175), (36.19, 37.145), (36.22, 37.145), (36.22, 37.13)]
    base = make_gazetteer()
    gazetteer = with_districts(
        base,
        [
            make_district("west-arm", 36.205, 37.137),
            make_district("east-arm", 36.205, 37.183),
            make_district("bottom", 36.184, 37.160),
            make_district("gap", 36.215, 37.160),
        ],
        boundary=tuple(Point(la, lo) for la, lo in ring),
    )
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    assert_holds_its_point(gazetteer, areas)
    assert all(a.geometry.geom_type == "Polygon" for a in areas.values())
    assert union_of(areas).geom_type == "Polygon"


def test_the_real_gazetteer_gives_joined_areas_of_a_sensible_size() -> None:
    gazetteer_module = pytest.importorskip("pipeline.gazetteer")
    gazetteer = gazetteer_module.load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    assert_holds_its_point(gazetteer, areas)
    assert union_of(areas).geom_type == "Polygon"  # one city, no islands
    outline = city_area(gazetteer.city)
    outside = [
        d.id
        for d in gazetteer.districts
        if not outline.contains(ShapelyPoint(d.location.lon, d.location.lat))
    ]
    assert outside  # the outline leaves some industrial zones and a camp out
    for district_id in outside:
        geometry = areas[district_id].geometry
        assert geometry.geom_type == "Polygon", district_id
        assert geometry.area * KM2 > 1.0, district_id  # not a small disc: a square km or more
    # the smallest area, a landmark of the old city, is still more than a few blocks
    assert min(a.geometry.area for a in areas.values()) * KM2 > 0.05


def test_two_districts_on_one_spot_both_get_an_area() -> None:
    base = make_gazetteer()
    gazetteer = with_districts(
        base,
        [
            make_district("a", 36.20, 37.15),
            make_district("twin", 36.20, 37.15),
            make_district("b", 36.22, 37.17),
        ],
    )
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)


def test_a_given_boundary_is_kept_and_cut_out_of_its_neighbours() -> None:
    base = make_gazetteer()
    drawn = square(36.205, 37.160, 0.004)
    gazetteer = with_districts(
        base,
        [
            make_district("drawn", 36.205, 37.160, boundary=drawn),
            make_district("west", 36.205, 37.150),
            make_district("east", 36.205, 37.170),
        ],
    )
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    assert areas["drawn"].approximate is False
    assert areas["west"].approximate is True
    expected = shapely.Polygon([(lo, la) for la, lo in drawn])
    assert areas["drawn"].geometry.symmetric_difference(expected).area < 1e-9
    for neighbour in ("west", "east"):
        assert areas[neighbour].geometry.intersection(expected).area < 1e-10


def test_a_point_inside_another_districts_boundary_gets_a_small_disc() -> None:
    base = make_gazetteer()
    drawn = square(36.205, 37.160, 0.01)
    citadel = make_district("citadel", 36.2055, 37.1605)
    gazetteer = with_districts(
        base,
        [
            make_district("old-city", 36.205, 37.160, boundary=drawn),
            citadel,
            make_district("east", 36.205, 37.190),
        ],
    )
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    here = ShapelyPoint(citadel.location.lon, citadel.location.lat)
    assert areas["citadel"].geometry.contains(here)
    assert areas["old-city"].geometry.area < shapely.Polygon([(lo, la) for la, lo in drawn]).area


def test_nested_boundaries_do_not_overlap() -> None:
    base = make_gazetteer()
    gazetteer = with_districts(
        base,
        [
            make_district("big", 36.205, 37.160, boundary=square(36.205, 37.160, 0.01)),
            make_district("small", 36.205, 37.160, boundary=square(36.205, 37.160, 0.002)),
            make_district("free", 36.230, 37.190),
        ],
    )
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)


def test_coordinates_are_rounded_to_five_decimals() -> None:
    areas = district_areas(make_gazetteer())
    for area in areas.values():
        coords = shapely.get_coordinates(area.geometry)
        assert (abs(coords * 1e5 - (coords * 1e5).round()) < 1e-6).all()


def test_areas_are_the_same_on_every_run() -> None:
    first = district_areas(make_gazetteer())
    second = district_areas(make_gazetteer())
    assert {k: v.geometry.wkb for k, v in first.items()} == {
        k: v.geometry.wkb for k, v in second.items()
    }


points = st.lists(
    st.tuples(st.floats(-0.08, 0.08), st.floats(-0.08, 0.08)), min_size=2, max_size=40
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points)
def test_any_set_of_points_gives_a_partition(offsets: list[tuple[float, float]]) -> None:
    base = make_gazetteer()
    districts = [
        make_district(f"d{i}", 36.2021 + dy, 37.1580 + dx) for i, (dy, dx) in enumerate(offsets)
    ]
    gazetteer = with_districts(base, districts)
    assert_partition(gazetteer, district_areas(gazetteer))


# distinct points on a grid of about 100 m, so that none is a twin moved aside
grid_points = st.lists(
    st.tuples(st.integers(-80, 80), st.integers(-80, 80)), min_size=2, max_size=40, unique=True
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid_points)
def test_points_around_a_small_outline_give_one_joined_partition(
    steps: list[tuple[int, int]],
) -> None:
    # a 4 km square: most points fall outside it and need lobes
    base = make_gazetteer()
    districts = [
        make_district(f"d{i}", 36.2021 + dy / 1000, 37.1580 + dx / 1000)
        for i, (dy, dx) in enumerate(steps)
    ]
    ring = square(36.2021, 37.1580, 0.02)
    gazetteer = with_districts(base, districts, boundary=tuple(Point(la, lo) for la, lo in ring))
    areas = district_areas(gazetteer)
    assert_partition(gazetteer, areas)
    assert_holds_its_point(gazetteer, areas)
    assert union_of(areas).geom_type == "Polygon"
