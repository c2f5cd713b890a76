"""``suggest NAME [--geocode]``: close entries, a starting YAML entry, an opt-in geocoder.

The network is never used: geopy's Nominatim is replaced by a stand-in, and any socket
connection fails the test.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import geopy.geocoders
import pytest
import yaml
from geopy.exc import GeocoderUnavailable

from pipeline.cli import main
from pipeline.model import Point
from pipeline.suggest import GEOCODE_CACHE, USER_AGENT, geocode_name, suggest_entry

GAZETTEER = str(Path(__file__).parent / "data" / "bad" / "project" / "gazetteer" / "city.yaml")
QUERY = "Masaken Hanano, Aleppo"


class _Place:
    def __init__(self, lat: float, lon: float) -> None:
        self.latitude, self.longitude = lat, lon


class FakeNominatim:
    """Stands for geopy's Nominatim: answers from ``places``, or raises ``failure``."""

    places: dict[str, _Place | None] = {}
    failure: Exception | None = None
    asked: list[str] = []

    def __init__(self, *, user_agent: str, timeout: float) -> None:
        assert user_agent == USER_AGENT and timeout > 0

    def geocode(self, query: str) -> _Place | None:
        FakeNominatim.asked.append(query)
        if FakeNominatim.failure is not None:
            raise FakeNominatim.failure
        return FakeNominatim.places.get(query)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(geopy.geocoders, "Nominatim", FakeNominatim)
    monkeypatch.setattr(FakeNominatim, "places", {})
    monkeypatch.setattr(FakeNominatim, "failure", None)
    monkeypatch.setattr(FakeNominatim, "asked", [])
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))


def cached(tmp_path: Path) -> Any:
    return json.loads((tmp_path / "cache" / GEOCODE_CACHE).read_text(encoding="utf-8"))


def test_offline_gives_one_clear_line_and_caches_nothing(tmp_path: Path) -> None:
    FakeNominatim.failure = GeocoderUnavailable("Max retries exceeded\nwith url: /search")
    point, message = geocode_name(QUERY)
    assert point is None
    assert message == (
        "geocoder: no answer from Nominatim (offline?): Max retries exceeded with url: /search"
    )
    assert not (tmp_path / "cache" / GEOCODE_CACHE).exists()
    # a socket error that geopy lets through says the same
    FakeNominatim.failure = OSError("Network is unreachable")
    assert geocode_name(QUERY) == (
        None, "geocoder: no answer from Nominatim (offline?): Network is unreachable"
    )


def test_an_answer_is_cached_and_not_asked_again(tmp_path: Path) -> None:
    FakeNominatim.places = {QUERY: _Place(36.2276543, 37.2031234), "Nowhere, Aleppo": None}
    assert geocode_name(QUERY) == (
        Point(36.22765, 37.20312), "geocoder: lat 36.22765, lon 37.20312"
    )
    assert geocode_name("Nowhere, Aleppo") == (None, "geocoder: no match")
    assert cached(tmp_path) == {QUERY: {"lat": 36.22765, "lon": 37.20312}, "Nowhere, Aleppo": None}
    # offline now: the cache answers both, the geocoder is not asked
    FakeNominatim.failure = GeocoderUnavailable("offline")
    assert geocode_name(QUERY) == (
        Point(36.22765, 37.20312), "geocoder (cached): lat 36.22765, lon 37.20312"
    )
    assert geocode_name("Nowhere, Aleppo") == (None, "geocoder (cached): no match")
    assert FakeNominatim.asked == [QUERY, "Nowhere, Aleppo"]


def test_a_prefilled_cache_answers_and_a_damaged_one_is_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / GEOCODE_CACHE).write_text(json.dumps({QUERY: {"lat": 36.2, "lon": 37.2}}))
    FakeNominatim.failure = GeocoderUnavailable("offline")
    assert geocode_name(QUERY) == (Point(36.2, 37.2), "geocoder (cached): lat 36.2, lon 37.2")
    assert FakeNominatim.asked == []
    # a damaged cache: asked again, and rewritten whole
    (folder / GEOCODE_CACHE).write_text('{"Masaken Hanano, Aleppo": {"lat": 36.2, "l')
    FakeNominatim.failure = None
    FakeNominatim.places = {QUERY: _Place(36.21, 37.21)}
    assert geocode_name(QUERY) == (Point(36.21, 37.21), "geocoder: lat 36.21, lon 37.21")
    assert cached(tmp_path) == {QUERY: {"lat": 36.21, "lon": 37.21}}
    assert list(folder.iterdir()) == [folder / GEOCODE_CACHE], "no temporary file is left"


def test_the_entry_takes_the_point_when_it_lies_in_the_city() -> None:
    FakeNominatim.places = {QUERY: _Place(36.2277, 37.2032)}
    text = suggest_entry("Masaken Hanano", gazetteer_path=GAZETTEER, geocode=True)
    head, entry = text.split("# a new entry for gazetteer districts (check every field):\n")
    assert head.splitlines() == [
        "name: 'Masaken Hanano'  key: 'masakan hananu'",
        "close entries: none",
        "geocoder: lat 36.2277, lon 37.2032",
    ]
    assert yaml.safe_load(entry) == [
        {
            "id": "masaken-hanano",
            "names": {"en": "Masaken Hanano", "fr": "Masaken Hanano", "ar": ""},
            "aliases": [],
            "location": {"lat": 36.2277, "lon": 37.2032},
            "baseline": "government",
        }
    ]


def test_a_point_far_from_the_city_is_not_used() -> None:
    # Nominatim found a place of that name in another country
    FakeNominatim.places = {QUERY: _Place(48.8566, 2.3522)}
    text = suggest_entry("Masaken Hanano", gazetteer_path=GAZETTEER, geocode=True)
    assert "geocoder: lat 48.8566, lon 2.3522\nthe point lies 3144 km from the city centre, " \
        "outside radius_km 12: another place of that name? (not used below)" in text
    assert "lat: null" in text


def test_without_geocode_the_geocoder_is_never_asked() -> None:
    text = suggest_entry("Masaken Hanano", gazetteer_path=GAZETTEER)
    assert "geocoder" not in text
    assert FakeNominatim.asked == []


def test_a_known_name_resolves_and_a_close_one_gets_suggestions() -> None:
    known = suggest_entry("Boustan al-Bacha", gazetteer_path=GAZETTEER, geocode=True)
    assert known.splitlines() == [
        "name: 'Boustan al-Bacha'  key: 'bustan bash'",
        "already resolves: district bustan-al-basha",
    ]
    assert "close entries: qadi-askar" in suggest_entry("Qadi Askr", gazetteer_path=GAZETTEER)
    assert FakeNominatim.asked == []


def test_the_command_prints_the_offline_line_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    FakeNominatim.failure = GeocoderUnavailable("[Errno -3] Temporary failure in name resolution")
    assert main(["suggest", "Masaken Hanano", "--geocode", "--gazetteer", GAZETTEER]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert (
        "geocoder: no answer from Nominatim (offline?): [Errno -3] Temporary failure in name "
        "resolution" in out.splitlines()
    )
    assert FakeNominatim.asked == [QUERY]
