"""The maps in a real browser: they load from disk, draw every district, move with the
slider, show their quotes, and never run what an article says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dataclasses

import pytest
from builders import day, make_claim, make_gazetteer

from pipeline.images import capture_images, make_images
from pipeline.model import Article
from pipeline.render import render_outputs
from pipeline.timeline import build_timeline

pytestmark = pytest.mark.browser

HOSTILE = "<script>alert(1)</script>"


def make_source(
    article_id: str, published: str, *, title: str | None = None, url: str | None = None
) -> Article:
    return Article(
        id=article_id,
        path=f"seeds/{article_id}.txt",
        published=day(published),
        text="",
        source="AFP",
        title=title,
        url=url,
    )


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small story rendered once: a split, a capture with a hostile quote, a siege."""
    out = tmp_path_factory.mktemp("outputs")
    gazetteer = make_gazetteer()
    articles = [
        make_source(
            "003_qadi", "2016-12-05", title=f"Alep {HOSTILE}", url="https://example.org/qadi"
        ),
        make_source("000_bustan", "2016-10-06", title="</script><script>alert(2)</script>"),
    ]
    claims = [
        make_claim("bustan-al-basha", "partial", "government", "2016-10-06", share=0.5,
                   article="000_bustan", quote="la moitié de Boustan al-Bacha </script><!-- fin"),
        make_claim("qadi-askar", "captured", "government", "2016-12-05", article="003_qadi",
                   quote=f"ont pris la totalité du quartier de Qadi Askar {HOSTILE}"),
        make_claim("al-shaar", "besieged", "government", "2016-12-05", article="003_qadi",
                   quote="L'armée encercle maintenant le vaste quartier de Chaar"),
    ]
    timeline = build_timeline(gazetteer, claims)
    render_outputs(out, gazetteer=gazetteer, articles=articles, claims=claims, timeline=timeline)
    return out


def fill_of(page: Any, district: str) -> str:
    return page.get_attribute(f'path[data-district="{district}"]', "fill")


GOVERNMENT, REBELS = "#d55e00", "#009e73"


@pytest.mark.parametrize(
    "name", ["aleppo-2016-10-06.html", "aleppo-2016-12-05.html", "aleppo-timeline.html"]
)
def test_each_map_loads_with_no_error_and_one_shape_per_district(
    visit: Any, outputs: Path, name: str
) -> None:
    seen = visit(outputs / "maps" / name)
    shapes = seen.page.eval_on_selector_all(
        "path[data-district]", "els => els.map(e => e.dataset.district)"
    )
    assert sorted(shapes) == sorted(d.id for d in make_gazetteer().districts)
    assert seen.page.locator(".leaflet-control-scale").count() == 1
    assert seen.page.locator("#n2m-legend").count() == 1
    seen.page.wait_for_timeout(150)  # let late errors, if any, reach the console
    assert seen.errors == []
    assert seen.dialogs == []


def test_date_map_colours_follow_the_state(visit: Any, outputs: Path) -> None:
    page = visit(outputs / "maps/aleppo-2016-12-05.html").page
    assert fill_of(page, "qadi-askar") == GOVERNMENT
    assert fill_of(page, "al-hamdaniyeh-i") == GOVERNMENT
    assert fill_of(page, "sheikh-maqsoud") == "#f0e442"
    # split half and half, and hatched for the fighting
    assert fill_of(page, "bustan-al-basha") == "url(#n2m-p-0x50-1x50-h)"
    assert page.get_attribute('path[data-district="al-shaar"]', "stroke-width") == "4"  # besieged
    assert page.text_content("#n2m-date") == "au 5 décembre 2016"


def test_slider_and_arrow_keys_change_the_colours(visit: Any, outputs: Path) -> None:
    seen = visit(outputs / "maps/aleppo-timeline.html")
    page = seen.page
    assert fill_of(page, "qadi-askar") == GOVERNMENT
    slider = page.locator("#n2m-slider")
    slider.focus()
    page.keyboard.press("Home")
    assert fill_of(page, "qadi-askar") == REBELS
    assert fill_of(page, "bustan-al-basha") == REBELS
    assert page.text_content("#n2m-date") == "au 21 septembre 2016"
    baseline = "État de référence, avant les premières dépêches"
    assert page.text_content("#n2m-changes") == baseline
    page.keyboard.press("ArrowRight")
    assert fill_of(page, "bustan-al-basha").startswith("url(#")
    assert fill_of(page, "qadi-askar") == REBELS
    assert "Boustan al-Bacha" in page.text_content("#n2m-changes")
    page.click("#n2m-next")
    assert fill_of(page, "qadi-askar") == GOVERNMENT
    assert page.text_content("#n2m-date") == "au 5 décembre 2016"
    assert seen.errors == []


