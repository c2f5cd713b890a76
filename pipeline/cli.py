"""The command line: ``python -m pipeline COMMAND [--gazetteer G] [--seeds S] [--out O]``.

The stages raise ``InputError`` for bad input; here it becomes one ``path:line: message``
line per problem on stderr and exit status 2. Outputs are built in a temporary folder and
moved into place file by file only when the whole build succeeded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import glob
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline._errors import InputError, Problem
from pipeline.model import Article, Claim, Corrections, Gazetteer

DEFAULTS = {"gazetteer": "gazetteer/aleppo.yaml", "seeds": "seeds", "out": "outputs"}
CORRECTIONS_FILE = "corrections.yaml"
# what a build owns inside --out: anything else there is left alone
OWNED_DIRS = ("maps", "data")
OWNED_FILES = ("index.html",)
# the folder a build is staged in, beside --out (its name as made by tempfile.mkdtemp)
STAGING_PREFIX = ".{name}.tmp-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for key, value in DEFAULTS.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.command == "maps":
        # a build killed before it could clean up left its staging folder: not forever
        remove_stale_staging(Path(args.out))
    try:
        return int(args.run(args))
    except InputError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def build_parser() -> argparse.ArgumentParser:
    # the common flags go on the main parser and on every command, so they may stand before
    # or after the command; SUPPRESS keeps a command's parser from resetting them to None
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--gazetteer", default=argparse.SUPPRESS, help="gazetteer YAML")
    common.add_argument("--seeds", default=argparse.SUPPRESS, help="folder of articles")
    common.add_argument("--out", default=argparse.SUPPRESS, help="output folder")
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn news articles about a battle for a city into control maps.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(run=run)
        return sub

    command("maps", run_maps, "run the whole pipeline and write the maps and exports")
    command("check", run_check, "validate the gazetteer, the articles and the corrections")
    command("claims", run_claims, "print every claim as a JSON array")
    state = command("state", run_state, "print every district's state on a date as JSON")
    state.add_argument("--date", required=True, type=_iso_date, help="YYYY-MM-DD")
    resolve = command("resolve", run_resolve, "print the district id for each name")
    resolve.add_argument("names", nargs="+", metavar="NAME")
    command("mentions", run_mentions, "names in the articles the gazetteer does not resolve")
    evaluate = command("eval", run_eval, "score the claims against hand annotations")
    evaluate.add_argument("gold", metavar="GOLD", help="annotations YAML (seeds_gold format)")
    command("images", run_images, "PNG image of each date map, made by headless Chromium")
    suggest = command("suggest", run_suggest, "suggest gazetteer entries for a new name")
    suggest.add_argument("name", metavar="NAME")
    suggest.add_argument(
        "--geocode", action="store_true", help="ask a geocoder (network, cached; opt-in)"
    )
    return parser


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"expected a date as YYYY-MM-DD, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


# --- loading the inputs -------------------------------------------------------------------


def load_inputs(
    args: argparse.Namespace, *, need_articles: bool = True
) -> tuple[Gazetteer, list[Article], Corrections]:
    """Loads and validates every input, collecting the problems of all files before raising."""
    from pipeline.articles import list_article_ids, read_articles
    from pipeline.corrections import load_corrections, read_corrections_file
    from pipeline.gazetteer import load_gazetteer

    problems: list[Problem] = []
    gazetteer = articles = None
    try:
        gazetteer = load_gazetteer(args.gazetteer)
    except InputError as error:
        problems.extend(error.problems)
    if need_articles:
        try:
            articles = read_articles(args.seeds)
        except InputError as error:
            problems.extend(error.problems)
    corrections = Corrections(path=None)
    corrections_path = Path(args.seeds) / CORRECTIONS_FILE
    # a rejection may name a broken article: its problem is reported, not a second one
    # saying that the rejection names an unknown article
    article_ids: set[str] | None = None
    if need_articles and articles is not None:
        article_ids = {a.id for a in articles}
    elif need_articles:
        article_ids = list_article_ids(args.seeds)
    if gazetteer is not None and corrections_path.exists():
        try:
            corrections = load_corrections(
                corrections_path, gazetteer=gazetteer, article_ids=article_ids
            )
        except InputError as error:
            problems.extend(error.problems)
    elif corrections_path.exists():
        # without a valid gazetteer the entries cannot be checked, but the file can be read
        problems.extend(read_corrections_file(corrections_path))
    if problems:
        raise InputError(sorted(set(problems)))
    assert gazetteer is not None
    return gazetteer, list(articles or []), corrections


def compute_claims(
    gazetteer: Gazetteer, articles: list[Article], corrections: Corrections
) -> list[Claim]:
    """The claims of the articles (through the cache) with the editor's corrections applied."""
    from pipeline.timeline import apply_corrections

    return apply_corrections(extract_articles(gazetteer, articles), corrections)


