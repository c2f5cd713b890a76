"""The render stage: the files written, byte-identical rebuilds, escaping, the light timeline,
the exports and a palette colour-blind readers can read."""

from __future__ import annotations

import base64
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import re
from pathlib import Path

import pytest
import shapely
import yaml
from builders import day, make_claim, make_gazetteer

from pipeline import assets, render
from pipeline.model import Article, Claim, District, Gazetteer, Point, Timeline
from pipeline.render import (
    colour_distances,
    json_for_script,
    make_context,
    palette_problems,
    render_date_map,
    render_outputs,
    render_timeline_map,
)
from pipeline.timeline import build_timeline

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert(1)</script>"


def make_source(
    article_id: str, published: str, *, title: str | None = None, url: str | None = None
) -> Article:
    """An article as the render stage sees it: front matter only."""
    return Article(
        id=article_id,
        path=f"seeds/{article_id}.txt",
        published=day(published),
        text="",
        source="AFP",
        title=title,
        url=url,
    )


def mini_story() -> tuple[Gazetteer, list[Article], list[Claim], Timeline]:
    """Five districts, two articles, three dates: a capture, a siege, a split."""
    gazetteer = make_gazetteer()
    articles = [
        make_source(
            "003_qadi", "2016-12-05", title=f"Alep {HOSTILE}", url="https://example.org/qadi"
        ),
        make_source("000_bustan", "2016-10-06", url="javascript:alert(1)"),
    ]
    claims = [
        make_claim(
            "bustan-al-basha",
            "partial",
            "government",
            "2016-10-06",
            share=0.5,
            article="000_bustan",
            quote="la moitié de Boustan al-Bacha </script><!-- \u2028 {{ x }} {% if %}",
        ),
        make_claim(
            "qadi-askar", "captured", "government", "2016-12-05", article="003_qadi",
            quote=f"ont pris la totalité du quartier de Qadi Askar {HOSTILE}",
        ),
        make_claim("al-shaar", "besieged", "government", "2016-12-05", article="003_qadi",
                   quote="L'armée encercle maintenant le vaste quartier de Chaar"),
    ]
    return gazetteer, articles, claims, build_timeline(gazetteer, claims)


def render_story(out: Path, **kwargs: object) -> list[Path]:
    gazetteer, articles, claims, timeline = mini_story()
    return render_outputs(
        out,
        gazetteer=gazetteer,
        articles=articles,
        claims=claims,
        timeline=timeline,
        **kwargs,  # type: ignore[arg-type]
    )


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="n2m-data">(.*?)</script>', html, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


# --- files -----------------------------------------------------------------------------


def test_every_output_is_written_and_returned_sorted(tmp_path: Path) -> None:
    written = render_story(tmp_path)
    relative = [p.relative_to(tmp_path).as_posix() for p in written]
    assert relative == [
        "data/aleppo-claims.csv",
        "data/aleppo-districts.geojson",
        "data/aleppo-timeline.csv",
        "index.html",
        "maps/aleppo-2016-10-06.html",
        "maps/aleppo-2016-12-05.html",
        "maps/aleppo-timeline.html",
    ]
    assert all(p.stat().st_size > 0 for p in written)


def test_rebuilds_are_byte_identical(tmp_path: Path) -> None:
    first = render_story(tmp_path / "one")
    second = render_story(tmp_path / "two")
    for a, b in zip(first, second, strict=True):
        assert a.relative_to(tmp_path / "one") == b.relative_to(tmp_path / "two")
        assert a.read_bytes() == b.read_bytes(), a.name


def test_no_random_ids_or_timestamps(tmp_path: Path) -> None:
    for path in render_story(tmp_path):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[0-9a-f]{32}", text), path.name
        assert "2026" not in text and "T00:00" not in text, path.name


# --- maps --------------------------------------------------------------------------------


