"""Scores extracted claims against hand annotations (the format of tests/data/seeds_gold.yaml).

A gold claim names its district by the surface form in the text (``name``), which the
gazetteer must resolve to a district lying within ``tolerance_m`` of ``near``; a name of a
group (« vieille ville ») stands for its member nearest to ``near`` within that distance
(the gold lists one claim per member, each with the member's point). An
extracted claim matches a gold claim when article, district, side (``any`` matches every
side) and status group agree (captured|partial|held|lost, contested|besieged,
targeted|shelled) and, when the gold gives a share, the shares differ by at most 0.15
(a ``captured`` claim without a share is about the whole district: share 1.0).
The date is scored apart (date accuracy): exact, or within ``date_window_days``.

- precision: the extracted claims that match a required gold claim, over the extracted
  claims that match no optional one; recall: the required gold claims matched;
- ``optional`` gold claims count neither for nor against;
- ``not_districts``: the name must resolve to no district or group, and no claim of that
  article may carry that name;
- ``not_claims``: no claim of that article about that district (each member of a group)
  with that status (a ``captured`` also forbids ``partial``), and that side when given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline._errors import InputError, Problem
from pipeline._yamlio import Fields, line_of, parse_yaml, read_text
from pipeline.model import STATUSES, Claim, Gazetteer, Point
from pipeline.normalize import name_key

# statuses that are interchangeable when scoring
STATUS_GROUPS = (
    ("captured", "partial", "held", "lost"),
    ("contested", "besieged"),
    ("targeted", "shelled"),
)
SHARE_TOLERANCE = 0.15
DEFAULT_TOLERANCE_M = 700.0
_GROUP_OF = {status: group for group in STATUS_GROUPS for status in group}
_CLAIM_KEYS = frozenset(
    {"article", "name", "district_en", "near", "tolerance_m", "side", "status", "share", "date",
     "date_window_days", "optional", "note", "why", "gainer"}
)


@dataclass(frozen=True)
class GoldClaim:
    article: str
    name: str
    side: str  # a side id or "any"
    status: str
    date: dt.date
    near: Point | None = None
    tolerance_m: float = DEFAULT_TOLERANCE_M
    share: float | None = None
    share_given: bool = False  # True when the annotation states a number
    date_window_days: int = 0
    optional: bool = False
    district_en: str = ""
    line: int = 0


@dataclass(frozen=True)
class GoldPlace:
    """A name that must resolve to no district (``not_districts``) or a forbidden claim."""

    article: str
    name: str
    status: str | None = None
    why: str = ""
    line: int = 0
    side: str | None = None  # not_claims: only claims of this side are forbidden


@dataclass(frozen=True)
class Gold:
    path: str
    tolerance_m: float
    claims: tuple[GoldClaim, ...]
    not_districts: tuple[GoldPlace, ...] = ()
    not_claims: tuple[GoldPlace, ...] = ()


@dataclass(frozen=True)
class Score:
    """Counts for one status (or all): precision over extracted claims, recall over gold."""

    extracted: int = 0  # extracted claims that count (not matching only optional gold)
    correct: int = 0  # of those, matching a required gold claim
    gold: int = 0  # required gold claims
    found: int = 0  # of those, matched by some extracted claim
    dated: int = 0  # matched pairs whose date is right
    matched: int = 0  # matched pairs (gold claims found)

    @property
    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def date_accuracy(self) -> float:
        return self.dated / self.matched if self.matched else 1.0


@dataclass(frozen=True)
class Report:
    overall: Score
    by_status: dict[str, Score]
    misses: tuple[GoldClaim, ...]  # required gold claims no extracted claim matched
    unexpected: tuple[Claim, ...]  # extracted claims matching no gold claim
    wrong_dates: tuple[tuple[GoldClaim, Claim], ...]
    forbidden: tuple[tuple[GoldPlace, Claim | None], ...]  # not_claims / not_districts broken
    unresolved: tuple[str, ...]  # gold names the gazetteer does not place where the gold says

    @property
    def ok(self) -> bool:
        return not self.forbidden and not self.unresolved


def load_gold(path: str | Path) -> Gold:
    """Reads a gold file; every problem (path:line: message) is raised together."""
    problems: list[Problem] = []
    text, _data = read_text(path, problems)
    if text is None:
        raise InputError(problems)
    document, parse_problems = parse_yaml(text, path=str(path))
    problems.extend(parse_problems)
    if problems:
        raise InputError(problems)
    top = Fields(document, path=str(path), problems=problems)
    tolerance = top.number("tolerance_m") or DEFAULT_TOLERANCE_M
    items = top.get("claims") or []
    if not isinstance(items, list):
        top.add("claims", "must be a list of claims")
        items = []
    claims = [
        _gold_claim(item, line_of(items, i), str(path), problems, tolerance)
        for i, item in enumerate(items)
    ]
    not_districts = _places(top.get("not_districts") or [], str(path), problems, with_status=False)
    not_claims = _places(top.get("not_claims") or [], str(path), problems, with_status=True)
    if problems:
        raise InputError(problems)
    return Gold(
        path=str(path),
        tolerance_m=tolerance,
        claims=tuple(c for c in claims if c is not None),
        not_districts=tuple(not_districts),
        not_claims=tuple(not_claims),
    )


def _gold_claim(
    item: Any,
    line: int,
    path: str,
    problems: list[Problem],
    tolerance: float,
) -> GoldClaim | None:
    fields = Fields(item, path=path, problems=problems, label=f"claim at line {line}", line=line)
    if not isinstance(item, dict):
        problems.append(
            Problem(path, line, f"a claim must be a mapping, got {type(item).__name__}")
        )
        return None
    fields.unknown(_CLAIM_KEYS)
    article = fields.text("article", required=True, scalar=True)
    name = fields.text("name", required=True, scalar=True)
    side = fields.text("side", required=True)
    status = fields.text("status", required=True)
    day = fields.date("date", required=True)
    if status is not None and status not in STATUSES:
        fields.add("status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    near = None
    near_map = fields.mapping_of("near")
    if near_map is not None:
        inner = fields.nested("near", near_map)
        lat, lon = inner.number("lat", required=True), inner.number("lon", required=True)
        near = Point(lat, lon) if lat is not None and lon is not None else None
    share_given = fields.has("share")
    share = fields.number("share") if share_given else None
    window = fields.number("date_window_days") or 0
    optional = bool(fields.get("optional"))
    if None in (article, name, side, status, day) or (status not in STATUSES):
        return None
    return GoldClaim(
        article=str(article),
        name=str(name),
        side=str(side),
        status=str(status),
        date=day,  # type: ignore[arg-type]
        near=near,
        tolerance_m=fields.number("tolerance_m") or tolerance,
        share=share,
        share_given=share is not None,
        date_window_days=int(window),
        optional=optional,
        district_en=str(fields.get("district_en") or ""),
        line=line,
    )


def _places(
    items: Any,
    path: str,
    problems: list[Problem],
    *,
    with_status: bool,
) -> list[GoldPlace]:
    places = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        line = line_of(items, index)
        fields = Fields(
            item,
            path=path,
            problems=problems,
            label=f"entry at line {line}",
            line=line,
        )
        article = fields.text("article", required=True, scalar=True)
        name = fields.text("name", required=True, scalar=True)
        status = fields.text("status", required=with_status) if with_status else None
        side = fields.text("side") if with_status else None
        if article is None or name is None or (with_status and status is None):
            continue
        places.append(
            GoldPlace(str(article), str(name), status, str(fields.get("why") or ""), line, side)
        )
    return places


def score_claims(
    claims: Iterable[Claim],
    gold: Gold,
    *,
    gazetteer: Gazetteer,
    matcher: Any,
) -> Report:
    """Precision, recall and date accuracy of ``claims`` against ``gold``, with every miss."""
    claims = list(claims)
    unresolved: list[str] = []
    # each gold claim's district, through the gazetteer
    districts: dict[int, str | None] = {}
    for number, item in enumerate(gold.claims):
        district, problem = _gold_district(item, gazetteer=gazetteer, matcher=matcher)
        if problem:
            unresolved.append(problem)
        districts[number] = district

    def matches(claim: Claim, number: int) -> bool:
        item = gold.claims[number]
        return (
            claim.article == item.article
            and claim.district == districts[number]
            and (item.side == "any" or claim.side == item.side)
            and _GROUP_OF.get(claim.status) == _GROUP_OF.get(item.status)
            and (not item.share_given or _same_share(claim, item.share or 0.0))
        )

    def date_right(claim: Claim, item: GoldClaim) -> bool:
        return abs((claim.date - item.date).days) <= item.date_window_days

    # precision: every extracted claim against every gold claim
    per_status: dict[str, dict[str, int]] = {
        s: dict.fromkeys(
            ("extracted", "correct", "gold", "found", "dated", "matched"),
            0,
        ) for s in STATUSES
    }
    unexpected: list[Claim] = []
    for claim in claims:
        hits = [n for n in range(len(gold.claims)) if matches(claim, n)]
        required = [n for n in hits if not gold.claims[n].optional]
        if hits and not required:
            continue  # matches only optional annotations: neither for nor against
        per_status[claim.status]["extracted"] += 1
        if required:
            per_status[claim.status]["correct"] += 1
        else:
            unexpected.append(claim)
    # recall and dates: every required gold claim
    misses: list[GoldClaim] = []
    wrong_dates: list[tuple[GoldClaim, Claim]] = []
    for number, item in enumerate(gold.claims):
        if item.optional:
            continue
        counts = per_status[item.status]
        counts["gold"] += 1
        found = [c for c in claims if matches(c, number)]
        if not found:
            misses.append(item)
            continue
        counts["found"] += 1
        counts["matched"] += 1
        if any(date_right(c, item) for c in found):
            counts["dated"] += 1
        else:
            wrong_dates.append((item, found[0]))
    forbidden = _forbidden(claims, gold, matcher)
    by_status = {s: Score(**c) for s, c in per_status.items() if any(c.values())}
    total = {
        k: sum(c[k] for c in per_status.values()) for k in (
            "extracted",
            "correct",
            "gold",
            "found",
            "dated",
            "matched",
        )
    }
    return Report(
        overall=Score(**total),
        by_status=by_status,
        misses=tuple(misses),
        unexpected=tuple(unexpected),
        wrong_dates=tuple(wrong_dates),
        forbidden=tuple(forbidden),
        unresolved=tuple(unresolved),
    )


def _gold_district(
    item: GoldClaim, *, gazetteer: Gazetteer, matcher: Any
) -> tuple[str | None, str]:
    """The district a gold claim means, and a message when the gazetteer does not place it.

    A district name must lie within the tolerance of ``near``; a group name stands for its
    member nearest to ``near`` (within the tolerance), or its only member without a point.
    """
    from pipeline.gazetteer import distance_km

    mention = matcher.resolve(item.name)
    if mention is None or mention.kind not in ("district", "group"):
        return None, f"{item.name!r} ({item.article}) resolves to no district"
    candidates = (
        matcher.members(mention.target) if mention.kind == "group" else (mention.target,)
    )
    if item.near is None:
        if len(candidates) == 1:
            return candidates[0], ""
        msg = f"{item.name!r} ({item.article}) names group {mention.target!r}: give `near`"
        return None, msg
    # the candidate nearest to the gold point (ties: the first in gazetteer order)
    near = item.near
    distances = [
        (distance_km(gazetteer.district(d).location, near) * 1000, index, d)
        for index, d in enumerate(candidates)
    ]
    far, _index, district = min(distances)
    if far > item.tolerance_m:
        what = f"group {mention.target!r} has no member" if mention.kind == "group" else (
            f"resolves to {district!r},"
        )
        msg = f"{item.name!r} ({item.article}) {what} {far:.0f} m from the gold point"
        return None, msg
    return district, ""


def _same_share(claim: Claim, share: float) -> bool:
    """True when the claim's share is the gold's, within the tolerance; a capture without a
    share is of the whole district."""
    value = claim.share
    if value is None and claim.status == "captured":
        value = 1.0
    return value is not None and abs(value - share) <= SHARE_TOLERANCE + 1e-9


def _forbidden(
    claims: Sequence[Claim],
    gold: Gold,
    matcher: Any,
) -> list[tuple[GoldPlace, Claim | None]]:
    broken: list[tuple[GoldPlace, Claim | None]] = []
    for place in gold.not_districts:
        mention = matcher.resolve(place.name)
        if mention is not None and mention.kind in ("district", "group"):
            broken.append((place, None))
        key = name_key(place.name)
        for claim in claims:
            if claim.article == place.article and claim.name and name_key(claim.name) == key:
                broken.append((place, claim))
    for place in gold.not_claims:
        mention = matcher.resolve(place.name)
        if mention is None or mention.kind not in ("district", "group"):
            continue
        # a group's name forbids the claim on each of its members
        targets = set(matcher.members(mention.target)) if mention.kind == "group" else {
            mention.target
        }
        statuses = {place.status, "partial"} if place.status == "captured" else {place.status}
        for claim in claims:
            if (
                claim.article == place.article
                and claim.district in targets
                and claim.status in statuses
                and place.side in (None, "any", claim.side)
            ):
                broken.append((place, claim))
    return broken


def format_report(report: Report) -> str:
    """The report as text: figures per status and overall, then every miss and surprise."""
    lines = [
        f"{'status':<10} {'precision':>9} {'recall':>7} {'dates':>6}"
        "   (correct/extracted, found/gold)"
    ]

    def row(name: str, score: Score) -> str:
        return (
            f"{name:<10} {score.precision:>9.2f} {score.recall:>7.2f} {score.date_accuracy:>6.2f}"
            f"   ({score.correct}/{score.extracted}, {score.found}/{score.gold})"
        )

    for status in STATUSES:
        if status in report.by_status:
            lines.append(row(status, report.by_status[status]))
    lines.append(row("overall", report.overall))
    if report.misses:
        lines.append("")
        lines.append(f"missed ({len(report.misses)}):")
        for item in report.misses:
            share = f" share {item.share}" if item.share_given else ""
            lines.append(
                f"  {item.article} {item.name!r}: {item.side} {item.status}{share} {item.date}"
                f" (gold line {item.line})"
            )
    if report.unexpected:
        lines.append("")
        lines.append(f"unexpected ({len(report.unexpected)}):")
        for claim in report.unexpected:
            share = f" share {claim.share}" if claim.share is not None else ""
            lines.append(
                f"  {claim.article} {claim.district} ({claim.name}): {claim.side} {claim.status}"
                f"{share} {claim.date.isoformat()}"
            )
            lines.append(f"      « {_short(claim.quote)} »")
    if report.wrong_dates:
        lines.append("")
        lines.append(f"wrong dates ({len(report.wrong_dates)}):")
        for item, claim in report.wrong_dates:
            lines.append(
                f"  {item.article} {item.name!r} {item.status}: {claim.date.isoformat()},"
                f" gold {item.date} (±{item.date_window_days} d)"
            )
    if report.forbidden:
        lines.append("")
        lines.append(f"forbidden ({len(report.forbidden)}):")
        for place, claim in report.forbidden:
            what = f"claim {claim.district} {claim.status}" if claim else "resolves to a district"
            lines.append(f"  {place.article} {place.name!r}: {what} ({place.why})")
    if report.unresolved:
        lines.append("")
        lines.append(f"gold names not placed by the gazetteer ({len(report.unresolved)}):")
        lines.extend(f"  {text}" for text in report.unresolved)
    return "\n".join(lines)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
