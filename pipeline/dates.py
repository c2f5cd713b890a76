"""When a claim happened: French date expressions resolved against the article's date.

Rules (SPEC.md "Event dates", issue 3):
- a weekday is the latest such day on or before ``published`` (« jeudi », « jeudi soir »);
  « jeudi dernier » the one before that when ``published`` is a Thursday;
- « hier » is one day before, « avant-hier » two; « aujourd'hui », « ce matin »,
  « dans la nuit » (alone) are ``published``;
- « dans la nuit de mardi à mercredi » is the Wednesday;
- « le 15 novembre » takes the year of ``published`` and never falls after it;
- « la veille », « le lendemain » count from a date named earlier in the same text,
  else from ``published``;
- « ces derniers jours » is ``published`` with precision ``approximate``;
- a date after « depuis », « à partir de », « jusqu'à » ... is the start or end of a state,
  not the event (role ``start``); a weekday with « prochain » is in the future (``future``);
  a past year or month (« en 2012 », « en mars 2011 ») is background (``background``);
- no expression: ``published``.

The words are data (``lexicon/fr.yaml``, section ``dates``). Text is matched after folding
(lower case, accents off) with a map back to the original offsets.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline._yamlio import safe_data

LEXICON_PATH = Path(__file__).parent / "lexicon" / "fr.yaml"

# roles of a date expression in its sentence
ROLES = ("event", "start", "future", "background")
# characters folded to an apostrophe
_APOSTROPHES = "’‘ʼ`´′"
# characters that are part of a word for the boundaries of a phrase
_WORD = r"[\w'-]"
# runs of characters beyond ASCII (the group keeps them in a split)
_NOT_ASCII = re.compile(r"([^\x00-\x7f]+)")


@dataclass(frozen=True, eq=False)
class DateWords:
    """The date section of the lexicon, folded (compared by identity: compiled once each)."""

    weekdays: tuple[str, ...]
    months: dict[str, int]
    day_parts: tuple[str, ...]
    weekday_past: tuple[str, ...]
    weekday_future: tuple[str, ...]
    relative_days: dict[str, int]
    anchored_days: dict[str, int]
    night: tuple[str, ...]
    night_link: tuple[str, ...]
    approximate: tuple[str, ...]
    approximate_offsets: dict[str, int]
    ago: tuple[str, ...]
    ago_units: dict[str, int]
    numbers: dict[str, int]
    start_markers: tuple[str, ...]
    ordinal_suffixes: tuple[str, ...]


@dataclass(frozen=True)
class DateMention:
    """One date expression of a text: its exact span, the day it names and its role."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: str  # "day" | "approximate"
    role: str  # "event" | "start" | "future" | "background"


def fold(text: str) -> str:
    """Lower case, accents off, apostrophes as ``'``: the form every lexicon word is kept in."""
    if text.isascii():
        return text.lower()
    if len(text) <= 40:
        return _fold_short(text)
    return "".join(_fold_char(c) for c in text)


@functools.lru_cache(maxsize=1 << 16)
def _fold_short(text: str) -> str:
    return "".join(_fold_char(c) for c in text)


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    if char.isascii():
        return char.lower()
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base.lower() if base else char


# how each ASCII character folds, as a table for ``str.translate``
_ASCII_FOLD = str.maketrans({chr(code): _fold_char(chr(code)) for code in range(128)})


def fold_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """The folded text and, for each of its characters, the offset of its source character
    (one more at the end: the length of ``text``)."""
    # the text is mostly ASCII: its runs fold by one table lookup a character, and the runs
    # of other characters (« é », « ’ ») through the memo of ``fold``
    pieces = _NOT_ASCII.split(text)  # ASCII, other, ASCII, ..., ASCII
    pieces[0::2] = [piece.translate(_ASCII_FOLD) for piece in pieces[0::2]]
    pieces[1::2] = [fold(piece) for piece in pieces[1::2]]
    folded = "".join(pieces)
    if len(folded) == len(text):
        # every character folded to one (none folds to nothing): the offsets are the same
        return folded, range(len(text) + 1)
    # a few characters fold to several (« … » to « ... »): the runs between them are the same
    offsets: list[int] = []
    position = 0
    for run in _NOT_ASCII.finditer(text):
        for index in range(run.start(), run.end()):
            size = len(_fold_char(text[index]))
            if size > 1:
                offsets.extend(range(position, index))
                offsets.extend([index] * size)
                position = index + 1
    offsets.extend(range(position, len(text) + 1))
    return folded, offsets


