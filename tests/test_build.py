"""The record of the last build: a rebuild where nothing changed does not run the pipeline, and
every change a build depends on makes it run again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import build, cli
from pipeline.cli import main

# a small project: a gazetteer with a boundary file, two articles, corrections
PROJECT = Path(__file__).parent / "data" / "bad" / "project"
FLAGS = ["--gazetteer", "gazetteer/city.yaml", "--seeds", "seeds", "--out", "outputs"]
A1 = "seeds/001_alpha.txt"


class Project:
    """A copy of the small project, built with a counter of the pipeline's runs."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.runs = 0
        original = cli.make_maps

        def counted(args: object) -> object:
            self.runs += 1
            return original(args)  # type: ignore[arg-type]

        monkeypatch.setattr(cli, "make_maps", counted)
        monkeypatch.chdir(root)

    def maps(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
        status = main(["maps", *FLAGS])
        out, err = capsys.readouterr()
        return status, out, err

    def outputs(self) -> dict[str, str]:
        folder = self.root / "outputs"
        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()
        }


@pytest.fixture(scope="module")
def claims_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # one cache folder for the module: claims are extracted once; each test's project has
    # its own folder, so its own build record
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def project(
    tmp_path: Path, claims_cache: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Project:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    # the files were just written: age them, as files edited some time ago would be
    for path in root.rglob("*"):
        os.utime(path, ns=(1_600_000_000 * 10**9, 1_600_000_000 * 10**9))
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(claims_cache))
    # the copies were made a moment ago: let their times vouch for them at once (the real
    # delay is the subject of its own test)
    monkeypatch.setattr(build, "SETTLED_NS", 0)
    for name in ("PIPELINE_BASE_URL", "PIPELINE_INLINE_ASSETS", "PIPELINE_LEAFLET_DIR"):
        monkeypatch.delenv(name, raising=False)
    built = Project(root, monkeypatch)
    status, out, err = built.maps(capsys)
    assert (status, err) == (0, ""), err
    assert out.startswith("8 files in outputs/")
    assert built.runs == 1
    return built


