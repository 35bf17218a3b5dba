"""Read a layout from the planners' GIS: GeoJSON, GeoPackage or Shapefile (a ``.shp`` with its sidecars, or a
``.zip`` of them), in the coordinate system the file says it is in.

The file is read with pyogrio (GDAL); each feature is a building footprint (Polygon / MultiPolygon) or a
building point. The layout is reprojected with pyproj to its own *local* metric CRS: a transverse Mercator
centred on the middle of the layout (scale 1 there, on the file's own datum), with ``x``/``y`` metres east and
north of the buildings' mean centre, as the split, the site map and the app expect; a footprint's centroid and
area (shapely) are then true to well under a millimetre and 0.001% across an estate. A Gauss-Krüger or UTM
zone would serve too, but scales areas by up to about 0.1% (a 3° zone's edge; UTM's 0.9996 at its centre);
the centred projection is the layout's own zone.

Where the CRS comes from: the file (a ``.prj``, the GeoPackage's SRS, a GeoJSON's old-style ``crs`` member;
a GeoJSON without one is WGS84, RFC 7946). A file with none, or one pyproj does not know, is refused with one
line, unless the scenario names it (``[layout] crs = "EPSG:4547"``), which then also replaces a GeoJSON's
implied WGS84. A file that states a CRS other than the scenario's is refused: one of them is wrong.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GIS_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
# Shapefile (dBASE) field names hold at most 10 characters: GDAL cuts floor_area_m2 to floor_area, etc.
_DBF_NAME = 10


@dataclass(frozen=True)
class Georef:
    """Where a layout sits on the earth: the file's own CRS and the local metric CRS of ``x``/``y``."""

    source: Any     # pyproj.CRS of the file (or the scenario's [layout] crs)
    local: Any      # pyproj.CRS: transverse Mercator about the layout's centre, metres, the file's datum

    def transformer(self, to: Any, inverse: bool = False):
        """A pyproj Transformer from the local CRS to ``to`` (or from ``to`` to the local CRS)."""
        from pyproj import Transformer
        a, b = (to, self.local) if inverse else (self.local, to)
        return Transformer.from_crs(a, b, always_xy=True)

    def from_local(self, geometries, to: Any):
        """Shapely geometries in the local CRS, reprojected to ``to`` (a pyproj CRS or "EPSG:…" text)."""
        import shapely
        return shapely.transform(geometries, self.transformer(to).transform, interleaved=False)


@dataclass(frozen=True)
class Footprint:
    """One building as drawn in the GIS, in the local CRS: its geometry, centroid and area (None for a point)."""

    id: str
    geometry: Any            # shapely Polygon / MultiPolygon / Point
    x: float
    y: float
    area_m2: float | None


@dataclass(frozen=True)
class GisLayout:
    buildings: list          # scenarios.schema.Building, x/y in the local CRS
    footprints: tuple[Footprint, ...]
    georef: Georef


