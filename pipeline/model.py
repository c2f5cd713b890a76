"""The nouns that pass between the stages: frozen data classes, no behaviour beyond views.

gazetteer  ->  Gazetteer (City, Side, District, Group)
articles   ->  Article
control    ->  Claim            (one per sentence, district and assertion)
corrections->  Correction       (manual claims and rejections, the editor's last word)
timeline   ->  DistrictState    (one per district and date, with Evidence)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# statuses of a claim, in the spec's order
STATUSES = ("captured", "partial", "held", "lost", "contested", "besieged", "targeted", "shelled")
# statuses that say who holds ground (they move shares)
HOLDING_STATUSES = ("captured", "partial", "held", "lost")
DATE_PRECISIONS = ("day", "approximate")
# marks a side's fill may carry, for readers who cannot tell its colour apart (render draws them)
SIDE_PATTERNS = ("dots", "rings")


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class Side:
    id: str
    label: dict[str, str]  # language code -> label
    color: str  # "#rrggbb"
    actors: tuple[str, ...]  # phrases naming this side in articles (lexicon data)
    pattern: str | None = None  # optional fill pattern name for colour-blind readers


@dataclass(frozen=True)
class City:
    id: str
    names: dict[str, str]
    aliases: tuple[str, ...]
    center: Point
    radius_km: float
    boundary: tuple[Point, ...] = ()  # outline ring; empty: a circle of radius_km
    outside: tuple[str, ...] = ()  # names of places elsewhere that must never resolve


@dataclass(frozen=True)
class District:
    id: str
    names: dict[str, str]  # en, fr, ar
    aliases: tuple[str, ...]
    location: Point
    baseline: dict[str, float]  # side id -> share, summing to 1
    kind: str = "district"  # district, landmark, industrial, camp
    sector: str | None = None
    part_of: tuple[str, ...] = ()  # group ids
    boundary: tuple[tuple[Point, ...], ...] = ()  # polygons (outer rings); empty: Voronoi cell
    line: int = 0  # line of the entry in the gazetteer file, for messages

    @property
    def label(self) -> str:
        return self.names.get("fr") or self.names.get("en") or self.id


@dataclass(frozen=True)
class Group:
    """A named set of districts ("la vieille ville"): a claim about it applies to each member."""

    id: str
    names: dict[str, str]
    aliases: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    path: str
    city: City
    sides: dict[str, Side]  # insertion order is the legend order
    baseline_date: dt.date
    districts: tuple[District, ...]
    groups: tuple[Group, ...] = ()
    credit: str = ""
    version: str = ""  # content hash of the gazetteer file, for caches
    # the other files it was read from (boundary GeoJSON): (path, SHA-256 of the content read)
    files: tuple[tuple[str, str], ...] = ()

    def district(self, district_id: str) -> District:
        for d in self.districts:
            if d.id == district_id:
                return d
        raise KeyError(district_id)


@dataclass(frozen=True)
class Article:
    id: str  # file name without extension
    path: str
    published: dt.date
    text: str  # the body, after the front matter
    body_line: int = 1  # line of the file on which the body starts
    source: str | None = None
    title: str | None = None
    url: str | None = None
    lang: str = "fr"
    sha256: str = ""


@dataclass(frozen=True)
class Claim:
    article: str
    district: str
    side: str | None  # None when the text does not say (shelled by whom?)
    status: str
    share: float | None
    date: dt.date
    date_precision: str
    quote: str
    confidence: float
    name: str = ""  # the surface form in the text
    via: str | None = None  # group id when the claim came from a group ("vieille ville")
    correction: bool = False  # made by the editor in corrections.yaml
    note: str | None = None
    gainer: str | None = None  # for "lost": the side that takes the district, when known

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "district": self.district,
            "side": self.side,
            "status": self.status,
            "share": self.share,
            "date": self.date.isoformat(),
            "date_precision": self.date_precision,
            "quote": self.quote,
            "confidence": round(self.confidence, 2),
            "name": self.name,
            "via": self.via,
            "correction": self.correction,
            "note": self.note,
            "gainer": self.gainer,
        }


@dataclass(frozen=True)
class Rejection:
    """The editor rejects the claims extracted from one article about one district."""

    article: str
    district: str
    reason: str
    status: str | None = None  # only claims of this status; None: all
    line: int = 0


@dataclass(frozen=True)
class Corrections:
    path: str | None
    claims: tuple[Claim, ...] = ()
    rejections: tuple[Rejection, ...] = ()


@dataclass(frozen=True)
class Evidence:
    article: str  # article id, "baseline" or "corrections" (the editor's manual claims)
    date: dt.date
    quote: str
    status: str = "baseline"
    correction: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "date": self.date.isoformat(),
            "quote": self.quote,
            "status": self.status,
            "correction": self.correction,
        }


@dataclass(frozen=True)
class DistrictState:
    district: str
    side: str
    shares: dict[str, float]
    contested: bool
    besieged: bool
    since: dt.date
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "side": self.side,
            "shares": {k: round(v, 3) for k, v in sorted(self.shares.items())},
            "contested": self.contested,
            "besieged": self.besieged,
            "since": self.since.isoformat(),
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class Timeline:
    """States of every district on the baseline date and on each date a state changed."""

    baseline_date: dt.date
    dates: tuple[dt.date, ...]  # change dates, ascending (the baseline date excluded)
    # baseline date, each change date, and each date whose claims only added evidence
    states: dict[dt.date, tuple[DistrictState, ...]]
    changes: dict[dt.date, tuple[str, ...]]  # change date -> district ids whose state changed

    def state_on(self, day: dt.date) -> tuple[DistrictState, ...]:
        """The states in force on ``day``: those of the latest key date on or before it."""
        keys = [d for d in self.states if d <= day]
        return self.states[max(keys)] if keys else self.states[self.baseline_date]
