from pathlib import Path

from estate.compare import compare, headline, rules_table
from scenarios import load

ROOT = Path(__file__).resolve().parents[2]


def test_headlines_and_differences():
    cq = load(ROOT / "scenarios/chongqing-20k.toml")
    sd = load(ROOT / "scenarios/shandong-20k.toml")
    h = compare([cq, sd])
    assert h.differs("flats") == (False, False)
    assert h.differs("election_rule") == (False, True)
    assert headline(cq)["staff_full"] == 100          # 20,000 households at 1 per 200 (CQ-73 §一(三))
    assert headline(cq)["office_full"] == round(0.006 * cq.total_floor_area_m2)  # CQ-73 §三(九) binds
    assert headline(sd)["office_full"] == 1000        # SD-22 §二(二)2: 20,000 / 20


def test_rules_table_cites_every_row():
    rows = rules_table(load(ROOT / "scenarios/phased-45k.toml"))
    assert all(r["citation"] for r in rows)
    size = next(r for r in rows if r["role"] == "community_households")
    assert size["note"].startswith("override: CQ-73 §一(一) lets")
