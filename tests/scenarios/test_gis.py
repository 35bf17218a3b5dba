"""Layouts from the planners' GIS (scenarios/gis.py): GeoPackage and zipped Shapefile in CGCS2000 Gauss-Krüger
zones, made here from a bundled layout, read back with their true centroids and areas; the CRS from the file
or the scenario, and one line for each thing wrong."""

import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyogrio.raw import write

from scenarios import gis, load
from scenarios.layout import read_csv, read_layout
from standards.errors import InputError

# writing a Shapefile cuts the long field names (as GIS tools do) and warns; so does one without a CRS, on purpose
pytestmark = pytest.mark.filterwarnings("ignore:Normalized/laundered field name", "ignore:'crs' was not provided")

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
BUNDLED = read_csv(ROOT / "layouts" / "chongqing-20k.csv", "chongqing-20k.csv")
FIELDS = ("id", "units", "floor_area_m2", "cluster", "delivery_month", "office_space_m2")
# where the bundled estate is put: east of CM 114°E at about 30.5°N (Wuhan), in each CRS's own numbers
ORIGIN = {"EPSG:4547": (520_000.0, 3_375_000.0),          # CGCS2000 / 3-degree Gauss-Kruger CM 114E
          "EPSG:4526": (38_520_000.0, 3_375_000.0)}       # the same zone, its number prefixed (zone 38)


def footprint(b, dx: float, dy: float, n: int):
    """A building's footprint about its layout point: a turned slab, every third one an L (whose vertex mean
    is not its centroid)."""
    x, y = b.x + dx, b.y + dy
    if n % 3 == 0:
        shape = shapely.Polygon([(0, 0), (40, 0), (40, 12), (12, 12), (12, 40), (0, 40)])
    else:
        shape = shapely.box(0, 0, 20 + b.units / 20, 16)
    shape = shapely.affinity.rotate(shape, 17 * n, origin=(0, 0))
    c = shape.centroid
    return shapely.affinity.translate(shape, x - c.x, y - c.y)


def make_layout(path: Path, crs: str | None, *, driver: str, drop: tuple[str, ...] = (), units: dict | None = None,
                geometry=None):
    dx, dy = ORIGIN.get(crs or "EPSG:4547")
    polys = [footprint(b, dx, dy, n) for n, b in enumerate(BUNDLED)]
    if geometry is not None:
        polys = geometry(polys)
    names = [f for f in FIELDS if f not in drop]
    columns = []
    for f in names:
        values = [getattr(b, f) for b in BUNDLED]
        if f == "units" and units:
            values = [units.get(b.id, v) for b, v in zip(BUNDLED, values)]
        columns.append(np.array(values, dtype=object if f in ("id", "cluster") else None))
    kinds = {p.geom_type for p in polys}
    write(str(path), shapely.to_wkb(np.array(polys, dtype=object)), columns, fields=names, crs=crs, driver=driver,
          geometry_type=kinds.pop() if len(kinds) == 1 else "Unknown")
    return polys


def zipped(folder: Path, stem: str) -> Path:
    out = folder / f"{stem}.zip"
    with zipfile.ZipFile(out, "w") as z:
        for p in sorted(folder.glob(f"{stem}.*")):
            if p.suffix != ".zip":
                z.write(p, p.name)
    return out


def assert_true_centroids_and_areas(layout: gis.GisLayout, polys, crs: str):
    back = layout.georef.transformer(crs)
    assert [f.id for f in layout.footprints] == [b.id for b in BUNDLED]
    for f, b, p in zip(layout.footprints, layout.buildings, polys):
        assert (b.x, b.y) == (f.x, f.y)
        x, y = back.transform(f.x, f.y)
        assert math.hypot(x - p.centroid.x, y - p.centroid.y) < 1.0, f.id          # within 1 m
        assert f.area_m2 == pytest.approx(p.area, rel=1e-3), f.id                    # within 0.1%


