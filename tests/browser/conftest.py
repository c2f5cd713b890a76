"""Headless Chromium (Debian's package) driven by Playwright, with no network.

Leaflet comes from the npm package: the CDN addresses of a page are answered with the files
of node_modules/leaflet/dist. Tile requests are aborted, so no test needs the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipeline.images import CHROMIUM, CHROMIUM_ARGS, serve_offline

TILE_HOST = "tile.openstreetmap.org"


@dataclass
class Visit:
    """One page opened in the browser, with what went wrong while it loaded."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    tiles_aborted: int = 0


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium is not installed ({CHROMIUM}); `apt-get install chromium`")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def leaflet_dir() -> Path:
    from pipeline.render import find_leaflet

    return find_leaflet()  # fails with "run `npm ci`" when the npm package is missing


@pytest.fixture(scope="session")
def contexts(browser: Any) -> Iterator[dict[bool, Any]]:
    """One browser context with JavaScript and one without, shared: each visit opens a page."""
    opened = {flag: browser.new_context(java_script_enabled=flag) for flag in (True, False)}
    yield opened
    for context in opened.values():
        context.close()


@pytest.fixture
def visit(contexts: dict[bool, Any], leaflet_dir: Path) -> Iterator[Any]:
    """``visit(path, width=1280)`` opens a page from disk and waits for the map."""
    pages = []

    def open_page(
        path: Path,
        *,
        width: int = 1280,
        height: int = 720,
        javascript: bool = True,
        wait: bool = True,
    ) -> Visit:
        page = contexts[javascript].new_page()
        page.set_viewport_size({"width": width, "height": height})
        pages.append(page)
        seen = Visit(page=page)

        def on_console(message: Any) -> None:
            if message.type != "error":
                return
            # an aborted tile logs "Failed to load resource" at the tile's address
            if TILE_HOST in (message.location or {}).get("url", ""):
                return
            seen.errors.append(message.text)

        def on_dialog(dialog: Any) -> None:
            seen.dialogs.append(dialog.message)
            dialog.dismiss()

        def on_request(route: Any) -> None:
            if serve_offline(route, leaflet_dir):
                return
            if TILE_HOST in route.request.url:
                seen.tiles_aborted += 1
            route.abort()

        page.on("console", on_console)
        page.on("pageerror", lambda exc: seen.errors.append(f"page error: {exc}"))
        page.on("dialog", on_dialog)
        page.route("**/*", on_request)
        # the map is drawn by the inline scripts, before DOMContentLoaded: no need to wait
        # for the tile requests to fail
        page.goto(path.resolve().as_uri(), wait_until="domcontentloaded")
        if javascript and wait:
            page.wait_for_function("document.querySelectorAll('path[data-district]').length > 0")
        return seen

    yield open_page
    for page in pages:
        page.close()
