"""The strict loader of the standards data: bibliography, rules and regimes.

Layout of ``standards/data/``::

    documents.toml        the bibliography: code → title, issuer, number, date, kind
    rules/<CODE>.toml      the rules of one policy document; ids are "<CODE>.<table name>"
    defaults/<topic>.toml  published figures the documents leave open; ids are "<topic>.<table name>"
    regimes.toml           for each regime, the rule that fills each role (see standards.ruleset)
    labels.toml            Chinese and English words for the value shapes and the identifiers in values

Languages. Every rule has ``description`` and ``description_zh``, ``unit`` and ``unit_zh``, and
``reading_zh`` exactly where it has a ``reading``; every regime ``label`` and ``label_zh``, and its
``borrowed`` reasons again under ``borrowed_zh``; every identifier inside a value (an item, a part, a
rate, a share's ``of``, a threshold's ``basis``) a ``[zh, en]`` pair in ``labels.toml``.

Dates. A document may carry ``valid_from`` / ``valid_until`` (and ``validity``: the clause or reading they
come from, e.g. GZ-3 §八's three years); its rules inherit them, and a rule may carry its own
``valid_from`` / ``valid_until`` instead. Each is a TOML date (``2014-02-19``) or a string ``"YYYY"``,
``"YYYY-MM"`` or ``"YYYY-MM-DD"``: a year or month alone starts on its first day (``valid_from``) or ends
on its last (``valid_until``). ``standards.validity`` says which rules a scenario's months fall outside.

Anything that does not fit fails with ``InputError`` naming the file and key: a file that is not
TOML, a repeated key (TOML forbids them), an unknown key, a value that does not fit its shape, a rule
without a citation or citing a document not in the bibliography.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from standards.errors import InputError
from standards.shapes import Shape, parse_value

DATA_DIR = Path(__file__).parent / "data"

DOCUMENT_KINDS = ("policy", "standard", "statistics", "press", "study", "derived")
GRADES = ("V", "S", "D")
_DOCUMENT_FIELDS = {"title", "issuer", "number", "date", "kind"}
_DOCUMENT_OPTIONAL = {"valid_from", "valid_until", "validity", "validity_zh"}
_RULE_REQUIRED = {"description", "description_zh", "shape", "unit", "unit_zh", "value", "source", "clause"}
_RULE_OPTIONAL = {"quote", "reading", "reading_zh", "grade", "valid_from", "valid_until"}
_REGIME_FIELDS = {"label", "label_zh", "documents", "roles", "borrowed", "borrowed_zh"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Document:
    code: str
    title: str
    issuer: str
    number: str
    date: str
    kind: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    validity: str | None = None      # where the dates come from (clause, reading)
    validity_zh: str | None = None   # the same in Chinese (present exactly when ``validity`` is)


@dataclass(frozen=True)
class Citation:
    """Where a figure comes from: a document code from the bibliography and the clause in it."""

    source: str
    clause: str

    def __str__(self) -> str:
        return f"{self.source} {self.clause}"


@dataclass(frozen=True)
class Rule:
    """One documented figure: its value in its shape, with its citation and how we read it.

    ``override_reason`` is set when a scenario replaced the documented value; the citation stays.
    """

    id: str
    description: str
    unit: str
    value: Shape
    citation: Citation
    quote: str | None = None
    reading: str | None = None
    description_zh: str = ""              # the same words in Chinese (required in the data files)
    unit_zh: str = ""
    reading_zh: str | None = None         # present exactly when ``reading`` is
    grade: str | None = None
    override_reason: str | None = None
    valid_from: dt.date | None = None     # the rule's own, else its document's
    valid_until: dt.date | None = None
    validity: str | None = None           # where the dates come from

    @property
    def shape(self) -> str:
        return self.value.name

    def valid_on(self, day: dt.date) -> bool:
        """Whether ``day`` falls within the rule's validity (a rule without dates is always valid)."""
        return not ((self.valid_from is not None and day < self.valid_from)
                    or (self.valid_until is not None and day > self.valid_until))


@dataclass(frozen=True)
class Regime:
    """A named choice of rule for each role, with the reason for every rule borrowed from elsewhere."""

    name: str
    label: str
    documents: tuple[str, ...]
    roles: Mapping[str, tuple[str, ...]]
    borrowed: Mapping[str, str]
    label_zh: str = ""
    borrowed_zh: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # the reasons in Chinese


@dataclass(frozen=True)
class Catalog:
    documents: Mapping[str, Document]
    rules: Mapping[str, Rule]
    regimes: Mapping[str, Regime]
    # labels.toml: {"shapes" | "terms": {identifier: (zh, en)}}
    labels: Mapping[str, Mapping[str, tuple[str, str]]] = field(default_factory=lambda: MappingProxyType({}))

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise InputError(f"unknown rule id {rule_id!r}") from None