def test_geopackage_in_a_gauss_kruger_zone_reads_back_true_centroids_and_areas(tmp_path):
    path = tmp_path / "estate.gpkg"
    polys = make_layout(path, "EPSG:4547", driver="GPKG")
    layout = gis.read(path, "estate.gpkg")
    assert layout.georef.source.to_epsg() == 4547
    assert_true_centroids_and_areas(layout, polys, "EPSG:4547")
    # the attributes as the CSV has them; x, y metres about the layout's centre, distances kept
    assert [(b.id, b.units, b.floor_area_m2, b.cluster, b.delivery_month, b.office_space_m2) for b in layout.buildings] \
        == [(b.id, b.units, b.floor_area_m2, b.cluster, b.delivery_month, b.office_space_m2) for b in BUNDLED]
    assert np.mean([b.x for b in layout.buildings]) == pytest.approx(0, abs=1e-6)
    a, z = layout.buildings[0], layout.buildings[-1]
    pa, pz = polys[0].centroid, polys[-1].centroid
    assert math.hypot(a.x - z.x, a.y - z.y) == pytest.approx(math.hypot(pa.x - pz.x, pa.y - pz.y), rel=1e-3)


def test_the_centroid_is_the_footprints_not_its_vertex_mean(tmp_path):
    path = tmp_path / "estate.gpkg"
    polys = make_layout(path, "EPSG:4547", driver="GPKG")
    layout = gis.read(path, "estate.gpkg")
    ell = polys[0]                                                    # the first footprint is an L
    vertices = np.asarray(ell.exterior.coords[:-1]).mean(axis=0)
    x, y = layout.georef.transformer("EPSG:4547").transform(layout.footprints[0].x, layout.footprints[0].y)
    assert math.hypot(x - vertices[0], y - vertices[1]) > 3        # the old reader's vertex mean is metres off
    assert math.hypot(x - ell.centroid.x, y - ell.centroid.y) < 0.01


def test_zipped_shapefile_in_a_zone_numbered_gauss_kruger_crs(tmp_path):
    polys = make_layout(tmp_path / "estate.shp", "EPSG:4526", driver="ESRI Shapefile")
    layout = gis.read(zipped(tmp_path, "estate"), "estate.zip")
    assert layout.georef.source.to_epsg() == 4526
    assert_true_centroids_and_areas(layout, polys, "EPSG:4526")
    # the dBASE field names cut to 10 characters (floor_area, delivery_m, office_spa) are read as the full names
    assert [b.floor_area_m2 for b in layout.buildings] == [b.floor_area_m2 for b in BUNDLED]
    assert [b.delivery_month for b in layout.buildings] == [b.delivery_month for b in BUNDLED]
    # and the .shp with its sidecars reads the same
    assert gis.read(tmp_path / "estate.shp", "estate.shp").buildings == layout.buildings


def test_a_shapefile_without_a_prj_is_one_line_unless_the_scenario_names_the_crs(tmp_path):
    polys = make_layout(tmp_path / "estate.shp", None, driver="ESRI Shapefile")
    assert not (tmp_path / "estate.prj").exists()
    with pytest.raises(InputError) as info:
        gis.read(zipped(tmp_path, "estate"), "estate.zip")
    assert info.value.messages == [
        "estate.zip: crs: the file has no coordinate system (no .prj file beside the .shp); name it in the "
        "scenario's [layout] crs, e.g. \"EPSG:4547\" (CGCS2000 / 3-degree Gauss-Kruger CM 114E)"]
    layout = gis.read(tmp_path / "estate.shp", "estate.shp", crs="EPSG:4547")
    assert_true_centroids_and_areas(layout, polys, "EPSG:4547")


