"""Place-like names in the articles that the gazetteer does not resolve, for its editor.

A name is place-like when it follows a cue of French news copy ("le quartier de X",
"dans le secteur de X", "à X", "les quartiers d'X, de Y et de Z") or when it opens with a
word that makes places ("Bab al-Hadid", "Karm al-Beik"). The cues are data, in
``lexicon/places_fr.yaml``. Names the gazetteer resolves (districts, groups, the city,
places elsewhere) are left out; the rest come with their counts and the closest district
ids, so that the editor can add a spelling to the right entry.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.gazetteer import Matcher
from pipeline.model import Article
from pipeline.normalize import Token, joins_name, name_key, starts_capital, tokenize

LEXICON_PATH = Path(__file__).parent / "lexicon" / "places_fr.yaml"
# longest place name read, in words
MAX_NAME_WORDS = 6
# words skipped between a cue (or a joiner) and a name: "dans la", "et de la"
MAX_SKIPPED = 3


@dataclass(frozen=True)
class PlaceLexicon:
    cues: tuple[tuple[str, ...], ...]  # each a sequence of word forms, longest first
    determiners: frozenset[str]
    joiners: frozenset[str]
    heads: frozenset[str]  # name keys of the words that open a place name
    stopwords: frozenset[str]


@functools.cache
def load_lexicon(path: Path = LEXICON_PATH) -> PlaceLexicon:
    """The French place cues (a YAML file shipped with the package)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cues = {_forms(phrase) for phrase in data["cues"]}
    return PlaceLexicon(
        cues=tuple(sorted(cues, key=lambda cue: (-len(cue), cue))),
        determiners=frozenset(str(w) for w in data["determiners"]),
        joiners=frozenset(str(w) for w in data["joiners"]),
        heads=frozenset(name_key(str(w)) for w in data["place_heads"]),
        stopwords=frozenset(str(w).lower() for w in data["stopwords"]),
    )


def find_unresolved(
    articles: Iterable[Article], matcher: Matcher, *, lexicon: PlaceLexicon | None = None
) -> list[tuple[str, int, list[str]]]:
    """(name, count, up to 3 suggested district ids) for each place-like name the gazetteer
    does not resolve, most frequent first, then by name."""
    lexicon = lexicon or load_lexicon()
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        text = article.text
        known = [(m.start, m.end) for m in matcher.find(text)]
        for start, end in find_place_names(text, lexicon=lexicon):
            # a name the gazetteer knows, or that runs into one, is not news to the editor
            if any(start < k_end and k_start < end for k_start, k_end in known):
                continue
            surface = text[start:end]
            if matcher.resolve(surface) is not None:
                continue
            key = name_key(surface)
            counts[key] += 1
            spellings[key][surface] += 1
    rows = []
    for key, count in counts.items():
        # the spelling used most often names the row (ties: the first in order)
        name = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        rows.append((name, count, matcher.suggest(name, limit=3)))
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def find_place_names(text: str, *, lexicon: PlaceLexicon | None = None) -> list[tuple[int, int]]:
    """The spans of the place-like names of ``text``, sorted, without overlaps."""
    lexicon = lexicon or load_lexicon()
    tokens = tokenize(text)
    forms = [_form(t) for t in tokens]
    spans: set[tuple[int, int]] = set()
    for i in range(len(tokens)):
        # a cue, then perhaps a determiner, then a name, and more names in a list
        cue = next((c for c in lexicon.cues if tuple(forms[i : i + len(c)]) == c), None)
        if cue is not None:
            position = _skip(forms, i + len(cue), lexicon.determiners)
            while (end := _read_name(text, tokens, position, lexicon)) is not None:
                spans.add((tokens[position].start, tokens[end - 1].end))
                position = _next_in_list(text, tokens, forms, end, lexicon)
                if position is None:
                    break
        # a word that opens place names, followed by more of the name
        if tokens[i].key in lexicon.heads:
            end = _read_name(text, tokens, i, lexicon)
            if end is not None and end - i >= 2:
                spans.add((tokens[i].start, tokens[end - 1].end))
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _forms(phrase: str) -> tuple[str, ...]:
    """The word forms of a cue: lower case, an elided word keeps its apostrophe."""
    return tuple(phrase.lower().replace("’", "'").replace("'", "' ").split())


def _form(token: Token) -> str:
    return token.text.lower() + ("'" if token.elision else "")


def _skip(forms: list[str], position: int, words: frozenset[str]) -> int:
    skipped = 0
    while position < len(forms) and forms[position] in words and skipped < MAX_SKIPPED:
        position += 1
        skipped += 1
    return position


def _is_name_word(token: Token) -> bool:
    """A capitalised word (or one of a script without case) that is not an acronym."""
    word = token.text
    return (
        not token.elision
        and starts_capital(word[:1])
        and not (len(word) > 1 and word.isupper())
    )


def _read_name(text: str, tokens: list[Token], position: int, lexicon: PlaceLexicon) -> int | None:
    """The end (token index) of the name that starts at ``position``, or None."""
    if position >= len(tokens):
        return None
    first = tokens[position]
    if not _is_name_word(first) or first.text.lower() in lexicon.stopwords:
        return None
    end = position + 1
    index = position + 1
    while index < len(tokens) and index - position < MAX_NAME_WORDS:
        if not joins_name(text[tokens[index - 1].end : tokens[index].start]):
            break
        token = tokens[index]
        if _is_name_word(token):
            end = index + 1
        elif not token.article:
            break  # an article (al-, el) only links two capitalised words
        index += 1
    return end


def _next_in_list(
    text: str, tokens: list[Token], forms: list[str], end: int, lexicon: PlaceLexicon
) -> int | None:
    """Where the next name of a list starts (after a comma, "et", "de"...), or None."""
    if end >= len(tokens):
        return None
    gap = text[tokens[end - 1].end : tokens[end].start]
    position = _skip(forms, end, lexicon.joiners)
    if position == end and "," not in gap:
        return None
    position = _skip(forms, position, lexicon.determiners)
    return position if position < len(tokens) else None
