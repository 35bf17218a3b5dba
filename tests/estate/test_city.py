"""`estate city`: a city file read strictly, its estates run on one executor, and the roll-up adding them
up by year and payer."""

import csv
import json
from pathlib import Path

import pytest

from estate.city import load_city
from estate.cli import main
from scenarios import load
from scenarios.writer import to_toml
from standards.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def estates(tmp_path):
    """Two small estates, cut to two years and two replications, in a folder beside the city file."""
    base = load(ROOT / "scenarios" / "small-2400.toml")
    folder = tmp_path / "estates"
    folder.mkdir()
    for name, acceptance in (("north", 0.85), ("south", 0.6)):
        s = base.model_copy(update={"horizon_months": 24, "replications": 2, "name": f"{name} estate",
                                    "allocation": base.allocation.model_copy(update={"acceptance": acceptance})})
        (folder / f"{name}.toml").write_text(to_toml(s), encoding="utf-8")
    return folder


def _city(tmp_path, text):
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_roll_up_adds_the_estates_up_by_year_and_payer(tmp_path, estates, capsys):
    city = _city(tmp_path, 'name = "Test city"\nbudget_cny_per_year = 200000000\n'
                           '[[estates]]\nscenario = "estates/north.toml"\nshare = 0.6\n'
                           '[[estates]]\nscenario = "estates/south.toml"\nname = "South"\n'
                           '[[estates]]\nscenario = "estates/north.toml"\nname = "North again"\n')
    out = tmp_path / "out"
    assert main(["city", str(city), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert "3 estates, 7,200 flats" in capsys.readouterr().out
    for name in ("city.json", "estates.csv", "rollup.csv", "budget.csv", "city.png"):
        assert (out / name).exists(), name
    assert len(list((out / "estates").glob("*/report.html"))) == 3

    per_estate = _read(out / "estates.csv")
    assert [r["estate"] for r in per_estate] == ["north estate", "South", "North again"]
    assert per_estate[0]["allotment_cny_per_year"] == "120000000.0" and per_estate[1]["share"] == ""
    assert per_estate[0]["budget_cap_cny_per_year"] == "120000000.0" and per_estate[1]["budget_cap_cny_per_year"] == ""

    rollup = _read(out / "rollup.csv")
    years = sorted({r["year"] for r in rollup})
    assert years == ["2027", "2028", "2029"]
    for y in years:
        mine = [r for r in rollup if r["year"] == y and r["estate"] != "city"]
        (total,) = [r for r in rollup if r["year"] == y and r["estate"] == "city"]
        assert len(mine) == 3
        for key in ("staff", "facilities_opened"):
            assert int(total[key]) == sum(int(r[key]) for r in mine)
        for key in ("office_required_m2", "budget_cny"):
            assert float(total[key]) == pytest.approx(sum(float(r[key]) for r in mine))
    # the estates' own budget files add up to the city's budget, payer by payer
    money = _read(out / "budget.csv")
    for folder in sorted((out / "estates").iterdir()):
        own = _read(folder / "budget.csv")
        name = {"1": "north estate", "2": "South", "3": "North again"}[folder.name[0]]
        for y in years:
            assert sum(float(r["amount_cny"]) for r in own if r["year"] == y) == pytest.approx(
                sum(float(r["amount_cny"]) for r in money if r["year"] == y and r["estate"] == name))
    doc = json.loads((out / "city.json").read_text(encoding="utf-8"))
    assert doc["generator"] == "estate city" and [r["year"] for r in doc["years"]] == [2027, 2028, 2029]
    assert doc["years"][0]["budget_cny"] == pytest.approx(float([r for r in rollup if r["year"] == "2027"
                                                                 and r["estate"] == "city"][0]["budget_cny"]))


def test_a_share_sets_the_estates_budget_cap(tmp_path, estates):
    city = load_city(_city(tmp_path, 'name = "c"\nbudget_cny_per_year = 1e8\n'
                                     '[[estates]]\nscenario = "estates/north.toml"\nshare = 0.25\n'
                                     '[[estates]]\nscenario = "estates/south.toml"\n'))
    assert city.estates[0].scenario.costs.budget_cap_cny_per_year == 25_000_000
    assert city.estates[1].scenario.costs.budget_cap_cny_per_year is None


def test_a_tighter_cap_of_the_estates_own_stays(tmp_path, estates):
    north = estates / "north.toml"
    north.write_text(north.read_text(encoding="utf-8").replace(
        "[costs]\n", "[costs]\nbudget_cap_cny_per_year = 10000000.0\n"), encoding="utf-8")
    assert load(north).costs.budget_cap_cny_per_year == 10_000_000
    city = load_city(_city(tmp_path, 'name = "c"\nbudget_cny_per_year = 1e8\n'
                                     '[[estates]]\nscenario = "estates/north.toml"\nshare = 0.25\n'
                                     '[[estates]]\nscenario = "estates/south.toml"\nshare = 0.05\n'))
    assert city.estates[0].scenario.costs.budget_cap_cny_per_year == 10_000_000      # its own, tighter
    assert city.estates[1].scenario.costs.budget_cap_cny_per_year == 5_000_000       # the city's share


@pytest.mark.parametrize("text, message", [
    ('name = "c"\n[[estates]]\nscenario = "estates/north.toml"\nshare = 0.5\n',
     "an estate has a share but the city gives no budget_cny_per_year to share"),
    ('name = "c"\nbudget_cny_per_year = 1e8\n[[estates]]\nscenario = "estates/north.toml"\nshare = 0.7\n'
     '[[estates]]\nscenario = "estates/south.toml"\nshare = 0.4\n', "the estates' shares sum to 1.1, more than 1"),
    ('name = "c"\n[[estates]]\nscenario = "estates/missing.toml"\n', "estates[0].scenario: "),
    ('name = "c"\n[[estates]]\nscenario = "estates/north.toml"\nshares = 0.5\n', "estates[0].shares"),
    ('name = "c"\n[[estates]]\nscenario = "estates/north.toml"\n[[estates]]\nscenario = "estates/north.toml"\n',
     "estates[1]: the name 'north estate' is used twice"),
    ('name = "c"\nestates = []\n', "estates"),
])
def test_a_bad_city_file_gets_one_line_naming_the_field(tmp_path, estates, text, message):
    path = _city(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_city(path)
    assert len(err.value.messages) == 1
    assert err.value.messages[0].startswith(str(path)) and message in err.value.messages[0]


def test_the_bundled_city_names_at_least_three_valid_estates():
    city = load_city(ROOT / "scenarios" / "cities" / "chongqing-three-estates.toml")
    assert len(city.estates) >= 3
    assert len({e.path for e in city.estates}) >= 3 and all(e.scenario.total_units > 0 for e in city.estates)


def test_an_estate_on_a_gis_layout_gets_its_plan_back_as_gis_files(tmp_path):
    """An estate whose layout is a GIS file (the bundled chongqing-20k.geojson) gets plan.geojson and
    plan.gpkg in its folder, as `estate run` writes them; one on a local grid gets none."""
    import shutil

    folder = tmp_path / "estates"
    (folder / "layouts").mkdir(parents=True)
    shutil.copy(ROOT / "scenarios" / "layouts" / "chongqing-20k.geojson", folder / "layouts")
    text = (ROOT / "scenarios" / "chongqing-20k.toml").read_text(encoding="utf-8")
    for before, after in (("layouts/chongqing-20k.csv", "layouts/chongqing-20k.geojson"),
                          ("horizon_months = 120", "horizon_months = 36"), ("replications = 100", "replications = 1")):
        assert before in text
        text = text.replace(before, after)
    (folder / "gis.toml").write_text(text, encoding="utf-8")
    small = load(ROOT / "scenarios" / "small-2400.toml").model_copy(update={"horizon_months": 24, "replications": 1})
    (folder / "grid.toml").write_text(to_toml(small), encoding="utf-8")
    city = _city(tmp_path, 'name = "GIS city"\n[[estates]]\nscenario = "estates/gis.toml"\n[[estates]]\nscenario = "estates/grid.toml"\n')
    out = tmp_path / "out"
    assert main(["city", str(city), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    gis_folder, grid_folder = sorted((out / "estates").iterdir())
    doc = json.loads((gis_folder / "plan.geojson").read_text(encoding="utf-8"))
    plan = json.loads((gis_folder / "plan.json").read_text(encoding="utf-8"))
    outlines = [f for f in doc["features"] if f["properties"]["layer"] == "communities"]
    assert len(outlines) == len(plan["communities"]) == 5
    assert (gis_folder / "plan.gpkg").stat().st_size > 0
    assert not (grid_folder / "plan.geojson").exists() and not (grid_folder / "plan.gpkg").exists()