def test_a_popup_shows_names_state_and_its_quote_as_text(visit: Any, outputs: Path) -> None:
    seen = visit(outputs / "maps/aleppo-timeline.html")
    page = seen.page
    # the keyboard reaches a district and opens its popup
    page.focus('path[data-district="qadi-askar"]')
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Qadi Askar" in text and "قاضي عسكر" in text
    assert "Armée syrienne" in text and "depuis le 5 décembre 2016" in text
    assert f"ont pris la totalité du quartier de Qadi Askar {HOSTILE}" in text
    assert f"AFP — Alep {HOSTILE}, 5 déc. 2016" in text
    assert popup.locator("script").count() == 0
    assert popup.locator("a").get_attribute("href") == "https://example.org/qadi"
    # moving the slider updates the open popup
    page.focus("#n2m-slider")
    page.keyboard.press("Home")
    text = popup.inner_text()
    assert "Rebelles" in text and "Situation de référence au 21 septembre 2016" in text
    assert seen.dialogs == [] and seen.errors == []


def test_a_closing_script_tag_in_an_article_runs_nothing(visit: Any, outputs: Path) -> None:
    seen = visit(outputs / "maps/aleppo-2016-10-06.html")
    page = seen.page
    page.focus('path[data-district="bustan-al-basha"]')
    page.keyboard.press("Enter")
    text = page.locator(".leaflet-popup-content").inner_text()
    assert "la moitié de Boustan al-Bacha </script><!-- fin" in text
    assert "</script><script>alert(2)</script>" in text
    # Leaflet, the data, the map code: nothing from the article
    assert page.evaluate("document.querySelectorAll('script').length") == 3
    assert seen.dialogs == [] and seen.errors == []


def test_scroll_wheel_zooms_only_after_a_click(visit: Any, outputs: Path) -> None:
    page = visit(outputs / "maps/aleppo-timeline.html").page
    assert page.evaluate("n2m_map.scrollWheelZoom.enabled()") is False
    zoom = page.evaluate("n2m_map.getZoom()")
    box = page.locator("#n2m_map").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] - 60)
    page.mouse.wheel(0, -600)
    page.wait_for_timeout(300)
    assert page.evaluate("n2m_map.getZoom()") == zoom
    page.mouse.click(box["x"] + 40, box["y"] + box["height"] - 60)
    assert page.evaluate("n2m_map.scrollWheelZoom.enabled()") is True


def test_readable_at_360_pixels(visit: Any, outputs: Path) -> None:
    for name in ("aleppo-2016-12-05.html", "aleppo-timeline.html"):
        page = visit(outputs / "maps" / name, width=360, height=640).page
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # the legend starts folded on a phone, and opens on demand
        assert page.evaluate("document.getElementById('n2m-legend').open") is False
        map_box = page.locator("#n2m_map").bounding_box()
        assert map_box["width"] == 360 and map_box["height"] >= 300
        # no text smaller than 11 px
        smallest = page.evaluate(
            "Math.min(...[...document.querySelectorAll('h1, p, footer, summary, li')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 11
    page = visit(outputs / "maps/aleppo-timeline.html", width=1280, height=720).page
    assert page.evaluate("document.getElementById('n2m-legend').open") is True


def test_the_map_fills_its_iframe(visit: Any, outputs: Path) -> None:
    host = outputs / "host.html"
    host.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        '<iframe src="maps/aleppo-timeline.html" title="carte"'
        ' style="border:0;width:400px;height:500px"></iframe></body></html>',
        encoding="utf-8",
    )
    seen = visit(host, wait=False)
    frame = seen.page.frames[1]
    frame.wait_for_selector("path[data-district]", state="attached")
    page_box = frame.evaluate(
        "[document.documentElement.clientWidth, document.documentElement.clientHeight]"
    )
    assert page_box == [400, 500]
    outer = frame.evaluate("document.querySelector('.n2m').getBoundingClientRect().height")
    assert outer == 500
    assert frame.evaluate("document.documentElement.scrollHeight") <= 500
    assert seen.errors == []


def test_without_javascript_a_table_says_who_holds_what(visit: Any, outputs: Path) -> None:
    page = visit(outputs / "maps/aleppo-2016-12-05.html", javascript=False).page
    rows = page.locator("noscript table tbody tr")
    assert rows.count() == len(make_gazetteer().districts)
    assert "Qadi Askar" in page.locator("noscript table").inner_text()


def test_inlined_leaflet_works_with_no_network(visit: Any, tmp_path: Path) -> None:
    gazetteer = make_gazetteer()
    claims = [make_claim("qadi-askar", "captured", "government", "2016-12-05")]
    timeline = build_timeline(gazetteer, claims)
    render_outputs(
        tmp_path,
        gazetteer=gazetteer,
        articles=[],
        claims=claims,
        timeline=timeline,
        inline_assets=True,
    )
    seen = visit(tmp_path / "maps/aleppo-timeline.html")
    assert seen.page.locator("path[data-district]").count() == len(gazetteer.districts)
    assert seen.errors == []


