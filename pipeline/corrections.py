"""Corrections: the editor's last word on the claims, in ``seeds/corrections.yaml``.

```yaml
claims:      # manual claims, applied after the extracted ones
  - {district: al-shaar, side: government, status: captured, share: 1.0, date: 2016-12-06,
     source: "AFP 2016-12-07", note: "Chaar fell on 6 Dec"}
rejections:  # extracted claims the editor rejects
  - {article: 003_8db79db811459940, district: al-shaar, status: captured, reason: "..."}
```

``load_corrections`` validates every entry against the gazetteer (district ids, sides) and
the articles (ids), reports every problem as ``path:line: message``, and returns the
model's ``Corrections``. A missing file is no correction at all.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pipeline._errors import InputError, Problem
from pipeline._yamlio import Fields, line_of, parse_yaml, read_text, show
from pipeline.gazetteer import Matcher
from pipeline.model import STATUSES, Claim, Corrections, Gazetteer, Rejection

# statuses that say who holds ground: a manual claim of these must name a side
SIDED_STATUSES = ("captured", "partial", "held", "lost", "besieged", "targeted")
CORRECTIONS_ARTICLE = "corrections"

_TOP_KEYS = frozenset({"claims", "rejections"})
_CLAIM_KEYS = frozenset({"district", "side", "status", "share", "date", "source", "note", "gainer"})
_REJECTION_KEYS = frozenset({"article", "district", "status", "reason"})


def load_corrections(
    path: str | Path,
    *,
    gazetteer: Gazetteer,
    article_ids: Collection[str] | None,
    today: dt.date | None = None,
) -> Corrections:
    """The corrections file, validated; ``Corrections(path=None)`` when it does not exist.

    ``article_ids`` are the articles a rejection may name (None: not checked).
    """
    where = str(path)
    if not Path(where).exists():
        return Corrections(path=None)
    problems: list[Problem] = []
    text, _data = read_text(where, problems)
    if text is None:
        raise InputError(problems)
    document, parse_problems = parse_yaml(text, path=where)
    problems.extend(parse_problems)
    if document is None:
        if problems:
            raise InputError(problems)
        return Corrections(path=where)
    if not isinstance(document, dict):
        msg = (
            "the corrections must be a mapping with 'claims' and 'rejections', "
            f"got {show(document)}"
        )
        raise InputError([*problems, Problem(where, line_of(document), msg)])

    checker = _Checker(where, problems, gazetteer=gazetteer, article_ids=article_ids, today=today)
    top = Fields(document, path=where, problems=problems)
    top.unknown(_TOP_KEYS)
    claims = [
        claim
        for item, line, index in _items(top, "claims")
        if (claim := checker.claim(item, line, index)) is not None
    ]
    rejections = [
        rejection
        for item, line, index in _items(top, "rejections")
        if (rejection := checker.rejection(item, line, index)) is not None
    ]
    if problems:
        raise InputError(sorted(problems))
    return Corrections(path=where, claims=tuple(claims), rejections=tuple(rejections))


def read_corrections_file(path: str | Path) -> list[Problem]:
    """The problems of the file itself (encoding, YAML syntax, shape), for when there is no
    valid gazetteer to check its entries against: the editor still sees them in this run."""
    where = str(path)
    problems: list[Problem] = []
    text, _data = read_text(where, problems)
    if text is None:
        return problems
    document, parse_problems = parse_yaml(text, path=where)
    problems.extend(parse_problems)
    if document is not None and not isinstance(document, dict):
        msg = (
            "the corrections must be a mapping with 'claims' and 'rejections', "
            f"got {show(document)}"
        )
        problems.append(Problem(where, line_of(document), msg))
    elif isinstance(document, dict):
        Fields(document, path=where, problems=problems).unknown(_TOP_KEYS)
    return problems


def _items(top: Fields, key: str) -> list[tuple[Any, int, int]]:
    value = top.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        top.add(key, f"must be a list, got {show(value)}")
        return []
    return [(item, line_of(value, i, default=top.line_of(key)), i) for i, item in enumerate(value)]


class _Checker:
    """Validates the entries of one corrections file against the gazetteer and articles."""

    def __init__(
        self,
        path: str,
        problems: list[Problem],
        *,
        gazetteer: Gazetteer,
        article_ids: Collection[str] | None,
        today: dt.date | None,
    ) -> None:
        self.path = path
        self.problems = problems
        self.gazetteer = gazetteer
        self.article_ids = None if article_ids is None else sorted(article_ids)
        self.today = today or dt.date.today()
        self.district_ids = {d.id for d in gazetteer.districts}
        self._matcher: Matcher | None = None

    def fields(self, kind: str, item: Any, line: int, index: int) -> Fields | None:
        label = f"{kind} #{index + 1}"
        if not isinstance(item, dict):
            msg = f"{label}: must be a mapping, got {show(item)}"
            self.problems.append(Problem(self.path, line, msg))
            return None
        return Fields(item, path=self.path, problems=self.problems, label=label, line=line)

    def claim(self, item: Any, line: int, index: int) -> Claim | None:
        fields = self.fields("claim", item, line, index)
        if fields is None:
            return None
        fields.unknown(_CLAIM_KEYS)
        district = self.district(fields)
        status = self.status(fields, required=True)
        side = self.side(fields, "side", required=status in SIDED_STATUSES)
        gainer = self.side(fields, "gainer", required=False)
        share = fields.number("share")
        if share is not None and not 0 <= share <= 1:
            fields.add("share", f"must be a share between 0 and 1, got {show(share)}")
            share = None
        date = fields.date("date", required=True)
        if date is not None and date < self.gazetteer.baseline_date:
            baseline = self.gazetteer.baseline_date.isoformat()
            msg = f"{date.isoformat()} is before the gazetteer's baseline date {baseline}"
            fields.add("date", msg)
            date = None
        elif date is not None and date > self.today:
            msg = f"{date.isoformat()} is in the future (today is {self.today.isoformat()})"
            fields.add("date", msg)
            date = None
        source = fields.text("source", scalar=True)
        note = fields.text("note", scalar=True)
        if source is None and note is None and not fields.has("source") and not fields.has("note"):
            fields.add(None, "needs a source or a note (they become the claim's quote on the map)")
        if district is None or status is None or date is None or (source is None and note is None):
            return None
        if status in SIDED_STATUSES and side is None:
            return None
        return Claim(
            article=CORRECTIONS_ARTICLE,
            district=district,
            side=side,
            status=status,
            share=share,
            date=date,
            date_precision="day",
            # the map shows the quote: the editor's note, then where it comes from
            quote=f"{note} ({source})" if note and source else note or source or "",
            confidence=1.0,
            name=self.gazetteer.district(district).label,
            correction=True,
            note=note,
            gainer=gainer,
        )

    def rejection(self, item: Any, line: int, index: int) -> Rejection | None:
        fields = self.fields("rejection", item, line, index)
        if fields is None:
            return None
        fields.unknown(_REJECTION_KEYS)
        article = self.article(fields)
        district = self.district(fields)
        status = self.status(fields, required=False)
        reason = fields.text("reason", required=True, scalar=True)
        if article is None or district is None or reason is None:
            return None
        if fields.has("status") and status is None:
            return None
        return Rejection(
            article=article, district=district, reason=reason, status=status, line=fields.line
        )

    # one field each -------------------------------------------------------------------

    def district(self, fields: Fields) -> str | None:
        value = fields.text("district", required=True)
        if value is None or value in self.district_ids:
            return value
        # a name instead of an id, or a typo: say which ids are close
        if self._matcher is None:
            self._matcher = Matcher(self.gazetteer)
        named = self._matcher.resolve(value)
        if named is not None and named.kind == "district":
            hint = f" (it names district {named.target!r}: write the id)"
        else:
            close = self._matcher.suggest(value)
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        fields.add("district", f"names an unknown district id {value!r}{hint}")
        return None

    def side(self, fields: Fields, key: str, *, required: bool) -> str | None:
        value = fields.text(key, required=required)
        if value is None or value in self.gazetteer.sides:
            return value
        known = ", ".join(self.gazetteer.sides)
        fields.add(key, f"names an unknown side {value!r} (sides: {known})")
        return None

    def status(self, fields: Fields, *, required: bool) -> str | None:
        value = fields.text("status", required=required)
        if value is None or value in STATUSES:
            return value
        fields.add("status", f"must be one of {', '.join(STATUSES)}, got {show(value)}")
        return None

    def article(self, fields: Fields) -> str | None:
        value = fields.text("article", required=True, scalar=True)
        if value is None or self.article_ids is None or value in self.article_ids:
            return value
        close = difflib.get_close_matches(value, self.article_ids, n=3, cutoff=0.6)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        fields.add("article", f"names an unknown article {value!r}{hint}")
        return None
