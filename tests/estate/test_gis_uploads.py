"""The app's upload takes a GIS layout as the planners keep it: a GeoPackage or a zipped Shapefile, in the CRS
the file states; one line naming the upload when it states none."""

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyogrio.raw import write

from estate.uploads import scenario_from_upload
from scenarios import load
from scenarios.layout import read_csv
from standards.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore:Normalized/laundered field name", "ignore:'crs' was not provided")

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios"
FIELDS = ("id", "units", "floor_area_m2", "cluster", "delivery_month")


def layout_file(path: Path, crs: str | None, driver: str) -> Path:
    buildings = read_csv(EXAMPLES / "layouts" / "chongqing-20k.csv", "layout")
    polys = [shapely.box(520_000 + b.x - 15, 3_375_000 + b.y - 8, 520_000 + b.x + 15, 3_375_000 + b.y + 8)
             for b in buildings]
    columns = [np.array([getattr(b, f) for b in buildings], dtype=object if f in ("id", "cluster") else None)
               for f in FIELDS]
    write(str(path), shapely.to_wkb(np.array(polys, dtype=object)), columns, fields=list(FIELDS), crs=crs,
          driver=driver, geometry_type="Polygon")
    return path


def zipped(shp: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for p in shp.parent.glob(f"{shp.stem}.*"):
            z.write(p, p.name)
    return buf.getvalue()


@pytest.fixture(scope="module")
def base():
    return load(EXAMPLES / "small-2400.toml")


def test_a_geopackage_and_a_zipped_shapefile_upload_become_the_buildings(tmp_path, base):
    gpkg = layout_file(tmp_path / "towers.gpkg", "EPSG:4547", "GPKG").read_bytes()
    s = scenario_from_upload("towers.gpkg", gpkg, base, EXAMPLES)
    assert s.name == f"{base.name} + towers.gpkg" and s.total_units == 20_000
    assert abs(np.mean([b.x for b in s.buildings])) < 1e-6          # metres about the layout's centre
    shp = scenario_from_upload("towers.zip", zipped(layout_file(tmp_path / "t.shp", "EPSG:4547", "ESRI Shapefile")),
                               base, EXAMPLES)
    assert [(b.id, round(b.x, 6), round(b.y, 6)) for b in shp.buildings] == \
        [(b.id, round(b.x, 6), round(b.y, 6)) for b in s.buildings]


def test_an_upload_without_a_crs_is_one_line_naming_it(tmp_path, base):
    data = zipped(layout_file(tmp_path / "t.shp", None, "ESRI Shapefile"))
    with pytest.raises(InputError) as info:
        scenario_from_upload("towers.zip", data, base, EXAMPLES)
    [line] = info.value.messages
    assert line.startswith("towers.zip: crs: the file has no coordinate system (no .prj file beside the .shp)")
    assert str(tmp_path) not in line and "/tmp" not in line