def test_date_map_has_title_date_legend_source_and_scale(tmp_path: Path) -> None:
    render_story(tmp_path)
    html = (tmp_path / "maps/aleppo-2016-12-05.html").read_text(encoding="utf-8")
    assert "<title>Alep : qui tient quels quartiers au 5 décembre 2016</title>" in html
    assert '<p class="n2m-date" id="n2m-date">au 5 décembre 2016</p>' in html
    # grouped by new state, in the gazetteer's order
    assert "Changements : Armée syrienne : Qadi Askar ; Rebelles (assiégé) : Chaar</p>" in html
    assert 'id="n2m-legend"' in html and "Assiégé (contour noir épais)" in html
    assert "Limites approximatives" in html
    assert "Sources : 2 dépêches, du 6 oct. 2016 au 5 déc. 2016 (AFP). test gazetteer" in html
    assert "L.control.scale(" in html
    assert 'id="n2m-slider"' not in html


def test_maps_are_made_to_be_embedded(tmp_path: Path) -> None:
    render_story(tmp_path)
    for name in ("aleppo-2016-12-05.html", "aleppo-timeline.html"):
        html = (tmp_path / "maps" / name).read_text(encoding="utf-8")
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert "user-scalable" not in html and "maximum-scale" not in html
        assert "scrollWheelZoom: false" in html
        assert 'map.on("click"' in html and "scrollWheelZoom.enable()" in html
        assert "html, body { height: 100%; margin: 0; }" in html
        assert '<html lang="fr">' in html


