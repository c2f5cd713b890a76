"""Byte size of each kind of page, and how heavy the timeline map is against one date's map.

    python scripts/bench_render.py [--gazetteer gazetteer/aleppo.yaml] [--dates 100]

A synthetic story on the real gazetteer's districts: on each of ``--dates`` days one district
changes hands, reported by its own article with a quote of about 170 characters. The timeline
carries every quote and article of the story; a date's map carries those of its own states.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.gazetteer import load_gazetteer  # noqa: E402
from pipeline.model import Article, Claim, Gazetteer, Timeline  # noqa: E402
from pipeline.render import (  # noqa: E402
    find_leaflet,
    make_context,
    render_date_map,
    render_outputs,
    render_timeline_map,
)
from pipeline.timeline import build_timeline  # noqa: E402

QUOTE = (
    "Les forces gouvernementales ont pris dans la nuit la totalité du quartier de {name}, "
    "a indiqué l'OSDH, selon qui des centaines de civils ont fui les combats ({k})."
)


def make_story(gazetteer: Gazetteer, n_dates: int) -> tuple[list[Article], list[Claim], Timeline]:
    """One change of hands a day, each from its own article."""
    sides = list(gazetteer.sides)
    holder = {d.id: max(d.baseline, key=lambda s: d.baseline[s]) for d in gazetteer.districts}
    articles, claims = [], []
    start = gazetteer.baseline_date + dt.timedelta(days=1)
    for k in range(n_dates):
        day = start + dt.timedelta(days=k)
        district = gazetteer.districts[(k * 37) % len(gazetteer.districts)]
        # the first two sides trade the district back and forth
        old = holder[district.id]
        new = sides[(sides.index(old) + 1) % 2] if old in sides[:2] else sides[0]
        holder[district.id] = new
        article_id = f"{k:03d}_bench"
        articles.append(
            Article(id=article_id, path=f"{article_id}.txt", published=day, text="", source="AFP",
                    title=f"Dépêche {k}", url=f"https://example.org/{article_id}")
        )
        claims.append(
            Claim(article=article_id, district=district.id, side=new, status="captured", share=None,
                  date=day, date_precision="day", quote=QUOTE.format(name=district.label, k=k),
                  confidence=0.9)
        )
    return articles, claims, build_timeline(gazetteer, claims)


def kib(n: float) -> str:
    return f"{n / 1024:7.1f} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gazetteer", default="gazetteer/aleppo.yaml")
    parser.add_argument("--dates", type=int, default=100)
    args = parser.parse_args()

    gazetteer = load_gazetteer(args.gazetteer)
    articles, claims, timeline = make_story(gazetteer, args.dates)
    counts = (len(gazetteer.districts), len(timeline.dates), len(claims))
    print("%d districts, %d change dates, %d claims" % counts)

    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        written = render_outputs(
            Path(folder), gazetteer=gazetteer, articles=articles, claims=claims, timeline=timeline
        )
        seconds = time.perf_counter() - began
        kinds: dict[str, list[int]] = {}
        for path in written:
            name = path.relative_to(folder).as_posix()
            if name.startswith("maps/") and not name.endswith("-timeline.html"):
                kind = "date map"
            else:
                kind = name
            kinds.setdefault(kind, []).append(path.stat().st_size)
    print(f"render_outputs: {len(written)} files in {seconds:.1f} s")
    for kind, sizes in kinds.items():
        if len(sizes) > 1:
            print(f"  {kind:32} {kib(statistics.median(sizes))} median "
                  f"({kib(min(sizes)).strip()} to {kib(max(sizes)).strip()}, {len(sizes)} files)")
        else:
            print(f"  {kind:32} {kib(sizes[0])}")

    ctx = make_context(gazetteer, articles)
    singles = [len(render_date_map(ctx, timeline, d).encode()) for d in timeline.dates]
    whole = len(render_timeline_map(ctx, timeline).encode())
    print(f"timeline / last date's map:     {whole / singles[-1]:.3f}")
    print(f"timeline / median date's map:   {whole / statistics.median(singles):.3f}")
    print(f"timeline / smallest date's map: {whole / min(singles):.3f}  (the bar: 1.5)")
    # what each further date costs the timeline, and how much of it is the quote itself
    if len(timeline.dates) > 1:
        per_date = (whole - min(singles)) / (len(timeline.dates) - 1)
        quotes = statistics.mean(len(c.quote.encode()) for c in claims)
        room = (0.5 * min(singles)) / (len(timeline.dates) - 1)
        print(f"per further date: {per_date:.0f} bytes, of which the quote {quotes:.0f}; "
              f"the bar allows {room:.0f} at {len(timeline.dates)} dates")

    try:
        find_leaflet()
    except FileNotFoundError as exc:
        print(f"inline assets: skipped ({exc})")
    else:
        inline = make_context(gazetteer, articles, inline_assets=True)
        one = len(render_date_map(inline, timeline, timeline.dates[-1]).encode())
        whole = len(render_timeline_map(inline, timeline).encode())
        print(f"with Leaflet inlined: date map {kib(one)}, timeline {kib(whole)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
