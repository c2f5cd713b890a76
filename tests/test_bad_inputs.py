"""Bad inputs, end to end: a valid project, one mutation, and the command line's answer.

Each case copies the small valid project of ``tests/data/bad/project`` (with the outputs of
a first build), breaks one thing, and runs ``python -m pipeline maps`` in a subprocess, then
``check``. Both must exit with status 2 and print exactly the case's ``path:line: message``
lines, no traceback, and ``outputs/`` must stay byte for byte as it was.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main

PROJECT = Path(__file__).parent / "data" / "bad" / "project"
PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
G = "gazetteer/city.yaml"
A1 = "seeds/001_alpha.txt"
A2 = "seeds/002_beta.txt"
C = "seeds/corrections.yaml"
FLAGS = ("--gazetteer", G, "--seeds", "seeds", "--out", "outputs")
TODAY = dt.date.today().isoformat()
SIDES = "(sides: government, kurdish, rebels)"
JSON_TYPE = "application/json"

Mutation = Callable[[Path], None]


# --- mutations: each changes one thing in a copy of the project ------------------------------


def edit(rel: str, old: str, new: str) -> Mutation:
    """Replaces the one occurrence of ``old`` in a file of the project."""

    def mutate(root: Path) -> None:
        text = (root / rel).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {rel}"
        (root / rel).write_text(text.replace(old, new), encoding="utf-8")

    return mutate


def recode(rel: str, old: str, encoding: str) -> Mutation:
    """Writes ``old`` in another encoding, as when a line is pasted from another editor."""

    def mutate(root: Path) -> None:
        data = (root / rel).read_bytes()
        assert data.count(old.encode("utf-8")) == 1, f"{old!r} must occur once in {rel}"
        (root / rel).write_bytes(data.replace(old.encode("utf-8"), old.encode(encoding)))

    return mutate


def write(rel: str, content: str | bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)

    return mutate


def remove(rel: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return mutate


def sparse(rel: str, size: int) -> Mutation:
    """A valid article grown to ``size`` bytes without writing them (a sparse file)."""

    def mutate(root: Path) -> None:
        with (root / rel).open("r+b") as file:
            file.truncate(size)

    return mutate


def dangling_link(rel: str) -> Mutation:
    def mutate(root: Path) -> None:
        (root / rel).symlink_to("gone.txt")

    return mutate


def folder(rel: str) -> Mutation:
    def mutate(root: Path) -> None:
        (root / rel).mkdir()

    return mutate


def fifo(rel: str) -> Mutation:
    def mutate(root: Path) -> None:
        os.mkfifo(root / rel)

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(root: Path) -> None:
        for mutation in mutations:
            mutation(root)

    return mutate


def article(published: str = "2016-12-05", body: str = "Les rebelles tiennent Chaar.\n") -> str:
    return f"---\npublished: {published}\n---\n{body}"


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Mutation
    lines: tuple[str, ...]


# --- the catalogue ---------------------------------------------------------------------------

CASES = [
    # the gazetteer
    Case(
        "malformed-yaml",
        edit(G, "  radius_km: 12\n", "  radius_km: [12\n"),
        (f"{G}:9: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence "
         "that starts at line 8",),
    ),
    Case(
        "python-tag-in-yaml",
        # nothing runs: the loader is safe, and the tag itself is refused
        edit(G, 'credit: "', 'credit: !!python/object/apply:os.system ["touch x"]\n#'),
        (f"{G}:2: invalid YAML value: the tag 'tag:yaml.org,2002:python/object/apply:os.system' "
         "is not allowed (write plain YAML)",),
    ),
    Case(
        "tab-indentation",
        edit(G, "    baseline: rebels\n  - id: al-shaar", "\tbaseline: rebels\n  - id: al-shaar"),
        (f"{G}:30: invalid YAML: a tab character, which YAML does not allow here: indent with "
         "spaces",),
    ),
    Case(
        "missing-core-key",
        edit(G, "  radius_km: 12\n", ""),
        (f"{G}:4: city: radius_km is missing",),
    ),
    Case(
        "mistyped-radius",
        edit(G, "radius_km: 12", "radius_km: twelve"),
        (f"{G}:8: city: radius_km must be a number, got 'twelve'",),
    ),
    Case(
        "duplicate-key",
        edit(G, "    baseline: government\n", "    baseline: government\n    baseline: rebels\n"),
        (f"{G}:59: duplicate key 'baseline' (first at line 58)",),
    ),
    Case(
        "duplicate-id",
        edit(G, "id: tariq-al-bab", "id: al-shaar"),
        (f"{G}:40: district 'al-shaar': id is a duplicate: district 'al-shaar' is already "
         "defined at line 31",),
    ),
    Case(
        "id-not-a-slug",
        edit(G, "id: tariq-al-bab", "id: Tariq al-Bab"),
        (f"{G}:40: district 'Tariq al-Bab': id must be a lowercase slug of a-z, 0-9 and '-', "
         "got 'Tariq al-Bab'",),
    ),
    Case(
        "aliases-normalise-alike",
        edit(G, "ar: الشعار}\n", "ar: الشعار}\n    aliases: [Boustan al Bacha]\n"),
        (f"{G}:37: district 'bustan-al-basha': name 'Bustan al-Basha' normalises to "
         "'bustan bash' like district 'al-shaar''s name 'Boustan al Bacha' (line 33); one "
         "of them must change",),
    ),
    Case(
        "lat-lon-swapped",
        edit(G, "{lat: 36.2019, lon: 37.1742}", "{lat: 37.1742, lon: 36.2019}"),
        (f"{G}:29: district 'qadi-askar': location has lat and lon swapped: lat 37.1742 lon "
         "36.2019 lies 138 km from the city centre, lat 36.2019 lon 37.1742 would lie inside "
         "radius_km",),
    ),
    Case(
        "outside-radius",
        edit(G, "{lat: 36.2019, lon: 37.1742}", "{lat: 36.4019, lon: 37.1742}"),
        (f"{G}:29: district 'qadi-askar': location lies 22.3 km from the city centre, outside "
         "radius_km 12 (lat 36.4019, lon 37.1742)",),
    ),
    Case(
        "nan-coordinate",
        edit(G, "{lat: 36.2019, lon: 37.1742}", "{lat: .nan, lon: 37.1742}"),
        (f"{G}:29: district 'qadi-askar': location.lat must be a finite number, got nan",),
    ),
    Case(
        "string-coordinate",
        edit(G, "{lat: 36.2019, lon: 37.1742}", "{lat: '36,2019', lon: 37.1742}"),
        (f"{G}:29: district 'qadi-askar': location.lat must be a number, got '36,2019'",),
    ),
    Case(
        "bare-coordinate-pair",
        edit(G, "{lat: 36.2019, lon: 37.1742}", "[36.2019, 37.1742]"),
        (f"{G}:29: district 'qadi-askar': location must be a mapping {{lat: .., lon: ..}}, "
         "got [36.2019, 37.1742]",),
    ),
    Case(
        "unknown-side-in-baseline",
        edit(G, "    baseline: rebels\n  - id: al-shaar", "    baseline: rebel\n  - id: al-shaar"),
        (f"{G}:30: district 'qadi-askar': baseline names an unknown side 'rebel' {SIDES}",),
    ),
    Case(
        "shares-do-not-sum-to-1",
        edit(G, "{rebels: 0.6, government: 0.4}", "{rebels: 0.6, government: 0.3}"),
        (f"{G}:47: district 'al-amiriya': baseline shares must sum to 1, got 0.9",),
    ),
    Case(
        "invalid-colour",
        edit(G, 'color: "#0072b2"', 'color: "blue"'),
        (f"{G}:17: side 'rebels': color must be a colour written #rrggbb, got 'blue'",),
    ),
    Case(
        "unknown-group",
        edit(G, "    part_of: [old-city]\n    location: {lat: 36.2022",
             "    part_of: [old-town]\n    location: {lat: 36.2022"),
        (f"{G}:50: district 'al-farafra': part_of names an unknown group 'old-town' "
         "(groups: old-city)",),
    ),
    Case(
        "invalid-boundary",
        edit(G, "      - {lat: 36.1970, lon: 37.1610}\n      - {lat: 36.1970, lon: 37.1560}\n", ""),
        (f"{G}:59: district 'souq-al-madina': boundary needs at least 3 distinct points, got 2",),
    ),
    Case(
        "self-intersecting-boundary",
        edit(G, "      - {lat: 36.1970, lon: 37.1610}\n      - {lat: 36.1970, lon: 37.1560}\n",
             "      - {lat: 36.1970, lon: 37.1560}\n      - {lat: 36.1970, lon: 37.1610}\n"),
        (f"{G}:59: district 'souq-al-madina': boundary is not a valid polygon: "
         "Self-intersection[37.1585 36.19825]",),
    ),
    Case(
        "missing-boundary-file",
        remove("gazetteer/farafra.geojson"),
        (f"{G}:53: district 'al-farafra': boundary file 'farafra.geojson' not found (looked for "
         "'gazetteer/farafra.geojson')",),
    ),
    Case(
        "boundary-file-not-geojson",
        write("gazetteer/farafra.geojson", '{"type": "Polygon", "coordinates": [[[37.157, 36.20'),
        (f"{G}:53: district 'al-farafra': boundary file 'farafra.geojson' is not a GeoJSON "
         "polygon: Expecting ',' delimiter: line 1 column 52 (char 51)",),
    ),
    Case(
        "gazetteer-missing",
        remove(G),
        (f"{G}:1: file not found",),
    ),
    Case(
        "gazetteer-is-a-folder",
        both(remove(G), folder(G)),
        (f"{G}:1: cannot read the file: Is a directory",),
    ),
    Case(
        "gazetteer-not-utf8",
        recode(G, "Armée syrienne et alliés", "latin-1"),
        (f"{G}:12: not valid UTF-8: byte 0xe9 at offset 395 (save the file as UTF-8)",),
    ),
    # the articles
    Case(
        "no-front-matter",
        write(A1, "Les forces du président ont pris Qadi Askar.\n"),
        (f"{A1}:1: no front matter: the file must begin with a '---' line, then 'published: "
         "YYYY-MM-DD', then '---'",),
    ),
    Case(
        "front-matter-not-closed",
        edit(A1, "title: Qadi Askar tombe\n---\n", "title: Qadi Askar tombe\n"),
        (f"{A1}:1: the front matter is not closed: no '---' line after line 1",),
    ),
    Case(
        "no-published",
        edit(A1, "published: 2016-12-05\n", ""),
        (f"{A1}:2: published is missing: write 'published: YYYY-MM-DD'",),
    ),
    Case(
        "date-in-an-impossible-format",
        edit(A1, "published: 2016-12-05", "published: 5 décembre 2016"),
        (f"{A1}:2: published must be an ISO date YYYY-MM-DD, got '5 décembre 2016'",),
    ),
    Case(
        "date-not-on-the-calendar",
        edit(A1, "published: 2016-12-05", "published: 2016-11-31"),
        (f"{A1}:2: published is not a real date: '2016-11-31'",),
    ),
    Case(
        "date-in-the-future",
        edit(A1, "published: 2016-12-05", "published: 2999-12-05"),
        (f"{A1}:2: published 2999-12-05 is in the future (today is {TODAY})",),
    ),
    Case(
        "article-not-utf8",
        recode(A1, "président", "latin-1"),
        (f"{A1}:6: not valid UTF-8: byte 0xe9 at offset 82 (save the file as UTF-8)",),
    ),
    Case(
        "article-utf16",
        write(A1, article().encode("utf-16")),
        (f"{A1}:1: the file is UTF-16: save it as UTF-8",),
    ),
    Case(
        "empty-article",
        write(A1, ""),
        (f"{A1}:1: the file is empty: the file must begin with a '---' line, then 'published: "
         "YYYY-MM-DD', then '---'",),
    ),
    Case(
        "front-matter-and-no-text",
        write(A1, article(body="\n\n")),
        (f"{A1}:4: the article has no text after its front matter",),
    ),
    Case(
        "article-of-50-mb",
        sparse(A1, 50_000_000),
        (f"{A1}:1: the file is 50 MB, larger than the 20 MB limit for an article",),
    ),
    Case(
        "two-articles-with-one-id",
        write("seeds/001_alpha.md", article()),
        ("seeds/001_alpha.txt:1: article id '001_alpha' is also the id of '001_alpha.md': "
         "rename one of them",),
    ),
    Case(
        "article-id-reserved",
        write("seeds/corrections.txt", article()),
        ("seeds/corrections.txt:1: article id 'corrections' is reserved for the evidence the "
         "pipeline makes itself (baseline, correction, corrections): rename the file",),
    ),
    Case(
        "no-articles",
        both(remove(A1), remove(A2)),
        ("seeds:1: no articles in the seeds folder (files *.txt or *.md)",
         f"{C}:10: rejection #1: article names an unknown article '001_alpha'"),
    ),
    Case(
        "seeds-folder-missing",
        remove("seeds"),
        ("seeds:1: seeds folder not found",),
    ),
    # root reads any file whatever its mode, so unreadable files are simulated: a link to
    # nothing, a folder and a named pipe, each named like an article
    Case(
        "unreadable-dangling-link",
        dangling_link("seeds/003_gamma.txt"),
        ("seeds/003_gamma.txt:1: cannot read the file: it is a link to 'gone.txt', which does "
         "not exist",),
    ),
    Case(
        "unreadable-folder",
        folder("seeds/003_gamma.txt"),
        ("seeds/003_gamma.txt:1: cannot read the file: Is a directory",),
    ),
    Case(
        "unreadable-named-pipe",
        fifo("seeds/003_gamma.txt"),
        ("seeds/003_gamma.txt:1: cannot read the file: it is not a regular file",),
    ),
    # the corrections
    Case(
        "unknown-side-in-correction",
        edit(C, "side: government", "side: governement"),
        (f"{C}:4: claim #1: side names an unknown side 'governement' "
         "(sides: government, rebels, kurdish)",),
    ),
    Case(
        "correction-unknown-district",
        edit(C, "district: tariq-al-bab", "district: tariq-el-bab"),
        (f"{C}:3: claim #1: district names an unknown district id 'tariq-el-bab' "
         "(it names district 'tariq-al-bab': write the id)",),
    ),
    Case(
        "correction-unknown-article",
        edit(C, "article: 001_alpha", "article: 001_alfa"),
        (f"{C}:10: rejection #1: article names an unknown article '001_alfa' "
         "(did you mean: 001_alpha?)",),
    ),
    Case(
        "correction-malformed-yaml",
        edit(C, "    status: captured\n", "    status: captured\n   share 1.0\n"),
        (f"{C}:6: invalid YAML: did not find expected '-' indicator, while parsing a block "
         "collection that starts at line 3",),
    ),
    Case(
        "correction-date-in-the-future",
        edit(C, "date: 2016-12-03", "date: 2999-12-03"),
        (f"{C}:6: claim #1: date 2999-12-03 is in the future (today is {TODAY})",),
    ),
    # every problem of every file in one run
    Case(
        "gazetteer-and-corrections-broken",
        both(
            edit(G, "  radius_km: 12\n", "  radius_km: [12\n"),
            edit(C, "    status: captured\n", "    status: captured\n   share 1.0\n"),
        ),
        (f"{G}:9: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence "
         "that starts at line 8",
         f"{C}:6: invalid YAML: did not find expected '-' indicator, while parsing a block "
         "collection that starts at line 3"),
    ),
    Case(
        "every-problem-in-one-run",
        both(
            edit(G, "{lat: 36.2019, lon: 37.1742}", "{lat: 37.1742, lon: 36.2019}"),
            edit(A2, "published: 2016-10-06", "published: 06/10/2016"),
        ),
        (f"{G}:29: district 'qadi-askar': location has lat and lon swapped: lat 37.1742 lon "
         "36.2019 lies 138 km from the city centre, lat 36.2019 lon 37.1742 would lie inside "
         "radius_km",
         f"{A2}:2: published must be an ISO date YYYY-MM-DD, got '06/10/2016'"),
    ),
]


# --- running the command line ----------------------------------------------------------------


def start(root: Path, command: str, cache: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PIPELINE_CACHE_DIR": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", command, *FLAGS],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=300)
    return process.returncode, stdout, stderr


def run(root: Path, command: str, cache: Path) -> tuple[int, str, str]:
    return finish(start(root, command, cache))


def hashes(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The valid project with the outputs of its first build: the "previous outputs"."""
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(PROJECT, root)
    status, stdout, stderr = run(root, "maps", tmp_path_factory.mktemp("cache"))
    assert status == 0, stderr
    assert stdout.startswith("8 files in outputs/")
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_bad_input_gives_its_lines_exit_2_and_leaves_the_outputs(
    case: Case, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = hashes(project / "outputs")
    case.mutate(project)
    status, stdout, stderr = run(project, "maps", tmp_path / "cache")
    assert "Traceback" not in stderr
    assert stderr.splitlines() == list(case.lines)
    assert (status, stdout) == (2, "")
    for line in case.lines:
        assert re.match(r"[^:]+:\d+: \S", line), line
    assert hashes(project / "outputs") == before
    assert list(project.glob(".outputs.tmp-*")) == [], "no staging folder is left behind"
    # check says the same (in this process: the subprocess above proved the command line)
    monkeypatch.chdir(project)
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["check", *FLAGS]) == 2
    assert capsys.readouterr() == ("", stderr)


