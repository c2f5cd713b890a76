"""The render stage: Leaflet maps, the index page and the data exports, byte for byte the same
on every rebuild.

folium builds the page skeleton (the figure, the map, the tile layer); what folium does badly
is done here instead: stable element ids in place of random ones, one Leaflet script and one
stylesheet in place of ten CDN files, no ``user-scalable=no``, no scroll-wheel trap, a title,
a legend, a source line, popups built from text nodes (never from HTML strings), a
``<noscript>`` table, and a timeline whose states travel as a compact table instead of one
copy of every polygon per date.

Page text comes from ``templates/strings.yaml`` (by language); styles and the browser code
from ``templates/map.css`` and ``templates/map.js``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import unicodedata
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import folium
import jinja2
import shapely
import xyzservices
import yaml
from branca.element import Element, Figure
from markupsafe import Markup, escape
from shapely.geometry.base import BaseGeometry

from pipeline.assets import (  # noqa: F401 (LEAFLET_* and find_leaflet: the render API)
    INLINE_ENV,
    LEAFLET_CDN,
    LEAFLET_DIR_ENV,
    LEAFLET_SRI,
    LEAFLET_VERSION,
    Assets,
    choose_assets,
    find_leaflet,
)
from pipeline.corrections import CORRECTIONS_ARTICLE
from pipeline.geometry import Area, district_areas
from pipeline.model import (
    SIDE_PATTERNS,
    Article,
    Claim,
    DistrictState,
    Evidence,
    Gazetteer,
    Side,
    Timeline,
)

TEMPLATES = Path(__file__).with_name("templates")
BASE_URL_ENV = "PIPELINE_BASE_URL"  # prefix of the iframe snippets in the index
TILES = "OpenStreetMap Mapnik"
SCALE = 100_000  # coordinates travel as integers of 1e-5 degree
IFRAME_HEIGHT = 560
FILL_OPACITY = 0.6  # of a district held by one side; patterns are drawn a little stronger
PATTERN_OPACITY = 0.75
PAPER = "#f2efe9"  # the basemap's land colour, seen through the fills
# the marks a side may add to its fill (the gazetteer's optional ``pattern``), so that a map
# printed in black and white still tells the sides apart; any other name draws no marks
MIN_COLOUR_DISTANCE = 15.0  # CIE76 delta E between two sides' fills, for every kind of vision

# colour-vision deficiency in linear RGB, severity 1 (Machado, Oliveira & Fernandes, 2009)
VISIONS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


# --- the reader's language: words from templates/strings.yaml -------------------------


@cache
def load_strings(lang: str = "fr") -> dict[str, Any]:
    """The page words of one language, from ``templates/strings.yaml``."""
    with open(TEMPLATES / "strings.yaml", encoding="utf-8") as fh:
        every = yaml.safe_load(fh)
    if lang not in every:
        have = ", ".join(sorted(every))
        msg = f"no page words for language {lang!r} in strings.yaml (have: {have})"
        raise ValueError(msg)
    return dict(every[lang])


def format_date(day: dt.date, strings: dict[str, Any], *, short: bool = False) -> str:
    """``5 décembre 2016``, ``1er oct. 2016``: the page's way of writing a date."""
    months = strings["months_short" if short else "months"]
    first = strings["first_day"] if day.day == 1 else str(day.day)
    return f"{first} {months[day.month - 1]} {day.year}"


# --- colours that colour-blind readers can tell apart -----------------------------------


