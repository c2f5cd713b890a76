"""Compiled regular expressions kept across runs: the same patterns, faster, never wrong."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.control import SPACY_MODEL
from pipeline.regex_cache import preload_patterns, tokenizer_patterns

ROOT = Path(__file__).resolve().parent.parent
SMALL = [r"(?i)\b(?:al|el)-(?P<rest>\w+)", r"^[A-ZÉ][a-zé]+(?:-[A-Z][a-z]+)*$"]


def _forget(patterns: list[str]) -> None:
    for pattern in patterns:
        re._cache.pop((str, pattern, 0), None)  # type: ignore[attr-defined]


def _seed_words() -> list[str]:
    words: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        words.extend(path.read_text(encoding="utf-8").split())
    return words


def test_the_tokenizer_patterns_are_read_from_the_installed_model() -> None:
    patterns = tokenizer_patterns(SPACY_MODEL)
    assert len(patterns) == 5
    assert max(len(p) for p in patterns) > 1_000_000  # the hyphenated-words pattern
    assert tokenizer_patterns("no_such_model_xx") == []


def test_stored_patterns_come_back_equal_to_compiled_ones(tmp_path: Path) -> None:
    patterns = tokenizer_patterns(SPACY_MODEL)
    _forget(patterns)
    assert preload_patterns(patterns, folder=tmp_path) == 0  # compiled and stored
    assert len(list(tmp_path.glob("*.marshal"))) == 5
    _forget(patterns)
    assert preload_patterns(patterns, folder=tmp_path) == 5  # from storage
    # the compiled patterns (from the cache now) behave as patterns compiled from scratch
    words = _seed_words()[:3000] + ["arc-en-ciel", "peut-être", "l'Alep-Est", "anti-régime"]
    for pattern in patterns:
        stored = re.compile(pattern)
        fresh = re._compiler.compile(pattern, 0)  # type: ignore[attr-defined]
        assert stored is not fresh
        assert (stored.pattern, stored.flags, stored.groups) == (
            fresh.pattern, fresh.flags, fresh.groups,
        )
        for word in words:
            assert bool(stored.match(word)) == bool(fresh.match(word)), word
            assert [m.span() for m in stored.finditer(word)] == [
                m.span() for m in fresh.finditer(word)
            ], word


def test_a_damaged_or_foreign_file_means_a_normal_compilation(tmp_path: Path) -> None:
    _forget(SMALL)
    assert preload_patterns(SMALL, folder=tmp_path) == 0
    first, second = sorted(tmp_path.glob("*.marshal"))
    # a truncated file, then a file holding another pattern's code under this one's name
    first.write_bytes(first.read_bytes()[:40])
    second.write_bytes(b"\x00garbage")
    _forget(SMALL)
    assert preload_patterns(SMALL, folder=tmp_path) == 0
    compiled = re.compile(SMALL[0])
    assert compiled.search("le quartier d'al-Chaar").group("rest") == "Chaar"
    # rewritten whole: the next run takes them from storage again
    _forget(SMALL)
    assert preload_patterns(SMALL, folder=tmp_path) == 2


def test_a_file_that_holds_another_pattern_is_not_used(tmp_path: Path) -> None:
    _forget(SMALL)
    preload_patterns(SMALL, folder=tmp_path)
    files = sorted(tmp_path.glob("*.marshal"))
    contents = [f.read_bytes() for f in files]
    files[0].write_bytes(contents[1])
    files[1].write_bytes(contents[0])
    _forget(SMALL)
    assert preload_patterns(SMALL, folder=tmp_path) == 0
    assert re.compile(SMALL[1]).match("Alep-Est") and not re.compile(SMALL[1]).match("alep")


# a process that loads the model and says how many large patterns it compiled itself
LOAD = """
import json, re, sys
from re import _parser
compiled = []
real = _parser.parse
def counting(pattern, flags=0, *args):
    if isinstance(pattern, str) and len(pattern) > 100_000:
        compiled.append(len(pattern))
    return real(pattern, flags, *args)
_parser.parse = counting
from pipeline.control import load_nlp
nlp = load_nlp()
text = open(sys.argv[1], encoding="utf-8").read()
print(json.dumps({"compiled": compiled, "tokens": [t.text for t in nlp.make_doc(text)]}))
"""


def test_the_second_process_to_load_spacy_compiles_no_large_pattern(tmp_path: Path) -> None:
    env = {**os.environ, "PIPELINE_CACHE_DIR": str(tmp_path / "cache")}
    article = str(sorted((ROOT / "seeds").glob("*.txt"))[0])

    def load() -> dict[str, list[object]]:
        done = subprocess.run(
            [sys.executable, "-c", LOAD, article], cwd=ROOT, env=env, capture_output=True,
            text=True, check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]

    first, second = load(), load()
    assert first["compiled"] and not second["compiled"]
    assert first["tokens"] == second["tokens"] and len(first["tokens"]) > 200


@pytest.mark.parametrize("pattern", SMALL)
def test_preloading_keeps_flags_groups_and_names(pattern: str, tmp_path: Path) -> None:
    _forget([pattern])
    preload_patterns([pattern], folder=tmp_path)
    _forget([pattern])
    assert preload_patterns([pattern], folder=tmp_path) == 1
    stored, fresh = re.compile(pattern), re._compiler.compile(pattern, 0)  # type: ignore[attr-defined]
    assert (stored.flags, stored.groups, stored.groupindex) == (
        fresh.flags, fresh.groups, fresh.groupindex,
    )