def read_toml(path: Path, label: str | None = None) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can be unreadable into one ``InputError`` line."""
    label = label or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{label}: is not UTF-8 text (is it a binary file or another encoding?)") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{label}: is not valid TOML ({exc})") from None


def parse_date(value: Any, end: bool, where: str, errors: list[str]) -> dt.date | None:
    """A TOML date, or ``"YYYY"``/``"YYYY-MM"``/``"YYYY-MM-DD"`` (a year or month alone: its first day, or
    its last when ``end``); a problem is added to ``errors`` naming ``where``."""
    if isinstance(value, dt.datetime):
        errors.append(f"{where} must be a date without a time (got {value})")
        return None
    if isinstance(value, dt.date):
        return value
    m = _DATE.match(value) if isinstance(value, str) else None
    if m is None:
        errors.append(f"{where} must be a date like 2014-02-19, 2013-01 or 2013 (got {value!r})")
        return None
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            mo = int(month)
            return dt.date(year, mo, calendar.monthrange(year, mo)[1]) if end else dt.date(year, mo, 1)
        return dt.date(year, int(month), int(day))
    except ValueError as exc:
        errors.append(f"{where} is not a calendar date ({exc}; got {value!r})")
        return None


def _dates(entry: dict[str, Any], where: str, errors: list[str]) -> tuple[dt.date | None, dt.date | None]:
    start = parse_date(entry["valid_from"], False, f"{where}.valid_from", errors) if "valid_from" in entry else None
    end = parse_date(entry["valid_until"], True, f"{where}.valid_until", errors) if "valid_until" in entry else None
    if start is not None and end is not None and end < start:
        errors.append(f"{where}: valid_until ({end}) is before valid_from ({start})")
    return start, end


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(DATA_DIR.parent.parent))
    except ValueError:
        return str(path)


def _load_documents(path: Path) -> dict[str, Document]:
    label = _rel(path)
    errors: list[str] = []
    docs: dict[str, Document] = {}
    for code, entry in read_toml(path, label).items():
        if not isinstance(entry, dict):
            errors.append(f"{label}: {code} must be a table")
            continue
        missing = _DOCUMENT_FIELDS - entry.keys()
        unknown = entry.keys() - _DOCUMENT_FIELDS - _DOCUMENT_OPTIONAL
        errors += [f"{label}: {code}.{k} is missing" for k in sorted(missing)]
        errors += [f"{label}: {code}.{k} is not a known field ({', '.join(sorted(_DOCUMENT_FIELDS | _DOCUMENT_OPTIONAL))})"
                   for k in sorted(unknown)]
        before = len(errors)
        start, end = _dates(entry, f"{label}: {code}", errors)
        if "validity" in entry and (not isinstance(entry["validity"], str) or not entry["validity"].strip()):
            errors.append(f"{label}: {code}.validity must be non-empty text (got {entry['validity']!r})")
        for k in ("validity_zh",):
            if k in entry and (not isinstance(entry[k], str) or not entry[k].strip()):
                errors.append(f"{label}: {code}.{k} must be non-empty text (got {entry[k]!r})")
        if "validity" in entry and "validity_zh" not in entry:
            errors.append(f"{label}: {code}.validity_zh is missing (where the dates come from, in Chinese)")
        if "validity_zh" in entry and "validity" not in entry:
            errors.append(f"{label}: {code}.validity_zh has no English validity beside it")
        if (start or end) and "validity" not in entry:
            errors.append(f"{label}: {code}.validity is missing (say which clause or reading the dates come from)")
        if len(errors) > before:
            continue
        if entry.get("kind") not in DOCUMENT_KINDS and "kind" in entry:
            errors.append(f"{label}: {code}.kind must be one of {', '.join(DOCUMENT_KINDS)} (got {entry['kind']!r})")
        if not missing and not unknown:
            docs[code] = Document(code=code, **{k: str(entry[k]) for k in _DOCUMENT_FIELDS},
                                  valid_from=start, valid_until=end, validity=entry.get("validity"),
                                  validity_zh=entry.get("validity_zh"))
    if errors:
        raise InputError(errors)
    return docs


def _load_rules(path: Path, documents: Mapping[str, Document]) -> dict[str, Rule]:
    label = _rel(path)
    prefix = path.stem
    errors: list[str] = []
    rules: dict[str, Rule] = {}
    for key, entry in read_toml(path, label).items():
        where = f"{label}: {key}"
        if not isinstance(entry, dict):
            errors.append(f"{where} must be a table of rule fields")
            continue
        for k in sorted(entry.keys() - _RULE_REQUIRED - _RULE_OPTIONAL):
            errors.append(f"{where}.{k} is not a rule field (expected {', '.join(sorted(_RULE_REQUIRED | _RULE_OPTIONAL))})")
        for k in sorted(_RULE_REQUIRED - entry.keys()):
            reason = (" (every rule needs a citation)" if k in ("source", "clause") else
                      " (every rule is shown in Chinese and English)" if k.endswith("_zh") else "")
            errors.append(f"{where}.{k} is missing{reason}")
        if "reading" in entry and "reading_zh" not in entry:
            errors.append(f"{where}.reading_zh is missing (a rule with a reading gives it in Chinese too)")
        if "reading_zh" in entry and "reading" not in entry:
            errors.append(f"{where}.reading_zh has no English reading beside it")
        for k in ("description", "description_zh", "unit", "unit_zh", "source", "clause", "quote", "reading", "reading_zh"):
            if k in entry and (not isinstance(entry[k], str) or not entry[k].strip()):
                errors.append(f"{where}.{k} must be non-empty text (got {entry[k]!r})")
        source = entry.get("source")
        if isinstance(source, str) and source not in documents:
            errors.append(f"{where}.source {source!r} is not a document in standards/data/documents.toml")
        if "grade" in entry and entry["grade"] not in GRADES:
            errors.append(f"{where}.grade must be one of {', '.join(GRADES)} (got {entry['grade']!r})")
        try:
            value = parse_value(entry.get("shape"), entry.get("value"), where) if "shape" in entry and "value" in entry else None
        except InputError as exc:
            errors += exc.messages
            continue
        start, end = _dates(entry, where, errors)
        if value is None or errors:
            continue
        rule_id = f"{prefix}.{key}"
        doc = documents[entry["source"]]
        own = "valid_from" in entry or "valid_until" in entry
        rules[rule_id] = Rule(
            id=rule_id, description=entry["description"], unit=entry["unit"], value=value,
            citation=Citation(entry["source"], entry["clause"]), quote=entry.get("quote"),
            reading=entry.get("reading"), grade=entry.get("grade"),
            description_zh=entry["description_zh"], unit_zh=entry["unit_zh"], reading_zh=entry.get("reading_zh"),
            valid_from=start if own else doc.valid_from, valid_until=end if own else doc.valid_until,
            validity=f"{rule_id} {entry['clause']}" if own else doc.validity)
    if errors:
        raise InputError(errors)
    return rules


def _load_regimes(path: Path, rules: Mapping[str, Rule], documents: Mapping[str, Document]) -> dict[str, Regime]:
    from standards.ruleset import ROLES  # the roles and the shapes they accept live with RuleSet

    label = _rel(path)
    errors: list[str] = []
    regimes: dict[str, Regime] = {}
    for name, entry in read_toml(path, label).items():
        where = f"{label}: {name}"
        if not isinstance(entry, dict):
            errors.append(f"{where} must be a table")
            continue
        for k in sorted(entry.keys() - _REGIME_FIELDS):
            errors.append(f"{where}.{k} is not a regime field (expected {', '.join(sorted(_REGIME_FIELDS))})")
        for k in ("label", "label_zh"):
            if not isinstance(entry.get(k), str) or not entry[k].strip():
                errors.append(f"{where}.{k} is missing (every regime is named in Chinese and English)" if k not in entry
                              else f"{where}.{k} must be non-empty text (got {entry[k]!r})")
        docs = entry.get("documents", [])
        for d in docs:
            if d not in documents:
                errors.append(f"{where}.documents: {d!r} is not in the bibliography")
        roles: dict[str, tuple[str, ...]] = {}
        for role, ids in entry.get("roles", {}).items():
            if role not in ROLES:
                errors.append(f"{where}.roles.{role} is not a role (known: {', '.join(ROLES)})")
                continue
            spec = ROLES[role]
            id_list = ids if isinstance(ids, list) else [ids]
            if isinstance(ids, list) and not spec.many:
                errors.append(f"{where}.roles.{role} takes one rule id, not a list")
            for rid in id_list:
                if rid not in rules:
                    errors.append(f"{where}.roles.{role}: {rid!r} is not a rule id")
                elif rules[rid].shape not in spec.shapes:
                    errors.append(f"{where}.roles.{role}: {rid} is a {rules[rid].shape}, "
                                  f"the role needs {' or '.join(spec.shapes)}")
            roles[role] = tuple(id_list)
        for role, spec in ROLES.items():
            if spec.required and role not in roles:
                errors.append(f"{where}.roles.{role} is missing (every regime must fill it)")
        borrowed = entry.get("borrowed", {})
        for role in borrowed:
            if role not in roles:
                errors.append(f"{where}.borrowed.{role} explains a role the regime does not fill")
        borrowed_zh = entry.get("borrowed_zh", {})
        for role in sorted(borrowed.keys() - borrowed_zh.keys()):
            errors.append(f"{where}.borrowed_zh.{role} is missing (the reason for borrowing it, in Chinese)")
        for role in sorted(borrowed_zh.keys() - borrowed.keys()):
            errors.append(f"{where}.borrowed_zh.{role} has no English reason under [{name}.borrowed]")
        for role, why in borrowed_zh.items():
            if not isinstance(why, str) or not why.strip():
                errors.append(f"{where}.borrowed_zh.{role} must be non-empty text (got {why!r})")
        for role, ids in roles.items():
            foreign = [rid for rid in ids if rid in rules and rules[rid].citation.source not in docs]
            if foreign and role not in borrowed:
                errors.append(f"{where}.roles.{role} uses {', '.join(foreign)} from outside the regime's "
                              f"documents; say why under [{name}.borrowed]")
        regimes[name] = Regime(name=name, label=str(entry.get("label", name)), documents=tuple(docs),
                               roles=MappingProxyType(roles), borrowed=MappingProxyType(dict(borrowed)),
                               label_zh=str(entry.get("label_zh", "")),
                               borrowed_zh=MappingProxyType(dict(borrowed_zh)))
    if errors:
        raise InputError(errors)
    return regimes


_LABEL_TABLES = ("shapes", "terms")


def _load_labels(path: Path, rules: Mapping[str, Rule]) -> dict[str, Mapping[str, tuple[str, str]]]:
    """labels.toml: a ``[zh, en]`` pair for every value shape and every identifier a rule's value holds."""
    from standards.describe import value_terms
    from standards.shapes import SHAPES

    label = _rel(path)
    errors: list[str] = []
    raw = read_toml(path, label)
    for k in sorted(raw.keys() - set(_LABEL_TABLES)):
        errors.append(f"{label}: [{k}] is not a label table (expected {', '.join(_LABEL_TABLES)})")
    tables: dict[str, Mapping[str, tuple[str, str]]] = {}
    for name in _LABEL_TABLES:
        table = raw.get(name, {})
        if not isinstance(table, dict):
            errors.append(f"{label}: {name} must be a table")
            table = {}
        pairs: dict[str, tuple[str, str]] = {}
        for key, pair in table.items():
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(x, str) and x.strip() for x in pair)):
                errors.append(f"{label}: {name}.{key} must be [Chinese, English], two non-empty texts (got {pair!r})")
            else:
                pairs[key] = (pair[0], pair[1])
        tables[name] = MappingProxyType(pairs)
    for shape in sorted(SHAPES.keys() - tables["shapes"].keys()):
        errors.append(f"{label}: shapes.{shape} is missing (every value shape is named in both languages)")
    missing: dict[str, str] = {}
    for rid, rule in rules.items():
        for term in value_terms(rule.value):
            if term not in tables["terms"]:
                missing.setdefault(term, rid)
    for term, rid in sorted(missing.items()):
        errors.append(f"{label}: terms.{term} is missing (used by {rid}; give [Chinese, English])")
    if errors:
        raise InputError(errors)
    return tables


def load_catalog(data_dir: Path | None = None) -> Catalog:
    """Load and check every standards file under ``data_dir`` (the shipped data by default)."""
    if data_dir is None:
        return _shipped_catalog()
    return _load(Path(data_dir))


@lru_cache(maxsize=1)
def _shipped_catalog() -> Catalog:
    return _load(DATA_DIR)


def _load(data_dir: Path) -> Catalog:
    documents = _load_documents(data_dir / "documents.toml")
    rules: dict[str, Rule] = {}
    errors: list[str] = []
    files = sorted((data_dir / "rules").glob("*.toml")) + sorted((data_dir / "defaults").glob("*.toml"))
    for path in files:
        try:
            loaded = _load_rules(path, documents)
        except InputError as exc:
            errors += exc.messages
            continue
        for rid in loaded.keys() & rules.keys():
            errors.append(f"{_rel(path)}: rule id {rid} is defined twice")
        rules.update(loaded)
    if errors:
        raise InputError(errors)
    regimes = _load_regimes(data_dir / "regimes.toml", rules, documents)
    labels = _load_labels(data_dir / "labels.toml", rules)
    return Catalog(MappingProxyType(documents), MappingProxyType(rules), MappingProxyType(regimes),
                   MappingProxyType(labels))
