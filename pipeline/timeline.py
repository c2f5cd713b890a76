"""The control stage's merge: baseline + claims + corrections -> who holds each district when.

Rules (SPEC.md, "Timeline and state"):
- a district starts from its baseline shares on the gazetteer's baseline date;
- claims apply in date order; on one date, captured/lost/partial outrank held, a stated share
  outranks none, and the editor's corrections outrank everything (they are applied last);
- ``partial`` sets that side's share and gives the rest to the previous holders, and marks the
  district contested; an unstated share ("en partie") counts as ``UNSTATED_SHARE``;
- ``contested``/``besieged`` flags last until a later captured/held/lost claim clears them;
- ``lost`` hands the loser's share to ``Claim.gainer``, else to the other side that holds most
  of the district, else to the first other side of the gazetteer;
- ``targeted``/``shelled`` never change who holds ground;
- the holding ``side`` has the largest share; ties go to the side that gained most recently.
Claims dated on or before the baseline date are left out: the baseline is the editor's
reference for that day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.model import (
    Claim,
    Corrections,
    DistrictState,
    Evidence,
    Gazetteer,
    Timeline,
)

UNSTATED_SHARE = 0.5
_SHARE_DIGITS = 3
# the order in which one date's claims are applied: the last applied wins
_RANK = {"held": 0, "contested": 1, "besieged": 1, "partial": 2, "captured": 2, "lost": 2}


@dataclass
class _Running:
    """The mutable state of one district while the claims are folded in."""

    shares: dict[str, float]
    contested: bool = False
    besieged: bool = False
    since: dt.date = dt.date.min
    evidence: list[Evidence] = field(default_factory=list)
    gained: dict[str, int] = field(default_factory=dict)  # side -> order of its last gain

    def key(self) -> tuple[object, ...]:
        return (tuple(sorted(self.shares.items())), self.contested, self.besieged)


def apply_corrections(claims: Iterable[Claim], corrections: Corrections | None) -> list[Claim]:
    """Drops the extracted claims the editor rejected and adds the editor's own claims."""
    kept = list(claims)
    if corrections is None:
        return kept
    for rejection in corrections.rejections:
        kept = [
            c
            for c in kept
            if not (
                c.article == rejection.article
                and c.district == rejection.district
                and rejection.status in (None, c.status)
            )
        ]
    return kept + list(corrections.claims)


def build_timeline(
    gazetteer: Gazetteer, claims: Iterable[Claim], *, corrections: Corrections | None = None
) -> Timeline:
    """Folds the claims into the baseline; returns the states on every date that changed one."""
    base_day = gazetteer.baseline_date
    running: dict[str, _Running] = {}
    for district in gazetteer.districts:
        shares = _clean(district.baseline)
        running[district.id] = _Running(
            shares=shares,
            since=base_day,
            evidence=[Evidence(article="baseline", date=base_day, quote=_baseline_quote(gazetteer))],
            gained={side: 0 for side in shares},
        )
    side_order = list(gazetteer.sides)
    states = {base_day: _freeze_all(running)}
    dates: list[dt.date] = []
    changes: dict[dt.date, tuple[str, ...]] = {}

    by_date: dict[dt.date, list[Claim]] = defaultdict(list)
    for claim in apply_corrections(claims, corrections):
        if claim.date > base_day and claim.district in running and claim.status in _RANK:
            by_date[claim.date].append(claim)

    tick = 0
    for day in sorted(by_date):
        before = {d: r.key() for d, r in running.items()}
        touched: set[str] = set()
        for claim in sorted(by_date[day], key=_precedence):
            tick += 1
            _apply(running[claim.district], claim, side_order=side_order, tick=tick)
            touched.add(claim.district)
        changed = tuple(sorted(d for d in touched if running[d].key() != before[d]))
        for district_id in changed:
            running[district_id].since = day
        if changed:
            dates.append(day)
            changes[day] = changed
        states[day] = _freeze_all(running)
    return Timeline(baseline_date=base_day, dates=tuple(dates), states=states, changes=changes)


