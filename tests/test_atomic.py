"""Outputs are replaced atomically: a build killed at any moment leaves whole pages.

The project of ``tests/data/bad/project`` is built twice, as version A and as version B
(one article gone, so one date loses its map, and one article added). Then, twenty times,
the outputs of A are put back and a build of B is killed after a random delay: every file
left in ``outputs/`` must be a complete page of A or of B. The publishing step is also
interrupted after each of its file operations, in this process, to cover the short moment
a random kill rarely hits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline import cli

PROJECT = Path(__file__).parent / "data" / "bad" / "project"
FLAGS = ("--gazetteer", "gazetteer/city.yaml", "--seeds", "seeds", "--out", "outputs")
TRIES = 20
SEED = 20161222  # the day the last fighters left east Aleppo
GONE = "maps/aleppo-2016-10-06.html"  # the map of 002_beta's date, which B no longer has
NEW = "maps/aleppo-2016-11-28.html"  # the map of the article B adds

ARTICLE_B = """---
published: 2016-11-28
source: AFP
title: Amiriya
---
L'armée syrienne a pris lundi le quartier d'Amiriya.
"""


def start(root: Path, cache: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PIPELINE_CACHE_DIR": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "maps", *FLAGS],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def build(root: Path, cache: Path) -> float:
    """Builds to the end; the time it took."""
    began = time.monotonic()
    process = start(root, cache)
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr.decode()
    return time.monotonic() - began


def make_version_b(root: Path) -> None:
    (root / "seeds" / "002_beta.txt").unlink()
    (root / "seeds" / "003_gamma.txt").write_text(ARTICLE_B, encoding="utf-8")


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Versions:
    """The known-good outputs: version A (before) and B (after)."""

    def __init__(self, a: dict[str, bytes], b: dict[str, bytes]) -> None:
        self.a, self.b = a, b
        self.good: dict[str, set[str]] = {}
        for files in (a, b):
            for rel, data in files.items():
                self.good.setdefault(rel, set()).add(digest(data))

    def check(self, out: Path) -> None:
        """Every file whole and known; no shared file missing; an index whose maps exist."""
        now = files_of(out)
        for rel, data in now.items():
            assert rel in self.good, f"{rel} belongs to neither version"
            assert digest(data) in self.good[rel], f"{rel} is neither A's nor B's"
            assert_complete(rel, data)
        shared = set(self.a) & set(self.b)
        assert shared <= set(now), f"missing: {sorted(shared - set(now))}"
        # a file only A has goes only once everything of B is in place
        if set(self.a) - set(now):
            assert set(self.b) <= set(now)
            assert {rel: digest(now[rel]) for rel in self.b} == {
                rel: digest(data) for rel, data in self.b.items()
            }
        index = now["index.html"].decode("utf-8")
        for link in sorted(set(re.findall(r'(?:src|href)="(maps/[^"]+\.html)"', index))):
            assert link in now, f"index.html links to {link}, which is missing"


def assert_complete(rel: str, data: bytes) -> None:
    text = data.decode("utf-8")
    if rel.endswith(".html"):
        assert text.rstrip().endswith("</html>"), rel
    elif rel.endswith((".json", ".geojson")):
        json.loads(text)
    elif rel.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text)))
        assert text.endswith("\n") and rows and all(len(r) == len(rows[0]) for r in rows), rel


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Versions, float, Path]:
    """Builds A and B once; B's build time, and a cache both builds filled."""
    cache = tmp_path_factory.mktemp("cache")
    root = tmp_path_factory.mktemp("versions") / "project"
    shutil.copytree(PROJECT, root)
    build(root, cache)
    a = files_of(root / "outputs")
    make_version_b(root)
    shutil.rmtree(root / "outputs")
    took = build(root, cache)
    b = files_of(root / "outputs")
    assert GONE in a and GONE not in b and NEW in b and NEW not in a
    return Versions(a, b), took, cache


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)


def staging_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob(".outputs.tmp-*"))


