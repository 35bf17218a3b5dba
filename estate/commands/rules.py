"""`estate rules`: every rule with its value, unit and citation, for a regime or the whole catalog."""

from __future__ import annotations

import argparse
import json

from scenarios import load, rules_of
from standards import load_catalog, ruleset
from standards.catalog import Rule
from standards.describe import describe
from standards.shapes import value_as_dict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list the rules with their values, units and citations",
                       description="List the rules a regime uses (role by role), or every rule and "
                                   "published default in the catalog.")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--regime", help="chongqing, shandong or guangzhou")
    g.add_argument("--scenario", metavar="FILE", help="the regime of a scenario, its overrides applied")
    p.add_argument("--all", action="store_true", help="include the published defaults too")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run)


def _row(rule: Rule, role: str | None = None, borrowed: str | None = None) -> dict:
    doc = load_catalog().documents[rule.citation.source]
    return {"role": role, "id": rule.id, "value": value_as_dict(rule.value), "shape": rule.shape,
            "text": describe(rule.value), "unit": rule.unit, "description": rule.description,
            "source": rule.citation.source, "clause": rule.citation.clause, "document": doc.number,
            "reading": rule.reading, "borrowed": borrowed, "override_reason": rule.override_reason}


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    if args.scenario or args.regime:
        rules = rules_of(load(args.scenario), catalog, args.scenario) if args.scenario else ruleset(args.regime)
        rows = [_row(rule, role, rules.regime.borrowed.get(role)) for role, rule in rules.in_use()]
        title = rules.regime.label
        if args.all:   # and the published defaults, overrides applied
            used = {r["id"] for r in rows}
            rows += [_row(rule) for rid, rule in rules.rules.items()
                     if rid not in used and catalog.documents[rule.citation.source].kind != "policy"]
            title += ", and the published defaults"
    else:
        policy = {d for d, doc in catalog.documents.items() if doc.kind == "policy"}
        rows = [_row(r) for r in catalog.rules.values() if args.all or r.citation.source in policy]
        title = "All rules" + (" and published defaults" if args.all else " of the policy documents")
    if args.json:
        print(json.dumps({"title": title, "rules": rows}, ensure_ascii=False, indent=2))
        return 0
    print(f"{title}: {len(rows)} rules\n")
    for r in rows:
        head = f"{r['role']}: " if r["role"] else ""
        print(f"{head}{r['id']}  = {r['text']}  [{r['unit']}]")
        print(f"    {r['description']}")
        print(f"    cited: {r['source']} {r['clause']} ({r['document']})")
        if r["borrowed"]:
            print(f"    borrowed: {r['borrowed']}")
        if r["override_reason"]:
            print(f"    OVERRIDDEN by the scenario: {r['override_reason']}")
    return 0