def crs_problem(text: object) -> str | None:
    """Why ``text`` is not a coordinate system pyproj knows (None if it is one)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError
    if not isinstance(text, str) or not text.strip():
        return "must be a coordinate system such as \"EPSG:4547\""
    try:
        crs = CRS.from_user_input(text.strip())
    except CRSError:
        return f"{text!r} is not a coordinate system pyproj knows (give e.g. \"EPSG:4547\" or \"EPSG:4490\")"
    if not (crs.is_geographic or crs.is_projected):
        return f"{text!r} is neither a geographic nor a projected coordinate system"
    return None


def _source(path: Path, label: str) -> str:
    """The path GDAL opens (a zip's one shapefile through /vsizip/), or one line on why there is none."""
    from scenarios.layout import MAX_LAYOUT_BYTES, check_file
    check_file(path, label, MAX_LAYOUT_BYTES)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as z:
                shps = [n for n in z.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
        except zipfile.BadZipFile:
            raise _error(f"{label}: is not a zip archive") from None
        if len(shps) != 1:
            found = ", ".join(shps) if shps else "none"
            raise _error(f"{label}: must hold exactly one shapefile (.shp with its .shx, .dbf and .prj); found {found}")
        return f"/vsizip/{path.resolve()}/{shps[0]}"
    if suffix == ".shp":
        missing = [s for s in (".shx", ".dbf") if not _sidecar(path, s)]
        if missing:
            raise _error(f"{label}: the shapefile's {' and '.join(missing)} file is missing beside it "
                         "(a shapefile is the .shp with its .shx, .dbf and .prj)")
    return str(path)


def _sidecar(path: Path, suffix: str) -> bool:
    return any(path.with_suffix(s).exists() for s in (suffix, suffix.upper()))


def _error(lines: str | list[str]):
    """The InputError to raise: one line, or one per problem."""
    from standards.errors import InputError
    return InputError(lines)


def _geojson_crs_member(path: Path, label: str) -> bool:
    """Check a GeoJSON is a FeatureCollection (one clear line otherwise); whether it names a ``crs``."""
    from scenarios.layout import MAX_LAYOUT_BYTES, read_text
    text = read_text(path, label, MAX_LAYOUT_BYTES)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(f"{label}: is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise _error(f"{label}: must be a GeoJSON FeatureCollection of building features")
    if not doc["features"]:
        raise _error(f"{label}: has no building features")
    return doc.get("crs") is not None


def _read(path: Path, label: str):
    """pyogrio's (meta, geometry WKB, field arrays) for the file's one layer."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError
    source = _source(path, label)
    try:
        layers = pyogrio.list_layers(source)
        if len(layers) != 1:
            names = ", ".join(str(n) for n, _ in layers) or "none"
            raise _error(f"{label}: must hold one layer of buildings; found {len(layers)} ({names})")
        meta, _, geometry, fields = pyogrio.raw.read(source)
    except (DataSourceError, DataLayerError, FieldError, GeometryError) as exc:
        reason = str(exc).split(";")[0].replace(source, path.name).strip()
        raise _error(f"{label}: cannot be read as a GIS layer ({reason})") from None
    return meta, geometry, fields


def _source_crs(meta: dict, path: Path, label: str, crs: str | None, explicit: bool):
    """The layout's CRS: the file's, or the scenario's where the file has none (or is a GeoJSON without one)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError
    stated = meta.get("crs") if explicit else None
    if stated is not None:
        try:
            file_crs = CRS.from_user_input(stated)
        except CRSError:
            file_crs = None
        if file_crs is None or not (file_crs.is_geographic or file_crs.is_projected):
            if crs is None:
                raise _error(f"{label}: crs: the file's coordinate system ({str(stated)[:60]}) is not one pyproj "
                             "knows; name it in the scenario's [layout] crs, e.g. \"EPSG:4547\"")
        elif crs is not None and not file_crs.equals(CRS.from_user_input(crs), ignore_axis_order=True):
            raise _error(f"{label}: crs: the file is in {_name(file_crs)} but the scenario's [layout] crs is {crs}; "
                         "remove the scenario's crs or fix the file")
        else:
            return file_crs
    if crs is not None:
        return CRS.from_user_input(crs)
    if path.suffix.lower() in (".geojson", ".json"):
        return CRS.from_user_input("OGC:CRS84")   # RFC 7946: GeoJSON is WGS84 longitude/latitude
    hint = " (no .prj file beside the .shp)" if path.suffix.lower() in (".shp", ".zip") else ""
    raise _error(f"{label}: crs: the file has no coordinate system{hint}; name it in the scenario's [layout] crs, "
                 "e.g. \"EPSG:4547\" (CGCS2000 / 3-degree Gauss-Kruger CM 114E)")


def _name(crs) -> str:
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]} ({crs.name})" if auth else crs.name


def local_crs(source, lon: float, lat: float, false_easting: float = 0.0, false_northing: float = 0.0):
    """A transverse Mercator about (lon, lat) on ``source``'s datum: metres, scale 1 at the centre."""
    from pyproj.crs import ProjectedCRS
    from pyproj.crs.coordinate_operation import TransverseMercatorConversion
    conversion = TransverseMercatorConversion(latitude_natural_origin=lat, longitude_natural_origin=lon,
                                              false_easting=float(false_easting),
                                              false_northing=float(false_northing), scale_factor_natural_origin=1.0)
    return ProjectedCRS(conversion=conversion, geodetic_crs=source.geodetic_crs,
                        name=f"estate local transverse Mercator at {lon:.6f}E {lat:.6f}N")


def read(path: Path, label: str, crs: str | None = None) -> GisLayout:
    """The buildings of a GIS layout file, in its local metric CRS (see the module's docstring)."""
    import numpy as np
    import shapely
    from pyproj import Transformer

    path = Path(path)
    explicit = True
    if path.suffix.lower() in (".geojson", ".json"):
        explicit = _geojson_crs_member(path, label)
    meta, wkb, arrays = _read(path, label)
    source = _source_crs(meta, path, label, crs, explicit)
    if len(wkb) == 0:
        raise _error(f"{label}: has no building features")
    names = [str(n) for n in meta["fields"]]
    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object), on_invalid="ignore")
    rows = [{n: _plain(a[i]) for n, a in zip(names, arrays)} for i in range(len(geoms))]

    errors: list[str] = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty or g.geom_type not in ("Point", "Polygon", "MultiPolygon"):
            kind = "no geometry" if g is None or g.is_empty else f"a {g.geom_type}"
            errors.append(f"{label}: {_where(i, rows[i], names)} geometry: has {kind}; each building needs a Point "
                          "or a (Multi)Polygon footprint")
    if errors:
        raise _error(errors)

    if source.is_geographic:
        lon_lat = shapely.get_coordinates(geoms)
        bad = np.flatnonzero((np.abs(lon_lat[:, 0]) > 180) | (np.abs(lon_lat[:, 1]) > 90))
        if len(bad):
            x, y = lon_lat[bad[0]]
            why = ("a GeoJSON without \"crs\" is WGS84 longitude/latitude (RFC 7946)" if not explicit and crs is None
                   else f"{_name(source)} is in degrees")
            raise _error(f"{label}: crs: coordinates ({x:.10g}, {y:.10g}) are not longitude/latitude, and {why}; name the "
                         "layout's coordinate system in the scenario's [layout] crs, e.g. \"EPSG:4547\"")
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    to_geo = Transformer.from_crs(source, source.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform((x0 + x1) / 2, (y0 + y1) / 2)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise _error(f"{label}: crs: the layout's centre ({(x0 + x1) / 2:g}, {(y0 + y1) / 2:g}) lies outside "
                     f"{_name(source)}; is the coordinate system right?")
    # two passes: project about the middle of the layout, then shift the origin to the mean of the buildings'
    # centres, so x/y read as metres from the layout's centre (as on a local grid)
    first = Georef(source=source, local=local_crs(source, lon, lat))
    local = shapely.transform(geoms, first.transformer(source, inverse=True).transform, interleaved=False)
    if not np.isfinite(shapely.get_coordinates(local)).all():
        raise _error(f"{label}: crs: some coordinates lie outside {_name(source)}; is the coordinate system right?")
    centres = shapely.get_coordinates(shapely.centroid(local))
    shift = -centres.mean(axis=0)
    georef = Georef(source=source, local=local_crs(source, lon, lat, *shift))
    local = shapely.transform(local, lambda x, y: (x + shift[0], y + shift[1]), interleaved=False)
    return _buildings(label, rows, names, local, georef)


def _plain(value: Any) -> Any:
    """A field value as Python: numpy scalars unwrapped, NaN and empty text read as not given (None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _where(i: int, row: dict, names: list[str]) -> str:
    key = _field("id", names)
    ident = row.get(key) if key else None
    return f"features[{i}]" + (f" (id {ident})" if ident is not None else "")


def _field(name: str, names: list[str]) -> str | None:
    """The file's field for ``name``: the name itself, in any case, or its 10-character Shapefile form."""
    by_lower = {n.lower(): n for n in names}
    return by_lower.get(name.lower()) or by_lower.get(name[:_DBF_NAME].lower())


def _buildings(label: str, rows: list[dict], names: list[str], local, georef: Georef) -> GisLayout:
    from scenarios.layout import COLUMNS, OPTIONAL, _building

    fields = {c: _field(c, names) for c in COLUMNS + OPTIONAL if c not in ("x", "y")}
    missing = [c for c in COLUMNS if c not in ("x", "y") and fields[c] is None]
    if missing:
        shown = ", ".join(f"{c} (or {c[:_DBF_NAME]})" if len(c) > _DBF_NAME else c for c in missing)
        raise _error(f"{label}: every feature needs the field(s) {shown}; the file has "
                     f"{', '.join(names) or 'no fields'}")
    out, prints, errors = [], [], []
    for i, (row, geom) in enumerate(zip(rows, local)):
        where = _where(i, row, names)
        cells = {c: row[f] for c, f in fields.items() if f is not None and row[f] is not None}
        empty = [c for c in COLUMNS if c not in ("x", "y") and c not in cells]
        if empty:
            errors.append(f"{label}: {where} {', '.join(empty)} is empty")
            continue
        point = geom.centroid if geom.geom_type != "Point" else geom
        cells |= {"x": float(point.x), "y": float(point.y)}
        building, errs = _building(cells, label, where)
        errors += errs
        if building is not None:
            out.append(building)
            area = None if geom.geom_type == "Point" else float(geom.area)
            prints.append(Footprint(building.id, geom, building.x, building.y, area))
    if errors:
        raise _error(errors)
    return GisLayout(buildings=out, footprints=tuple(prints), georef=georef)


def layout_of(scenario, scenario_path: str | Path) -> GisLayout | None:
    """The GIS layout behind a scenario loaded from ``scenario_path`` (its footprints and where it sits), or
    None for a layout on a local grid (a CSV, or buildings given in the scenario) or buildings since edited."""
    layout = scenario.layout
    if layout is None or Path(layout.file).suffix.lower() not in GIS_SUFFIXES:
        return None
    path = Path(scenario_path).parent / layout.file
    read_back = read(path, str(path), layout.crs)
    if [b.id for b in read_back.buildings] != [b.id for b in scenario.buildings]:
        return None
    return read_back
