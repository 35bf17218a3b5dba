"""Layouts: CSV and GeoJSON reading, and the seeded synthetic generator."""

import json
from pathlib import Path

import pytest

from scenarios import synthetic_layout
from scenarios.layout import read_csv, read_geojson, write_csv
from standards.errors import InputError


def test_csv_round_trip(tmp_path: Path):
    buildings = synthetic_layout(target_flats=5000, seed=3)
    path = tmp_path / "l.csv"
    write_csv(buildings, path)
    assert read_csv(path, "l.csv") == buildings


def test_csv_ignores_extra_columns_and_reads_any_order(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_text("name,delivery_month,y,x,cluster,floor_area_m2,units,id\nTower,3,10,20,A,30000,400,T1\n")
    [b] = read_csv(path, "l.csv")
    assert (b.id, b.units, b.x, b.y, b.delivery_month) == ("T1", 400, 20.0, 10.0, 3)


def test_csv_empty_cell_is_named(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_text("id,units,floor_area_m2,cluster,x,y,delivery_month\nT1,,30000,A,0,0,0\n")
    with pytest.raises(InputError, match=r"l.csv: line 2 \(id T1\): units is empty"):
        read_csv(path, "l.csv")


def test_geojson_lonlat_is_projected_to_metres(tmp_path: Path):
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.5 + dx, 29.5]},
                 "properties": {"id": f"G{i}", "units": 400, "floor_area_m2": 30000, "cluster": "A",
                                "delivery_month": 0}}
                for i, dx in enumerate((0.0, 0.001))]
    path = tmp_path / "l.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    a, b = read_geojson(path, "l.geojson")
    # 0.001° of longitude at 29.5°N is 96.8 m
    assert b.x - a.x == pytest.approx(96.8, abs=0.2)
    assert a.y == pytest.approx(0, abs=1e-6)


def test_geojson_in_metres_without_a_crs_is_refused_unless_the_scenario_names_one(tmp_path: Path):
    # a GeoJSON without "crs" is WGS84 (RFC 7946): metres there are not guessed at any more
    square = [[1000, 2000], [1040, 2000], [1040, 2040], [1000, 2040], [1000, 2000]]
    features = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]},
                 "properties": {"id": "P", "units": 400, "floor_area_m2": 30000, "cluster": "A",
                                "delivery_month": 0}}]
    path = tmp_path / "l.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(InputError, match=r"^l.geojson: crs: coordinates \(1000, 2000\) are not longitude/latitude"):
        read_geojson(path, "l.geojson")
    [b] = read_geojson(path, "l.geojson", crs="EPSG:4547")    # named by the scenario: read, about its centre
    assert (b.x, b.y) == (pytest.approx(0, abs=1e-6), pytest.approx(0, abs=1e-6))


def test_geojson_that_is_not_a_collection(tmp_path: Path):
    path = tmp_path / "l.geojson"
    path.write_text('{"type": "Point", "coordinates": [0, 0]}')
    with pytest.raises(InputError, match="must be a GeoJSON FeatureCollection"):
        read_geojson(path, "l.geojson")


def test_synthetic_layout_is_seeded_and_plausible():
    a = synthetic_layout(target_flats=20000, seed=7)
    assert a == synthetic_layout(target_flats=20000, seed=7)
    assert a != synthetic_layout(target_flats=20000, seed=8)
    assert 20000 <= sum(b.units for b in a) <= 20600
    assert all(300 <= b.units <= 600 for b in a)
    assert all(40 * 1.3 <= b.floor_area_m2 / b.units <= 80 * 1.3 + 1 for b in a)
    assert len({b.id for b in a}) == len(a)
    clusters = {b.cluster for b in a}
    assert len(clusters) >= 3
    months = sorted({b.delivery_month for b in a})
    assert months[0] < 4 and months[-1] >= 12


def test_synthetic_clusters_are_spatially_grouped():
    import numpy as np
    a = synthetic_layout(target_flats=30000, seed=1)
    xy = {c: np.array([(b.x, b.y) for b in a if b.cluster == c]) for c in {b.cluster for b in a}}
    centres = {c: p.mean(axis=0) for c, p in xy.items()}
    for c, p in xy.items():
        own = np.linalg.norm(p - centres[c], axis=1).max()
        nearest_other = min(np.linalg.norm(centres[c] - centres[o]) for o in centres if o != c)
        assert own < nearest_other, c


def test_planned_office_space_is_an_optional_column(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_text("id,units,floor_area_m2,cluster,x,y,delivery_month,office_space_m2\n"
                    "T1,400,30000,A,0,0,0,650\nT2,300,22000,A,50,0,0,\n")
    t1, t2 = read_csv(path, "l.csv")
    assert (t1.office_space_m2, t2.office_space_m2) == (650.0, 0.0)
    again = tmp_path / "again.csv"
    write_csv([t1, t2], again)
    assert read_csv(again, "again.csv") == [t1, t2]


def test_negative_planned_office_space_is_named(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_text("id,units,floor_area_m2,cluster,x,y,delivery_month,office_space_m2\nT1,400,30000,A,0,0,0,-5\n")
    with pytest.raises(InputError, match=r"l.csv: line 2 \(id T1\): office_space_m2 must be ≥ 0 \(got -5"):
        read_csv(path, "l.csv")
