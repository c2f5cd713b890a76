"""Small builders that keep test data readable (real Aleppo districts, real coordinates)."""

from __future__ import annotations

import datetime as dt
import shutil
import sysconfig
from pathlib import Path

from pipeline.model import Article, City, Claim, District, Gazetteer, Point, Side

_DISTRICTS = {
    # id: (en, fr, ar, lat, lon)
    "qadi-askar": ("Qadi Askar", "Qadi Askar", "قاضي عسكر", 36.201916, 37.174226),
    "al-shaar": ("ash-Sha'ar", "Chaar", "الشعار", 36.209041, 37.18544),
    "bustan-al-basha": ("Bustan al-Basha", "Boustan al-Bacha", "بستان الباشا", 36.225059, 37.16546),
    "sheikh-maqsoud": ("ash-Sheikh Maqsoud", "Cheikh Maqsoud", "الشيخ مقصود", 36.236792, 37.154022),
    "al-hamdaniyeh-i": ("al-Hamdaniyeh I", "Hamdaniyé I", "الحمدانية ١", 36.186443, 37.118086),
}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def make_gazetteer(baselines: dict[str, object] | None = None) -> Gazetteer:
    """A five-district Aleppo; ``baselines`` overrides a district's baseline side or shares."""
    baselines = baselines or {}
    default = {
        "qadi-askar": "rebels",
        "al-shaar": "rebels",
        "bustan-al-basha": "rebels",
        "sheikh-maqsoud": "kurdish",
        "al-hamdaniyeh-i": "government",
    }
    districts = []
    for district_id, (en, fr, ar, lat, lon) in _DISTRICTS.items():
        base = baselines.get(district_id, default[district_id])
        shares = {base: 1.0} if isinstance(base, str) else dict(base)  # type: ignore[arg-type]
        districts.append(
            District(
                id=district_id,
                names={"en": en, "fr": fr, "ar": ar},
                aliases=(),
                location=Point(lat, lon),
                baseline=shares,
            )
        )
    sides = {
        "government": Side("government", {"fr": "Armée syrienne", "en": "Syrian army"}, "#d55e00", ("armée syrienne",)),
        "rebels": Side("rebels", {"fr": "Rebelles", "en": "Rebels"}, "#009e73", ("rebelles",)),
        "kurdish": Side("kurdish", {"fr": "Forces kurdes", "en": "Kurdish forces"}, "#f0e442", ("YPG",)),
    }
    city = City(
        id="aleppo",
        names={"en": "Aleppo", "fr": "Alep", "ar": "حلب"},
        aliases=("Alep-Est",),
        center=Point(36.2021, 37.1580),
        radius_km=12,
    )
    return Gazetteer(
        path="tests/aleppo-mini.yaml",
        city=city,
        sides=sides,
        baseline_date=day("2016-09-21"),
        districts=tuple(districts),
        credit="test gazetteer",
    )


def make_claim(
    district: str,
    status: str,
    side: str | None,
    date: str,
    *,
    share: float | None = None,
    article: str = "a1",
    quote: str = "",
    gainer: str | None = None,
    correction: bool = False,
    confidence: float = 0.9,
) -> Claim:
    return Claim(
        article=article,
        district=district,
        side=side,
        status=status,
        share=share,
        date=day(date),
        date_precision="day",
        quote=quote or f"{side} {status} {district}",
        confidence=confidence,
        gainer=gainer,
        correction=correction,
    )


def make_article(text: str, *, published: str = "2016-12-05", article_id: str = "a1") -> Article:
    return Article(id=article_id, path=f"{article_id}.txt", published=day(published), text=text)


def can_build_extension() -> bool:
    """True when ``make`` can build the package's C extension here: a C compiler and
    Python's headers (otherwise numpy and Python do its work, and its tests are skipped)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return compiler is not None and headers.is_file()
