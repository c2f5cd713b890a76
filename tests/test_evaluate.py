"""Scoring claims against hand annotations (pipeline/evaluate.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from builders import make_claim, make_gazetteer
from pipeline._errors import InputError
from pipeline.evaluate import format_report, load_gold, score_claims
from pipeline.gazetteer import Matcher
from pipeline.model import Claim, Group

SAMPLE = Path(__file__).parent / "data" / "control" / "gold_sample.yaml"


@pytest.fixture(scope="module")
def mini() -> tuple:
    gazetteer = make_gazetteer()
    return gazetteer, Matcher(gazetteer)


def perfect() -> list[Claim]:
    return [
        make_claim("qadi-askar", "captured", "government", "2016-12-05", share=1.0),
        make_claim("al-shaar", "besieged", "government", "2016-12-05"),
        make_claim("bustan-al-basha", "shelled", None, "2016-12-03"),
    ]


def score(
    claims: list[Claim],
    mini: tuple,
    gold_path: Path = SAMPLE,
):  # type: ignore[no-untyped-def]
    gazetteer, matcher = mini
    return score_claims(claims, load_gold(gold_path), gazetteer=gazetteer, matcher=matcher)


def test_perfect_claims_score_one(mini: tuple) -> None:
    report = score(perfect(), mini)
    assert (
        report.overall.precision,
        report.overall.recall,
        report.overall.date_accuracy,
    ) == (1.0, 1.0, 1.0)
    assert report.misses == () and report.unexpected == () and report.forbidden == ()
    assert report.by_status["captured"].gold == 1


def test_statuses_match_within_their_group_only(mini: tuple) -> None:
    claims = perfect()
    claims[0] = replace(claims[0], status="partial")  # captured|partial|held|lost
    claims[1] = replace(claims[1], status="contested")  # contested|besieged
    report = score(claims, mini)
    assert report.overall.recall == 1.0
    claims[1] = replace(claims[1], status="held")
    report = score(claims, mini)
    assert [m.name for m in report.misses] == ["Chaar"]
    assert [(c.district, c.status) for c in report.unexpected] == [("al-shaar", "held")]
    assert report.overall.precision == pytest.approx(2 / 3)


def test_side_must_agree_unless_the_gold_says_any(mini: tuple) -> None:
    claims = perfect()
    claims[2] = replace(claims[2], side="rebels")  # gold side: any
    claims[0] = replace(claims[0], side="rebels")
    report = score(claims, mini)
    assert [m.name for m in report.misses] == ["Qadi Askar"]


def test_shares_within_tolerance(mini: tuple) -> None:
    claims = perfect()
    claims[0] = replace(claims[0], share=0.9)
    assert score(claims, mini).overall.recall == 1.0
    claims[0] = replace(claims[0], share=0.5)
    assert score(claims, mini).overall.recall == pytest.approx(2 / 3)


def test_dates_are_scored_apart_with_their_window(mini: tuple) -> None:
    claims = perfect()
    claims[2] = replace(claims[2], date=claims[2].date.replace(day=1))  # within 2 days
    assert score(claims, mini).overall.date_accuracy == 1.0
    claims[0] = replace(claims[0], date=claims[0].date.replace(day=4))  # exact date required
    report = score(claims, mini)
    assert report.overall.recall == 1.0
    assert report.overall.date_accuracy == pytest.approx(2 / 3)
    assert [item.name for item, _claim in report.wrong_dates] == ["Qadi Askar"]


def test_optional_claims_count_neither_for_nor_against(mini: tuple) -> None:
    with_optional = [*perfect(), make_claim("sheikh-maqsoud", "held", "kurdish", "2016-12-05")]
    report = score(with_optional, mini)
    assert (report.overall.extracted, report.overall.correct, report.overall.gold) == (3, 3, 3)
    wrong_side = [*perfect(), make_claim("sheikh-maqsoud", "held", "government", "2016-12-05")]
    assert score(wrong_side, mini).overall.precision == pytest.approx(3 / 4)


def test_forbidden_claims_and_places_are_reported(mini: tuple) -> None:
    claims = [
        *perfect(),
        make_claim("al-shaar", "partial", "government", "2016-12-05"),
        replace(make_claim("qadi-askar", "contested", None, "2016-12-05"), name="Waer"),
    ]
    report = score(claims, mini)
    assert [(place.name, claim.status if claim else None) for place, claim in report.forbidden] == [
        ("Waer", "contested"),
        ("Chaar", "partial"),
    ]
    assert not report.ok


def test_a_gold_name_the_gazetteer_misplaces_is_reported(mini: tuple, tmp_path: Path) -> None:
    gold = tmp_path / "gold.yaml"
    gold.write_text(
        "claims:\n"
        "  - {article: a1, name: Qadi Askar, near: {lat: 36.30, lon: 37.10}, side: any,\n"
        "     status: contested, date: 2016-12-05}\n"
        "  - {article: a1, name: Jobar, side: any, status: contested, date: 2016-12-05}\n",
        encoding="utf-8",
    )
    report = score([], mini, gold)
    assert len(report.unresolved) == 2
    assert "m from the gold point" in report.unresolved[0]
    assert "'Jobar' (a1) resolves to no district" == report.unresolved[1]


def test_a_bad_gold_file_names_every_problem_with_its_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.yaml"
    gold.write_text(
        "claims:\n"
        "  - {article: a1, name: Chaar, side: any, status: conquered, date: 2016-12-05}\n"
        "  - {article: a1, side: any, status: held, date: 2016-13-45}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        load_gold(gold)
    messages = [str(p) for p in raised.value.problems]
    assert any(m.startswith(f"{gold}:2: ") and "'conquered'" in m for m in messages)
    assert any(m.startswith(f"{gold}:3: ") and "name is missing" in m for m in messages)
    assert any(m.startswith(f"{gold}:3: ") and "date" in m for m in messages)


def test_the_report_lists_figures_misses_and_surprises(mini: tuple) -> None:
    claims = perfect()[:2] + [
        make_claim(
            "al-hamdaniyeh-i",
            "captured",
            "rebels",
            "2016-12-05",
            quote="Les rebelles ont pris Hamdaniyé I.",
        )
    ]
    text = format_report(score(claims, mini))
    assert text.splitlines()[0].split()[:4] == ["status", "precision", "recall", "dates"]
    assert any(line.startswith("overall") for line in text.splitlines())
    assert "missed (1):" in text and "'Boustan al-Bacha'" in text
    assert "unexpected (1):" in text and "« Les rebelles ont pris Hamdaniyé I. »" in text


# --- groups and whole captures ----------------------------------------------------------------


def grouped() -> tuple:
    """The mini gazetteer with Qadi Askar and Chaar in a group « vieux centre »."""
    base = make_gazetteer()
    group = Group(
        id="centre", names={"fr": "vieux centre"}, aliases=(), members=("qadi-askar", "al-shaar")
    )
    gazetteer = replace(base, groups=(group,))
    return gazetteer, Matcher(gazetteer)


def group_gold(tmp_path: Path, *, extra: str = "") -> Path:
    path = tmp_path / "gold.yaml"
    path.write_text(
        "claims:\n"
        "  - {article: a1, name: vieux centre, near: {lat: 36.2019, lon: 37.1742},"
        " side: government, status: captured, date: 2016-12-05}\n"
        "  - {article: a1, name: vieux centre, near: {lat: 36.2090, lon: 37.1854},"
        " side: government, status: captured, date: 2016-12-05}\n" + extra,
        encoding="utf-8",
    )
    return path


def test_a_group_name_stands_for_the_member_nearest_its_point(tmp_path: Path) -> None:
    both = [
        make_claim("qadi-askar", "captured", "government", "2016-12-05"),
        make_claim("al-shaar", "captured", "government", "2016-12-05"),
    ]
    report = score(both, grouped(), group_gold(tmp_path))
    assert report.unresolved == ()
    assert (report.overall.precision, report.overall.recall) == (1.0, 1.0)
    report = score(both[:1], grouped(), group_gold(tmp_path))
    assert [m.near.lat for m in report.misses if m.near] == [36.2090]


def test_a_group_point_far_from_every_member_is_reported(tmp_path: Path) -> None:
    extra = (
        "  - {article: a1, name: vieux centre, near: {lat: 36.2368, lon: 37.1540},"
        " side: any, status: shelled, date: 2016-12-05}\n"
    )
    report = score([], grouped(), group_gold(tmp_path, extra=extra))
    assert len(report.unresolved) == 1
    assert "group 'centre' has no member" in report.unresolved[0]


def test_a_not_claim_on_a_group_forbids_it_on_every_member(tmp_path: Path) -> None:
    extra = "not_claims:\n  - {article: a1, name: vieux centre, status: lost, why: test}\n"
    lost = [make_claim("al-shaar", "lost", "rebels", "2016-12-05")]
    report = score(lost, grouped(), group_gold(tmp_path, extra=extra))
    assert [(place.name, claim.district) for place, claim in report.forbidden if claim] == [
        ("vieux centre", "al-shaar")
    ]


def test_a_capture_without_share_is_of_the_whole_district(mini: tuple) -> None:
    claims = perfect()
    claims[0] = replace(claims[0], share=None)  # gold: captured, share 1.0
    assert score(claims, mini).overall.recall == 1.0
    claims[0] = replace(claims[0], status="partial")  # a part of unknown size is not the whole
    assert score(claims, mini).overall.recall == pytest.approx(2 / 3)
