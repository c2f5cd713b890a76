"""The control stage's French lexicon, compiled: phrases as token alternatives, every verb form.

``lexicon/fr.yaml`` is data an editor reads and extends; this module turns it into the
structures the extraction matches against (``Lexicon``), and cuts text into the tokens
those structures are made of (``tokenize_text``). ``pipeline.control`` re-exports
``load_lexicon``, ``Lexicon`` and ``tokenize_text``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.dates import DateWords, date_words_from, fold, read_lexicon_file
from pipeline.model import STATUSES

LEXICON_PATH = Path(__file__).parent / "lexicon" / "fr.yaml"


# --- the lexicon ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Phrase:
    """A sequence of token alternatives (folded), with the position of its verb if any."""

    items: tuple[frozenset[str], ...]
    text: str
    verb: str | None = None
    verb_at: int = -1
    reflexive: bool = False


@dataclass(frozen=True, eq=False)
class Cue:
    status: str
    kind: str  # active | subject | state | noun | location
    phrase: Phrase
    preps: tuple[Phrase, ...] = ()
    passive: bool = True
    needs_actor: bool = False
    opponent: bool = False
    loser_subject: bool = False
    prep_status: tuple[tuple[Phrase, str], ...] = ()  # (preposition, status) overrides


@dataclass(frozen=True, eq=False)
class PhraseSet:
    """Phrases indexed by their first token; ``match_at`` gives the longest one at a place."""

    phrases: tuple[Phrase, ...]
    values: tuple[Any, ...] = ()
    index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # the same index with what is left to match: (phrase number, alternatives of the tokens
    # after the first)
    tails: dict[str, tuple[tuple[int, tuple[frozenset[str], ...]], ...]] = field(
        default_factory=dict
    )

    @classmethod
    def build(cls, phrases: Sequence[Phrase], values: Sequence[Any] = ()) -> PhraseSet:
        index: dict[str, list[int]] = {}
        for number, phrase in enumerate(phrases):
            for first in phrase.items[0]:
                index.setdefault(first, []).append(number)
        # longest phrases first, so the first match at a place is the longest
        ordered = {
            first: tuple(sorted(numbers, key=lambda n: -len(phrases[n].items)))
            for first, numbers in index.items()
        }
        tails = {
            first: tuple((n, phrases[n].items[1:]) for n in numbers)
            for first, numbers in ordered.items()
        }
        return cls(tuple(phrases), tuple(values), ordered, tails)

    def match_at(self, folds: Sequence[str], i: int) -> tuple[int, int] | None:
        """(phrase number, length) of the longest phrase starting at token ``i``, or None."""
        for number, rest in self.tails.get(folds[i], ()):
            # the first token matches (the index is keyed by it): the others in one pass
            end = i + 1 + len(rest)
            if end <= len(folds) and all(map(frozenset.__contains__, rest, folds[i + 1 : end])):
                return number, end - i
        return None

    def find_all(self, folds: Sequence[str]) -> list[tuple[int, int, int]]:
        """Non-overlapping (start, end, phrase number), leftmost longest."""
        found: list[tuple[int, int, int]] = []
        index = self.index
        i = 0
        while i < len(folds):
            # most tokens begin no phrase: one lookup passes them
            hit = self.match_at(folds, i) if folds[i] in index else None
            if hit is None:
                i += 1
                continue
            number, size = hit
            found.append((i, i + size, number))
            i += size
        return found


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The French lexicon, compiled: phrases as token alternatives, every verb form listed."""

    path: str
    version: str
    cues: PhraseSet  # values: Cue
    tenses: dict[str, frozenset[str]]  # folded verb form -> tenses
    etre: frozenset[str]
    avoir: frozenset[str]
    past_auxiliaries: frozenset[str]
    copulas: PhraseSet
    light_verbs: PhraseSet
    negation_particles: frozenset[str]
    negation_words: frozenset[str]
    negation_restrictive: frozenset[str]
    negation_standalone: frozenset[str]
    negation_not_after_standalone: frozenset[str]
    failure: PhraseSet
    intention: PhraseSet
    intention_verb_only: frozenset[str]  # phrase texts
    realized_purpose: PhraseSet
    conditional_endings: tuple[str, ...]
    conditional_not_verbs: frozenset[str]
    conditional_words: frozenset[str]
    hypothesis: PhraseSet
    hypothesis_exceptions: PhraseSet
    past_state: PhraseSet
    denial: PhraseSet
    shares: PhraseSet  # values: float | None
    share_tails: frozenset[str]  # last words of the share phrases (moitie, tiers, partie)
    percent: PhraseSet
    share_fillers: frozenset[str]
    generic_actors: frozenset[str]  # stems
    pronouns: PhraseSet
    gainer_markers: PhraseSet
    quantities: frozenset[str]
    not_actors: frozenset[str]
    clause_openers: PhraseSet
    relative_pronouns: frozenset[str]
    clause_punctuation: frozenset[str]
    coordination: PhraseSet
    place_nouns: frozenset[str]
    site_nouns: frozenset[str]
    compass: frozenset[str]
    near_words: PhraseSet
    location_preps: tuple[Phrase, ...]
    transparent: frozenset[str]
    elsewhere: PhraseSet
    agentive_verbs: PhraseSet
    parentheticals: frozenset[str]
    not_verb_forms: frozenset[str]
    possessives: frozenset[str]
    coordinators: frozenset[str]
    anaphora: re.Pattern[str] | None  # « ce secteur », on folded text
    ellipsis: PhraseSet  # « c'est au tour de »
    dates: DateWords
    abbreviations: frozenset[str]


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Reads and compiles a lexicon file (default: ``pipeline/lexicon/fr.yaml``)."""
    return _load_lexicon(str(path or LEXICON_PATH))


@functools.lru_cache(maxsize=4)
def _load_lexicon(path: str) -> Lexicon:
    data = read_lexicon_file(path)
    version = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    return _Compiler(data).lexicon(path, version)


class _Compiler:
    """Turns the YAML mapping into phrases and verb forms."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.inflections = {fold(k): v for k, v in (data.get("inflections") or {}).items()}
        self.irregular = {fold(k): v for k, v in (data.get("verbs") or {}).items()}
        self.auxiliaries = {fold(k): v for k, v in (data.get("auxiliaries") or {}).items()}
        self.tenses: dict[str, set[str]] = {}

    def forms(self, verb: str) -> dict[str, set[str]]:
        """Every folded form of a verb, with its tenses."""
        verb = fold(verb)
        table = self.auxiliaries.get(verb) or self.irregular.get(verb)
        result: dict[str, set[str]] = {}
        if isinstance(table, dict) and "like" in table:
            base = self.forms(str(table["like"]))
            prefix = fold(str(table.get("prefix", "")))
            result = {prefix + form: set(tenses) for form, tenses in base.items()}
        elif isinstance(table, dict):
            for tense, forms in table.items():
                for form in forms or ():
                    result.setdefault(fold(str(form)), set()).add(str(tense))
        else:
            ending = verb[-2:]
            endings = self.inflections.get(ending)
            if endings is None:
                msg = f"verb {verb!r}: no forms listed and no inflection class for {ending!r}"
                raise ValueError(msg)
            stem = verb[:-2]
            for tense, suffixes in endings.items():
                for suffix in suffixes or ():
                    result.setdefault(stem + fold(str(suffix)), set()).add(str(tense))
        for form, tenses in result.items():
            self.tenses.setdefault(form, set()).update(tenses)
        return result

    def phrase(self, text: str, *, verb_first: bool = False) -> Phrase:
        """A phrase of the lexicon: ``<verb>`` items expand to every form, words are folded."""
        source = str(text)
        text = fold(source).strip()
        reflexive = False
        if verb_first and "<" not in text:
            # "se retirer", "s'emparer", "faire tomber": the first word (after se) is the verb
            match = re.match(r"(?:(se)\s+|(s')\s*)?(\S+)(.*)", text)
            assert match is not None
            reflexive = bool(match.group(1) or match.group(2))
            text = f"<{match.group(3)}>{match.group(4)}"
        items: list[frozenset[str]] = []
        verb, verb_at = None, -1
        for chunk in re.findall(r"<[^>]+>|[^\s<]+", text):
            if chunk.startswith("<"):
                inner = chunk[1:-1].strip()
                marker = re.match(r"(?:se\s+|s')", inner)
                if marker:
                    reflexive = True
                    inner = inner[marker.end() :].strip()
                verb, verb_at = inner, len(items)
                items.append(frozenset(self.forms(inner)))
            else:
                items.extend(frozenset([t.fold]) for t in tokenize_text(chunk))
        if not items:
            msg = f"empty phrase {source!r} in the lexicon"
            raise ValueError(msg)
        return Phrase(tuple(items), source, verb, verb_at, reflexive)

    def phrases(self, key_path: str, *, verb_first: bool = False) -> list[Phrase]:
        return [self.phrase(str(p), verb_first=verb_first) for p in self.section(key_path) or ()]

    def section(self, key_path: str) -> Any:
        node: Any = self.data
        for key in key_path.split("."):
            node = (node or {}).get(key)
        return node

    def words(self, key_path: str) -> frozenset[str]:
        return frozenset(fold(str(w)) for w in self.section(key_path) or ())

    def cues(self) -> PhraseSet:
        phrases: list[Phrase] = []
        cues: list[Cue] = []
        location_preps = self.phrases("grammar.location_preps")
        for number, entry in enumerate(self.data.get("cues") or ()):
            status, kind = entry.get("status"), entry.get("kind")
            if (
                status not in STATUSES
                or kind not in ("active", "subject", "state", "noun", "location")
            ):
                msg = f"cue {number}: status {status!r} or kind {kind!r} is unknown"
                raise ValueError(msg)
            preps = [self.phrase(p) for p in entry.get("preps") or ()] or location_preps
            for item in entry.get("verbs") or ():
                phrases.append(self.phrase(str(item), verb_first=True))
                cues.append(self._cue(entry, phrases[-1], preps))
            for item in entry.get("words") or ():
                phrases.append(self.phrase(str(item)))
                cues.append(self._cue(entry, phrases[-1], preps))
        return PhraseSet.build(phrases, cues)

    def _cue(self, entry: dict[str, Any], phrase: Phrase, preps: list[Phrase]) -> Cue:
        overrides = entry.get("prep_status") or {}
        for prep, status in overrides.items():
            if status not in STATUSES:
                msg = f"cue {phrase.text!r}: prep_status {prep!r} has unknown status {status!r}"
                raise ValueError(msg)
        return Cue(
            status=str(entry["status"]),
            kind=str(entry["kind"]),
            phrase=phrase,
            preps=tuple(preps) if entry["kind"] == "location" or entry.get("preps") else (),
            passive=bool(entry.get("passive", True)),
            needs_actor=bool(entry.get("needs_actor", False)),
            opponent=entry.get("side") == "opponent",
            loser_subject=bool(entry.get("loser_subject", False)),
            prep_status=tuple((self.phrase(str(p)), str(v)) for p, v in overrides.items()),
        )

    def anaphora(self) -> re.Pattern[str] | None:
        """« ce secteur »: one expression over the raw text (any case, any accents), so that
        the article is never folded whole."""
        determiners = sorted(self.words("grammar.anaphora.determiners"), key=len, reverse=True)
        nouns = sorted(self.words("grammar.anaphora.nouns"), key=len, reverse=True)
        if not determiners or not nouns:
            return None
        return re.compile(
            rf"(?<![\w'’-])(?:{'|'.join(map(_accented, determiners))})\s+"
            rf"(?:{'|'.join(map(_accented, nouns))})(?![\w'’-])",
            re.IGNORECASE,
        )

    def lexicon(self, path: str, version: str) -> Lexicon:
        cues = self.cues()
        shares = self.section("shares") or {}
        share_phrases = [self.phrase(str(k)) for k in shares]
        etre_forms = self.forms("etre")
        avoir_forms = self.forms("avoir")
        past = {f for f, t in {**etre_forms, **avoir_forms}.items() if "imperfect" in t}
        lexicon = Lexicon(
            path=path,
            version=version,
            cues=cues,
            tenses={},
            etre=frozenset(etre_forms),
            avoir=frozenset(avoir_forms),
            past_auxiliaries=frozenset(past),
            copulas=PhraseSet.build(self.phrases("copulas", verb_first=True)),
            light_verbs=PhraseSet.build(self.phrases("light_verbs", verb_first=True)),
            negation_particles=self.words("modifiers.negation.particles"),
            negation_words=self.words("modifiers.negation.words"),
            negation_restrictive=self.words("modifiers.negation.restrictive"),
            negation_standalone=self.words("modifiers.negation.standalone"),
            negation_not_after_standalone=self.words("modifiers.negation.not_after_standalone"),
            failure=PhraseSet.build(self.phrases("modifiers.failure")),
            intention=PhraseSet.build(self.phrases("modifiers.intention")),
            intention_verb_only=frozenset(
                str(p) for p in self.section("modifiers.intention_before_verb_only") or ()
            ),
            realized_purpose=PhraseSet.build(self.phrases("modifiers.realized_purpose")),
            conditional_endings=tuple(
                fold(str(e)) for e in self.section("modifiers.conditional.endings") or ()
            ),
            conditional_not_verbs=self.words("modifiers.conditional.not_verbs"),
            conditional_words=self.words("modifiers.conditional.words"),
            hypothesis=PhraseSet.build(self.phrases("modifiers.hypothesis")),
            hypothesis_exceptions=PhraseSet.build(self.phrases("modifiers.hypothesis_exceptions")),
            past_state=PhraseSet.build(self.phrases("modifiers.past_state")),
            denial=PhraseSet.build(self.phrases("modifiers.denial")),
            shares=PhraseSet.build(
                share_phrases,
                [None if v is None else float(v) for v in shares.values()],
            ),
            share_tails=frozenset(w for p in share_phrases for w in p.items[-1]),
            percent=PhraseSet.build(self.phrases("percent")),
            share_fillers=self.words("share_fillers"),
            generic_actors=frozenset(actor_stem(w) for w in self.words("actors.generic")),
            pronouns=PhraseSet.build(self.phrases("actors.pronouns")),
            gainer_markers=PhraseSet.build(self.phrases("actors.gainer_markers")),
            quantities=self.words("actors.quantities"),
            not_actors=self.words("actors.not_actors"),
            clause_openers=PhraseSet.build(self.phrases("grammar.clause_openers")),
            relative_pronouns=self.words("grammar.relative_pronouns"),
            clause_punctuation=self.words("grammar.clause_punctuation"),
            coordination=PhraseSet.build(self.phrases("grammar.coordination")),
            place_nouns=self.words("grammar.place_nouns"),
            site_nouns=self.words("grammar.site_nouns"),
            compass=self.words("grammar.compass"),
            near_words=PhraseSet.build(self.phrases("grammar.near_words")),
            location_preps=tuple(self.phrases("grammar.location_preps")),
            transparent=self.words("grammar.transparent"),
            elsewhere=PhraseSet.build(self.phrases("grammar.elsewhere")),
            agentive_verbs=PhraseSet.build(self.phrases("grammar.agentive_verbs")),
            parentheticals=self.words("grammar.parentheticals"),
            not_verb_forms=self.words("grammar.not_verb_forms"),
            possessives=self.words("grammar.possessives"),
            anaphora=self.anaphora(),
            ellipsis=PhraseSet.build(self.phrases("grammar.ellipsis")),
            coordinators=self.words("grammar.coordinators"),
            dates=date_words_from(self.data.get("dates") or {}),
            abbreviations=self.words("sentences.abbreviations"),
        )
        # the tenses of every form met while compiling (cues, modifiers, auxiliaries)
        lexicon.tenses.update({form: frozenset(t) for form, t in self.tenses.items()})
        return lexicon