def test_only_leaflet_is_loaded(tmp_path: Path) -> None:
    render_story(tmp_path)
    html = (tmp_path / "maps/aleppo-timeline.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    cdn = f"https://cdn.jsdelivr.net/npm/leaflet@{render.LEAFLET_VERSION}/dist"
    assert scripts == [f"{cdn}/leaflet.js"]
    assert styles == [f"{cdn}/leaflet.css"]
    for banned in ("jquery", "bootstrap", "awesome", "fontawesome"):
        assert banned not in html.lower()
    assert 'integrity="sha384-' in html


def test_one_shape_and_one_table_row_per_district(tmp_path: Path) -> None:
    render_story(tmp_path)
    gazetteer = make_gazetteer()
    html = (tmp_path / "maps/aleppo-2016-12-05.html").read_text(encoding="utf-8")
    data = page_data(html)
    assert [d[0] for d in data["districts"]] == [d.id for d in gazetteer.districts]
    assert len(data["shapes"]) == len(gazetteer.districts)
    assert len(data["frames"]) == 1 and len(data["frames"][0]) == len(gazetteer.districts)
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    assert noscript.count("<tr><td>") == len(gazetteer.districts)
    row = "<tr><td>Qadi Askar</td><td>Armée syrienne</td><td></td><td>5 décembre 2016</td></tr>"
    assert row in noscript


def test_shapes_decode_back_to_the_district_areas(tmp_path: Path) -> None:
    from pipeline.geometry import district_areas

    render_story(tmp_path)
    data = page_data((tmp_path / "maps/aleppo-timeline.html").read_text(encoding="utf-8"))
    areas = district_areas(make_gazetteer())
    for (district_id, *_), shape in zip(data["districts"], data["shapes"], strict=True):
        polygons = []
        for rings in shape:
            decoded = []
            for flat in rings:
                xs = [sum(flat[0 : k + 1 : 2]) / 1e5 for k in range(0, len(flat), 2)]
                ys = [sum(flat[1 : k + 2 : 2]) / 1e5 for k in range(0, len(flat), 2)]
                decoded.append(list(zip(xs, ys, strict=True)))
            polygons.append(shapely.Polygon(decoded[0], decoded[1:]))
        geometry = shapely.union_all(polygons)
        assert geometry.symmetric_difference(areas[district_id].geometry).area < 1e-10, district_id


def test_timeline_map_holds_every_date_and_only_the_changes(tmp_path: Path) -> None:
    render_story(tmp_path)
    html = (tmp_path / "maps/aleppo-timeline.html").read_text(encoding="utf-8")
    data = page_data(html)
    assert data["day0"] == "2016-09-21"
    assert data["dates"] == [0, 15, 75]  # days after day0: 6 October, 5 December
    assert data["start"] == 2 and data["base"] == 1
    ids = [d[0] for d in data["districts"]]
    # after the full baseline row, each date lists (district, state) pairs for what changed
    changed = [sorted(ids[i] for i in frame[0::2]) for frame in data["frames"][1:]]
    assert changed == [["bustan-al-basha"], ["al-shaar", "qadi-askar"]]
    assert 'id="n2m-slider"' in html and 'max="2"' in html and 'value="2"' in html
    assert 'id="n2m-prev"' in html and 'id="n2m-next"' in html
    assert "Alep : qui tient quels quartiers, du 21 septembre 2016 au 5 décembre 2016" in html


def test_popup_data_carries_names_state_since_and_quotes(tmp_path: Path) -> None:
    render_story(tmp_path)
    data = page_data((tmp_path / "maps/aleppo-2016-12-05.html").read_text(encoding="utf-8"))
    ids = [d[0] for d in data["districts"]]
    i = ids.index("qadi-askar")
    assert data["districts"][i][1:4] == ["Qadi Askar", "Qadi Askar", "قاضي عسكر"]
    since, flags, evidence, side = data["states"][data["frames"][0][i]]
    assert data["sides"][side][0] == "government" and flags == 0
    assert (day(data["day0"]) + dt.timedelta(days=since)).isoformat() == "2016-12-05"
    article, when, quote = data["evidence"][evidence[0]]  # no fourth field: not a correction
    assert (day(data["day0"]) + dt.timedelta(days=when)).isoformat() == "2016-12-05"
    title, source, origin, rest = data["articles"][article]
    assert (title, data["sources"][source]) == (f"Alep {HOSTILE}", "AFP")
    assert data["origins"][origin] + rest == "https://example.org/qadi"
    assert data["quotes"][quote] == f"ont pris la totalité du quartier de Qadi Askar {HOSTILE}"
    split = data["states"][data["frames"][0][ids.index("bustan-al-basha")]]
    assert split[1] == 1 and split[3:] == [0, 50, 1, 50]  # contested, half and half


def test_a_district_whose_evidence_alone_moved_is_not_said_to_have_changed(
    tmp_path: Path,
) -> None:
    gazetteer = make_gazetteer()
    claims = [
        make_claim("qadi-askar", "captured", "government", "2016-12-01", article="a1", quote="q1"),
        # a fresh report of the same holder: new evidence, no change of state
        make_claim("qadi-askar", "held", "government", "2016-12-05", article="a2", quote="q2"),
        make_claim("al-shaar", "captured", "government", "2016-12-05", article="a2", quote="q3"),
    ]
    timeline = build_timeline(gazetteer, claims)
    html = render_timeline_map(make_context(gazetteer, []), timeline)
    data = page_data(html)
    ids = [d[0] for d in data["districts"]]
    last = data["frames"][-1]
    moved = {(ids[i] if i >= 0 else ids[-1 - i]): i >= 0 for i in last[0::2]}
    assert moved == {"qadi-askar": False, "al-shaar": True}
    # the new evidence travels with Qadi Askar's row; "what changed" names Chaar alone
    since, _, evidence, _ = data["states"][last[last.index(-1 - ids.index("qadi-askar")) + 1]]
    assert [data["quotes"][data["evidence"][e][2]] for e in evidence] == ["q2"]
    assert (day(data["day0"]) + dt.timedelta(days=since)).isoformat() == "2016-12-01"
    assert "Changements : Armée syrienne : Chaar</p>" in html


def test_addresses_are_split_into_web_site_and_rest() -> None:
    assert render.split_url("https://www.example.org/2016/a?b=1#c") == (
        "https://www.example.org",
        "/2016/a?b=1#c",
    )
    assert render.split_url("http://example.org") == ("http://example.org", "")
    assert render.split_url("") == ("", "")


def test_articles_share_their_outlet_and_web_site(tmp_path: Path) -> None:
    gazetteer = make_gazetteer()
    articles = [
        make_source("a1", "2016-12-01", title="Un", url="https://example.org/un"),
        make_source("a2", "2016-12-05", url="https://example.org/deux"),
        dataclasses.replace(make_source("a3", "2016-12-06"), source=None),
    ]
    claims = [
        make_claim("qadi-askar", "captured", "government", "2016-12-01", article="a1"),
        make_claim("al-shaar", "captured", "government", "2016-12-05", article="a2"),
        make_claim("bustan-al-basha", "captured", "government", "2016-12-06", article="a3"),
    ]
    timeline = build_timeline(gazetteer, claims)
    data = page_data(render_timeline_map(make_context(gazetteer, articles), timeline))
    assert data["sources"] == ["AFP"] and data["origins"] == ["https://example.org"]
    # an outlet with no title shows the outlet alone; neither: the article's id
    assert data["articles"] == [["Un", 0, 0, "/un"], ["", 0, 0, "/deux"], ["a3", -1, -1, ""]]


def test_side_patterns_reach_the_map_data_and_the_legend(tmp_path: Path) -> None:
    gazetteer = make_gazetteer()
    sides = dict(gazetteer.sides)
    sides["kurdish"] = dataclasses.replace(sides["kurdish"], pattern="rings")
    sides["rebels"] = dataclasses.replace(sides["rebels"], pattern="tartan")  # unknown: none
    gazetteer = dataclasses.replace(gazetteer, sides=sides)
    timeline = build_timeline(gazetteer, [])
    html = render_timeline_map(make_context(gazetteer, []), timeline)
    assert [side[3] for side in page_data(html)["sides"]] == ["", "", "rings"]
    legend = html[html.index('id="n2m-legend"') : html.index("</details>")]
    assert legend.count("<pattern id=\"n2m-leg-side") == 1
    assert 'fill="url(#n2m-leg-side2)"' in legend and 'stroke-width="0.9"' in legend


# --- escaping ----------------------------------------------------------------------------


def test_hostile_text_never_reaches_the_page_as_markup(tmp_path: Path) -> None:
    for path in render_story(tmp_path):
        if path.suffix != ".html":
            continue
        html = path.read_text(encoding="utf-8")
        assert HOSTILE not in html, path.name
        assert "alert(1)</script>" not in html, path.name
        assert "\u2028" not in html and "<!-- " not in html, path.name


def test_hostile_text_survives_as_text(tmp_path: Path) -> None:
    render_story(tmp_path)
    html = (tmp_path / "maps/aleppo-timeline.html").read_text(encoding="utf-8")
    data = page_data(html)
    assert "la moitié de Boustan al-Bacha </script><!-- \u2028 {{ x }} {% if %}" in data["quotes"]
    assert "\\u003c/script\\u003e\\u003c!-- \\u2028 {{ x }} {% if %}" in html


def test_names_from_the_gazetteer_are_escaped_in_html(tmp_path: Path) -> None:
    gazetteer, articles, claims, _ = mini_story()
    names = {"fr": f"Qadi {HOSTILE}", "en": "Qadi Askar", "ar": "قاضي عسكر"}
    first = dataclasses.replace(gazetteer.districts[0], names=names)
    gazetteer = dataclasses.replace(
        gazetteer, districts=(first, *gazetteer.districts[1:]), credit=f"credit {HOSTILE}"
    )
    timeline = build_timeline(gazetteer, claims)
    render_outputs(
        tmp_path, gazetteer=gazetteer, articles=articles, claims=claims, timeline=timeline
    )
    for name in ("maps/aleppo-2016-12-05.html", "index.html"):
        html = (tmp_path / name).read_text(encoding="utf-8")
        assert HOSTILE not in html
        assert "Qadi &lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "credit &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_web_addresses_become_links(tmp_path: Path) -> None:
    render_story(tmp_path)
    html = (tmp_path / "maps/aleppo-timeline.html").read_text(encoding="utf-8")
    data = page_data(html)
    urls = [data["origins"][o] + rest for _, _, o, rest in data["articles"] if o >= 0]
    assert urls == ["https://example.org/qadi"]
    assert "javascript" not in html.lower()


def test_json_for_script_escapes_what_ends_a_script() -> None:
    text = json_for_script({"q": "</script><!--\u2028\u2029&"})
    assert text == '{"q":"\\u003c/script\\u003e\\u003c!--\\u2028\\u2029\\u0026"}'
    assert json.loads(text) == {"q": "</script><!--\u2028\u2029&"}


# --- index --------------------------------------------------------------------------------


def test_index_lists_every_map_with_its_changes_and_an_iframe_snippet(tmp_path: Path) -> None:
    render_story(tmp_path, base_url="https://news.example/maps-alep/")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    for date_text, path in (("6 octobre 2016", "maps/aleppo-2016-10-06.html"),
                            ("5 décembre 2016", "maps/aleppo-2016-12-05.html"),
                            (None, "maps/aleppo-timeline.html")):
        assert f'<a href="{path}">' in html
        assert f"&lt;iframe src=&#34;https://news.example/maps-alep/{path}&#34;" in html
        if date_text:
            assert date_text in html
    assert "Changements : Armée syrienne 50 %, Rebelles 50 % (combats) : Boustan al-Bacha" in html
    for export in ("claims.csv", "timeline.csv", "districts.geojson"):
        export = f"data/aleppo-{export}"
        assert f'<a href="{export}">' in html


# --- the light timeline ---------------------------------------------------------------


def synthetic_story(
    n_districts: int, n_dates: int, *, quote_words: int = 24
) -> tuple[Gazetteer, list[Article], Timeline]:
    """``n_districts`` on a spiral around Aleppo; each day one district changes hands."""
    base = make_gazetteer()
    districts = []
    for i in range(n_districts):
        angle, radius = i * 2.399963, 0.07 * math.sqrt((i + 0.5) / n_districts)
        districts.append(
            District(
                id=f"district-{i:03d}",
                names={"fr": f"Quartier {i}", "en": f"District {i}", "ar": f"حي {i}"},
                aliases=(),
                location=Point(
                    36.2021 + radius * math.sin(angle), 37.158 + radius * math.cos(angle)
                ),
                baseline={"rebels": 1.0} if i % 2 else {"government": 1.0},
            )
        )
    gazetteer = dataclasses.replace(base, districts=tuple(districts))
    holder = {d.id: next(iter(d.baseline)) for d in districts}
    articles, claims = [], []
    for k in range(n_dates):
        when = dt.date(2016, 9, 22) + dt.timedelta(days=k)
        article_id = f"art-{k:03d}"
        url = f"https://example.org/{article_id}"
        articles.append(make_source(article_id, when.isoformat(), title=f"Dépêche {k}", url=url))
        district = districts[(k * 7) % n_districts].id
        holder[district] = "government" if holder[district] == "rebels" else "rebels"
        words = " ".join(f"mot{j}" for j in range(quote_words))
        claims.append(make_claim(district, "captured", holder[district], when.isoformat(),
                                 article=article_id, quote=f"{district} pris ({k}) {words}"))
    return gazetteer, articles, build_timeline(gazetteer, claims)


def sizes(
    gazetteer: Gazetteer, articles: list[Article], timeline: Timeline
) -> tuple[list[int], int]:
    ctx = make_context(gazetteer, articles)
    singles = [len(render_date_map(ctx, timeline, d).encode()) for d in timeline.dates]
    return singles, len(render_timeline_map(ctx, timeline).encode())


def real_story(n_dates: int) -> tuple[Gazetteer, list[Article], Timeline]:
    """The real gazetteer; each day one district changes hands, told by its own article in a
    sentence of about 170 characters (the seeds' quotes average 187 bytes)."""
    gazetteer_module = pytest.importorskip("pipeline.gazetteer")
    gazetteer = gazetteer_module.load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")
    districts = gazetteer.districts
    holder = {d.id: max(d.baseline, key=lambda side: d.baseline[side]) for d in districts}
    articles, claims = [], []
    for k in range(n_dates):
        when = (gazetteer.baseline_date + dt.timedelta(days=k + 1)).isoformat()
        district = districts[(k * 37) % len(districts)]
        holder[district.id] = "rebels" if holder[district.id] == "government" else "government"
        article_id = f"{k:03d}_story"
        url = f"https://www.example.org/2016/{article_id}"
        articles.append(make_source(article_id, when, title=f"Dépêche {k}", url=url))
        quote = (
            f"Les forces gouvernementales ont pris dans la nuit la totalité du quartier de "
            f"{district.label}, a indiqué l'OSDH, selon qui des centaines de civils ont fui ({k})."
        )
        claims.append(make_claim(district.id, "captured", holder[district.id], when,
                                 article=article_id, quote=quote))
    return gazetteer, articles, build_timeline(gazetteer, claims)


def test_timeline_of_100_dates_weighs_at_most_one_and_a_half_of_any_single_map() -> None:
    gazetteer, articles, timeline = real_story(100)
    assert len(timeline.dates) == 100 and len(gazetteer.districts) >= 120
    singles, whole = sizes(gazetteer, articles, timeline)
    # the smallest map is the first date's, with a single quote; the timeline holds 100
    assert min(singles) == singles[0]
    assert whole <= 1.5 * min(singles), (whole, min(singles), whole / min(singles))
    # every quote of the story is in the timeline once, and only once
    data = page_data(render_timeline_map(make_context(gazetteer, articles), timeline))
    assert len(data["quotes"]) == len(set(data["quotes"])) == 100


def test_timeline_size_grows_with_changes_not_with_dates_times_districts() -> None:
    # extra districts cost the timeline what they cost one map (geometry once, no per-date rows)
    def last_and_whole(story: tuple[Gazetteer, list[Article], Timeline]) -> tuple[int, int]:
        gazetteer, articles, timeline = story
        ctx = make_context(gazetteer, articles)
        last = render_date_map(ctx, timeline, timeline.dates[-1])
        return len(last.encode()), len(render_timeline_map(ctx, timeline).encode())

    small_last, small_whole = last_and_whole(synthetic_story(30, 100, quote_words=0))
    large_last, large_whole = last_and_whole(synthetic_story(120, 100, quote_words=0))
    extra_in_one_map = large_last - small_last
    extra_in_timeline = large_whole - small_whole
    assert extra_in_timeline <= 1.2 * extra_in_one_map, (extra_in_timeline, extra_in_one_map)


# --- exports ------------------------------------------------------------------------------


def test_claims_csv_has_one_row_per_claim_with_its_article(tmp_path: Path) -> None:
    render_story(tmp_path)
    text = (tmp_path / "data/aleppo-claims.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert [r["date"] for r in rows] == ["2016-10-06", "2016-12-05", "2016-12-05"]
    first = rows[0]
    assert first["district"] == "bustan-al-basha"
    assert (first["status"], first["share"]) == ("partial", "0.5")
    assert first["article_published"] == "2016-10-06" and first["article_source"] == "AFP"
    assert rows[1]["article_url"] == "https://example.org/qadi"


def test_timeline_csv_has_every_district_on_every_date(tmp_path: Path) -> None:
    render_story(tmp_path)
    text = (tmp_path / "data/aleppo-timeline.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == (
        "date,district,name,side,share_government,share_rebels,share_kurdish,"
        "contested,besieged,since,changed,evidence_articles"
    )
    assert len(rows) == 3 * 5
    bustan = next(
        r for r in rows if r["date"] == "2016-10-06" and r["district"] == "bustan-al-basha"
    )
    assert bustan["share_government"] == "0.5" and bustan["share_rebels"] == "0.5"
    assert bustan["contested"] == "true" and bustan["changed"] == "true"
    assert bustan["evidence_articles"] == "000_bustan;baseline"


def test_districts_geojson_has_areas_names_latest_state_and_approximate_flag(
    tmp_path: Path,
) -> None:
    render_story(tmp_path)
    text = (tmp_path / "data/aleppo-districts.geojson").read_text(encoding="utf-8")
    collection = json.loads(text)
    features = collection["features"]
    assert [f["id"] for f in features] == [d.id for d in make_gazetteer().districts]
    shaar = next(f for f in features if f["id"] == "al-shaar")["properties"]
    assert shaar["besieged"] is True and shaar["side"] == "rebels" and shaar["date"] == "2016-12-05"
    assert (shaar["name_fr"], shaar["name_ar"]) == ("Chaar", "الشعار")
    assert shaar["approximate"] is True
    for feature in features:
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.is_valid and geometry.area > 0
        exterior = (geometry.geoms[0] if hasattr(geometry, "geoms") else geometry).exterior
        assert exterior.is_ccw  # RFC 7946


# --- words, assets, palette ------------------------------------------------------------


def test_every_language_has_every_word() -> None:
    every = yaml.safe_load((ROOT / "pipeline/templates/strings.yaml").read_text(encoding="utf-8"))
    keys = {lang: set(words) for lang, words in every.items()}
    assert keys["fr"] == keys["en"]
    for words in every.values():
        assert len(words["months"]) == 12 and len(words["months_short"]) == 12


def test_cdn_version_matches_package_json() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["leaflet"] == render.LEAFLET_VERSION


def test_integrity_hashes_match_the_npm_package() -> None:
    try:
        folder = render.find_leaflet()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    for name, expected in render.LEAFLET_SRI.items():
        digest = base64.b64encode(hashlib.sha384((folder / name).read_bytes()).digest()).decode()
        assert expected == f"sha384-{digest}", name


def test_inline_assets_put_leaflet_in_the_page(tmp_path: Path) -> None:
    try:
        render.find_leaflet()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    render_story(tmp_path, inline_assets=True)
    html = (tmp_path / "maps/aleppo-timeline.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in html and "<script src=" not in html
    assert "Leaflet 1.9.4" in html  # the banner of leaflet.js


def test_missing_leaflet_for_inlining_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(render.LEAFLET_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(assets, "__file__", str(tmp_path / "pipeline" / "assets.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="run `npm ci`"):
        render.find_leaflet()


def test_a_red_green_palette_is_refused_for_colour_blind_readers() -> None:
    problems = palette_problems({"government": "#c0392b", "rebels": "#27ae60"})
    assert problems and "deuteranopia" in " ".join(problems)


def test_the_test_palette_reads_for_every_vision() -> None:
    sides = make_gazetteer().sides
    assert palette_problems({k: s.color for k, s in sides.items()}) == []


def test_the_real_gazetteer_palette_reads_for_every_vision() -> None:
    path = ROOT / "gazetteer" / "aleppo.yaml"
    if not path.exists():
        pytest.skip("gazetteer/aleppo.yaml not written yet")
    sides = yaml.safe_load(path.read_text(encoding="utf-8"))["sides"]
    colors = {side: spec["color"] for side, spec in sides.items()}
    assert palette_problems(colors) == []
    for vision in render.VISIONS:
        assert min(colour_distances(colors, vision=vision).values()) >= render.MIN_COLOUR_DISTANCE


def test_the_real_gazetteer_renders_one_area_per_district(tmp_path: Path) -> None:
    gazetteer_module = pytest.importorskip("pipeline.gazetteer")
    path = ROOT / "gazetteer" / "aleppo.yaml"
    gazetteer = gazetteer_module.load_gazetteer(path)
    timeline = build_timeline(gazetteer, [])
    written = render_outputs(
        tmp_path, gazetteer=gazetteer, articles=[], claims=[], timeline=timeline
    )
    timeline_page = f"maps/{gazetteer.city.id}-timeline.html"
    pages = [p.relative_to(tmp_path).as_posix() for p in written if p.suffix == ".html"]
    assert pages == ["index.html", timeline_page]  # no claim, no date map
    data = page_data((tmp_path / timeline_page).read_text(encoding="utf-8"))
    assert len(data["shapes"]) == len(gazetteer.districts) >= 120