def load_date_words(path: str | Path | None = None) -> DateWords:
    """Reads the ``dates`` section of a lexicon file (default: the French lexicon)."""
    return date_words_from(read_lexicon_file(str(path or LEXICON_PATH))["dates"])


@functools.lru_cache(maxsize=8)
def read_lexicon_file(path: str) -> dict[str, Any]:
    """A lexicon file as a mapping (read once per process)."""
    with open(path, encoding="utf-8") as stream:
        data = safe_data(stream.read())
    if not isinstance(data, dict):
        msg = f"{path}: the lexicon must be a mapping, not {type(data).__name__}"
        raise ValueError(msg)
    return data


def date_words_from(section: dict[str, Any]) -> DateWords:
    """The ``dates`` section of a lexicon mapping, folded."""
    def words(key: str) -> tuple[str, ...]:
        return tuple(fold(str(w)) for w in section.get(key) or ())

    def table(key: str) -> dict[str, int]:
        return {fold(str(k)): int(v) for k, v in (section.get(key) or {}).items()}

    return DateWords(
        weekdays=words("weekdays"),
        months=table("months"),
        day_parts=words("day_parts"),
        weekday_past=words("weekday_past"),
        weekday_future=words("weekday_future"),
        relative_days=table("relative_days"),
        anchored_days=table("anchored_days"),
        night=words("night"),
        night_link=words("night_link"),
        approximate=words("approximate"),
        approximate_offsets=table("approximate_offsets"),
        ago=words("ago"),
        ago_units=table("ago_units"),
        numbers=table("numbers"),
        start_markers=words("start_markers"),
        ordinal_suffixes=words("ordinal_suffixes"),
    )


@functools.lru_cache(maxsize=1)
def default_date_words() -> DateWords:
    return load_date_words()


def _words_of(lexicon: object | None) -> DateWords:
    # a DateWords, anything that carries one as ``.dates`` (the control stage's Lexicon), or None
    if lexicon is None:
        return default_date_words()
    if isinstance(lexicon, DateWords):
        return lexicon
    dates = getattr(lexicon, "dates", None)
    if isinstance(dates, DateWords):
        return dates
    msg = f"lexicon must be a DateWords or carry one as .dates, not {type(lexicon).__name__}"
    raise TypeError(msg)


def resolve_event_date(
    text: str, published: dt.date, *, lexicon: object | None = None, focus: int | None = None
) -> tuple[dt.date, str]:
    """The day the event of ``text`` happened, and ``"day"`` or ``"approximate"``.

    The governing expression is an event date (not a start, a future day or background);
    with ``focus`` (a character offset: the verb or the district) the one nearest to it,
    else the first. No such expression: ``published``.
    """
    events = [m for m in find_dates(text, published, lexicon=lexicon) if m.role == "event"]
    if not events:
        return published, "day"
    if focus is None:
        chosen = events[0]
    else:
        chosen = min(events, key=lambda m: (_distance(m, focus), m.start))
    return chosen.date, chosen.precision


def _distance(mention: DateMention, offset: int) -> int:
    if mention.start <= offset < mention.end:
        return 0
    return mention.start - offset if mention.start > offset else offset - mention.end + 1


