"""Conflict explanations: when no plan meets every rule, each breach is named with its rule, citation,
the shortfall and the smallest relaxation that works, and the relaxed plan is still returned."""

from __future__ import annotations

import scenarios
from optimize import PlanStatus, plan_split, verify
from optimize.conflicts import narrow_band
from scenarios.schema import Building, OverrideSpec
from tests.optimize.conftest import load, with_buildings

CQ = "CQ-73.community_households (CQ-73 §一(一))"


def b(i, units, x, y, cluster="A"):
    return Building(id=f"B{i}", units=units, floor_area_m2=units * 80.0, cluster=cluster, x=x, y=y, delivery_month=0)


def row(n, units, x0=0.0, cluster="A", start=0):
    """n buildings of ``units`` flats 60 m apart along a line (adjacent to their neighbours)."""
    return [b(start + k, units, x0 + 60 * k, 0, cluster) for k in range(n)]


def relaxed(t, r):
    """Plan t; it must be relaxed, and only the size band may fail, each failure explained by a line."""
    p = plan_split(t, r)
    assert p.status is PlanStatus.RELAXED
    bad = [k for k in verify(p, t, r) if k.passed is False]
    assert bad and {k.rule for k in bad} == {r.role("community_households").id}
    assert all(any(e.startswith(f"{k.entity}: ") for e in p.explanation) for k in bad)
    return p, {e.split(":")[0]: e for e in p.explanation}


def with_band(t, lo, hi, reason="a narrow band to test"):
    t = t.model_copy(update={"overrides": [OverrideSpec(rule="CQ-73.community_households",
                                                        value={"min": lo, "max": hi}, reason=reason)]})
    return t, scenarios.rules_of(t)


def test_whole_estate_below_the_minimum_is_one_under_size_community(small):
    s, r = small
    p, lines = relaxed(s, r)
    assert [c.households for c in p.communities] == [2400]
    assert lines["C1"] == (
        f"C1: 2,400 households, below the 3,000 minimum of {CQ} by 600: one under-size community; the whole estate "
        "holds 2,400 households, fewer than one community's minimum, so the smallest relaxation is this one community "
        "600 short (or the minimum lowered by 600 to 2,400 by an override with a reason)")
    assert p.explanation[-1].startswith("split by mip (highs: optimal")


def test_disconnected_part_names_contiguity_and_the_join_across_the_gap(small):
    s, r = small
    t = with_buildings(s, row(8, 500) + [b(100, 1000, 50_000, 50_000, cluster="Far")])
    p, lines = relaxed(t, r)
    assert [(c.households, c.buildings) for c in p.communities][1] == (1000, ("B100",))
    assert lines["C2"] == (
        f"C2: 1,000 households, below the 3,000 minimum of {CQ} by 2,000: one under-size community; its buildings "
        "B100 are not adjacent to the rest of the estate (B7 is 70,414 m from B100, beyond the adjacency cut of 360 m, "
        "6 × the median nearest-neighbour distance), so under plan.contiguity (a community's buildings are adjacent) "
        "it cannot join another community; the alternative relaxation is to join it across the gap to C1 "
        "(5,000 households together, within the band)")
    assert "C1" not in lines   # the connected part meets the band


def test_joining_across_the_gap_is_reported_even_when_it_does_not_reach_the_band(small):
    s, r = small
    t = with_buildings(s, row(2, 600) + row(2, 600, x0=20_000, cluster="Far", start=10))
    p, lines = relaxed(t, r)
    assert sorted(c.households for c in p.communities) == [1200, 1200]
    assert lines["C1"].endswith("(2,400 households together, still below the 3,000 minimum by 600)")
    assert "by 1,800: one under-size community" in lines["C2"]


def test_a_building_above_the_maximum_and_the_enlargement_clause(small):
    s, r = small
    t = with_buildings(s, row(6, 500) + [b(7, 5600, 400, 0, cluster="Big")])
    p, lines = relaxed(t, r)
    assert sorted(c.households for c in p.communities) == [3000, 5600]
    assert lines["C1"] == (
        f"C1: 5,600 households, above the 5,000 maximum of {CQ} by 600: one over-size community; building B7 alone "
        "holds 5,600 households and a building cannot be divided; CQ-73 §一(一) lets a community be enlarged to follow "
        "its cluster (组团, here Big), which covers it with the maximum raised by 600 to 5,600 (an override of "
        "CQ-73.community_households giving that reason)")


