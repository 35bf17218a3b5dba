"""The plan back out to GIS (estate/geo_outputs.py): `estate plan` and `estate run` on a layout drawn in a
CGCS2000 Gauss-Krüger zone write plan.gpkg (that zone) and plan.geojson (WGS84, RFC 7946); reading them back
gives the communities with their attributes, the offices and the buildings with their community."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyogrio import list_layers
from pyogrio.raw import read, write
from pyproj import Transformer

from estate.cli import main
from estate.format import month
from scenarios.layout import read_csv

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
FIELDS = ("id", "units", "floor_area_m2", "cluster", "delivery_month", "office_space_m2")


def gis_scenario(tmp_path: Path) -> tuple[Path, dict]:
    """chongqing-20k with its layout as footprints in EPSG:4547 (CGCS2000 / 3-degree GK CM 114E), a GeoPackage."""
    buildings = read_csv(ROOT / "layouts" / "chongqing-20k.csv", "layout")
    polys = {b.id: shapely.affinity.translate(shapely.affinity.rotate(shapely.box(-15, -8, 15, 8), 10 * n),
                                              520_000 + b.x, 3_375_000 + b.y)
             for n, b in enumerate(buildings)}
    columns = [np.array([getattr(b, f) for b in buildings], dtype=object if f in ("id", "cluster") else None)
               for f in FIELDS]
    write(str(tmp_path / "estate.gpkg"), shapely.to_wkb(np.array(list(polys.values()), dtype=object)), columns,
          fields=list(FIELDS), crs="EPSG:4547", driver="GPKG", geometry_type="Polygon")
    text = (ROOT / "chongqing-20k.toml").read_text(encoding="utf-8")
    text = text.replace('file = "layouts/chongqing-20k.csv"', 'file = "estate.gpkg"')
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    return tmp_path / "s.toml", polys


def layer(path: Path, name: str) -> tuple[dict, list, list[dict]]:
    meta, _, geoms, arrays = read(str(path), layer=name)
    names = list(meta["fields"])
    rows = [{n: (a[i].item() if hasattr(a[i], "item") else a[i]) for n, a in zip(names, arrays)}
            for i in range(len(geoms))]
    return meta, [None if g is None else shapely.from_wkb(g) for g in geoms], rows


def test_plan_writes_the_communities_offices_and_buildings_to_geopackage_and_geojson(tmp_path, capsys):
    scenario, polys = gis_scenario(tmp_path)
    out = tmp_path / "out"
    assert main(["plan", str(scenario), "--out", str(out)]) == 0
    assert "plan.geojson, plan.gpkg" in capsys.readouterr().out
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / ".estate-output").read_text(encoding="utf-8"))
    assert {"plan.geojson", "plan.gpkg"} <= set(manifest["files"])

    gpkg = out / "plan.gpkg"
    assert [str(n) for n, _ in list_layers(str(gpkg))] == ["communities", "offices", "buildings"]
    meta, hulls, rows = layer(gpkg, "communities")
    assert meta["crs"] == "EPSG:4547"
    assert [r["community"] for r in rows] == [c["id"] for c in plan["communities"]]
    for r, c, hull in zip(rows, plan["communities"], hulls):
        assert (r["households"], r["buildings"], r["office_building"]) == (c["households"], len(c["buildings"]),
                                                                          c["office_building"])
        assert r["office_required_m2"] == pytest.approx(c["office_area_m2"], abs=0.05)
        assert r["office_planned_m2"] == c["office_planned_m2"]
        assert r["election_p50"] is None                        # `plan` does not simulate
        # the outline is the hull of the community's buildings, drawn in the zone's own metres
        centres = shapely.MultiPoint([polys[b].centroid for b in c["buildings"]])
        assert hull.area == pytest.approx(centres.convex_hull.area, rel=1e-6)
    # planned residents: flats × persons per household, as the simulation counts them (2.47 in Chongqing)
    assert sum(r["planned_residents"] for r in rows) == pytest.approx(20000 * 2.47, rel=1e-3)

    _, points, offices = layer(gpkg, "offices")
    for p, o in zip(points, offices):
        assert p.distance(polys[o["office_building"]].centroid) < 1.0
    _, prints, built = layer(gpkg, "buildings")
    member = {b: c["id"] for c in plan["communities"] for b in c["buildings"]}
    assert {r["building"]: r["community"] for r in built} == member
    for p, r in zip(prints, built):
        assert p.area == pytest.approx(polys[r["building"]].area, rel=1e-6)           # the footprint, as drawn
        assert r["footprint_m2"] == pytest.approx(polys[r["building"]].area, rel=1e-3)

    doc = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))
    assert "crs" not in doc and doc["type"] == "FeatureCollection"
    by_layer = {k: [f for f in doc["features"] if f["properties"]["layer"] == k]
                for k in ("communities", "offices", "buildings")}
    assert [f["properties"]["community"] for f in by_layer["communities"]] == [r["community"] for r in rows]
    to_deg = Transformer.from_crs("EPSG:4547", "EPSG:4326", always_xy=True)
    for f, r in zip(by_layer["offices"], offices):
        lon, lat = f["geometry"]["coordinates"]
        x, y = to_deg.transform(*polys[r["office_building"]].centroid.coords[0])
        assert math.hypot((lon - x) * 96_000, (lat - y) * 111_000) < 1.0        # metres at 30.5°N
        assert 114 < lon < 114.5 and 30 < lat < 31
    for f in by_layer["communities"] + by_layer["buildings"]:
        if f["geometry"] is not None:
            assert shapely.geometry.shape(f["geometry"]).exterior.is_ccw      # RFC 7946: exterior counter-clockwise


def test_run_writes_the_simulated_election_months_and_planned_residents(tmp_path):
    scenario, _ = gis_scenario(tmp_path)
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out), "--replications", "2", "--workers", "1", "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    start = summary["start"]
    y, m = (int(v) for v in start.split("-"))
    _, _, rows = layer(out / "plan.gpkg", "communities")
    features = [f["properties"] for f in json.loads((out / "plan.geojson").read_text(encoding="utf-8"))["features"]
                if f["properties"]["layer"] == "communities"]
    assert [r["community"] for r in rows] == [c["id"] for c in summary["communities"]]
    for r, f, c in zip(rows, features, summary["communities"]):
        assert r["planned_residents"] == round(c["planned_residents"]) == f["planned_residents"]
        for q in ("p10", "p50", "p90"):
            assert r[f"election_{q}"] == f[f"election_{q}"] == (None if c["election_month"][q] is None
                                                                else month(c["election_month"][q], y, m))
    assert any(r["election_p50"] for r in rows)


def test_a_layout_on_a_local_grid_writes_no_gis_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["plan", str(ROOT / "chongqing-20k.toml"), "--out", str(out)]) == 0
    assert not (out / "plan.gpkg").exists() and not (out / "plan.geojson").exists()
    assert "plan.gpkg" not in capsys.readouterr().out
