"""The plan back out to the city's GIS: ``plan.geojson`` (WGS84, RFC 7946) and ``plan.gpkg`` (the layout's own
coordinate system), written by `estate plan` and `estate run` for a layout read from a GIS file.

Three layers (formats in the README): ``communities`` (each community's outline, the same convex hull of its
buildings as the site map draws, ``estate.tables.outlines``; no geometry for a community of fewer than three
buildings or of buildings in a line), ``offices`` (a point at each office building) and ``buildings`` (each
footprint or point as drawn, with its community). The GeoJSON holds them in one FeatureCollection, each
feature's ``layer`` property naming its layer. A layout on a local grid (CSV, or buildings given in the
scenario) cannot be placed on the earth: nothing is written for it, and ``write_geo`` returns no paths.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

FILES = ("plan.geojson", "plan.gpkg")
LAYERS = ("communities", "offices", "buildings")
_DECIMALS = 7   # GeoJSON degrees: 1e-7° is about 1 cm


def write_geo(plan, scenario, rules, scenario_path: str | Path, out: Path, simulation=None) -> list[Path]:
    """Write ``plan.geojson`` and ``plan.gpkg`` into ``out`` (a command's staging folder); the paths written."""
    from scenarios import gis
    layout = gis.layout_of(scenario, scenario_path)
    if layout is None:
        return []
    layers = plan_layers(plan, scenario, rules, layout, simulation)
    return [write_geojson(layers, layout.georef, out / FILES[0]), write_gpkg(layers, layout.georef, out / FILES[1])]


def plan_layers(plan, scenario, rules, layout, simulation=None) -> dict[str, list[tuple[Any, dict]]]:
    """Each layer as (shapely geometry in the local CRS or None, attributes) rows, attributes in a stable order."""
    import shapely
    from estate import tables
    from estate.format import month
    from scenarios.figures import Figures
    from standards import formulas

    pph = Figures(scenario, rules).number("households.persons_per_household", scenario.start_year)
    units = {b.id: b.units for b in scenario.buildings}
    prints = {f.id: f for f in layout.footprints}
    hulls: dict[str, list[tuple[float, float]]] = {}
    for r in tables.outlines(SimpleNamespace(scenario=scenario, plan=plan)):
        hulls.setdefault(r["community"], []).append((r["x"], r["y"]))

    def when(cid: str, q: str) -> str | None:
        if simulation is None:
            return None
        m = simulation.election(cid)[q]
        return None if m is None else month(m, scenario.start_year, scenario.start_month)

    communities, offices, buildings = [], [], []
    for c in plan.communities:
        planned = None if c.office_shortfall_m2 is None else round(c.office_planned_m2, 1)
        office = {"community": c.id, "office_building": c.office_building,
                  "office_required_m2": round(c.office_area_m2.value, 1), "office_planned_m2": planned,
                  "office_shortfall_m2": c.office_shortfall_m2}
        flats = sum(units[b] for b in c.buildings)
        attrs = {"community": c.id, "buildings": len(c.buildings), "households": c.households,
                 "planned_residents": round(formulas.planned_residents(flats, pph)),
                 "election_p10": when(c.id, "p10"), "election_p50": when(c.id, "p50"),
                 "election_p90": when(c.id, "p90"), "staff": int(c.staff.value)}
        attrs |= {k: v for k, v in office.items() if k != "community"}
        ring = hulls.get(c.id)
        communities.append((shapely.Polygon(ring) if ring else None, attrs))
        f = prints[c.office_building]
        offices.append((shapely.Point(f.x, f.y), office))
        for b in c.buildings:
            f = prints[b]
            buildings.append((f.geometry, {"building": b, "community": c.id, "office": b == c.office_building,
                                           "units": units[b], "footprint_m2": None if f.area_m2 is None
                                           else round(f.area_m2, 2)}))
    return {"communities": communities, "offices": offices, "buildings": buildings}


def _rounded(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(v), _DECIMALS) for v in coords]
    return [_rounded(c) for c in coords]


def write_geojson(layers: dict, georef, path: Path) -> Path:
    """One FeatureCollection in WGS84 longitude/latitude, exterior rings counter-clockwise (RFC 7946)."""
    import numpy as np
    import shapely
    from shapely.geometry import mapping

    features = []
    for layer in LAYERS:
        rows = layers[layer]
        geoms = np.array([g for g, _ in rows], dtype=object)
        mask = np.array([g is not None for g in geoms], dtype=bool)
        wgs = np.full(len(rows), None, dtype=object)
        if mask.any():
            wgs[mask] = shapely.orient_polygons(georef.from_local(geoms[mask], "EPSG:4326"), exterior_cw=False)
        for g, (_, attrs) in zip(wgs, rows):
            geometry = None
            if g is not None:
                m = mapping(g)
                geometry = {"type": m["type"], "coordinates": _rounded(m["coordinates"])}
            features.append({"type": "Feature", "geometry": geometry, "properties": {"layer": layer, **attrs}})
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_gpkg(layers: dict, georef, path: Path) -> Path:
    """One GeoPackage layer each, in the layout file's own coordinate system."""
    import numpy as np
    import shapely
    from pyogrio.raw import write

    for layer in LAYERS:
        rows = layers[layer]
        geoms = np.array([g for g, _ in rows], dtype=object)
        mask = np.array([g is not None for g in geoms], dtype=bool)
        own = np.full(len(rows), None, dtype=object)
        if mask.any():
            own[mask] = georef.from_local(geoms[mask], georef.source)
        kinds = {g.geom_type for g in own if g is not None}
        kind = kinds.pop() if len(kinds) == 1 else "Unknown"
        names = list(rows[0][1]) if rows else []
        fields = [_column([a[n] for _, a in rows]) for n in names]
        write(str(path), shapely.to_wkb(own), fields, fields=names, layer=layer, driver="GPKG",
              geometry_type=kind, crs=georef.source.to_wkt(), promote_to_multi=False)
    return path


def _column(values: list) -> Any:
    """A field's values as the array pyogrio writes: integers, reals (None as NaN, read back as null),
    booleans, or text (None as null)."""
    import numpy as np
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present) and len(present) == len(values):
        return np.array(values, dtype=bool)
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present) and len(present) == len(values):
        return np.array(values, dtype=np.int64)
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array(values, dtype=object)