def _hex_rgb(color: str) -> tuple[float, float, float]:
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        msg = f"colour {color!r} is not of the form #rrggbb"
        raise ValueError(msg)
    return (int(text[0:2], 16) / 255, int(text[2:4], 16) / 255, int(text[4:6], 16) / 255)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(rgb_linear: Sequence[float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb_linear)
    xyz = (
        (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883,
    )
    delta = 6 / 29
    fx, fy, fz = (t ** (1 / 3) if t > delta**3 else t / (3 * delta**2) + 4 / 29 for t in xyz)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def seen_colour(
    color: str, *, vision: str = "normal", opacity: float = FILL_OPACITY, background: str = PAPER
) -> tuple[float, float, float]:
    """The CIELAB colour a reader with ``vision`` sees for a fill laid over the basemap."""
    fg, bg = _hex_rgb(color), _hex_rgb(background)
    # blended in sRGB, as browsers do, then seen
    mixed = [opacity * f + (1 - opacity) * b for f, b in zip(fg, bg, strict=True)]
    linear = [_linear(c) for c in mixed]
    matrix = VISIONS[vision]
    return _lab([sum(m * c for m, c in zip(row, linear, strict=True)) for row in matrix])


def colour_distances(
    colors: dict[str, str], *, vision: str = "normal"
) -> dict[tuple[str, str], float]:
    """CIE76 distance between every two fills, as a reader with ``vision`` sees them."""
    seen = {key: seen_colour(c, vision=vision) for key, c in colors.items()}
    keys = list(colors)
    return {
        (a, b): sum((x - y) ** 2 for x, y in zip(seen[a], seen[b], strict=True)) ** 0.5
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
    }


def palette_problems(
    colors: dict[str, str], *, min_distance: float = MIN_COLOUR_DISTANCE
) -> list[str]:
    """Pairs of sides whose fills some readers cannot tell apart; empty when the palette is fine."""
    problems = []
    for vision in VISIONS:
        for (a, b), distance in colour_distances(colors, vision=vision).items():
            if distance < min_distance:
                problems.append(
                    f"sides {a!r} ({colors[a]}) and {b!r} ({colors[b]}) look alike with {vision} "
                    f"(colour distance {distance:.1f}, need {min_distance:.0f})"
                )
    return problems


# --- escaping -------------------------------------------------------------------------

_SCRIPT_UNSAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def json_for_script(data: Any) -> str:
    """Compact JSON safe inside ``<script>``: no ``</script>``, ``<!--`` or line separators."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.translate(_SCRIPT_UNSAFE)


def safe_url(url: str | None) -> str:
    """The URL if it is a web address; anything else (``javascript:``, paths) is dropped."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return ""


# --- the data every page shares -------------------------------------------------------


@dataclass
class _Tables:
    """Rows shared by reference: each outlet, web site, article, quote, evidence and state is
    written once, and the rows that use them carry their index.

    Dates travel as whole days after ``day0``, the first date of the page.
    """

    day0: dt.date
    sources: list[Any] = field(default_factory=list)
    origins: list[Any] = field(default_factory=list)
    articles: list[Any] = field(default_factory=list)
    quotes: list[Any] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)
    states: list[Any] = field(default_factory=list)
    _index: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, table: str, row: Any) -> int:
        key = (table, json.dumps(row, ensure_ascii=False, sort_keys=True))
        if key not in self._index:
            rows = getattr(self, table)
            self._index[key] = len(rows)
            rows.append(row)
        return self._index[key]

    def day(self, day: dt.date) -> int:
        return (day - self.day0).days


@dataclass(frozen=True)
class RenderContext:
    """What every page of one build shares: the gazetteer, the articles, the areas, the words."""

    gazetteer: Gazetteer
    articles: dict[str, Article]
    areas: dict[str, Area]
    strings: dict[str, Any]
    assets: Assets
    lang: str

    @property
    def side_order(self) -> list[str]:
        return list(self.gazetteer.sides)

    @cached_property
    def shapes(self) -> list[list[list[list[int]]]]:
        """Each district's area as map.js draws it, in the gazetteer's order (computed once)."""
        return [_encode_geometry(self.areas[d.id].geometry) for d in self.gazetteer.districts]

    @cached_property
    def bounds(self) -> list[list[float]]:
        """``[[south, west], [north, east]]`` of every area together."""
        west, south, east, north = shapely.union_all(
            [a.geometry for a in self.areas.values()]
        ).bounds
        return [[round(south, 5), round(west, 5)], [round(north, 5), round(east, 5)]]

    def side_label(self, side: str) -> str:
        labels = self.gazetteer.sides[side].label
        return labels.get(self.lang) or next(iter(labels.values()), side)

    def city_name(self) -> str:
        names = self.gazetteer.city.names
        return names.get(self.lang) or names.get("en") or self.gazetteer.city.id

    def district_name(self, district_id: str) -> str:
        names = self.gazetteer.district(district_id).names
        return names.get(self.lang) or self.gazetteer.district(district_id).label