def test_shandong_has_no_enlargement_clause(small):
    s, _ = small
    t = with_buildings(s.model_copy(update={"regime": "shandong"}), row(4, 500) + [b(7, 4000, 300, 0, cluster="Big")])
    r = scenarios.rules_of(t)
    p, lines = relaxed(t, r)
    sd = "SD-22.community_households (SD-22 §二(一)1)"
    assert lines["C1"] == (
        f"C1: 4,000 households, above the 3,600 maximum of {sd} by 400: one over-size community; building B7 alone "
        "holds 4,000 households and a building cannot be divided; SD-22.community_households has no enlargement "
        "clause, so only an override of its maximum to 4,000 (with a reason) admits it")
    assert lines["C2"] == (
        f"C2: 2,000 households, below the 2,400 minimum of {sd} by 400: one under-size community; the rest of the "
        "estate beside building B7 (over the maximum, see C1) cannot be split within the band")


def test_an_unsplittable_cluster_above_the_maximum(small):
    s, r = small
    t = with_buildings(s, [b(1, 2800, 0, 0, "K"), b(2, 2800, 60, 0, "K")])
    p, lines = relaxed(t, r)
    assert [c.households for c in p.communities] == [2800, 2800]   # 2 × 200 short beats 1 × 600 over
    assert lines["estate"] == (
        f"estate: 5,600 households cannot be divided into communities of 3,000–5,000 households of {CQ}: 1 community "
        "holds at most 5,000 and 2 need at least 6,000; the smallest relaxation is to lower the minimum by 200 to 2,800 "
        "(raising the maximum would take 600, to 5,600); CQ-73 §一(一) lets a community be enlarged to follow a cluster "
        "(组团), which covers raising the maximum here (the estate is one cluster, K)")
    assert lines["C1"].startswith(f"C1: 2,800 households, below the 3,000 minimum of {CQ} by 200: one under-size")
    assert lines["C2"].endswith("no whole number of communities fits the 5,600 households of the estate in the band "
                                "(see 'estate:')")


def test_a_band_too_narrow_for_any_whole_number_of_communities(small):
    s, _ = small
    t, r = with_band(with_buildings(s, row(18, 500)), 4000, 4400)        # 9,000 households
    p, lines = relaxed(t, r)
    assert [c.households for c in p.communities] == [4500, 4500]
    band = "CQ-73.community_households (CQ-73 §一(一), as overridden)"
    assert lines["estate"] == (
        f"estate: 9,000 households cannot be divided into communities of 4,000–4,400 households of {band}: "
        "2 communities hold at most 8,800 and 3 need at least 12,000; the smallest relaxation is to raise the maximum "
        "by 100 to 4,500 (lowering the minimum would take 1,000, to 3,000); CQ-73 §一(一) lets a community be enlarged "
        "to follow a cluster (组团), which covers raising the maximum here (the estate is one cluster, A)")
    assert lines["C1"].startswith(f"C1: 4,500 households, above the 4,400 maximum of {band} by 100: one over-size")


def test_a_narrow_band_where_lowering_the_minimum_is_smaller(small):
    s, _ = small
    t, r = with_band(with_buildings(s, row(11, 500)), 3000, 5000)       # 5,500: one is too many, two too few
    assert narrow_band(5500, 3000, 5000) == (1, 2, 5500, 2750)
    p, lines = relaxed(t, r)
    assert "the smallest relaxation is to lower the minimum by 250 to 2,750 (raising the maximum would take 500, " \
           "to 5,500)" in lines["estate"]
    assert "only for communities that follow a cluster" not in lines["estate"]


def test_narrow_band_arithmetic_at_the_boundaries():
    assert narrow_band(9000, 4000, 4400) == (2, 3, 4500, 3000)
    assert narrow_band(8800, 4000, 4400) is None       # exactly two at the maximum
    assert narrow_band(12000, 4000, 4400) is None      # exactly three at the minimum
    assert narrow_band(2400, 3000, 5000) == (0, 1, None, 2400)


def test_a_plan_within_the_band_has_no_conflict_lines(small):
    s, r = small
    t = with_buildings(s, row(20, 500))
    p = plan_split(t, r)
    assert p.status is PlanStatus.OPTIMAL
    assert len(p.explanation) == 1 and p.explanation[0].startswith("split by mip")
    assert all(k.passed is not False for k in verify(p, t, r))


