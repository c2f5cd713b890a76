"""The command-line contract of SPEC.md, on the project's real gazetteer and seed articles."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = ROOT, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "outputs"
    cache = tmp_path_factory.mktemp("cache")
    result = run("maps", "--out", str(out), env_extra={"PIPELINE_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    return out


def test_check_passes_on_the_real_gazetteer_and_seeds():
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: gazetteer/aleppo.yaml (")
    assert "5 articles in seeds" in result.stdout


def test_committed_outputs_equal_a_fresh_build(fresh_build: Path):
    committed = ROOT / "outputs"
    fresh = sorted(p.relative_to(fresh_build) for p in fresh_build.rglob("*") if p.is_file())
    stored = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert fresh == stored, "run `make maps` and commit outputs/"
    different = [str(p) for p in fresh if not filecmp.cmp(fresh_build / p, committed / p, shallow=False)]
    assert different == [], "run `make maps` and commit outputs/"


def test_rebuild_is_byte_identical(fresh_build: Path, tmp_path: Path):
    again = tmp_path / "outputs"
    assert run("maps", "--out", str(again), env_extra={"PIPELINE_CACHE_DIR": str(tmp_path / "c")}).returncode == 0
    files = sorted(p.relative_to(fresh_build) for p in fresh_build.rglob("*") if p.is_file())
    assert files and all(filecmp.cmp(fresh_build / p, again / p, shallow=False) for p in files)


def test_flags_stand_before_or_after_the_command():
    before = run("--gazetteer", "gazetteer/aleppo.yaml", "resolve", "Chaar")
    after = run("resolve", "Chaar", "--gazetteer", "gazetteer/aleppo.yaml")
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout
    assert before.stdout.strip() != ""


def test_resolve_prints_ids_and_exits_1_with_suggestions_for_unknown_names():
    result = run("resolve", "Boustan al Bacha", "Bustan al-Basha", "بستان الباشا")
    assert result.returncode == 0
    ids = result.stdout.split()
    assert len(ids) == 3 and len(set(ids)) == 1
    unknown = run("resolve", "Chaar", "Boustan al Bachq")
    assert unknown.returncode == 1
    first, second = unknown.stdout.splitlines()
    assert not first.startswith("?")
    assert second.startswith("? Boustan al Bachq (did you mean: ")
    assert ids[0] in second


def test_places_outside_the_city_do_not_resolve():
    for name in ("Waer", "Inkhel", "Ghouta orientale", "Al-Bab"):
        result = run("resolve", name)
        assert result.returncode == 1, name
        assert result.stdout.startswith(f"? {name}")


def test_claims_and_state_print_the_json_contract():
    claims = json.loads(run("claims").stdout)
    assert claims, "the seeds yield claims"
    for claim in claims:
        assert {"article", "district", "side", "status", "share", "date", "date_precision", "quote", "confidence"} <= set(claim)
    states = json.loads(run("state", "--date", "2016-12-10").stdout)
    assert len(states) >= 120
    for state in states:
        assert {"district", "side", "shares", "contested", "besieged", "since", "evidence"} <= set(state)
        assert abs(sum(state["shares"].values()) - 1.0) < 0.01


def test_bad_date_flag_exits_2_without_traceback():
    result = run("state", "--date", "5 décembre")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "YYYY-MM-DD" in result.stderr