def make_context(
    gazetteer: Gazetteer,
    articles: Iterable[Article],
    *,
    inline_assets: bool | None = None,
    lang: str = "fr",
) -> RenderContext:
    """Computes the district areas once and picks the words and the Leaflet assets."""
    return RenderContext(
        gazetteer=gazetteer,
        articles={a.id: a for a in articles},
        areas=district_areas(gazetteer),
        strings=load_strings(lang),
        assets=choose_assets(inline_assets),
        lang=lang,
    )


def side_pattern(side: Side) -> str:
    """The marks drawn over a side's fill: its ``pattern`` when render knows it, else none."""
    return side.pattern if side.pattern in SIDE_PATTERNS else ""


def _ordered_shares(state: DistrictState, ctx: RenderContext) -> list[tuple[str, float]]:
    """The holder first, then the others by share, then in the gazetteer's side order."""
    order = ctx.side_order
    for side in state.shares:
        if side not in ctx.gazetteer.sides:
            msg = f"state of {state.district!r} names side {side!r}, which the gazetteer lacks"
            raise ValueError(msg)
    others = sorted(
        ((s, v) for s, v in state.shares.items() if s != state.side and v > 0),
        key=lambda sv: (-sv[1], order.index(sv[0])),
    )
    return [(state.side, state.shares.get(state.side, 1.0)), *others]


def _percent(share: float) -> int:
    return int(round(share * 100))


def state_summary(state: DistrictState, ctx: RenderContext) -> str:
    """``Armée syrienne (combats)``, ``Rebelles 60 %, Armée syrienne 40 %``: a state in words."""
    shares = _ordered_shares(state, ctx)
    if len(shares) == 1:
        text = ctx.side_label(shares[0][0])
    else:
        words = ctx.strings["shares"]
        text = ", ".join(words.format(side=ctx.side_label(s), share=_percent(v)) for s, v in shares)
    flags = [ctx.strings[f] for f in ("contested", "besieged") if getattr(state, f)]
    return f"{text} ({', '.join(flags)})" if flags else text


def _state_row(state: DistrictState, ctx: RenderContext, tables: _Tables) -> list[Any]:
    """``[since, flags, [evidence...], side]`` for a district one side holds whole, else
    ``[since, flags, [evidence...], side, percent, side, percent...]``, the holder first."""
    order = ctx.side_order
    shares = _ordered_shares(state, ctx)
    flags = (1 if state.contested else 0) | (2 if state.besieged else 0)
    evidence = [_evidence_index(e, ctx, tables) for e in state.evidence]
    row: list[Any] = [tables.day(state.since), flags, evidence]
    if len(shares) == 1 and _percent(shares[0][1]) == 100:
        return [*row, order.index(shares[0][0])]
    for side, share in shares:
        row += [order.index(side), _percent(share)]
    return row


def _evidence_index(evidence: Evidence, ctx: RenderContext, tables: _Tables) -> int:
    """``[article, day, quote]``, with a fourth ``1`` when the editor made it; the baseline is
    ``[-1, day]``."""
    if evidence.article == "baseline":
        return tables.add("evidence", [-1, tables.day(evidence.date)])
    row = [
        _article_index(evidence.article, ctx, tables),
        tables.day(evidence.date),
        tables.add("quotes", evidence.quote),
    ]
    return tables.add("evidence", [*row, 1] if evidence.correction else row)


def _article_index(article_id: str, ctx: RenderContext, tables: _Tables) -> int:
    """``[title, source, origin, rest of the address]``: the outlet and the web site (scheme
    and host) are indexes into tables of their own, since many articles share them; -1 when
    absent. An article with neither outlet nor title goes by its id."""
    article = ctx.articles.get(article_id)
    if article is None:
        label = ctx.strings["correction"] if article_id == CORRECTIONS_ARTICLE else article_id
        return tables.add("articles", [label, -1, -1, ""])
    source = tables.add("sources", article.source) if article.source else -1
    title = article.title or ("" if article.source else article.id)
    origin, rest = split_url(safe_url(article.url))
    site = tables.add("origins", origin) if origin else -1
    return tables.add("articles", [title, source, site, rest])


def split_url(url: str) -> tuple[str, str]:
    """``("https://example.org", "/a/b?c")``: the web site and the rest; ``("", "")`` for none."""
    if not url:
        return "", ""
    parts = urllib.parse.urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if not parts.netloc or not url.startswith(origin):
        return "", url
    return origin, url[len(origin) :]