def test_a_rebuild_with_nothing_changed_runs_nothing_and_says_the_same(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    before = project.outputs()
    first = project.maps(capsys)
    second = project.maps(capsys)
    assert project.runs == 1
    assert first == second
    assert first[0] == 0 and first[1].startswith("8 files in outputs/ (")
    assert project.outputs() == before


def test_a_no_op_run_reads_no_file_whose_times_vouch_for_it(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hashed: list[str] = []
    real = build._hash_file

    def counted(path: str) -> str:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(build, "_hash_file", counted)
    assert project.maps(capsys)[0] == 0
    assert (project.runs, hashed) == (1, [])
    # a touched file is read once (same bytes: no rebuild), then its new times vouch for it
    os.utime(project.root / A1)
    assert project.maps(capsys)[0] == 0
    assert (project.runs, hashed) == (1, [A1])
    assert project.maps(capsys)[0] == 0
    assert (project.runs, hashed) == (1, [A1])


def test_files_touched_but_unchanged_do_not_rebuild(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    # a checkout or a copy gives new times to the same bytes: they are hashed, not rebuilt
    for path in (project.root / "seeds").iterdir():
        os.utime(path)
    for path in (project.root / "outputs").rglob("*"):
        os.utime(path)
    assert project.maps(capsys)[0] == 0
    assert project.runs == 1


def _same_size_edit(root: Path) -> None:
    path = root / A1
    status = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("a", "e", 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    # the same size and modification time as before: only the change time tells
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def _set_env(name: str, value: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def change(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(name, value)

    return change


def _library_upgraded(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = build.metadata.version
    monkeypatch.setattr(
        build.metadata, "version", lambda name: "99.0" if name == "folium" else real(name)
    )


CHANGES: dict[str, Callable[[Path, pytest.MonkeyPatch], None]] = {
    "article edited": lambda root, mp: (root / A1).write_text(
        (root / A1).read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8"
    ),
    "article edited, size and mtime kept": lambda root, mp: _same_size_edit(root),
    "article added": lambda root, mp: shutil.copy(root / A1, root / "seeds" / "003_gamma.txt"),
    "article removed": lambda root, mp: (root / "seeds" / "002_beta.txt").unlink(),
    "corrections removed": lambda root, mp: (root / "seeds" / "corrections.yaml").unlink(),
    "gazetteer edited": lambda root, mp: (root / "gazetteer" / "city.yaml").write_text(
        (root / "gazetteer" / "city.yaml").read_text(encoding="utf-8") + "# edited\n",
        encoding="utf-8",
    ),
    "boundary file edited": lambda root, mp: (root / "gazetteer" / "farafra.geojson").write_text(
        (root / "gazetteer" / "farafra.geojson").read_text(encoding="utf-8") + " ",
        encoding="utf-8",
    ),
    "page edited": lambda root, mp: (root / "outputs" / "index.html").write_text(
        "edited", encoding="utf-8"
    ),
    "page removed": lambda root, mp: next((root / "outputs" / "maps").iterdir()).unlink(),
    "stray page added": lambda root, mp: (root / "outputs" / "maps" / "stray.html").write_text(
        "x", encoding="utf-8"
    ),
    "base url set": _set_env("PIPELINE_BASE_URL", "https://example.org/maps/"),
    "library upgraded": _library_upgraded,
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_every_change_a_build_depends_on_rebuilds(
    change: str, project: Project, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = project.outputs()
    CHANGES[change](project.root, monkeypatch)
    status, _, err = project.maps(capsys)
    assert (status, err) == (0, "")
    assert project.runs == 2
    if change in ("page edited", "page removed", "stray page added"):
        assert project.outputs() == before, "the rebuild restores the pages"
    # and the new state is recorded: the next run is a no-op again
    assert project.maps(capsys)[0] == 0
    assert project.runs == 2


def test_a_bad_input_after_a_good_build_still_fails(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.root / A1).write_text("no front matter\n", encoding="utf-8")
    status, out, err = project.maps(capsys)
    assert (status, out) == (2, "")
    assert err.startswith("seeds/001_alpha.txt:1: ")
    # failing again, not remembered as built
    assert project.maps(capsys)[0] == 2
    assert project.runs == 3


@pytest.mark.parametrize(
    "damage",
    ["", "{", "[]", '{"format": 1}', '{"format": 1, "inputs": 3}',
     '{"format": 1, "gazetteer_files": 5}', '{"format": 1, "inputs": {"x": 1}, "outputs": []}'],
)
def test_a_damaged_record_means_a_full_build(
    damage: str, project: Project, claims_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = list((claims_cache / build.RECORDS_DIR).glob("*.json"))
    command = build.Command(
        gazetteer="gazetteer/city.yaml", seeds="seeds", out="outputs",
        owned_dirs=cli.OWNED_DIRS, owned_files=cli.OWNED_FILES,
        corrections="seeds/corrections.yaml",
    )
    record = claims_cache / build.RECORDS_DIR / f"{command.key()}.json"
    assert record in records
    record.write_text(damage, encoding="utf-8")
    status, _, err = project.maps(capsys)
    assert (status, err) == (0, "")
    assert project.runs == 2
    assert json.loads(record.read_text(encoding="utf-8"))["format"] == build.RECORD_FORMAT


def test_a_file_changed_just_before_the_build_is_hashed_next_time(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a change in the same tick of the clock as the record would leave the same times:
    # a file changed shortly before its times were taken is read again, whatever they say
    monkeypatch.setattr(build, "SETTLED_NS", 3_600 * 10**9)
    path = project.root / A1
    path.write_text(path.read_text(encoding="utf-8") + "\nEncore.\n", encoding="utf-8")
    assert project.maps(capsys)[0] == 0
    assert project.runs == 2
    hashed: list[str] = []
    real = build._hash_file
    monkeypatch.setattr(build, "_hash_file", lambda p: hashed.append(p) or real(p))
    assert project.maps(capsys)[0] == 0
    assert project.runs == 2
    assert A1 in hashed and "outputs/index.html" in hashed


def test_a_no_op_run_imports_neither_folium_nor_spacy(project: Project, claims_cache: Path) -> None:
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        f"status = main({['maps', *FLAGS]!r})\n"
        "print(status, 'folium' in sys.modules, 'spacy' in sys.modules)\n"
    )
    env = {**os.environ, "PIPELINE_CACHE_DIR": str(claims_cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project.root, env=env, capture_output=True, text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 False False"
    assert project.runs == 1
