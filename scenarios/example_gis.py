"""The bundled GIS example: ``layouts/chongqing-20k.geojson``, the buildings of ``layouts/chongqing-20k.csv``
drawn as footprints in China's CGCS2000 3-degree Gauss-Krüger zone CM 108°E (EPSG:4545), the way a
planning bureau's GIS exports a site plan. It lets anyone try the GIS path end to end
(``[layout] file = "layouts/chongqing-20k.geojson"``: ``estate run`` then writes ``plan.geojson`` and
``plan.gpkg``) and open the layout in QGIS.

The site and the drawing are illustrative, not a real estate: the layout's centre is placed at SITE, and
each building is a FOOTPRINT rectangle about its centre in the CSV. No figure of the toolkit depends on
them (a footprint only draws the building; centres and households come from the CSV). Regenerate with
``python -m scenarios.example_gis``; ``tests/scenarios/test_gis.py`` checks the file is this output.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV = HERE / "layouts" / "chongqing-20k.csv"
OUT = HERE / "layouts" / "chongqing-20k.geojson"
CRS = "EPSG:4545"                      # CGCS2000 / 3-degree Gauss-Kruger CM 108E
SITE = (106.62, 29.61)                 # illustrative longitude, latitude of the layout's centre
FOOTPRINT = (36.0, 18.0)               # illustrative slab tower, metres east-west × north-south


def features() -> dict:
    """The GeoJSON FeatureCollection (old-style ``crs`` member naming EPSG:4545; easting, northing)."""
    from pyproj import Transformer

    rows = list(csv.DictReader(CSV.open(encoding="utf-8")))
    east, north = Transformer.from_crs("EPSG:4490", CRS, always_xy=True).transform(*SITE)
    w, h = FOOTPRINT[0] / 2, FOOTPRINT[1] / 2
    out = []
    for r in rows:
        x, y = east + float(r["x"]), north + float(r["y"])
        ring = [[round(x - w, 3), round(y - h, 3)], [round(x + w, 3), round(y - h, 3)],
                [round(x + w, 3), round(y + h, 3)], [round(x - w, 3), round(y + h, 3)]]
        props = {k: v for k, v in r.items() if k not in ("x", "y") and v != ""}
        for k in ("units", "floor_area_m2", "delivery_month", "office_space_m2"):
            if k in props:
                props[k] = int(float(props[k]))
        out.append({"type": "Feature", "properties": props,
                    "geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}})
    return {"type": "FeatureCollection", "name": "chongqing-20k",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4545"}}, "features": out}


def text() -> str:
    """The file's text: one feature a line, so a change to one building is one line of a diff."""
    doc = features()
    head = {k: v for k, v in doc.items() if k != "features"}
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in doc["features"])
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n' + lines + "\n]}\n"


if __name__ == "__main__":
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT.name}")