def test_a_build_killed_at_random_moments_leaves_whole_pages(
    versions: tuple[Versions, float, Path], tmp_path: Path
) -> None:
    known, took, cache = versions
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    make_version_b(root)
    draw = random.Random(SEED)
    for _ in range(TRIES):
        write_files(root / "outputs", known.a)
        process = start(root, cache)
        time.sleep(draw.uniform(0, took))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        known.check(root / "outputs")
        # the staging folder of a killed build is removed by the next: they never pile up
        assert len(staging_folders(root)) <= 1
    build(root, cache)
    assert files_of(root / "outputs") == known.b
    assert GONE not in files_of(root / "outputs")
    assert staging_folders(root) == []


class _Killed(BaseException):
    """Stands for SIGKILL inside this process: nothing after it runs."""


def test_publishing_interrupted_after_each_step_leaves_whole_pages(
    versions: tuple[Versions, float, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = versions[0]
    out = tmp_path / "outputs"
    files = sorted(Path(rel) for rel in known.b)
    steps = 0
    real_replace, real_unlink = os.replace, Path.unlink

    def counted(action: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            nonlocal steps
            if steps == 0:
                raise _Killed
            steps -= 1
            return action(*args, **kwargs)

        return step

    # each file of B moved in (unless A's is the same) and each file of A removed is one
    # step; die before step k
    changed = [rel for rel, data in known.b.items() if known.a.get(rel) != data]
    moves = len(changed) + len(set(known.a) - set(known.b))
    assert moves > len(known.b) // 2
    for k in range(moves + 1):
        write_files(out, known.a)
        staging = tmp_path / f".outputs.tmp-{k}"
        write_files(staging, known.b)
        steps = k
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", counted(real_replace))
            patch.setattr(Path, "unlink", counted(real_unlink))
            try:
                cli.publish(staging, out, files)
            except _Killed:
                pass
            else:
                assert k == moves, f"publishing took {k} steps, not {moves}"
        known.check(out)
    assert files_of(out) == known.b
    # the last publish removed the staging folders the interrupted ones left
    assert staging_folders(tmp_path) == [f".outputs.tmp-{moves}"]


def test_an_unchanged_file_is_not_rewritten(tmp_path: Path) -> None:
    out, staging = tmp_path / "outputs", tmp_path / ".outputs.tmp-x"
    write_files(out, {"index.html": b"<html></html>\n", "maps/a.html": b"old</html>\n"})
    write_files(staging, {"index.html": b"<html></html>\n", "maps/b.html": b"new</html>\n"})
    os.utime(out / "index.html", (1_000_000_000, 1_000_000_000))
    cli.publish(staging, out, [Path("index.html"), Path("maps/b.html")])
    assert files_of(out) == {"index.html": b"<html></html>\n", "maps/b.html": b"new</html>\n"}
    assert (out / "index.html").stat().st_mtime == 1_000_000_000


def test_stale_staging_folders_go_and_other_folders_stay(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    for name in (".outputs.tmp-a1", ".outputs.tmp-b2", ".outputs.tmp-keep", ".other.tmp-c3"):
        (tmp_path / name / "maps").mkdir(parents=True)
    (tmp_path / "outputs.tmp-notes.txt").write_text("mine")
    removed = cli.remove_stale_staging(out, keep=tmp_path / ".outputs.tmp-keep")
    assert [p.name for p in removed] == [".outputs.tmp-a1", ".outputs.tmp-b2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.tmp-c3", ".outputs.tmp-keep", "outputs.tmp-notes.txt"
    ]


def test_git_ignores_the_staging_folder() -> None:
    # a killed build's staging folder must never be committed
    root = Path(__file__).resolve().parent.parent
    if shutil.which("git") is None or not (root / ".gitignore").exists():
        pytest.skip("no git or no .gitignore")
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", ".outputs.tmp-abc123/maps/a.html"],
        cwd=root,
        check=False,
    )
    assert result.returncode == 0, "add '.outputs.tmp-*/' to .gitignore"