def test_a_detached_part_too_narrow_for_the_band_is_named_by_its_buildings(small):
    s, r = small
    t = with_buildings(s, row(10, 500) + [b(20, 2800, 20_000, 0, "K"), b(21, 2800, 20_060, 0, "K")])
    p, lines = relaxed(t, r)
    assert sorted(c.households for c in p.communities) == [2800, 2800, 5000]
    assert lines["part B20, B21"].startswith(
        f"part B20, B21: 5,600 households cannot be divided into communities of 3,000–5,000 households of {CQ}: ")
    assert lines["part B20, B21"].endswith("covers raising the maximum here (the part is one cluster, K)")
    under = [e for k, e in lines.items() if k.startswith("C") and "2,800 households" in e]
    assert len(under) == 2 and all(e.endswith("no whole number of communities fits the 5,600 households of the part "
                                              "B20, B21 in the band (see 'part B20, B21:')") for e in under)


def _zh(p):
    """The plan's Chinese reasons by their first field; none of them has an English word or a rule id."""
    import re
    assert len(p.explanation_zh) == len(p.explanation) - 1         # the same reasons, not the solver's line
    for line in p.explanation_zh:
        assert not re.search(r"[a-z]{3,}", line) and "community_households" not in line, line
    return {e.split("：")[0]: e for e in p.explanation_zh}


def test_the_reasons_in_chinese(small):
    s, r = small
    p, _ = relaxed(s, r)
    assert _zh(p)["C1"] == (
        "C1：2,400 户，低于社区规模下限 3,000 户（CQ-73 §一(一)），差 600 户：一个规模不足的社区；全小区只有 2,400 户，"
        "不足一个社区的下限，最小的放宽是这一个社区少 600 户（或在情景中覆盖该规则、写明理由，把下限降低 600 户至 2,400 户）")
    t = with_buildings(s, row(8, 500) + [b(100, 1000, 50_000, 50_000, cluster="Far")])
    p, _ = relaxed(t, r)
    assert _zh(p)["C2"].endswith("其楼栋 B100 与小区其余部分不相邻（B7 距 B100 70,414 米，超过相邻判定距离 360 米，"
                                 "即最近楼距中位数的 6 倍），而社区楼栋须相邻连片，故不能并入其他社区；另一种放宽是跨过间隔"
                                 "并入 C1（合计 5,000 户，在规模区间内）")
    t = with_buildings(s, row(6, 500) + [b(7, 5600, 400, 0, cluster="Big")])
    p, _ = relaxed(t, r)
    assert _zh(p)["C1"].endswith("楼栋 B7 单独就有 5,600 户，而楼栋不可拆分；CQ-73 §一(一) 允许社区根据小区组团状况适当"
                                 "扩大规模（此处为组团 Big），可据此把上限提高 600 户至 5,600 户（在情景中覆盖该规则并写明此理由）")
    t, r2 = with_band(with_buildings(s, row(18, 500)), 4000, 4400)
    p, _ = relaxed(t, r2)
    assert _zh(p)["全小区"] == (
        "全小区：9,000 户无法分成每个 4,000—4,400 户的社区（CQ-73 §一(一)，本情景已覆盖）：2 个社区最多容纳 8,800 户，"
        "3 个社区至少需要 12,000 户；最小的放宽是把上限提高 100 户至 4,500 户（降低下限则需 1,000 户，至 3,000 户）；"
        "CQ-73 §一(一) 允许社区根据小区组团状况适当扩大规模，此处全小区是一个组团（A），可据此提高上限")


def test_shandong_in_chinese_has_no_enlargement_clause(small):
    s, _ = small
    t = with_buildings(s.model_copy(update={"regime": "shandong"}), row(4, 500) + [b(7, 4000, 300, 0, cluster="Big")])
    p, _ = relaxed(t, scenarios.rules_of(t))
    lines = _zh(p)
    assert lines["C1"].endswith("SD-22 §二(一)1 没有扩大规模的条款，只有在情景中把上限覆盖为 4,000 户（并写明理由）才能容纳")
    assert lines["C2"].endswith("全小区中除超过上限的楼栋 B7（见 C1）外，其余部分无法在规模区间内划分")


def test_a_plan_within_the_band_has_no_chinese_reasons(small):
    s, r = small
    t = with_buildings(s, row(8, 500))
    p = plan_split(t, r)
    assert p.status is PlanStatus.OPTIMAL and p.explanation_zh == ()