# --- tokens and sentences ------------------------------------------------------------------

_ELISION = r"(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’](?=\w)"
_TOKEN = re.compile(rf"(?i:{_ELISION})|\d+(?:[.,]\d+)*|\w+(?:['’\-]\w+)*|\S")


class Tok(NamedTuple):
    """A token and its offsets (a named tuple rather than a frozen dataclass: every sentence
    makes dozens, and a tuple is built several times faster)."""

    start: int
    end: int
    text: str
    fold: str
    mention: int = -1  # index of the mention this token is, or -1


def tokenize_text(text: str, spans: Sequence[tuple[int, int]] = ()) -> list[Tok]:
    """Words, numbers and punctuation with offsets; each of ``spans`` (sorted) is one token."""
    # a candidate sentence is tokenised for spaCy, for its analysis and for its claims
    return list(_tokenize(text, tuple(spans)))


@functools.lru_cache(maxsize=1024)
def _tokenize(text: str, spans: tuple[tuple[int, int], ...]) -> tuple[Tok, ...]:
    tokens: list[Tok] = []
    position = 0
    for number, (start, end) in enumerate([*spans, (len(text), len(text))]):
        for match in _TOKEN.finditer(text, position):
            begin = match.start()
            if begin >= start:
                break
            # a word that runs into the span is cut where the span starts
            piece = match.group() if match.end() <= start else text[begin:start]
            tokens.append(Tok(begin, begin + len(piece), piece, fold(piece)))
        if start < end:
            piece = text[start:end]
            tokens.append(Tok(start, end, piece, fold(piece), number))
        position = max(position, end)
    return tuple(tokens)


@functools.lru_cache(maxsize=1 << 16)
def actor_stem(word: str) -> str:
    """A word folded with plural and feminine endings off: rebelles/rebelle, kurdes/kurde."""
    word = fold(word)
    if len(word) > 4 and word.endswith("aux"):
        word = word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


# the letters a folded word may carry accents on, in running text
_ACCENTS = {"a": "aàâä", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "c": "cç", "'": "'’"}


def _accented(word: str) -> str:
    """A pattern of a folded word that matches it written with or without its accents."""
    return "".join(
        f"[{_ACCENTS[c]}]" if c in _ACCENTS else re.escape(c) for c in word
    )