def find_dates(
    text: str,
    published: dt.date,
    *,
    lexicon: object | None = None,
    anchor: dt.date | None = None,
    before: int | None = None,
) -> list[DateMention]:
    """Every date expression of ``text``, left to right, resolved against ``published``.

    ``anchor``: the day named last before ``text`` (in the sentence before), from which
    « la veille » counts until ``text`` names a day of its own. ``before``: only the
    expressions that begin before this offset (the rest of the text is not read).
    """
    words = _words_of(lexicon)
    compiled = _compile(words)
    # no expression runs over a full stop: what begins before the first one at or after
    # ``before`` is found the same in the text cut there
    end = len(text) if before is None else _next_stop(text, before, words)
    folded, offsets = fold_with_offsets(text[:end])
    mentions: list[DateMention] = []
    for match in compiled.finditer(folded):
        kind = match.lastgroup or ""
        try:
            resolved = _resolve(kind, match, published, words, anchor)
        except OverflowError:
            # "il y a 800000 semaines": a day no calendar holds is no date at all
            resolved = None
        if resolved is None:
            continue
        day, precision, role = resolved
        if day > published and role in ("event", "background"):
            # a stated year after the article ("le 15 décembre 2017"): a plan, not an event
            role = "future"
        if role in ("event", "background") and _after_start_marker(folded, match.start(), words):
            role = "start"
        start, end = offsets[match.start()], offsets[match.end()]
        mentions.append(DateMention(start, end, text[start:end], day, precision, role))
        if role == "event" and precision == "day":
            anchor = day
    if before is not None:
        return [mention for mention in mentions if mention.start < before]
    return mentions


def _next_stop(text: str, offset: int, words: DateWords) -> int:
    """The offset of the first character at or after ``offset`` that no date expression
    holds nor touches (a full stop), or the length of the text."""
    stop = _stops(words).search(text, offset)
    return len(text) if stop is None else stop.start()


@functools.lru_cache(maxsize=8)
def _stops(words: DateWords) -> re.Pattern[str]:
    # the end punctuation no word of the lexicon's date section holds (a stop is not a
    # word character, a digit or a space, and folds to itself: the pattern never reads it)
    held = set("".join([*_date_phrases(words), *_MONTH_PREFIXES]))
    stops = "".join(char for char in ".!?;" if char not in held)
    return re.compile(f"[{re.escape(stops)}]" if stops else "(?!)")


def _date_phrases(words: DateWords) -> list[str]:
    return [
        str(phrase)
        for value in vars(words).values()
        for phrase in (value if isinstance(value, (tuple, dict)) else ())
    ]


def _resolve(
    kind: str,
    match: re.Match[str],
    published: dt.date,
    words: DateWords,
    anchor: dt.date | None,
) -> tuple[dt.date, str, str] | None:
    # the expressions, from the most specific to the least
    groups = match.groupdict()
    if kind == "night":
        # the night from one day to the next ends on the second day
        day = _weekday(groups["night_to"] or groups["night_from"], published, words)
        return day, "day", "event"
    if kind == "explicit":
        day = _explicit(groups, published, words)
        return None if day is None else (day, "day", "event")
    if kind in ("month", "monthyear"):
        return _month(groups, published, words)
    if kind == "yearonly":
        year = int(groups["year_only"])
        if year < published.year:
            return dt.date(year, 1, 1), "approximate", "background"
        return None
    if kind == "weekday":
        day = _weekday(groups["wd"], published, words)
        after = groups["wd_after"] or ""
        if after in words.weekday_future:
            return day + dt.timedelta(days=7 if day < published else 0), "day", "future"
        if after in words.weekday_past and day == published:
            day -= dt.timedelta(days=7)
        return day, "day", "event"
    if kind == "relative":
        offset = words.relative_days[_squash(groups["relative_words"])]
        return published + dt.timedelta(days=offset), "day", "event"
    if kind == "anchored":
        offset = words.anchored_days[_squash(groups["anchored_words"])]
        day = (anchor or published) + dt.timedelta(days=offset)
        # a "lendemain" never falls after the article
        return min(day, published), "day", "event"
    if kind == "approximate_offset":
        offset = words.approximate_offsets[_squash(groups["offset"])]
        return published + dt.timedelta(days=offset), "approximate", "event"
    if kind == "approximate":
        return published, "approximate", "event"
    if kind == "ago":
        count_word = groups["ago_count"]
        count = int(count_word) if count_word.isdigit() else words.numbers.get(count_word, 0)
        days = count * words.ago_units[groups["ago_unit"]]
        precision = "day" if words.ago_units[groups["ago_unit"]] == 1 else "approximate"
        return published - dt.timedelta(days=days), precision, "event"
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _weekday(name: str, published: dt.date, words: DateWords) -> dt.date:
    # the latest such weekday on or before the article's date
    index = words.weekdays.index(name)
    return published - dt.timedelta(days=(published.weekday() - index) % 7)