def _states_by_district(
    states: Sequence[DistrictState], gazetteer: Gazetteer
) -> list[DistrictState]:
    by_id = {s.district: s for s in states}
    missing = [d.id for d in gazetteer.districts if d.id not in by_id]
    if missing:
        msg = f"the timeline has no state for districts {missing!r}"
        raise ValueError(msg)
    return [by_id[d.id] for d in gazetteer.districts]


def _encode_geometry(geometry: BaseGeometry) -> list[list[list[int]]]:
    """Polygons -> rings -> integer steps: lon, lat of the first point, then differences."""
    polygons = list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]
    shapes = []
    for polygon in polygons:
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)[:-1]  # Leaflet closes rings itself
            flat: list[int] = []
            px = py = 0
            for x, y in coords:
                ix, iy = int(round(x * SCALE)), int(round(y * SCALE))
                flat += [ix - px, iy - py]
                px, py = ix, iy
            rings.append(flat)
        shapes.append(rings)
    return shapes


def _payload(
    ctx: RenderContext,
    frames: Sequence[tuple[dt.date, Sequence[DistrictState], Sequence[str]]],
    *,
    base: bool,
    start: int,
) -> dict[str, Any]:
    """Everything map.js needs: geometry once, then per date only the districts that changed.

    Tables hold each thing once and rows point into them by index; dates are whole days
    after ``day0``.

    - ``frames``: one row per date (``dates``). The first gives each district's state; each
      later one pairs ``district, state`` for the districts whose row differs from the date
      before, the district written ``-1 - district`` when its state did not change for the
      reader (only its evidence did), so that "what changed" needs no table of its own.
    - ``states``: ``[since, flags, [evidence...], side]`` for a district one side holds
      whole, else ``[since, flags, [evidence...], side, percent, side, percent...]``, the
      holder first; flags: 1 fighting, 2 besieged.
    - ``evidence``: ``[article, day, quote]`` plus a fourth ``1`` when the editor made it;
      ``[-1, day]`` for the baseline.
    - ``articles``: ``[title, source, origin, rest of the address]``, ``source`` and
      ``origin`` being indexes into ``sources`` (outlets) and ``origins`` (web sites), -1
      when absent.
    - ``shapes``: per district, polygons of rings of integer steps (``_encode_geometry``).
    """
    gaz = ctx.gazetteer
    tables = _Tables(day0=frames[0][0])
    position = {d.id: i for i, d in enumerate(gaz.districts)}
    rows: list[list[int]] = []
    previous: list[int] | None = None
    for _, states, changed in frames:
        ordered = _states_by_district(states, gaz)
        current = [tables.add("states", _state_row(s, ctx, tables)) for s in ordered]
        if previous is None:
            rows.append(current)
        else:
            moved = {position[d] for d in changed if d in position}
            delta: list[int] = []
            for i, (old, new) in enumerate(zip(previous, current, strict=True)):
                if i in moved:
                    delta += [i, new]
                elif old != new:
                    delta += [-1 - i, new]
            rows.append(delta)
        previous = current
    strings = {
        k: ctx.strings[k]
        for k in (
            "months", "months_short", "first_day", "on_date", "changes", "district_state",
            "state_districts", "baseline_changes", "no_change", "since", "contested",
            "besieged", "shares", "approximate", "evidence", "baseline_evidence", "correction",
            "read",
        )
    }
    return {
        "articles": tables.articles,
        "base": 1 if base else 0,
        "bounds": ctx.bounds,
        "dates": [tables.day(day) for day, _, _ in frames],
        "day0": tables.day0.isoformat(),
        "districts": [
            [d.id, ctx.district_name(d.id), d.names.get("en", ""), d.names.get("ar", ""),
             1 if ctx.areas[d.id].approximate else 0]
            for d in gaz.districts
        ],
        "evidence": tables.evidence,
        "opacity": [FILL_OPACITY, PATTERN_OPACITY],
        "frames": rows,
        "origins": tables.origins,
        "quotes": tables.quotes,
        "shapes": ctx.shapes,
        "sides": [
            [s.id, ctx.side_label(s.id), s.color, side_pattern(s)] for s in gaz.sides.values()
        ],
        "sources": tables.sources,
        "start": start,
        "states": tables.states,
        "strings": strings,
    }