def test_the_catalogue_has_thirty_cases_or_more() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


# --- what the project accepts ----------------------------------------------------------------


def test_a_utf8_bom_is_accepted_and_changes_no_output(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(built, root)
    before = hashes(root / "outputs")
    for rel in (G, A1, A2, C):
        (root / rel).write_bytes(b"\xef\xbb\xbf" + (root / rel).read_bytes())
    status, stdout, stderr = run(root, "maps", tmp_path / "cache")
    assert (status, stderr) == (0, "")
    assert stdout.startswith("8 files in outputs/")
    assert hashes(root / "outputs") == before


# --- corrections, end to end -----------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def page_data(path: Path) -> Any:
    """The JSON data block a map page carries for its popups."""
    scripts = scripts_of(path.read_text(encoding="utf-8"))
    blocks = [json.loads(text) for attrs, text in scripts if attrs.get("type") == JSON_TYPE]
    assert len(blocks) == 1, path
    return blocks[0]


def test_a_manual_claim_changes_the_state_and_shows_as_a_correction(built: Path) -> None:
    # the project's corrections.yaml: Tariq al-Bab captured by the government on 3 December
    # (no article says so), and the besieging of Chaar that an article reports rejected
    data = built / "outputs" / "data"
    claims = read_csv(data / "aleppo-claims.csv")
    manual = [c for c in claims if c["correction"] == "true"]
    assert [(c["article"], c["district"], c["side"], c["status"], c["date"]) for c in manual] == [
        ("corrections", "tariq-al-bab", "government", "captured", "2016-12-03")
    ]
    assert manual[0]["note"] == "no article of the test project reports it"
    assert manual[0]["quote"] == "no article of the test project reports it (AFP, 3 December 2016)"
    assert all(c["correction"] == "false" for c in claims if c["article"] != "corrections")
    assert not [c for c in claims if c["district"] == "al-shaar"], "the rejected claim is gone"

    timeline = read_csv(data / "aleppo-timeline.csv")
    tariq = {row["date"]: row for row in timeline if row["district"] == "tariq-al-bab"}
    assert (tariq["2016-10-06"]["side"], tariq["2016-10-06"]["evidence_articles"]) == (
        "rebels", "baseline"
    )
    changed = tariq["2016-12-03"]
    assert (changed["side"], changed["changed"]) == ("government", "true")
    assert (changed["since"], changed["evidence_articles"]) == ("2016-12-03", "corrections")
    shaar = [row for row in timeline if row["district"] == "al-shaar"]
    assert shaar and all(row["besieged"] == "false" for row in shaar)

    # on the map of that date, the popup's evidence carries the correction flag (a fourth 1)
    page = page_data(built / "outputs" / "maps" / "aleppo-2016-12-03.html")
    flagged = [page["quotes"][row[2]] for row in page["evidence"] if row[3:] == [1]]
    assert flagged == ["no article of the test project reports it (AFP, 3 December 2016)"]
    assert (built / "outputs" / "maps" / "aleppo-2016-12-03.html").exists()


# --- hostile text --------------------------------------------------------------------------

HOSTILE_FR = "Qadi Askar </script><script>alert('fr')</script>"
HOSTILE_EN = "Qadi Askar <!-- en"
HOSTILE_AR = "قاضي عسكر\u2028</script>"
HOSTILE_TITLE = "</script><script>alert('title')</script> <!-- \u2028 & <b>"
HOSTILE_QUOTE = "« </script><script>alert('quote')</script> <!-- »"


class _Scripts(HTMLParser):
    """The script elements of a page (attributes, text), read as a browser splits them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append((dict(attrs), ""))
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def scripts_of(html: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Scripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


def strings_in(data: Any) -> set[str]:
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return {s for v in data.values() for s in strings_in(v)}
    if isinstance(data, list):
        return {s for v in data for s in strings_in(v)}
    return set()


def test_hostile_names_titles_and_quotes_stay_text(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(built, root)
    names = 'names: {en: Qadi Askar, fr: Qadi Askar, ar: قاضي عسكر}'
    json_names = json.dumps({"en": HOSTILE_EN, "fr": HOSTILE_FR, "ar": HOSTILE_AR})
    edit(G, names, f"names: {json_names}\n    aliases: [Qadi Askar]")(root)
    edit(A1, "title: Qadi Askar tombe", f"title: {json.dumps(HOSTILE_TITLE)}")(root)
    edit(A1, "du président ont pris", f"du président ({HOSTILE_QUOTE}) ont pris")(root)
    status, _, stderr = run(root, "maps", tmp_path / "cache")
    assert (status, stderr) == (0, "")

    pages = sorted((root / "outputs").rglob("*.html"))
    assert [p.relative_to(root / "outputs") for p in pages] == [
        p.relative_to(built / "outputs") for p in sorted((built / "outputs").rglob("*.html"))
    ]
    carried: set[str] = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        scripts = scripts_of(html)
        # no script element more than in the same page built from harmless text
        clean = scripts_of((built / "outputs" / page.relative_to(root / "outputs")).read_text())
        assert len(scripts) == len(clean), page
        for attrs, text in scripts:
            assert "<!--" not in text and "</script" not in text.lower(), page
            assert "\u2028" not in text and "\u2029" not in text, page
            if attrs.get("type") == JSON_TYPE:
                carried |= strings_in(json.loads(text))
            else:
                assert "alert(" not in text, page
    # the text reaches the page whole, as data
    assert {HOSTILE_FR, HOSTILE_EN, HOSTILE_AR, HOSTILE_TITLE} <= carried
    assert any(HOSTILE_QUOTE in s for s in carried)


# --- YAML is read safely only -----------------------------------------------------------------

# the project reads YAML with yaml.safe_load or _yamlio.parse_yaml (a SafeLoader): yaml.load
# is never called, even with a safe loader, and no unsafe loader is named
_UNSAFE_CALLS = {"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}
_UNSAFE_LOADERS = {
    "Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"
}


def unsafe_yaml_uses(source: str) -> list[int]:
    """Lines of ``source`` that call ``yaml.load`` and kin or name an unsafe loader."""
    unsafe = _UNSAFE_CALLS | _UNSAFE_LOADERS
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "yaml" and node.attr in unsafe:
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "yaml":
            if any(alias.name in unsafe for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg == "Loader":
            if "Safe" not in ast.unparse(node.value).split(".")[-1]:
                lines.append(node.value.lineno)
    return sorted(lines)


def test_the_finder_flags_unsafe_yaml_and_passes_safe_yaml() -> None:
    safe = "import yaml\nyaml.safe_load(t)\nyaml.safe_dump(d)\nclass L(yaml.SafeLoader): pass\n"
    assert unsafe_yaml_uses(safe) == []
    assert unsafe_yaml_uses("yaml.load(t, Loader=yaml.SafeLoader)\n") == [1]
    assert unsafe_yaml_uses("from yaml import load, FullLoader\n") == [1]
    assert unsafe_yaml_uses("\nyaml.unsafe_load(t)\n") == [2]
    assert unsafe_yaml_uses("class L(yaml.Loader): pass\n") == [1]
    assert unsafe_yaml_uses("read(t, Loader=MyLoader)\n") == [1]


def test_yaml_is_loaded_safely_only() -> None:
    found = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := unsafe_yaml_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}
