"""The Leaflet assets of the pages: from the CDN (with subresource integrity), or inlined from
the npm package that ``npm ci`` installs (``$PIPELINE_INLINE_ASSETS``). Kept apart from the
render stage so that what a build depends on can be told without importing folium.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

LEAFLET_VERSION = "1.9.4"  # the same as package.json
LEAFLET_CDN = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"
# subresource integrity of the CDN files (tests compare them with the npm package)
LEAFLET_SRI = {
    "leaflet.js": "sha384-cxOPjt7s7Iz04uaHJceBmS+qpjv2JkIHNVcuOrM+YHwZOmJGBXI00mdUXEq65HTH",
    "leaflet.css": "sha384-sHL9NAb7lN7rfvG5lfHpm643Xkcjzp4jFvuavGOndn6pjVqS6ny56CAt3nsEVT4H",
}
INLINE_ENV = "PIPELINE_INLINE_ASSETS"  # "1": inline Leaflet from node_modules
LEAFLET_DIR_ENV = "PIPELINE_LEAFLET_DIR"  # the folder of leaflet.js, if not node_modules


@dataclass(frozen=True)
class Assets:
    """The Leaflet script and stylesheet, as tags to put in the page head."""

    head: str

    @classmethod
    def from_cdn(cls) -> Assets:
        css, js = (f"{LEAFLET_CDN}/{name}" for name in ("leaflet.css", "leaflet.js"))
        head = (
            f'<link rel="stylesheet" href="{css}" integrity="{LEAFLET_SRI["leaflet.css"]}" '
            'crossorigin="anonymous">\n'
            f'<script src="{js}" integrity="{LEAFLET_SRI["leaflet.js"]}" '
            'crossorigin="anonymous"></script>'
        )
        return cls(head=head)

    @classmethod
    def inline(cls, folder: Path | None = None) -> Assets:
        folder = folder or find_leaflet()
        css = (folder / "leaflet.css").read_text(encoding="utf-8")
        js = (folder / "leaflet.js").read_text(encoding="utf-8")
        # a closing tag inside would end the inline block early
        for name, text, tag in (("leaflet.css", css, "</style"), ("leaflet.js", js, "</script")):
            if tag in text.lower():
                msg = f"{folder / name} contains {tag!r}; it cannot be inlined"
                raise ValueError(msg)
        return cls(head=f"<style>{css.strip()}</style>\n<script>{js.strip()}</script>")


def find_leaflet() -> Path:
    """The folder of leaflet.js: ``$PIPELINE_LEAFLET_DIR``, else node_modules beside the project."""
    candidates = []
    if os.environ.get(LEAFLET_DIR_ENV):
        candidates.append(Path(os.environ[LEAFLET_DIR_ENV]))
    for root in (Path(__file__).resolve().parents[1], Path.cwd()):
        candidates.append(root / "node_modules" / "leaflet" / "dist")
    for folder in candidates:
        if (folder / "leaflet.js").is_file() and (folder / "leaflet.css").is_file():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    msg = f"Leaflet not found (tried {tried}); run `npm ci` in the project folder"
    raise FileNotFoundError(msg)


def choose_assets(inline_assets: bool | None) -> Assets:
    """Inline when asked, or when ``$PIPELINE_INLINE_ASSETS`` is set; else the CDN."""
    if inline_assets is None:
        inline_assets = inline_requested()
    return Assets.inline() if inline_assets else Assets.from_cdn()


def inline_requested() -> bool:
    """True when ``$PIPELINE_INLINE_ASSETS`` asks for Leaflet inlined in every page."""
    return os.environ.get(INLINE_ENV, "").strip().lower() in ("1", "true", "yes")