def test_the_real_gazetteer_draws_every_district(visit: Any, tmp_path: Path) -> None:
    gazetteer_module = pytest.importorskip("pipeline.gazetteer")
    root = Path(__file__).resolve().parents[2]
    gazetteer = gazetteer_module.load_gazetteer(root / "gazetteer" / "aleppo.yaml")
    timeline = build_timeline(gazetteer, [])
    render_outputs(tmp_path, gazetteer=gazetteer, articles=[], claims=[], timeline=timeline)
    seen = visit(tmp_path / "maps" / f"{gazetteer.city.id}-timeline.html")
    assert seen.page.locator("path[data-district]").count() == len(gazetteer.districts)
    assert seen.errors == []


def test_each_date_map_becomes_a_png_made_by_the_browser(
    browser: Any, leaflet_dir: Path, outputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "outputs"
    (out / "maps").mkdir(parents=True)
    for page in (outputs / "maps").glob("*.html"):
        (out / "maps" / page.name).write_bytes(page.read_bytes())
    stale = out / "images" / "aleppo-2016-01-01.png"  # a date that no longer has a map
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    images = make_images(out, leaflet_dir=leaflet_dir, browser=browser)
    # one per date map, none for the timeline; the stale image is gone
    assert [p.relative_to(out).as_posix() for p in images] == [
        "images/aleppo-2016-10-06.png",
        "images/aleppo-2016-12-05.png",
    ]
    assert sorted(p.name for p in (out / "images").iterdir()) == [p.name for p in images]
    for image in images:
        head = image.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        assert (width, height) == (1200, 630)
    first = [p.read_bytes() for p in images]
    assert first[0] != first[1]  # a different state draws a different image
    # same machine, same image
    again = capture_images(
        [out / "maps/aleppo-2016-12-05.html"],
        folder=tmp_path / "again",
        leaflet_dir=leaflet_dir,
        browser=browser,
    )
    assert again[0].read_bytes() == first[1]


def test_make_images_without_maps_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="pipeline maps"):
        make_images(tmp_path)


def test_what_changed_is_said_on_the_map_at_each_date(visit: Any, outputs: Path) -> None:
    page = visit(outputs / "maps/aleppo-timeline.html").page
    line = "#n2m-changes"
    # the page opens on the last date, as render.py wrote it
    assert page.text_content(line) == (
        "Changements : Armée syrienne : Qadi Askar ; Rebelles (assiégé) : Chaar"
    )
    page.focus("#n2m-slider")
    page.keyboard.press("ArrowLeft")
    assert page.text_content("#n2m-date") == "au 6 octobre 2016"
    assert page.text_content(line) == (
        "Changements : Armée syrienne 50 %, Rebelles 50 % (combats) : Boustan al-Bacha"
    )
    assert page.get_attribute("#n2m-slider", "aria-valuetext") == "6 octobre 2016"
    page.click("#n2m-prev")
    assert page.text_content(line) == "État de référence, avant les premières dépêches"
    page.focus("#n2m-slider")
    page.keyboard.press("End")
    assert page.text_content(line).startswith("Changements : Armée syrienne : Qadi Askar")


def test_the_keyboard_reaches_the_slider_the_controls_and_the_districts(
    visit: Any, outputs: Path
) -> None:
    page = visit(outputs / "maps/aleppo-timeline.html").page
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "(e => e.id || e.dataset.district || e.className || e.tagName)"
            "(document.activeElement)"
        ))
    # the slider, then the map's zoom buttons and legend, and only then the districts
    assert reached[:3] == ["n2m-prev", "n2m-slider", "n2m-next"]
    zoom = reached.index("leaflet-control-zoom-in")
    legend = reached.index("SUMMARY")
    ids = {d.id for d in make_gazetteer().districts}
    first_district = next(n for n, name in enumerate(reached) if name in ids)
    assert zoom < legend < first_district
    page.keyboard.press("Enter")  # on a district: its popup opens
    page.locator(".leaflet-popup-content").wait_for()


def test_a_side_with_a_pattern_is_drawn_with_its_marks(visit: Any, tmp_path: Path) -> None:
    gazetteer = make_gazetteer()
    sides = dict(gazetteer.sides)
    sides["kurdish"] = dataclasses.replace(sides["kurdish"], pattern="dots")
    gazetteer = dataclasses.replace(gazetteer, sides=sides)
    claims = [make_claim("qadi-askar", "captured", "government", "2016-12-05")]
    timeline = build_timeline(gazetteer, claims)
    render_outputs(tmp_path, gazetteer=gazetteer, articles=[], claims=claims, timeline=timeline)
    seen = visit(tmp_path / "maps/aleppo-2016-12-05.html")
    page = seen.page
    fill = fill_of(page, "sheikh-maqsoud")
    assert fill.startswith("url(#")
    marks = page.eval_on_selector(fill[4:-1], "p => p.querySelectorAll('circle').length")
    assert marks == 2
    assert fill_of(page, "qadi-askar") == GOVERNMENT  # sides without a pattern stay plain
    assert page.locator("#n2m-legend pattern circle").count() == 2
    assert seen.errors == []
