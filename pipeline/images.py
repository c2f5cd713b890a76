"""PNG images of the date maps, drawn by a real browser: for print and for social cards.

Headless Chromium (Debian's ``chromium`` package, driven by Playwright through
``executable_path``: nothing is downloaded) opens each map page from disk. Nothing goes to
the network: the page's Leaflet requests are answered with the files of the npm package
(byte for byte the CDN's, so the integrity check passes) and tile requests are aborted, so
an image shows the districts, the title, the legend and the source line on a plain
background. The same machine draws the same bytes; another machine's fonts may differ, so
images are not part of the committed outputs.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.render import find_leaflet

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CARD_SIZE = (1200, 630)  # a social card; print takes the same at ``scale=2``
IMAGES_DIR = "images"
# a date's map: maps/<city>-YYYY-MM-DD.html (the timeline and the index are not drawn)
DATE_MAP = re.compile(r"^.+-\d{4}-\d{2}-\d{2}\.html$")
# what a still image does not need: the zoom buttons
STILL_CSS = ".leaflet-control-zoom { display: none; }"


def make_images(
    out_dir: Path,
    *,
    size: tuple[int, int] = CARD_SIZE,
    scale: int = 1,
    chromium: str = CHROMIUM,
    leaflet_dir: Path | None = None,
    browser: Any = None,
) -> list[Path]:
    """Draws ``out_dir/images/<city>-<date>.png`` for each ``out_dir/maps/<city>-<date>.html``.

    Returns the images, sorted. Images of dates that no longer have a map are removed, so
    the folder always matches the maps. Raises ``FileNotFoundError`` when there is no map
    to draw, or no chromium, or no Leaflet package (``npm ci``).
    """
    out_dir = Path(out_dir)
    pages = sorted(p for p in (out_dir / "maps").glob("*.html") if DATE_MAP.match(p.name))
    if not pages:
        msg = f"no date map in {str(out_dir / 'maps')!r}; run `python -m pipeline maps` first"
        raise FileNotFoundError(msg)
    folder = out_dir / IMAGES_DIR
    written = capture_images(
        pages,
        folder=folder,
        size=size,
        scale=scale,
        chromium=chromium,
        leaflet_dir=leaflet_dir,
        browser=browser,
    )
    keep = set(written)
    for stale in sorted(folder.glob("*.png")):
        if stale not in keep and DATE_MAP.match(stale.with_suffix(".html").name):
            stale.unlink()
    return written


def capture_images(
    pages: Sequence[Path],
    *,
    folder: Path | None = None,
    size: tuple[int, int] = CARD_SIZE,
    scale: int = 1,
    chromium: str = CHROMIUM,
    leaflet_dir: Path | None = None,
    browser: Any = None,
) -> list[Path]:
    """A PNG of each page, named after it (``x.html`` -> ``x.png``) in ``folder`` (default:
    beside the page); returns them, sorted.

    ``browser`` reuses a Playwright browser already running; else chromium is started and
    stopped here. Each image is written whole or not at all (a temporary file, then a rename).
    """
    leaflet = leaflet_dir or find_leaflet()
    if browser is not None:
        return _capture(browser, pages, folder=folder, size=size, scale=scale, leaflet=leaflet)
    if not Path(chromium).exists():
        msg = f"chromium not found at {chromium!r}; install Debian's `chromium` package"
        raise FileNotFoundError(msg)
    from playwright.sync_api import sync_playwright  # only the images need a browser

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            return _capture(
                launched, pages, folder=folder, size=size, scale=scale, leaflet=leaflet
            )
        finally:
            launched.close()


def serve_offline(route: Any, leaflet_dir: Path) -> bool:
    """Answers a Playwright route with no network: a page from disk goes on, Leaflet's CDN
    files come from the npm package. Returns False for anything else (the caller aborts it)."""
    url = route.request.url
    if url.startswith("file:"):
        route.continue_()
        return True
    if "/npm/leaflet@" in url:
        name = url.rsplit("/", 1)[1]
        kind = "text/css" if name.endswith(".css") else "application/javascript"
        headers = {"Access-Control-Allow-Origin": "*"}
        route.fulfill(path=str(leaflet_dir / name), content_type=kind, headers=headers)
        return True
    return False


def _capture(
    browser: Any,
    pages: Sequence[Path],
    *,
    folder: Path | None,
    size: tuple[int, int],
    scale: int,
    leaflet: Path,
) -> list[Path]:
    def serve(route: Any) -> None:
        # the page itself from disk, Leaflet from the npm package, nothing else
        if not serve_offline(route, leaflet):
            route.abort()

    viewport = {"width": size[0], "height": size[1]}
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    written = []
    try:
        page = context.new_page()
        page.route("**/*", serve)
        for html in pages:
            html = Path(html)
            page.goto(html.resolve().as_uri())
            page.wait_for_function("document.querySelectorAll('path[data-district]').length > 0")
            page.add_style_tag(content=STILL_CSS)
            page.evaluate("document.fonts.ready")
            target = (Path(folder) if folder else html.parent) / f"{html.stem}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.tmp")
            page.screenshot(path=str(partial), animations="disabled", type="png")
            os.replace(partial, target)
            written.append(target)
    finally:
        context.close()
    return sorted(written)


__all__ = ["CARD_SIZE", "capture_images", "make_images"]
