"""The gazetteer: loading with every problem at once, and names matched in text."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import can_build_extension
from pipeline._errors import InputError
from pipeline.gazetteer import Matcher, Mention, distance_km, load_gazetteer
from pipeline.model import Gazetteer, Point
from pipeline.normalize import joins_name, name_tokens, starts_capital, tokenize

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "gazetteer"
SMALL = DATA / "small.yaml"
REAL = ROOT / "gazetteer" / "aleppo.yaml"


def write_yaml(folder: Path, text: str, name: str = "g.yaml") -> str:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


def problems_of(path: str | Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_gazetteer(path)
    return [str(p) for p in caught.value.problems]


# a valid gazetteer of two districts; tests append or change lines of it
MINIMAL = """
city:
  id: aleppo
  names: {en: Aleppo, fr: Alep, ar: حلب}
  center: {lat: 36.2021, lon: 37.1580}
  radius_km: 12
sides:
  government: {label: {fr: Armée}, color: "#d55e00", actors: [armée]}
  rebels: {label: {fr: Rebelles}, color: "#0072b2", actors: [rebelles]}
baseline: {date: 2016-09-21}
districts:
  - id: qadi-askar
    names: {en: Qadi Askar, fr: Qadi Askar, ar: قاضي عسكر}
    location: {lat: 36.2019, lon: 37.1742}
    baseline: rebels
  - id: al-shaar
    names: {en: ash-Sha'ar, fr: Chaar, ar: الشعار}
    location: {lat: 36.2090, lon: 37.1854}
    baseline: rebels
"""


@pytest.fixture(scope="module")
def small() -> Gazetteer:
    return load_gazetteer(SMALL)


@pytest.fixture(scope="module")
def matcher(small: Gazetteer) -> Matcher:
    return Matcher(small)


@pytest.fixture(scope="module")
def real() -> Gazetteer:
    return load_gazetteer(REAL)


# --- loading --------------------------------------------------------------------------------


def test_small_fixture_loads(small: Gazetteer) -> None:
    assert small.city.id == "aleppo"
    assert small.city.outside[:2] == ("Homs", "Waer")
    assert list(small.sides) == ["government", "rebels", "kurdish"]
    assert small.sides["rebels"].color == "#0072b2"
    assert small.baseline_date.isoformat() == "2016-09-21"
    assert len(small.districts) == 20
    assert small.credit.startswith("Neighbourhoods: Columbia")
    amiriya = small.district("al-amiriya")
    assert amiriya.baseline == {"rebels": 0.6, "government": 0.4}
    assert small.district("qadi-askar").baseline == {"rebels": 1.0}
    assert small.district("ramouseh").kind == "industrial"
    # District.line is the line of the entry
    assert small.district("bustan-al-basha").line == 27
    # the group's members come from the districts' part_of
    assert small.groups[0].id == "old-city"
    assert small.groups[0].members == ("al-farafra", "souq-al-madina")
    # a boundary from a GeoJSON file ([lon, lat]) and one written in the YAML
    farafra = small.district("al-farafra").boundary
    assert len(farafra) == 1 and farafra[0][0] == Point(lat=36.2035, lon=37.157)
    assert len(small.district("souq-al-madina").boundary[0]) == 4


def test_version_is_the_hash_of_the_file_and_its_boundary_files(
    small: Gazetteer, tmp_path: Path
) -> None:
    expected = hashlib.sha256(SMALL.read_bytes())
    geojson = (DATA / "farafra.geojson").read_bytes()
    expected.update(b"\0farafra.geojson\0" + geojson)
    assert small.version == expected.hexdigest()
    # a changed boundary file changes the version
    shutil.copy(SMALL, tmp_path / "small.yaml")
    (tmp_path / "farafra.geojson").write_bytes(geojson.replace(b"37.1620", b"37.1625"))
    assert load_gazetteer(tmp_path / "small.yaml").version != small.version


def test_every_problem_of_a_bad_file_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # messages name the path as given: relative here
    monkeypatch.chdir(ROOT)
    bad = "tests/data/gazetteer/bad.yaml"
    assert problems_of(bad) == [
        f"{bad}:3: city: id must be a lowercase slug of a-z, 0-9 and '-', got 'Aleppo'",
        f"{bad}:7: city: outside name 'Qadi Askar' normalises to 'kadi askar' like district "
        "'Qadi_Askar''s name 'Qadi Askar' (line 16); a place elsewhere cannot share it",
        f"{bad}:9: side 'government': color must be a colour written #rrggbb, got 'red'",
        f"{bad}:11: baseline: date is not a real date: '2016-02-30'",
        f"{bad}:15: district 'Qadi_Askar': id must be a lowercase slug of a-z, 0-9 and '-', "
        "got 'Qadi_Askar'",
        f"{bad}:21: district 'al-shaar': location.lat must be a number, got 'abc'",
        f"{bad}:25: district 'al-sukkari': location.lat must be a finite number, got nan",
        f"{bad}:29: district 'sheikh-saeed': location has lat and lon swapped: lat 37.1558 "
        "lon 36.1646 lies 138 km from the city centre, lat 36.1646 lon 37.1558 would lie "
        "inside radius_km",
        f"{bad}:33: district 'al-bab': location lies 37.1 km from the city centre, outside "
        "radius_km 12 (lat 36.3705, lon 37.5157)",
        f"{bad}:38: district 'ramouseh': baseline names an unknown side 'rebel' "
        "(sides: government, rebels)",
        f"{bad}:42: district 'al-amiriyeh': baseline shares must sum to 1, got 0.9",
        f"{bad}:46: district 'al-kallaseh': baseline.government must be a share between "
        "0 and 1, got -0.2",
        f"{bad}:46: district 'al-kallaseh': baseline.rebels must be a share between 0 and 1, "
        "got 1.2",
        f"{bad}:51: district 'al-farafra': part_of names an unknown group 'old-cty' "
        "(groups: old-city)",
        f"{bad}:56: district 'souq-al-madina': boundary is not a valid polygon: "
        "Self-intersection[37.1585 36.19825]",
        f"{bad}:65: district 'bustan-al-basha': boundary file 'missing.geojson' not found "
        "(looked for 'tests/data/gazetteer/missing.geojson')",
        f"{bad}:67: district 'bostan-pasha': name 'Bostan Pasha' normalises to 'bustan bash' "
        "like district 'bustan-al-basha''s name 'Bustan al-Basha' (line 62); one of them must "
        "change",
        f"{bad}:67: district 'bostan-pasha': name 'بستان باشا' normalises to 'بستان باشا' "
        "like district 'bustan-al-basha''s name 'بستان الباشا' (line 62); one of them must "
        "change",
        f"{bad}:71: district 'al-shaar': id is a duplicate: district 'al-shaar' is already "
        "defined at line 19",
        f"{bad}:76: district 'hanano': names.ar is missing",
        f"{bad}:77: district 'hanano': location must be a mapping {{lat: .., lon: ..}}, "
        "got [36.2277, 37.2032]",
        f"{bad}:79: district 'hanano': kind must be one of district, landmark, industrial, "
        "camp, got 'suburb'",
    ]


def test_the_minimal_gazetteer_is_valid(tmp_path: Path) -> None:
    gazetteer = load_gazetteer(write_yaml(tmp_path, MINIMAL))
    assert [d.id for d in gazetteer.districts] == ["qadi-askar", "al-shaar"]
    assert gazetteer.groups == ()
    assert gazetteer.city.aliases == ()


def test_malformed_yaml_gives_its_line(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, MINIMAL.replace("radius_km: 12", "radius_km: [12"))
    assert problems_of(path) == [
        f"{path}:6: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence "
        "that starts at line 5"
    ]


def test_a_duplicate_key_is_a_problem(tmp_path: Path) -> None:
    text = MINIMAL.replace("  radius_km: 12\n", "  radius_km: 12\n  radius_km: 13\n")
    path = write_yaml(tmp_path, text)
    assert problems_of(path) == [f"{path}:6: duplicate key 'radius_km' (first at line 5)"]


def test_missing_core_keys(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "credit: nothing else\n")
    assert problems_of(path) == [
        f"{path}:1: baseline is missing",
        f"{path}:1: city is missing",
        f"{path}:1: districts is missing",
        f"{path}:1: sides is missing",
    ]


def test_mistyped_core_keys(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("radius_km: 12", "radius_km: twelve")
        .replace("baseline: {date: 2016-09-21}", "baseline: {date: 21/09/2016}")
        .replace('color: "#0072b2"', "color: 0072b2")
    )
    path = write_yaml(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:5: city: radius_km must be a number, got 'twelve'",
        f"{path}:8: side 'rebels': color must be a colour written #rrggbb, got '0072b2'",
        f"{path}:9: baseline: date must be an ISO date YYYY-MM-DD, got '21/09/2016'",
    ]


def test_a_top_level_list_is_refused(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, "- one\n- two\n")
    assert problems_of(path) == [
        f"{path}:1: the gazetteer must be a mapping with city, sides, baseline and districts"
    ]


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "none.yaml") == [f"{tmp_path / 'none.yaml'}:1: file not found"]
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("city:\n  id: aleppo\n  names: {fr: Alep, en: Alépo}\n".encode("latin-1"))
    assert problems_of(bad) == [
        f"{bad}:3: not valid UTF-8: byte 0xe9 at offset 45 (save the file as UTF-8)"
    ]


def test_names_that_normalise_alike_name_both_entries(tmp_path: Path) -> None:
    text = MINIMAL.replace("fr: Chaar,", "fr: Kadi Askar,")
    path = write_yaml(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:16: district 'al-shaar': name 'Kadi Askar' normalises to 'kadi askar' like "
        "district 'qadi-askar''s name 'Qadi Askar' (line 12); one of them must change"
    ]


def test_an_alias_may_repeat_a_name_of_its_own_entry(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    baseline: rebels\n  - id: al-shaar",
        "    aliases: [Kadi Askar, QADI ASKAR]\n    baseline: rebels\n  - id: al-shaar",
    )
    district = load_gazetteer(write_yaml(tmp_path, text)).district("qadi-askar")
    assert district.aliases == ("Kadi Askar", "QADI ASKAR")


def test_groups_and_districts_may_not_share_names_or_ids(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "districts:\n",
        "groups:\n  - {id: al-shaar, names: {fr: Chaar}}\ndistricts:\n",
    )
    path = write_yaml(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:11: group 'al-shaar': id is also the id of a district (line 17); ids must differ",
        f"{path}:18: district 'al-shaar': name \"ash-Sha'ar\" normalises to 'shar' like group "
        "'al-shaar''s name 'Chaar' (line 11); one of them must change",
    ]


def test_boundary_problems(tmp_path: Path) -> None:
    (tmp_path / "notjson.geojson").write_text("{not json", encoding="utf-8")
    point = '{"type": "Point", "coordinates": [37.17, 36.2]}'
    (tmp_path / "point.geojson").write_text(point, encoding="utf-8")
    text = MINIMAL.replace(
        "    location: {lat: 36.2019, lon: 37.1742}\n",
        "    location: {lat: 36.2019, lon: 37.1742}\n    boundary: notjson.geojson\n",
    ).replace(
        "    location: {lat: 36.2090, lon: 37.1854}\n",
        "    location: {lat: 36.2090, lon: 37.1854}\n"
        "    boundary:\n"
        "      - [{lat: 36.20, lon: 37.18}, {lat: 36.21, lon: 37.18}]\n"
        "      - [{lat: 37.20, lon: 36.18}, {lat: 37.21, lon: 36.18}, {lat: 37.21, lon: 36.19}]\n"
        "      - [{lat: 36.20, lon: 37.17}, {lat: 36.205, lon: 37.17},\n"
        "         {lat: 36.205, lon: 37.175}]\n",
    )
    path = write_yaml(tmp_path, text)
    problems = problems_of(path)
    assert problems[0].startswith(
        f"{path}:14: district 'qadi-askar': boundary file 'notjson.geojson' is not a GeoJSON "
        "polygon: "
    )
    assert problems[1:] == [
        f"{path}:18: district 'al-shaar': location lies outside its boundary "
        "(lat 36.209, lon 37.1854)",
        f"{path}:20: district 'al-shaar': boundary[0] needs at least 3 distinct points, got 2",
        f"{path}:21: district 'al-shaar': boundary[1] has lat and lon swapped: swapped, it would "
        "lie inside radius_km",
    ]
    text = MINIMAL.replace(
        "    baseline: rebels\n  - id: al-shaar",
        "    baseline: rebels\n    boundary: point.geojson\n  - id: al-shaar",
    )
    point = write_yaml(tmp_path, text, "p.yaml")
    assert problems_of(point) == [
        f"{point}:15: district 'qadi-askar': boundary file 'point.geojson' is not a GeoJSON "
        "polygon: expected a Polygon, MultiPolygon, Feature or FeatureCollection, got type 'Point'"
    ]


def test_the_real_gazetteer_loads(real: Gazetteer) -> None:
    assert len(real.districts) >= 120
    for district in real.districts:
        assert {"en", "fr", "ar"} <= set(district.names), district.id
        assert distance_km(real.city.center, district.location) <= real.city.radius_km, district.id
        assert abs(sum(district.baseline.values()) - 1) < 1e-9
        assert set(district.baseline) <= set(real.sides)


# --- resolving names ------------------------------------------------------------------------

# the seed articles' spellings, with the point of the district they name (CSR centroids)
SEED_SPELLINGS = [
    ("Boustan al Bacha", 36.2251, 37.1655, 700),
    ("Bustan al-Basha", 36.2251, 37.1655, 700),
    ("Qadi Askar", 36.2019, 37.1742, 700),
    ("Karam al-Myessar", 36.1959, 37.1891, 700),
    ("Karam al-Tahhan", 36.1958, 37.1804, 700),
    ("Karam al-Qatarji", 36.2018, 37.1818, 700),
    ("Chaar", 36.2090, 37.1854, 700),
    ("Amiriya", 36.1707, 37.1261, 700),
    ("Soukkari", 36.1750, 37.1425, 700),
    ("Cheikh Saïd", 36.1646, 37.1558, 700),
    ("Ramoussa", 36.1540, 37.1310, 1500),
    ("Kallassé", 36.1937, 37.1489, 700),
    ("Maadi", 36.1926, 37.1642, 700),
]
ELSEWHERE = ["Waer", "Inkhel", "Ghouta orientale", "Al-Bab"]


@pytest.mark.parametrize(("name", "lat", "lon", "tolerance_m"), SEED_SPELLINGS)
def test_seed_spellings_resolve_to_the_right_district(
    real: Gazetteer, name: str, lat: float, lon: float, tolerance_m: float
) -> None:
    mention = Matcher(real).resolve(name)
    assert mention is not None and mention.kind == "district", name
    district = real.district(mention.target)
    assert distance_km(district.location, Point(lat, lon)) * 1000 <= tolerance_m


@pytest.mark.parametrize("name", ELSEWHERE)
def test_places_elsewhere_never_resolve_to_a_district(
    real: Gazetteer, small: Gazetteer, name: str
) -> None:
    for gazetteer in (real, small):
        mention = Matcher(gazetteer).resolve(name)
        assert mention is None or mention.kind == "outside"


def test_places_elsewhere_in_the_seed_text_find_no_district(real: Gazetteer) -> None:
    text = (ROOT / "seeds" / "004_4619473787047ac2.txt").read_text(encoding="utf-8")
    found = Matcher(real).find(text)
    districts = {m.surface for m in found if m.kind == "district"}
    assert districts == {"Amiriya", "Soukkari", "Cheikh Saïd", "Ramoussa"}
    assert not any(name in m.surface for m in found if m.kind == "district" for name in ELSEWHERE)


def test_resolve_a_bare_name(matcher: Matcher) -> None:
    basha = "bustan-al-basha"
    for name in ("Boustan al Bacha", "بستان الباشا"):
        assert matcher.resolve(name) == Mention(0, len(name), name, "district", basha)
    assert matcher.resolve("vieille ville") == Mention(0, 13, "vieille ville", "group", "old-city")
    assert matcher.resolve("Alep-Est") == Mention(0, 8, "Alep-Est", "city", "aleppo")
    assert matcher.resolve("Al-Bab") == Mention(0, 6, "Al-Bab", "outside", "Al-Bab")
    assert matcher.resolve(basha) == Mention(0, 15, basha, "district", basha)
    # the whole name must match
    assert matcher.resolve("Boustan") is None
    assert matcher.resolve("quartier de Chaar") is None
    assert matcher.resolve("") is None


def test_suggest_close_district_ids(matcher: Matcher) -> None:
    assert matcher.suggest("Boustan")[0] == "bustan-al-basha"
    assert matcher.suggest("Karm al-Myasar") == ["karm-al-myassar"]
    assert matcher.suggest("Soukari", limit=1) == ["al-sukkari"]
    assert matcher.suggest("Qadi Askr")[0] == "qadi-askar"
    assert matcher.suggest("Genève") == []
    assert matcher.suggest("") == []


def test_members_of_a_group(matcher: Matcher) -> None:
    assert matcher.members("old-city") == ("al-farafra", "souq-al-madina")
    with pytest.raises(KeyError):
        matcher.members("new-city")


# --- finding names in text ------------------------------------------------------------------


def spans(matcher: Matcher, text: str) -> list[tuple[str, str, str]]:
    return [(m.surface, m.kind, m.target) for m in matcher.find(text)]


def test_find_gives_exact_spans_sorted(matcher: Matcher) -> None:
    text = "Les forces ont pris la totalité du quartier de Qadi Askar, puis Karam al-Myessar."
    found = matcher.find(text)
    assert [(m.start, m.end) for m in found] == [(47, 57), (64, 80)]
    assert [text[m.start : m.end] for m in found] == ["Qadi Askar", "Karam al-Myessar"]
    assert [m.target for m in found] == ["qadi-askar", "karm-al-myassar"]


def test_find_lists_and_elisions(matcher: Matcher) -> None:
    text = "«Ils veulent prendre les quartiers d'Amiriya, de Soukkari et de Cheikh Saïd»"
    assert spans(matcher, text) == [
        ("Amiriya", "district", "al-amiriya"),
        ("Soukkari", "district", "al-sukkari"),
        ("Cheikh Saïd", "district", "sheikh-saeed"),
    ]


def test_the_longest_name_wins(matcher: Matcher) -> None:
    assert spans(matcher, "près de Tariq al-Bab") == [("Tariq al-Bab", "district", "tariq-al-bab")]
    assert spans(matcher, "la ville d'Al-Bab") == [("Al-Bab", "outside", "Al-Bab")]
    assert spans(matcher, "Sakhour I et Sakhour") == [
        ("Sakhour I", "district", "as-sakhour-i"),
        ("Sakhour", "district", "as-sakhour"),
    ]
    ghouta = "Ghouta orientale"
    assert spans(matcher, "la Ghouta orientale") == [(ghouta, "outside", ghouta)]
    assert spans(matcher, "à Alep-Est") == [("Alep-Est", "city", "aleppo")]
    assert spans(matcher, "la caserne Hanano, Hanano") == [
        ("caserne Hanano", "district", "hanano-barrack"),
        ("Hanano", "district", "hanano"),
    ]


def test_the_article_is_part_of_the_span(matcher: Matcher) -> None:
    assert spans(matcher, "vers al-Chaar") == [("al-Chaar", "district", "al-shaar")]
    assert spans(matcher, "vers el Chaar") == [("el Chaar", "district", "al-shaar")]
    assert spans(matcher, "le quartier d'as-Sukkari") == [("as-Sukkari", "district", "al-sukkari")]
    # "et" before a name is French, not an article
    assert spans(matcher, "Soukkari et Chaar")[1] == ("Chaar", "district", "al-shaar")


def test_word_boundaries_and_punctuation(matcher: Matcher) -> None:
    assert spans(matcher, "les Alepins et Chaaraoui") == []
    assert spans(matcher, "Sakhour. I") == [("Sakhour", "district", "as-sakhour")]
    broken = "Karam al-\nMyessar"
    assert spans(matcher, broken) == [(broken, "district", "karm-al-myassar")]
    assert spans(matcher, "Karam\n\nal-Myessar") == []


def test_case_tells_names_from_french_words(matcher: Matcher) -> None:
    # "celles" has the key of "Kallassé", but a proper name is capitalised
    assert spans(matcher, "celles-ci et Kallassé") == [("Kallassé", "district", "al-kallaseh")]
    # a name the gazetteer writes in lower case is found in either case
    assert spans(matcher, "la vieille ville et la Vieille ville") == [
        ("vieille ville", "group", "old-city"),
        ("Vieille ville", "group", "old-city"),
    ]


def test_arabic_script_is_found(matcher: Matcher) -> None:
    assert spans(matcher, "سيطر الجيش على بستان الباشا و حلب") == [
        ("بستان الباشا", "district", "bustan-al-basha"),
        ("حلب", "city", "aleppo"),
    ]


def test_find_remembers_nothing_wrong_between_texts(small: Gazetteer) -> None:
    matcher = Matcher(small)
    first = matcher.find("Chaar, puis Chaar.")
    assert [m.start for m in first] == [0, 12]
    assert [m.start for m in matcher.find("X Chaar, puis")] == [2]
    assert matcher.find("Chaar") == [Mention(0, 5, "Chaar", "district", "al-shaar")]


def test_find_remembers_whole_pieces_of_text_only(real: Gazetteer) -> None:
    # the check read "ce" after "Karaz Dada" once: "cemetery" begins so, but is another word
    matcher = Matcher(real)
    assert spans(matcher, "le quartier de Karaz Dada ce matin")[0][0] == "Karaz Dada"
    cemetery = ("Karaz Dada cemetery", "district", "karazdada-cemetery")
    assert spans(matcher, "le quartier de Karaz Dada cemetery.")[:1] == [cemetery]


def test_what_follows_a_name_read_once_never_changes_the_next_answer(real: Gazetteer) -> None:
    # one matcher: after the first text, the same names come back with other words, closing
    # marks, line breaks and articles after them; the matcher answers most of these from
    # what it read the first time, and every answer must be the definition's
    matcher = Matcher(real)
    texts = [
        "Karm al-Myessar samedi", "Karm al-Myessar vendredi", "Karm al-Myessar, puis",
        "Karm al-Myessar.", "(Karm al-Myessar)", "Karm al", "Karm al Myessar",
        "Karm al-Myessar al-Jadid", "Karm\n\nal-Myessar", "Karm - al-Myessar", "Karm- al-Myessar",
        "Karm»",
        "Chaar. Puis Chaar; Chaar! Chaar", "Chaar, al-Chaar: Chaar)", "Bab an-Nairab» et Bab",
        "Hamdaniyeh II, Hamdaniyeh III; Hamdaniyeh ville", "Sakhour I.", "Sakhour Ier",
    ]
    for text in texts:
        assert matcher.find(text) == find_by_definition(real, text), text
    assert [m.surface for m in matcher.find("Karm al-Myessar jeudi")] == ["Karm al-Myessar"]


def test_what_follows_a_later_word_of_a_name_never_changes_the_next_answer(
    real: Gazetteer,
) -> None:
    # the same, a piece further on: after "Karm al-Tahhan samedi", the matcher answers a
    # later piece ending in closing marks, or an article or elision after a word that ends
    # every name through it, from what it read; after a word that some name goes on from
    # ("Bab", "Sheikh"), it reads again
    matcher = Matcher(real)
    texts = [
        "Karm al-Tahhan samedi", "Karm al-Tahhan.", "Karm al-Tahhan, puis", "Karm al-Tahhan»",
        "Karm al-Tahhan et une", "Karm al-Tahhan et-Tal", "Karm al-Tahhan d'Alep",
        "Karm al-Tahhan al-Jadid", "Karm at-Tahhan et", "Karm et Tahhan", "Karm at Tahhan.",
        "Karm al-\nTahhan", "Karm al- Tahhan", "Karm al-, Tahhan",
        "Bab an-Nairab samedi", "Bab an-Nairab.", "Bab et an-Nairab", "Bab al-Hadid et",
        "Sheikh Maqsoud samedi", "Sheikh Maqsoud et Sheikh Saïd", "Sheikh et Maqsoud",
        "Sheikh Maqsoud, d'Alep", "Cheikh Saïd! Cheikh Saïd; l'Cheikh Saïd",
        "Hamdaniyeh samedi", "Hamdaniyeh II. Hamdaniyeh et II", "Hamdaniyeh d'II",
    ]
    for text in texts:
        assert matcher.find(text) == find_by_definition(real, text), text


def test_what_stands_before_a_name_read_once_never_changes_the_next_answer(
    real: Gazetteer,
) -> None:
    # the matcher remembers a place by its piece and by what stands before it, told from a
    # short look back: a plain word, an article written apart ("al Chaar"), an elision, a
    # hyphen; the same piece after each must keep its own answer
    matcher = Matcher(real)
    texts = [
        "de Chaar, puis al Chaar et el Chaar", "vers al Chaar, de Chaar",
        "une Chaar, le Chaar, ville Chaar", "d'Chaar, l'Chaar, al-Chaar, al- Chaar",
        "ela Chaar et alla Chaar", "Bab al Nairab, al Bab al Nairab",
    ]
    for text in texts:
        assert matcher.find(text) == find_by_definition(real, text), text
    assert [m.surface for m in matcher.find("puis al Chaar")] == ["al Chaar"]


def test_a_place_seen_once_is_answered_from_memory_after_any_common_context(
    real: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the second time, the compiled lookups find each of these places' entries from the
    # piece and a short look back (a plain word, an article, an apostrophe), or from the
    # piece alone (no word of it begins a name): no call back into the exact check's root
    matcher = Matcher(real)
    if matcher._compiled_each is None:
        pytest.skip("the compiled lookups were not built")
    first = "Près de Chaar. Puis al Chaar, la ville d'Alep, et Ankara."
    second = "Loin de Chaar. Puis al Chaar, au sud d'Alep, et Ankara."
    assert [m.surface for m in matcher.find(first)] == ["Chaar", "al Chaar", "ville d'Alep"]
    roots: list[str] = []
    root = matcher._root

    def counted(text: str, at: int, reach: int, window: str | None) -> object:
        roots.append(text[at:reach])
        return root(text, at, reach, window)

    monkeypatch.setattr(matcher, "_root", counted)
    assert [m.surface for m in matcher.find(second)] == ["Chaar", "al Chaar", "Alep"]
    assert roots == []


def test_find_each_agrees_with_find_one_by_one(real: Gazetteer) -> None:
    texts = [
        (ROOT / "seeds" / name).read_text(encoding="utf-8")
        for name in sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    ]
    # the same texts again, shifted and cut, so that most places are found a second time
    texts += [f"«{text[7:]}" for text in texts] + [text[: len(text) // 2] for text in texts]
    assert Matcher(real).find_each(texts) == [Matcher(real).find(text) for text in texts]


def test_the_compiled_lookups_find_what_python_finds(real: Gazetteer) -> None:
    # C walks the tree at each place where it was built; Python where it was not
    if not can_build_extension():
        pytest.skip("no C compiler or no Python headers: the package finds names in Python")
    folders = [ROOT / "seeds", ROOT / "tests" / "data" / "dispatches"]
    texts = [path.read_text(encoding="utf-8") for f in folders for path in sorted(f.glob("*.txt"))]
    # again, shifted and cut, so that most places are found a second time, in other contexts
    texts += [f"«{text[7:]}" for text in texts] + [text[: len(text) // 2] for text in texts]
    compiled, plain = Matcher(real), Matcher(real, compiled=False)
    found = compiled.find_each(texts)
    assert compiled._compiled_each is not None and plain._compiled_each is None
    assert sum(map(len, found)) > 700
    assert found == plain.find_each(texts)
    # the C code makes the mentions itself: of the class, each field of its type
    mentions = [m for each in found for m in each]
    assert {type(m) for m in mentions} == {Mention}
    assert {tuple(map(type, m)) for m in mentions} == {(int, int, str, str, str)}


def test_the_compiled_pass_refuses_what_is_not_a_text(real: Gazetteer) -> None:
    matcher = Matcher(real)
    if matcher._compiled_each is None:
        pytest.skip("the compiled lookups were not built")
    texts: list[Any] = ["Les combats continuent à Karm al-Tahhan.", 3]
    with pytest.raises(TypeError, match="a sequence of str"):
        matcher.find_each(texts)
    with pytest.raises(TypeError, match="a sequence of str"):
        matcher.screen(texts)
    # and the matcher goes on as before
    assert [m.surface for m in matcher.find_each(texts[:1])[0]] == ["Karm al-Tahhan"]


@pytest.mark.parametrize("compiled", [True, False])
def test_an_error_in_the_exact_check_reaches_the_caller(
    real: Gazetteer, monkeypatch: pytest.MonkeyPatch, compiled: bool
) -> None:
    matcher = Matcher(real, compiled=compiled)

    def broken(*_args: object) -> None:
        raise RuntimeError("the check broke")

    monkeypatch.setattr(matcher, "_examine", broken)
    with pytest.raises(RuntimeError, match="the check broke"):
        matcher.find_each(["Rien ici.", "Les combats continuent à Karm al-Tahhan."])


# --- the fast path against the definition ---------------------------------------------------


def find_by_definition(gazetteer: Gazetteer, text: str) -> list[Mention]:
    """The matcher's contract, written plainly: at each word, the longest run of words joined
    by spaces, hyphens or apostrophes whose key is a name; leftmost first, no overlaps. A name
    starts capitalised (or in a script without case), or as the gazetteer writes it."""
    table: dict[tuple[str, ...], tuple[str, str]] = {}
    capitalised: dict[tuple[str, ...], bool] = {}
    literals: set[str] = set()
    city = gazetteer.city
    owners = [(("city", city.id), [*city.names.values(), *city.aliases])]
    owners += [(("outside", name), [name]) for name in city.outside]
    owners += [(("group", g.id), [*g.names.values(), *g.aliases]) for g in gazetteer.groups]
    owners += [(("district", d.id), [*d.names.values(), *d.aliases]) for d in gazetteer.districts]
    for owner, names in owners:
        for name in names:
            words = name_tokens(name)
            key, first = tuple(t.key for t in words), words[0].text
            if not starts_capital(first[:1]):
                literals.add(first)
            if table.setdefault(key, owner) == owner:
                capitalised[key] = capitalised.get(key, True) and starts_capital(first[:1])
    tokens = tokenize(text)
    found = []
    for i, token in enumerate(tokens):
        if token.dropped:
            continue
        run = [token]
        for j in range(i + 1, len(tokens)):
            if not joins_name(text[tokens[j - 1].end : tokens[j].start]):
                break
            run.append(tokens[j])
        words = [t for t in run if not t.dropped]
        for count in range(len(words), 0, -1):
            key = tuple(t.key for t in words[:count])
            if key not in table:
                continue
            lowercase = not starts_capital(token.text[:1])
            if lowercase and (capitalised[key] or token.text not in literals):
                continue
            start = tokens[i - 1].start if i > 0 and tokens[i - 1].article else token.start
            found.append((start, words[count - 1].end, *table[key]))
            break
    kept, reach = [], -1
    for start, end, kind, target in sorted(found, key=lambda f: (f[0], -f[1])):
        if start >= reach:
            kept.append(Mention(start, end, text[start:end], kind, target))
            reach = end
    return kept


@pytest.mark.parametrize("article", sorted(p.name for p in (ROOT / "seeds").glob("*.txt")))
def test_find_agrees_with_the_definition_on_the_seeds(real: Gazetteer, article: str) -> None:
    text = (ROOT / "seeds" / article).read_text(encoding="utf-8")
    assert Matcher(real).find(text) == find_by_definition(real, text)


_WORDS = [
    "Boustan", "al", "Bacha", "Bustan", "al-Basha", "Chaar", "chaar", "al-Chaar", "Karam", "Karm",
    "al-Myessar", "Myassar", "Qadi", "Askar", "Sakhour", "I", "Hanano", "Barrack", "caserne",
    "Tariq", "Al-Bab", "Bab", "Alep", "Alep-Est", "Est", "Ghouta", "orientale", "vieille", "ville",
    "Vieille", "villes", "d'Amiriya", "l'Amiriya", "Amiriya", "celles", "Celles", "Kallassé",
    "et", "el", "El", "de", "le", "quartier", "بستان", "الباشا", "حلب", "ash-Sha'ar",
    "Sha'ar",
]
_GAPS = [" ", " ", " ", ", ", "-", " - ", ". ", "\n", "\n\n", " «", "» ", "'", "’"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GAPS)), max_size=14))
def test_find_agrees_with_the_definition_on_any_text(
    matcher: Matcher, small: Gazetteer, parts: list[tuple[str, str]]
) -> None:
    # one matcher for every example: what it remembers must never change an answer
    text = "".join(word + gap for word, gap in parts)
    assert matcher.find(text) == find_by_definition(small, text)


def test_a_side_pattern_must_be_one_render_can_draw(tmp_path: Path):
    shutil.copy(DATA / "farafra.geojson", tmp_path / "farafra.geojson")
    text = SMALL.read_text(encoding="utf-8")
    first_color = next(line for line in text.splitlines() if line.strip().startswith("color:"))
    indent = first_color[: len(first_color) - len(first_color.lstrip())]
    bad = text.replace(first_color, f"{first_color}\n{indent}pattern: stripes", 1)
    path = write_yaml(tmp_path, bad)
    line = bad.splitlines().index(f"{indent}pattern: stripes") + 1
    [problem] = [p for p in problems_of(path) if "pattern" in p]
    assert problem.endswith(f":{line}: side 'government': pattern must be one of dots, rings, got 'stripes'")
    good = text.replace(first_color, f"{first_color}\n{indent}pattern: dots", 1)
    assert load_gazetteer(write_yaml(tmp_path, good, "ok.yaml")).sides["government"].pattern == "dots"