def scenario_with(tmp_path: Path, layout: str) -> Path:
    text = (ROOT / "chongqing-20k.toml").read_text(encoding="utf-8")
    text = text.replace('[layout]\nfile = "layouts/chongqing-20k.csv"\n', layout)
    assert layout in text
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_scenarios_read_gis_layouts_and_name_their_crs(tmp_path):
    make_layout(tmp_path / "estate.shp", None, driver="ESRI Shapefile")
    zipped(tmp_path, "estate")
    path = scenario_with(tmp_path, '[layout]\nfile = "estate.zip"\n')
    with pytest.raises(InputError) as info:
        load(path)
    assert len(info.value.messages) == 1
    assert info.value.messages[0].startswith(f"{tmp_path / 'estate.zip'}: crs: the file has no coordinate system")

    s = load(scenario_with(tmp_path, '[layout]\nfile = "estate.zip"\ncrs = "EPSG:4547"\n'))
    assert [b.id for b in s.buildings] == [b.id for b in BUNDLED] and s.layout.crs == "EPSG:4547"

    for crs, reason in (('"EPSG:99999"', "'EPSG:99999' is not a coordinate system pyproj knows"),
                        ('"nonsense"', "'nonsense' is not a coordinate system pyproj knows")):
        with pytest.raises(InputError) as info:
            load(scenario_with(tmp_path, f'[layout]\nfile = "estate.zip"\ncrs = {crs}\n'))
        assert info.value.messages == [f"{tmp_path / 's.toml'}: layout.crs {reason} (give e.g. \"EPSG:4547\" or "
                                       "\"EPSG:4490\")"]


def test_a_crs_for_a_csv_layout_is_refused(tmp_path):
    (tmp_path / "l.csv").write_text((ROOT / "layouts" / "chongqing-20k.csv").read_text(encoding="utf-8"))
    with pytest.raises(InputError) as info:
        load(scenario_with(tmp_path, '[layout]\nfile = "l.csv"\ncrs = "EPSG:4547"\n'))
    [line] = info.value.messages
    assert line.startswith(f"{tmp_path / 's.toml'}: layout") and "crs applies to a GIS layout file" in line


def test_a_file_stating_another_crs_than_the_scenario_is_refused(tmp_path):
    make_layout(tmp_path / "estate.gpkg", "EPSG:4547", driver="GPKG")
    with pytest.raises(InputError) as info:
        read_layout(tmp_path / "estate.gpkg", "estate.gpkg", crs="EPSG:4526")
    assert info.value.messages == [
        "estate.gpkg: crs: the file is in EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E) but the scenario's "
        "[layout] crs is EPSG:4526; remove the scenario's crs or fix the file"]
    assert read_layout(tmp_path / "estate.gpkg", "estate.gpkg", crs="EPSG:4547") == \
        read_layout(tmp_path / "estate.gpkg", "estate.gpkg")


def test_geojson_in_cgcs2000_degrees_and_in_a_named_zone(tmp_path):
    polys = make_layout(tmp_path / "zone.gpkg", "EPSG:4547", driver="GPKG")
    expected = gis.read(tmp_path / "zone.gpkg", "zone.gpkg").buildings
    # the same footprints in CGCS2000 longitude/latitude (EPSG:4490), as a GeoJSON stating its crs
    from pyproj import Transformer
    to_deg = Transformer.from_crs("EPSG:4547", "EPSG:4490", always_xy=True)
    deg = [shapely.transform(p, lambda xy: np.column_stack(to_deg.transform(xy[:, 0], xy[:, 1]))) for p in polys]
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
           "features": [{"type": "Feature", "geometry": shapely.geometry.mapping(p),
                         "properties": {f: getattr(b, f) for f in FIELDS}} for p, b in zip(deg, BUNDLED)]}
    (tmp_path / "deg.geojson").write_text(json.dumps(doc))
    layout = gis.read(tmp_path / "deg.geojson", "deg.geojson")
    assert layout.georef.source.to_epsg() == 4490
    assert_true_centroids_and_areas(layout, polys, "EPSG:4547")
    for a, b in zip(layout.buildings, expected):
        assert math.hypot(a.x - b.x, a.y - b.y) < 0.01
    # a GeoJSON drawn in the zone's metres without a crs member: refused, then read when the scenario names it
    doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": shapely.geometry.mapping(p),
                                                      "properties": {f: getattr(b, f) for f in FIELDS}}
                                                     for p, b in zip(polys, BUNDLED)]}
    (tmp_path / "m.geojson").write_text(json.dumps(doc))
    with pytest.raises(InputError, match=r"^m.geojson: crs: coordinates \(5\d{5}[.\d]*, 33\d{5}[.\d]*\) are not longitude"):
        gis.read(tmp_path / "m.geojson", "m.geojson")
    assert gis.read(tmp_path / "m.geojson", "m.geojson", crs="EPSG:4547").buildings == expected