def extract_articles(gazetteer: Gazetteer, articles: list[Article]) -> list[Claim]:
    """The claims extracted from the articles: unchanged articles come from the cache
    (``$PIPELINE_CACHE_DIR`` or ``.cache/pipeline``), the others are parsed on every core."""
    from pipeline.corpus import extract_corpus

    return extract_corpus(articles, gazetteer=gazetteer, progress=sys.stderr.isatty())


# --- the commands -------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    gazetteer, articles, corrections = load_inputs(args)
    print(
        f"ok: {args.gazetteer} ({len(gazetteer.districts)} districts, "
        f"{len(gazetteer.groups)} groups), {len(articles)} articles in {args.seeds}, "
        f"{len(corrections.claims)} manual claims, {len(corrections.rejections)} rejections"
    )
    return 0


def run_claims(args: argparse.Namespace) -> int:
    gazetteer, articles, corrections = load_inputs(args)
    claims = compute_claims(gazetteer, articles, corrections)
    _print_json([c.to_json() for c in claims])
    return 0


def run_state(args: argparse.Namespace) -> int:
    from pipeline.timeline import build_timeline

    gazetteer, articles, corrections = load_inputs(args)
    timeline = build_timeline(
        gazetteer, extract_articles(gazetteer, articles), corrections=corrections
    )
    _print_json([s.to_json() for s in timeline.state_on(args.date)])
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    from pipeline.gazetteer import Matcher, load_gazetteer

    matcher = Matcher(load_gazetteer(args.gazetteer))
    status = 0
    for name in args.names:
        mention = matcher.resolve(name)
        if mention is not None and mention.kind in ("district", "group"):
            print(mention.target)
            continue
        status = 1
        if mention is not None and mention.kind == "city":
            print(f"? {name} (the city itself, not a district)")
        elif mention is not None and mention.kind == "outside":
            print(f"? {name} (a place outside the city)")
        else:
            suggestions = ", ".join(matcher.suggest(name))
            print(f"? {name} (did you mean: {suggestions})" if suggestions else f"? {name}")
    return status