def _explicit(
    groups: dict[str, str | None],
    published: dt.date,
    words: DateWords,
) -> dt.date | None:
    month = words.months[groups["ex_month"] or ""]
    day_number = int(groups["ex_day"] or 0)
    year = int(groups["ex_year"]) if groups["ex_year"] else published.year
    try:
        day = dt.date(year, month, day_number)
    except ValueError:
        return None
    # without a year, the date never falls after the article
    if not groups["ex_year"] and day > published:
        try:
            day = dt.date(year - 1, month, day_number)
        except ValueError:
            return None
    return day


def _month(
    groups: dict[str, str | None], published: dt.date, words: DateWords
) -> tuple[dt.date, str, str] | None:
    name = groups["month_only"] or groups["month_only2"] or ""
    year_text = groups["month_year"] or groups["month_year2"]
    month = words.months[name]
    year = int(year_text) if year_text else published.year
    if not year_text and month > published.month:
        year -= 1
    if (year, month) == (published.year, published.month):
        return published, "approximate", "event"
    middle = dt.date(year, month, 15)
    if (year, month) < (published.year, published.month) and year < published.year:
        return middle, "approximate", "background"
    return (min(middle, published), "approximate", "event") if middle <= published else None


def _after_start_marker(folded: str, start: int, words: DateWords) -> bool:
    # "depuis le 15 novembre", "à partir de jeudi", "jusqu'au 3 décembre"
    before = folded[max(0, start - 40) : start].rstrip()
    before = _ARTICLE_AT_END.sub("", before).rstrip()
    return _marker_at_end(words).search(before) is not None


_ARTICLE_AT_END = re.compile(r"(?:\b(?:le|la|les|l'|ce|cette)\s*)$")


@functools.lru_cache(maxsize=8)
def _marker_at_end(words: DateWords) -> re.Pattern[str]:
    # a start marker that ends the text, a whole word
    markers = "|".join(re.escape(marker) for marker in words.start_markers)
    return re.compile(rf"(?<!{_WORD})(?:{markers})\Z" if markers else "(?!)")


def _alternation(phrases: object) -> str:
    """A pattern that matches any of ``phrases`` (a space: any run of white space), written
    as a tree of shared beginnings (« la nuit de|la nuit du » as ``la\\s+nuit\\s+d(?:e|u)``)
    so that the regex engine reads each letter once at a place rather than once per phrase.

    Where several phrases match at a place the longest is tried first, as in a list of
    alternatives sorted longest first; two branches of the tree never match at one place."""
    tree: dict[str, Any] = {}
    for phrase in {str(p) for p in phrases}:  # type: ignore[attr-defined]
        node = tree
        for unit in _units(phrase):
            node = node.setdefault(unit, {})
        node[""] = {}  # a phrase ends here
    return _tree_pattern(tree)


def _units(phrase: str) -> list[str]:
    # each character escaped, each run of white space one \s+
    pieces = re.findall(r"\s+|.", phrase, re.DOTALL)
    return [r"\s+" if piece.isspace() else re.escape(piece) for piece in pieces]


