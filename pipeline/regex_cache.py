"""Compiled regular expressions kept from one run to the next.

spaCy's French tokenizer matches hyphenated and elided words with one regular expression of
1.4 million characters, which Python compiles anew in every process that loads the model:
0.5 to 5 seconds on our 2-core machine, more than the parse of a day's dispatches. Python
cannot store a compiled pattern, but the compilation's result is plain data (the pattern's
code, a list of integers). ``preload_patterns`` keeps that data in the cache folder
(``$PIPELINE_CACHE_DIR/regex``) and puts the patterns rebuilt from it where ``re.compile``
looks first, so that spaCy finds them compiled.

Only the code that this same Python made is used (the file name holds the Python version
and the regex engine's version), the stored pattern must equal the wanted one character for
character, and Python's regex engine checks any code it is given before using it. Whatever
goes wrong (another Python, a damaged file, a full disk) only means the normal, slow
compilation.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import marshal
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.cache import cache_dir

REGEX_DIR = "regex"
# the tokenizer's patterns, as its serialisation names them
TOKENIZER_PATTERNS = ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match")


def _engine() -> tuple[Any, Any, Any] | None:
    """Python's regex internals, or None when this Python does not have them as expected."""
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]
    except ImportError:
        return None
    if not hasattr(re, "_cache") or not hasattr(_compiler, "_code"):
        return None
    return _sre, _compiler, _parser


def _file_for(pattern: str, folder: Path, sre: Any) -> Path:
    version = f"{sys.version}\0{sre.MAGIC}\0{sre.CODESIZE}\0{pattern}"
    return folder / f"{hashlib.sha256(version.encode('utf-8')).hexdigest()[:32]}.marshal"


def preload_patterns(patterns: Iterable[str], *, folder: Path | None = None) -> int:
    """Puts each pattern (compiled without flags) in ``re``'s cache, from its stored code or
    compiled here and stored; returns how many came from storage."""
    engine = _engine()
    if engine is None:
        return 0
    sre, compiler, parser = engine
    folder = folder or cache_dir() / REGEX_DIR
    loaded = 0
    for pattern in patterns:
        path = _file_for(pattern, folder, sre)
        compiled = _load(path, pattern, sre)
        if compiled is not None:
            loaded += 1
        else:
            compiled = _compile_and_store(path, pattern, sre, compiler, parser)
        if compiled is None:
            continue
        key = (str, pattern, 0)
        re._cache[key] = compiled  # type: ignore[attr-defined]
        if re.compile(pattern) is not compiled:
            # this Python's re looks elsewhere first: leave it alone
            re._cache.pop(key, None)  # type: ignore[attr-defined]
    return loaded


def _load(path: Path, pattern: str, sre: Any) -> re.Pattern[str] | None:
    try:
        stored = marshal.loads(path.read_bytes())
        text, flags, code, groups, groupindex, indexgroup = stored
        if text != pattern:
            return None
        compiled = sre.compile(text, flags, code, groups, groupindex, indexgroup)
    except (OSError, ValueError, TypeError, EOFError, RuntimeError):
        return None
    return compiled if isinstance(compiled, re.Pattern) else None


def _compile_and_store(
    path: Path, pattern: str, sre: Any, compiler: Any, parser: Any
) -> re.Pattern[str] | None:
    """Compiles the pattern the way ``re.compile`` does, and stores its code."""
    try:
        parsed = parser.parse(pattern, 0)
        code = [int(op) for op in compiler._code(parsed, 0)]
        state = parsed.state
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        stored = (pattern, state.flags, code, state.groups - 1, dict(state.groupdict),
                  tuple(indexgroup))
        compiled = sre.compile(*stored)
    except (AttributeError, TypeError, ValueError, RuntimeError, re.error):
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(stored))
        os.replace(temporary, path)
    except OSError:
        pass
    return compiled if isinstance(compiled, re.Pattern) else None


def tokenizer_patterns(model: str) -> list[str]:
    """The regular expressions of an installed spaCy model's tokenizer (read from its
    files, without loading it); none when they cannot be found."""
    spec = importlib.util.find_spec(model)
    if spec is None or not spec.submodule_search_locations:
        return []
    root = list(spec.submodule_search_locations)[0]
    files = glob.glob(os.path.join(glob.escape(root), "*", "tokenizer"))
    if len(files) != 1:
        return []
    try:
        import srsly

        data = srsly.msgpack_loads(Path(files[0]).read_bytes())
    except (ImportError, OSError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    return [data[key] for key in TOKENIZER_PATTERNS if isinstance(data.get(key), str)]