def run_mentions(args: argparse.Namespace) -> int:
    from pipeline.gazetteer import Matcher
    from pipeline.mentions import find_unresolved

    gazetteer, articles, _ = load_inputs(args)
    rows = find_unresolved(articles, Matcher(gazetteer))
    if not rows:
        print("every place-like name in the articles resolves")
    for name, count, suggestions in rows:
        hint = f"  (did you mean: {', '.join(suggestions)})" if suggestions else ""
        print(f"{count:4d}  {name}{hint}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from pipeline.articles import read_articles
    from pipeline.evaluate import format_report, load_gold, score_claims
    from pipeline.gazetteer import Matcher, load_gazetteer

    gazetteer = load_gazetteer(args.gazetteer)
    articles = read_articles(args.seeds)
    gold = load_gold(args.gold)
    claims = extract_articles(gazetteer, articles)
    report = score_claims(claims, gold, gazetteer=gazetteer, matcher=Matcher(gazetteer))
    print(format_report(report))
    return 0


def run_suggest(args: argparse.Namespace) -> int:
    from pipeline.suggest import suggest_entry

    print(suggest_entry(args.name, gazetteer_path=args.gazetteer, geocode=args.geocode))
    return 0


def run_maps(args: argparse.Namespace) -> int:
    from pipeline import build

    command = build.Command(
        gazetteer=args.gazetteer, seeds=args.seeds, out=args.out, owned_dirs=OWNED_DIRS,
        owned_files=OWNED_FILES, corrections=str(Path(args.seeds) / CORRECTIONS_FILE),
    )
    # nothing read or made has changed since the last build: its pages stand
    environment = build.environment_of(command)
    summary = build.unchanged_build(command, environment=environment)
    if summary is not None:
        print(summary)
        return 0
    inputs = build.snapshot_inputs(command)
    build.forget_build(command)
    summary, gazetteer_files = make_maps(args)
    build.record_build(
        command, environment=environment, inputs=inputs, gazetteer_files=gazetteer_files,
        summary=summary,
    )
    print(summary)
    return 0


def make_maps(args: argparse.Namespace) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The whole pipeline into ``args.out``; returns the line that says what it made, and
    the files the gazetteer was read from besides its YAML (``Gazetteer.files``)."""
    from pipeline.render import render_outputs
    from pipeline.timeline import build_timeline

    gazetteer, articles, corrections = load_inputs(args)
    extracted = extract_articles(gazetteer, articles)
    timeline = build_timeline(gazetteer, extracted, corrections=corrections)
    from pipeline.timeline import apply_corrections

    claims = apply_corrections(extracted, corrections)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        written = render_outputs(
            staging, gazetteer=gazetteer, articles=articles, claims=claims, timeline=timeline
        )
        relative = sorted(p.relative_to(staging) for p in written)
        publish(staging, out, relative)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    dates = len(timeline.dates)
    summary = f"{len(relative)} files in {out}/ ({dates} map dates, {len(claims)} claims)"
    return summary, gazetteer.files


def publish(staging: Path, out: Path, files: list[Path]) -> None:
    """Moves each staged file into ``out`` atomically, then removes what the build no longer makes.

    Each page is replaced by one rename, so a build killed at any moment leaves every page
    whole (old or new), never half-written. The pages and data go first and the top-level
    pages (``index.html``) last, so that an index always links to maps that exist; files the
    build no longer makes are removed only once everything new is in place.
    """
    out.mkdir(parents=True, exist_ok=True)
    ordered = sorted(files, key=lambda rel: (len(rel.parts) == 1, rel.parts))
    for rel in ordered:
        source, target = staging / rel, out / rel
        # an unchanged file keeps its date (no churn for rsync or make)
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    keep = {out / rel for rel in files}
    for folder in OWNED_DIRS:
        for path in sorted((out / folder).rglob("*")) if (out / folder).exists() else []:
            if path.is_file() and path not in keep:
                path.unlink()
    for name in OWNED_FILES:
        if (out / name).exists() and out / name not in keep:
            (out / name).unlink()
    remove_stale_staging(out, keep=staging)


def remove_stale_staging(out: Path, *, keep: Path | None = None) -> list[Path]:
    """Removes the staging folders (``.<out>.tmp-*``, beside ``out``) that killed builds left.

    Two builds into one folder at once are not supported: the second would remove the
    first's staging folder.
    """
    removed: list[Path] = []
    pattern = f"{glob.escape(STAGING_PREFIX.format(name=out.name))}*"
    for path in sorted(out.parent.glob(pattern)) if out.parent.is_dir() else []:
        if path != keep and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def run_images(args: argparse.Namespace) -> int:
    from pipeline.images import make_images

    try:
        written = make_images(Path(args.out))
    except (FileNotFoundError, ImportError) as error:
        print(f"{args.out}: cannot make images: {error}", file=sys.stderr)
        return 2
    print(f"{len(written)} images in {args.out}/images/")
    return 0

