from builders import day, make_claim, make_gazetteer

from pipeline.model import Corrections, Rejection
from pipeline.timeline import build_timeline


def states_by_id(timeline, date):
    return {s.district: s for s in timeline.state_on(day(date))}


def test_baseline_before_any_claim_carries_baseline_evidence():
    timeline = build_timeline(make_gazetteer(), [])
    assert timeline.dates == ()
    state = states_by_id(timeline, "2016-10-01")["qadi-askar"]
    assert (state.side, state.shares, state.contested) == ("rebels", {"rebels": 1.0}, False)
    assert state.since == day("2016-09-21")
    assert state.evidence[0].article == "baseline"


def test_capture_changes_holder_from_its_date_on():
    claims = [make_claim("qadi-askar", "captured", "government", "2016-12-05", share=1.0)]
    timeline = build_timeline(make_gazetteer(), claims)
    assert timeline.dates == (day("2016-12-05"),)
    assert timeline.changes[day("2016-12-05")] == ("qadi-askar",)
    assert states_by_id(timeline, "2016-12-04")["qadi-askar"].side == "rebels"
    after = states_by_id(timeline, "2016-12-06")["qadi-askar"]
    assert (after.side, after.shares, after.since) == ("government", {"government": 1.0}, day("2016-12-05"))
    assert [e.article for e in after.evidence] == ["a1"]


def test_partial_half_outranks_held_on_same_date_and_tie_goes_to_latest_gainer():
    claims = [
        make_claim("bustan-al-basha", "held", "rebels", "2016-10-06"),
        make_claim("bustan-al-basha", "partial", "government", "2016-10-06", share=0.5),
    ]
    state = states_by_id(build_timeline(make_gazetteer(), claims), "2016-10-06")["bustan-al-basha"]
    assert state.shares == {"government": 0.5, "rebels": 0.5}
    assert state.side == "government"
    assert state.contested is True
    assert {e.status for e in state.evidence} >= {"partial"}


def test_stated_share_outranks_unstated_share_on_same_date():
    claims = [
        make_claim("al-shaar", "partial", "government", "2016-12-01", share=0.67, article="b"),
        make_claim("al-shaar", "partial", "government", "2016-12-01", article="a"),
    ]
    state = states_by_id(build_timeline(make_gazetteer(), claims), "2016-12-01")["al-shaar"]
    assert state.shares == {"government": 0.67, "rebels": 0.33}


def test_unstated_partial_share_counts_as_half():
    claims = [make_claim("al-shaar", "partial", "government", "2016-12-01")]
    state = states_by_id(build_timeline(make_gazetteer(), claims), "2016-12-01")["al-shaar"]
    assert state.shares == {"government": 0.5, "rebels": 0.5}


def test_besieged_flag_lasts_until_a_capture_clears_it():
    claims = [
        make_claim("al-shaar", "besieged", "government", "2016-12-05"),
        make_claim("al-shaar", "captured", "government", "2016-12-06", share=1.0),
    ]
    timeline = build_timeline(make_gazetteer(), claims)
    assert timeline.dates == (day("2016-12-05"), day("2016-12-06"))
    on_5 = states_by_id(timeline, "2016-12-05")["al-shaar"]
    assert (on_5.side, on_5.besieged) == ("rebels", True)
    on_6 = states_by_id(timeline, "2016-12-06")["al-shaar"]
    assert (on_6.side, on_6.besieged, on_6.contested) == ("government", False, False)


def test_lost_goes_to_named_gainer_or_else_to_the_opponent():
    claims = [
        make_claim("sheikh-maqsoud", "lost", "kurdish", "2016-11-01", gainer="rebels"),
        make_claim("qadi-askar", "lost", "rebels", "2016-11-01"),
    ]
    states = states_by_id(build_timeline(make_gazetteer(), claims), "2016-11-02")
    assert states["sheikh-maqsoud"].shares == {"rebels": 1.0}
    assert states["qadi-askar"].shares == {"government": 1.0}


def test_targeted_and_shelled_change_nothing_and_make_no_map_date():
    claims = [
        make_claim("al-shaar", "targeted", "government", "2016-11-01"),
        make_claim("al-shaar", "shelled", None, "2016-11-02"),
    ]
    timeline = build_timeline(make_gazetteer(), claims)
    assert timeline.dates == ()


def test_held_confirmation_is_not_a_change():
    claims = [make_claim("qadi-askar", "held", "rebels", "2016-10-01")]
    assert build_timeline(make_gazetteer(), claims).dates == ()


def test_claims_on_or_before_baseline_date_are_left_out():
    claims = [make_claim("qadi-askar", "captured", "government", "2016-09-21", share=1.0)]
    assert build_timeline(make_gazetteer(), claims).dates == ()


def test_rejection_drops_extracted_claim_and_manual_claim_wins_same_day():
    claims = [
        make_claim("al-shaar", "captured", "government", "2016-12-05", article="003"),
        make_claim("qadi-askar", "captured", "government", "2016-12-05", article="003", confidence=1.0),
    ]
    corrections = Corrections(
        path="seeds/corrections.yaml",
        claims=(make_claim("qadi-askar", "held", "rebels", "2016-12-05", article="corrections", correction=True),),
        rejections=(Rejection(article="003", district="al-shaar", reason="hypothesis"),),
    )
    states = states_by_id(build_timeline(make_gazetteer(), claims, corrections=corrections), "2016-12-06")
    assert states["al-shaar"].side == "rebels"
    assert states["qadi-askar"].side == "rebels"
    assert states["qadi-askar"].evidence[0].correction is True


def test_split_baseline_and_state_json_contract():
    gazetteer = make_gazetteer({"qadi-askar": {"rebels": 0.7, "government": 0.3}})
    state = states_by_id(build_timeline(gazetteer, []), "2016-10-01")["qadi-askar"]
    data = state.to_json()
    assert list(data) == ["district", "side", "shares", "contested", "besieged", "since", "evidence"]
    assert data["side"] == "rebels"
    assert data["shares"] == {"government": 0.3, "rebels": 0.7}