def test_a_missing_or_invalid_attribute_is_one_line_naming_file_feature_and_field(tmp_path):
    make_layout(tmp_path / "a.gpkg", "EPSG:4547", driver="GPKG", drop=("delivery_month",))
    with pytest.raises(InputError) as info:
        gis.read(tmp_path / "a.gpkg", "a.gpkg")
    [line] = info.value.messages
    assert line.startswith("a.gpkg: every feature needs the field(s) delivery_month (or delivery_m); the file has id, ")

    make_layout(tmp_path / "b.gpkg", "EPSG:4547", driver="GPKG", units={"B004": -40})
    with pytest.raises(InputError) as info:
        gis.read(tmp_path / "b.gpkg", "b.gpkg")
    assert info.value.messages == ["b.gpkg: features[3] (id B004) units must be > 0 (got -40)"]

    make_layout(tmp_path / "c.gpkg", "EPSG:4547", driver="GPKG", units={"B002": None})
    with pytest.raises(InputError) as info:
        gis.read(tmp_path / "c.gpkg", "c.gpkg")
    assert info.value.messages == ["c.gpkg: features[1] (id B002) units is empty"]


def test_a_feature_that_is_not_a_building_shape_is_named(tmp_path):
    def line_for_second(polys):
        return [polys[0], shapely.LineString(polys[1].exterior.coords[:2]), *polys[2:]]
    make_layout(tmp_path / "l.gpkg", "EPSG:4547", driver="GPKG", geometry=line_for_second)
    with pytest.raises(InputError) as info:
        gis.read(tmp_path / "l.gpkg", "l.gpkg")
    assert info.value.messages == ["l.gpkg: features[1] (id B002) geometry: has a LineString; each building needs "
                                   "a Point or a (Multi)Polygon footprint"]


def test_files_that_are_not_one_layer_of_buildings(tmp_path):
    make_layout(tmp_path / "two.gpkg", "EPSG:4547", driver="GPKG")
    write(str(tmp_path / "two.gpkg"), shapely.to_wkb(np.array([shapely.Point(0, 0)], dtype=object)),
          [np.array(["x"], dtype=object)], fields=["name"], layer="roads", crs="EPSG:4547", driver="GPKG",
          geometry_type="Point")
    (tmp_path / "junk.gpkg").write_bytes(b"not a geopackage at all")
    (tmp_path / "lone.shp").write_bytes(b"\x00" * 100)
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as z:
        z.writestr("readme.txt", "no shapefile here")
    cases = {"two.gpkg": "two.gpkg: must hold one layer of buildings; found 2 (two, roads)",
             "junk.gpkg": "junk.gpkg: cannot be read as a GIS layer (",
             "lone.shp": "lone.shp: the shapefile's .shx and .dbf file is missing beside it",
             "empty.zip": "empty.zip: must hold exactly one shapefile (.shp with its .shx, .dbf and .prj); found none",
             "gone.gpkg": "gone.gpkg: file not found"}
    for name, start in cases.items():
        with pytest.raises(InputError) as info:
            gis.read(tmp_path / name, name)
        [line] = info.value.messages
        assert line.startswith(start), line
        assert "\n" not in line