def _precedence(claim: Claim) -> tuple[object, ...]:
    # ascending: applied first, overridden by what follows
    return (
        claim.correction,
        _RANK[claim.status],
        claim.share is not None,
        claim.confidence,
        claim.article,
        claim.quote,
        claim.side or "",
    )


def _apply(state: _Running, claim: Claim, *, side_order: list[str], tick: int) -> None:
    evidence = Evidence(
        article=claim.article,
        date=claim.date,
        quote=claim.quote,
        status=claim.status,
        correction=claim.correction,
    )
    status, side = claim.status, claim.side
    if status in ("contested", "besieged"):
        if status == "contested":
            state.contested = True
        else:
            state.besieged = True
        state.evidence.append(evidence)
        return
    if side is None:
        return
    if status == "held":
        if state.shares.get(side, 0.0) < 1.0:
            state.gained[side] = tick
        state.shares = {side: 1.0}
        state.contested = state.besieged = False
        state.evidence = [evidence]
    elif status == "captured" and (claim.share is None or claim.share >= 1.0):
        if state.shares.get(side, 0.0) < 1.0:
            state.gained[side] = tick
        state.shares = {side: 1.0}
        state.contested = state.besieged = False
        state.evidence = [evidence]
    elif status in ("captured", "partial"):
        share = UNSTATED_SHARE if claim.share is None else claim.share
        state.shares = _set_share(state.shares, side, share)
        state.gained[side] = tick
        state.contested = True
        state.evidence.append(evidence)
    elif status == "lost":
        held = state.shares.get(side, 0.0)
        gainer = claim.gainer or _opponent(state.shares, side, side_order)
        shares = {s: v for s, v in state.shares.items() if s != side}
        shares[gainer] = shares.get(gainer, 0.0) + held
        state.shares = _clean(shares)
        state.gained[gainer] = tick
        state.contested = state.besieged = False
        state.evidence = [evidence]


def _set_share(shares: dict[str, float], side: str, share: float) -> dict[str, float]:
    """Gives ``side`` exactly ``share``; the others keep their proportions of the rest."""
    share = min(max(share, 0.0), 1.0)
    others = {s: v for s, v in shares.items() if s != side and v > 0}
    rest = 1.0 - share
    total = sum(others.values())
    result = {side: share}
    if total > 0:
        for s, v in others.items():
            result[s] = rest * v / total
    elif rest > 0:
        # the side alone held it: it cannot give itself the rest, so the share stands as stated
        result[side] = 1.0
    return _clean(result)


def _opponent(shares: dict[str, float], side: str, side_order: list[str]) -> str:
    others = sorted(
        ((v, -side_order.index(s) if s in side_order else 0, s) for s, v in shares.items() if s != side),
        reverse=True,
    )
    if others and others[0][0] > 0:
        return others[0][2]
    return next(s for s in side_order if s != side)


def _clean(shares: dict[str, float]) -> dict[str, float]:
    kept = {s: round(float(v), _SHARE_DIGITS) for s, v in shares.items() if v > 1e-9}
    return dict(sorted(kept.items()))


def _holder(state: _Running) -> str:
    return max(state.shares, key=lambda s: (state.shares[s], state.gained.get(s, 0), s))


def _freeze_all(running: dict[str, _Running]) -> tuple[DistrictState, ...]:
    return tuple(
        DistrictState(
            district=district_id,
            side=_holder(r),
            shares=dict(r.shares),
            contested=r.contested,
            besieged=r.besieged,
            since=r.since,
            evidence=tuple(r.evidence),
        )
        for district_id, r in sorted(running.items())
    )


def _baseline_quote(gazetteer: Gazetteer) -> str:
    day = gazetteer.baseline_date.isoformat()
    return f"Baseline of {day}, from the gazetteer"


def state_on(timeline: Timeline, day: dt.date) -> tuple[DistrictState, ...]:
    """Every district's state on ``day`` (the baseline's before the first claim)."""
    return timeline.state_on(day)


__all__ = ["UNSTATED_SHARE", "apply_corrections", "build_timeline", "state_on"]