# --- folium, with what it does badly replaced --------------------------------------------


class _Raw(Element):
    """Text put in the page as is: never compiled as a Jinja template (folium's habit)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _RawRender(Element):
    """Renders a macro template's header, html and script parts into the page as they are.

    folium wraps each rendered part in a new Element, whose text is compiled as a Jinja
    template again: a quote holding ``{{`` would then break the page, or run as template code.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module
        for part in ("header", "html", "script"):
            macro = getattr(module, part, None)
            if macro is not None:
                raw = _Raw(str(macro(self, kwargs)))
                getattr(figure, part).add_child(raw, name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _RawMacro(_RawRender, folium.MacroElement):
    """A MacroElement whose rendered parts are not re-templated."""


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


@cache
def _asset_text(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8").strip()


class _Page(Figure):
    """The whole HTML document: language, viewport that lets readers zoom, scripts in the body."""

    def __init__(self, *, title: str, lang: str, assets: Assets) -> None:
        super().__init__(title=title)
        self._name = "Page"
        self.lang = lang
        self.assets = Markup(assets.head)
        self._children.clear()
        self.header._children.clear()
        self._template = _template("page.html.j2")


class _EmbedMap(_RawRender, folium.Map):
    """folium's Map without its CDN list, its ``user-scalable=no`` and its scroll-wheel trap."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self, *, center: tuple[float, float], zoom: int) -> None:
        super().__init__(location=list(center), zoom_start=zoom, tiles=None, control_scale=True)
        self._template = _template("map_element.j2")

    def get_name(self) -> str:
        return "n2m_map"


class _Districts(_RawMacro):
    """The page around the map (title, slider, legend, source line, noscript) and the districts."""

    def __init__(self, *, view: dict[str, Any], data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Districts"
        self._template = _template("districts.j2")
        self.view = view
        self.data_json = Markup(json_for_script(data))
        self.css = Markup(_asset_text("map.css"))
        self.js = Markup(_asset_text("map.js"))


def _stable_ids(root: Element) -> None:
    """Replaces folium's random element ids by a counter in tree order."""
    counter = 0

    def walk(element: Element) -> None:
        nonlocal counter
        counter += 1
        element._id = str(counter)
        for child in element._children.values():
            walk(child)

    walk(root)


@cache
def _tile_provider() -> xyzservices.TileProvider:
    # looked up once: the lookup in xyzservices' list costs more than the rest of a page
    return xyzservices.providers.query_name(TILES)


def _page_html(
    ctx: RenderContext, *, title: str, view: dict[str, Any], data: dict[str, Any]
) -> str:
    page = _Page(title=title, lang=ctx.lang, assets=ctx.assets)
    center = ctx.gazetteer.city.center
    fmap = _EmbedMap(center=(center.lat, center.lon), zoom=12)
    page.add_child(fmap, name="map")
    folium.TileLayer(_tile_provider(), name="openstreetmap").add_to(fmap)
    _Districts(view=view, data=data).add_to(fmap)
    _stable_ids(page)
    html = page.render()
    return "\n".join(line.rstrip() for line in html.splitlines()) + "\n"


# --- what the pages say -----------------------------------------------------------------


def _sources_text(ctx: RenderContext, article_ids: Iterable[str]) -> str:
    s = ctx.strings
    found = sorted({a for a in article_ids if a in ctx.articles})
    if not found:
        return s["no_articles"]
    days = sorted(ctx.articles[a].published for a in found)
    first, last = format_date(days[0], s, short=True), format_date(days[-1], s, short=True)
    if len(found) == 1:
        text = s["article"].format(first=first)
    elif first == last:
        text = s["articles_one_day"].format(count=len(found), first=first)
    else:
        text = s["articles"].format(count=len(found), first=first, last=last)
    outlets = sorted({ctx.articles[a].source for a in found if ctx.articles[a].source})
    return f"{text} ({', '.join(outlets)})" if outlets else text


def _changes_text(
    ctx: RenderContext, states: Sequence[DistrictState], changed: Sequence[str]
) -> str:
    """``Changements : Armée syrienne : Qadi Askar, Chaar ; Rebelles (assiégé) : Maadi``: the
    districts that changed, grouped by their new state, in the gazetteer's order."""
    s = ctx.strings
    by_id = {st.district: st for st in states}
    order = {d.id: i for i, d in enumerate(ctx.gazetteer.districts)}
    groups: dict[str, list[str]] = {}
    for district_id in sorted((d for d in changed if d in by_id and d in order), key=order.get):
        summary = state_summary(by_id[district_id], ctx)
        groups.setdefault(summary, []).append(ctx.district_name(district_id))
    items = [
        s["state_districts"].format(state=state, districts=", ".join(names))
        for state, names in groups.items()
    ]
    return s["changes"].format(list=" ; ".join(items)) if items else s["no_change"]


def _sort_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _table_rows(ctx: RenderContext, states: Sequence[DistrictState]) -> list[dict[str, str]]:
    rows = []
    for st in _states_by_district(states, ctx.gazetteer):
        shares = _ordered_shares(st, ctx)
        words = ctx.strings["shares"]
        state_words = [
            words.format(side=ctx.side_label(sd), share=_percent(v)) for sd, v in shares[1:]
        ]
        state_words += [ctx.strings[f] for f in ("contested", "besieged") if getattr(st, f)]
        rows.append(
            {
                "name": ctx.district_name(st.district),
                "side": ctx.side_label(st.side),
                "state": ", ".join(state_words),
                "since": format_date(st.since, ctx.strings),
            }
        )
    return sorted(rows, key=lambda r: (_sort_key(r["name"]), r["name"]))


def _legend(ctx: RenderContext) -> dict[str, Any]:
    gaz_sides = ctx.gazetteer.sides.values()
    sides = [
        {"label": ctx.side_label(s.id), "color": s.color, "pattern": side_pattern(s)}
        for s in gaz_sides
    ]
    colors = [s.color for s in ctx.gazetteer.sides.values()] + ["#999999", "#666666"]
    return {
        "sides": sides,
        "split": colors[:2],
        "opacity": FILL_OPACITY,
        "pattern_opacity": PATTERN_OPACITY,
        "approximate": any(a.approximate for a in ctx.areas.values()),
    }


def _evidence_articles(states: Iterable[DistrictState]) -> list[str]:
    return sorted({e.article for st in states for e in st.evidence if e.article != "baseline"})


def render_date_map(ctx: RenderContext, timeline: Timeline, day: dt.date) -> str:
    """The map of the states on one date."""
    s = ctx.strings
    states = timeline.state_on(day)
    changed = timeline.changes.get(day, ())
    city = ctx.city_name()
    data = _payload(ctx, [(day, states, changed)], base=False, start=0)
    view = {
        "heading": s["heading"].format(city=city),
        "date_line": s["on_date"].format(date=format_date(day, s)),
        "changes_line": _changes_text(ctx, states, changed),
        "timeline": False,
        "frames": 1,
        "start": 0,
        "sources": _sources_text(ctx, _evidence_articles(states)),
        "credit": ctx.gazetteer.credit,
        "legend": _legend(ctx),
        "table_caption": s["table_caption"].format(date=format_date(day, s)),
        "rows": _table_rows(ctx, states),
        "map_label": s["map_label"].format(city=city),
        "s": s,
    }
    title = s["date_title"].format(city=city, date=format_date(day, s))
    return _page_html(ctx, title=title, view=view, data=data)


_Frame = tuple[dt.date, tuple[DistrictState, ...], tuple[str, ...]]  # date, states, changed ids


def _timeline_frames(timeline: Timeline) -> list[_Frame]:
    days = [timeline.baseline_date, *timeline.dates]
    return [(day, timeline.state_on(day), timeline.changes.get(day, ())) for day in days]


def render_timeline_map(ctx: RenderContext, timeline: Timeline) -> str:
    """One map with a date slider over the baseline and every change date."""
    s = ctx.strings
    frames = _timeline_frames(timeline)
    last_day, last_states, last_changed = frames[-1]
    start = len(frames) - 1
    city = ctx.city_name()
    data = _payload(ctx, frames, base=True, start=start)
    changes_line = (
        _changes_text(ctx, last_states, last_changed) if len(frames) > 1 else s["baseline_changes"]
    )
    view = {
        "heading": s["heading"].format(city=city),
        "date_line": s["on_date"].format(date=format_date(last_day, s)),
        "changes_line": changes_line,
        "timeline": len(frames) > 1,
        "frames": len(frames),
        "start": start,
        "sources": _sources_text(ctx, _evidence_articles(st for _, sts, _ in frames for st in sts)),
        "credit": ctx.gazetteer.credit,
        "legend": _legend(ctx),
        "table_caption": s["table_caption"].format(date=format_date(last_day, s)),
        "rows": _table_rows(ctx, last_states),
        "map_label": s["map_label"].format(city=city),
        "s": s,
    }
    title = s["timeline_title"].format(
        city=city, first=format_date(frames[0][0], s), last=format_date(last_day, s)
    )
    return _page_html(ctx, title=title, view=view, data=data)


def _map_name(gazetteer: Gazetteer, key: str) -> str:
    return f"maps/{gazetteer.city.id}-{key}.html"


def render_index(ctx: RenderContext, timeline: Timeline, *, base_url: str = "") -> str:
    """The index page: every map with its date, what changed and a copy-paste iframe snippet."""
    s = ctx.strings
    city = ctx.city_name()
    gaz = ctx.gazetteer

    def snippet(path: str, title: str) -> str:
        src = f"{base_url}{path}"
        return (
            f'<iframe src="{escape(src)}" '
            f'title="{escape(title)}" width="100%" height="{IFRAME_HEIGHT}" '
            'style="border:0;max-width:100%" loading="lazy"></iframe>'
        )

    frames = _timeline_frames(timeline)
    timeline_title = s["heading"].format(city=city)
    maps = []
    for day in timeline.dates:
        states = timeline.state_on(day)
        title = s["date_title"].format(city=city, date=format_date(day, s))
        path = _map_name(gaz, day.isoformat())
        maps.append(
            {
                "date": day.isoformat(),
                "date_text": format_date(day, s),
                "changes": _changes_text(ctx, states, timeline.changes.get(day, ())),
                "path": path,
                "snippet": snippet(path, title),
            }
        )
    timeline_path = _map_name(gaz, "timeline")
    all_states = (st for _, states, _ in frames for st in states)
    view = {
        "lang": ctx.lang,
        "title": s["index_title"].format(city=city),
        "intro": s["index_intro"].format(
            articles=_sources_text(ctx, _evidence_articles(all_states))
        ),
        "timeline_path": timeline_path,
        "timeline_snippet": snippet(timeline_path, timeline_title),
        "maps": maps,
        "data": [
            (f"data/{gaz.city.id}-claims.csv", s["data_claims"]),
            (f"data/{gaz.city.id}-timeline.csv", s["data_timeline"]),
            (f"data/{gaz.city.id}-districts.geojson", s["data_districts"]),
        ],
        "credit": gaz.credit,
        "s": s,
    }
    return _template("index.html.j2").render(view=view)


# --- data exports ----------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 3))
    return str(value)


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


CLAIM_COLUMNS = (
    "article", "district", "side", "status", "share", "date", "date_precision", "quote",
    "confidence", "name", "via", "correction", "note", "gainer",
    "article_published", "article_source", "article_url",
)


def claims_csv(claims: Iterable[Claim], articles: Iterable[Article]) -> str:
    """Every claim, one row each, in date order, with its article's date, source and address."""
    by_id = {a.id: a for a in articles}
    rows = []
    for claim in sorted(
        claims, key=lambda c: (c.date, c.article, c.district, c.status, c.side or "", c.quote)
    ):
        data = claim.to_json()
        article = by_id.get(claim.article)
        data["article_published"] = article.published.isoformat() if article else None
        data["article_source"] = article.source if article else None
        data["article_url"] = article.url if article else None
        rows.append([data[c] for c in CLAIM_COLUMNS])
    return _csv_text(CLAIM_COLUMNS, rows)


def _share_columns(gazetteer: Gazetteer) -> list[str]:
    return [f"share_{side}" for side in gazetteer.sides]


def timeline_csv(gazetteer: Gazetteer, timeline: Timeline) -> str:
    """The state of every district on the baseline date and on each change date."""
    header = [
        "date", "district", "name", "side", *_share_columns(gazetteer),
        "contested", "besieged", "since", "changed", "evidence_articles",
    ]
    rows = []
    for day, states, changed in _timeline_frames(timeline):
        for st in _states_by_district(states, gazetteer):
            evidence = sorted({e.article for e in st.evidence})
            rows.append(
                [
                    day.isoformat(),
                    st.district,
                    gazetteer.district(st.district).label,
                    st.side,
                    *(float(st.shares.get(side, 0.0)) for side in gazetteer.sides),
                    st.contested,
                    st.besieged,
                    st.since.isoformat(),
                    st.district in changed,
                    ";".join(evidence),
                ]
            )
    return _csv_text(header, rows)


def _geojson_geometry(geometry: BaseGeometry) -> dict[str, Any]:
    oriented = shapely.orient_polygons(geometry)  # exterior rings counter-clockwise (RFC 7946)
    mapping = shapely.geometry.mapping(oriented)

    def rounded(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float):
                return [round(v, 5) for v in value]
            return [rounded(v) for v in value]
        return value

    return {"type": mapping["type"], "coordinates": rounded(mapping["coordinates"])}


def districts_geojson(gazetteer: Gazetteer, timeline: Timeline, areas: dict[str, Area]) -> str:
    """The district areas with their names and latest state; one feature per line."""
    frames = _timeline_frames(timeline)
    day, states, _ = frames[-1]
    lines = []
    for st in _states_by_district(states, gazetteer):
        district = gazetteer.district(st.district)
        properties: dict[str, Any] = {
            "id": district.id,
            "name_fr": district.names.get("fr", ""),
            "name_en": district.names.get("en", ""),
            "name_ar": district.names.get("ar", ""),
            "kind": district.kind,
            "approximate": areas[district.id].approximate,
            "date": day.isoformat(),
            "side": st.side,
            "color": gazetteer.sides[st.side].color,
            "contested": st.contested,
            "besieged": st.besieged,
            "since": st.since.isoformat(),
            "evidence_articles": ";".join(sorted({e.article for e in st.evidence})),
        }
        for side in gazetteer.sides:
            properties[f"share_{side}"] = round(float(st.shares.get(side, 0.0)), 3)
        feature = {
            "type": "Feature",
            "id": district.id,
            "properties": properties,
            "geometry": _geojson_geometry(areas[district.id].geometry),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


# --- the writer --------------------------------------------------------------------------


def render_outputs(
    out_dir: Path,
    *,
    gazetteer: Gazetteer,
    articles: Sequence[Article],
    claims: Sequence[Claim],
    timeline: Timeline,
    inline_assets: bool | None = None,
    base_url: str | None = None,
    lang: str = "fr",
) -> list[Path]:
    """Writes the maps, the index and the data exports under ``out_dir``; returns them, sorted.

    ``inline_assets`` puts Leaflet inside each map (from node_modules; default: the
    ``PIPELINE_INLINE_ASSETS`` environment variable, else the CDN). ``base_url`` prefixes the
    iframe snippets of the index (default: ``PIPELINE_BASE_URL``, else relative addresses).
    """
    out_dir = Path(out_dir)
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV, "")
    ctx = make_context(gazetteer, articles, inline_assets=inline_assets, lang=lang)
    city = gazetteer.city.id
    pages: dict[str, str] = {}
    for day in timeline.dates:
        pages[_map_name(gazetteer, day.isoformat())] = render_date_map(ctx, timeline, day)
    pages[_map_name(gazetteer, "timeline")] = render_timeline_map(ctx, timeline)
    pages["index.html"] = render_index(ctx, timeline, base_url=base_url)
    pages[f"data/{city}-claims.csv"] = claims_csv(claims, articles)
    pages[f"data/{city}-timeline.csv"] = timeline_csv(gazetteer, timeline)
    pages[f"data/{city}-districts.geojson"] = districts_geojson(gazetteer, timeline, ctx.areas)
    written = []
    for relative, text in pages.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return sorted(written)


__all__ = [
    "Assets",
    "RenderContext",
    "make_context",
    "choose_assets",
    "claims_csv",
    "colour_distances",
    "palette_problems",
    "SIDE_PATTERNS",
    "seen_colour",
    "side_pattern",
    "districts_geojson",
    "find_leaflet",
    "format_date",
    "json_for_script",
    "load_strings",
    "render_date_map",
    "render_index",
    "render_outputs",
    "render_timeline_map",
    "safe_url",
    "split_url",
    "state_summary",
    "timeline_csv",
]