def _tree_pattern(node: dict[str, Any]) -> str:
    branches = [unit + _tree_pattern(child) for unit, child in sorted(node.items()) if unit]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if "" not in node:
        return body
    # a phrase ends here and longer ones go on: the longer first (a greedy option)
    return f"(?:{body})?"


@functools.lru_cache(maxsize=8)
def _compile(words: DateWords, *, screened: bool = True) -> re.Pattern[str]:
    """The expressions of ``words`` as one pattern over folded text (``screened``: with the
    look at the first word that spares the engine most words; the same matches)."""
    weekday = _alternation(words.weekdays)
    month = _alternation(words.months)
    ordinal = _alternation(words.ordinal_suffixes)
    parts = _alternation(words.day_parts)
    past_future = _alternation(words.weekday_past + words.weekday_future)
    numbers = _alternation(words.numbers)
    units = _alternation(words.ago_units)
    # "dans la soirée de jeudi", "la nuit de mardi à mercredi"
    day_part_links = tuple(
        f"{part} {link}"
        for part in words.day_parts
        for link in ("de", "du")
        if part.startswith(("dans", "en"))
    )
    part_prefixes = _alternation(words.night + day_part_links)
    night_links = _alternation(words.night_link)
    patterns = [
        (
            "night",
            rf"(?:{part_prefixes})\s+(?P<night_from>{weekday})"
            rf"(?:\s+(?:{parts}))?(?:\s+(?:{night_links})\s+(?P<night_to>{weekday}))?",
        ),
        (
            "explicit",
            rf"(?:(?:{weekday})\s+)?(?P<ex_day>[0-3]?\d)(?:{ordinal})?\s+(?P<ex_month>{month})"
            rf"(?:\s+(?P<ex_year>(?:19|20)\d\d))?",
        ),
        (
            "ago",
            rf"(?:{_alternation(words.ago)})\s+"
            rf"(?P<ago_count>\d+|{numbers})\s+(?P<ago_unit>{units})",
        ),
        ("approximate_offset", rf"(?P<offset>{_alternation(words.approximate_offsets)})"),
        ("approximate", rf"(?:{_alternation(words.approximate)})"),
        ("relative", rf"(?P<relative_words>{_alternation(words.relative_days)})"),
        ("anchored", rf"(?P<anchored_words>{_alternation(words.anchored_days)})"),
        (
            "weekday",
            rf"(?P<wd>{weekday})(?:\s+(?:{parts}))?(?:\s+(?P<wd_after>{past_future}))?",
        ),
        (
            "month",
            rf"(?:(?:{'|'.join(_literal(prefix) for prefix in _MONTH_PREFIXES)})\s*)"
            rf"(?P<month_only>{month})(?:\s+(?P<month_year>(?:19|20)\d\d))?",
        ),
        ("monthyear", rf"(?P<month_only2>{month})\s+(?P<month_year2>(?:19|20)\d\d)"),
        ("yearonly", r"(?P<year_only>(?:19|20)\d\d)"),
    ]
    body = "|".join(f"(?P<{name}>{pattern})" for name, pattern in patterns)
    if not screened:
        return re.compile(rf"(?<![\w'-])(?:{body})(?![\w-])")
    # every expression above begins with a digit or with the first word of one of these
    # phrases: a word that begins none of them is passed without trying each expression
    openers = (
        *words.night, *day_part_links, *words.weekdays, *words.ago, *words.approximate_offsets,
        *words.approximate, *words.relative_days, *words.anchored_days, *words.months,
        *_MONTH_PREFIXES,
    )
    first_words = _alternation({(opener.split() or [""])[0] for opener in openers})
    return re.compile(rf"(?<![\w'-])(?=\d|{first_words})(?:{body})(?![\w-])")


# the words before a month (« en mars », « mi-novembre », « au mois de décembre »)
_MONTH_PREFIXES = ("en", "de", "d'", "mi-", "debut", "fin", "courant", "au mois de", "le mois de")


def _literal(phrase: str) -> str:
    return re.escape(phrase).replace(r"\ ", r"\s+")