def test_more_files_that_cannot_be_a_layout(tmp_path):
    (tmp_path / "empty.gpkg").write_bytes(b"")
    (tmp_path / "notzip.zip").write_bytes(b"PK but not really a zip archive")
    make_layout(tmp_path / "a.shp", "EPSG:4547", driver="ESRI Shapefile")
    make_layout(tmp_path / "b.shp", "EPSG:4547", driver="ESRI Shapefile")
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as z:
        for p in sorted(tmp_path.glob("[ab].*")):
            z.write(p, p.name)
    (tmp_path / "none.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    far = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}},
           "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1e12, 1e12]},
                         "properties": {"id": "F", "units": 3, "floor_area_m2": 200, "cluster": "A",
                                        "delivery_month": 0}}]}
    (tmp_path / "far.geojson").write_text(json.dumps(far))
    cases = {"empty.gpkg": "empty.gpkg: is empty",
             "notzip.zip": "notzip.zip: is not a zip archive",
             "two.zip": "two.zip: must hold exactly one shapefile (.shp with its .shx, .dbf and .prj); found a.shp, b.shp",
             "none.geojson": "none.geojson: has no building features",
             "far.geojson": "far.geojson: crs: the layout's centre (1e+12, 1e+12) lies outside EPSG:4547"}
    for name, start in cases.items():
        with pytest.raises(InputError) as info:
            gis.read(tmp_path / name, name)
        [line] = info.value.messages
        assert line.startswith(start), line


def test_layout_of_a_scenario_is_its_gis_file_or_none(tmp_path):
    make_layout(tmp_path / "estate.gpkg", "EPSG:4547", driver="GPKG")
    path = scenario_with(tmp_path, '[layout]\nfile = "estate.gpkg"\n')
    s = load(path)
    layout = gis.layout_of(s, path)
    assert layout.buildings == s.buildings and layout.georef.source.to_epsg() == 4547
    assert gis.layout_of(load(ROOT / "chongqing-20k.toml"), ROOT / "chongqing-20k.toml") is None      # a CSV
    edited = s.model_copy(update={"buildings": s.buildings[1:]})          # buildings since changed: not the file's
    assert gis.layout_of(edited, path) is None


def test_the_bundled_gis_example_is_its_generators_output_and_splits_as_the_csv():
    """layouts/chongqing-20k.geojson (CGCS2000 GK CM 108°E) is what scenarios.example_gis writes, reads back
    as the CSV's buildings (the same distances between them within the zone's scale, ~2e-4 at 134 km from
    the central meridian; the local frame points at true north, the zone's grid 0.7° off it there), and
    chongqing-20k on it splits into the same communities as on the CSV."""
    from optimize import plan_split
    from scenarios import example_gis, rules_of
    from scenarios.loader import validate
    from scenarios.writer import to_data

    assert (ROOT / "layouts" / "chongqing-20k.geojson").read_text(encoding="utf-8") == example_gis.text()
    read = gis.read(ROOT / "layouts" / "chongqing-20k.geojson", "chongqing-20k.geojson")
    assert gis._name(read.georef.source).startswith("CGCS2000") or "4545" in str(read.georef.source)
    assert [b.id for b in read.buildings] == [b.id for b in BUNDLED]
    for b, c in zip(read.buildings, BUNDLED):
        assert (b.units, b.cluster, b.delivery_month) == (c.units, c.cluster, c.delivery_month)
    here, there = (np.array([[b.x, b.y] for b in bs]) for bs in (read.buildings, BUNDLED))
    d_here, d_there = (np.hypot(*(p[:, None, :] - p[None, :, :]).transpose(2, 0, 1)) for p in (here, there))
    assert np.allclose(d_here, d_there, rtol=5e-4, atol=0.05)
    assert np.allclose(here.mean(axis=0), 0, atol=1e-6)          # metres from the buildings' mean centre
    assert all(fp.area_m2 == pytest.approx(36 * 18, rel=1e-3) for fp in read.footprints)

    csv_scenario = load(ROOT / "chongqing-20k.toml")
    data = to_data(csv_scenario)
    data.pop("buildings", None)
    data["layout"] = {"file": "layouts/chongqing-20k.geojson"}
    on_gis = validate(data, "chongqing-20k-gis.toml", ROOT)
    csv_split, gis_split = ({frozenset(c.buildings) for c in plan_split(s, rules_of(s)).communities}
                            for s in (csv_scenario, on_gis))
    assert gis_split == csv_split and len(csv_split) == 5
