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
    p.add_argument("--json", action="store_true", help="print JSON instead of a table (both languages' words)")
    p.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the table: zh (default) or en")
    p.set_defaults(run=run)


def _row(rule: Rule, role: str | None = None, borrowed: str | None = None, borrowed_zh: str | None = None) -> dict:
    from estate.i18n import rule_text

    doc = load_catalog().documents[rule.citation.source]
    return {"role": role, "id": rule.id, "value": value_as_dict(rule.value), "shape": rule.shape,
            "text": describe(rule.value), "unit": rule.unit, "description": rule.description,
            "source": rule.citation.source, "clause": rule.citation.clause, "document": doc.number,
            "reading": rule.reading, "borrowed": borrowed, "override_reason": rule.override_reason,
            "text_en": rule_text(rule, "en", "value"), "text_zh": rule_text(rule, "zh", "value"), "unit_zh": rule.unit_zh,
            "description_zh": rule.description_zh, "reading_zh": rule.reading_zh, "borrowed_zh": borrowed_zh}


# the table's words; the rules' own come from the catalogue (``estate.i18n.rule_text``)
_WORDS = {"en": {"rules": "rules", "cited": "cited", "borrowed": "borrowed", "overridden": "OVERRIDDEN by the scenario",
                 "all": "All rules", "policy": " of the policy documents", "defaults": " and published defaults",
                 "and_defaults": ", and the published defaults"},
          "zh": {"rules": "条规则", "cited": "出处", "borrowed": "借用", "overridden": "本情景已覆盖，理由",
                 "all": "全部规则", "policy": "（政策文件）", "defaults": "及公开默认值", "and_defaults": "，及公开默认值"}}


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    if args.scenario or args.regime:
        rules = rules_of(load(args.scenario), catalog, args.scenario) if args.scenario else ruleset(args.regime)
        regime = rules.regime
        rows = [_row(rule, role, regime.borrowed.get(role), regime.borrowed_zh.get(role))
                for role, rule in rules.in_use()]
        title = {"en": regime.label, "zh": regime.label_zh}
        if args.all:   # and the published defaults, overrides applied
            used = {r["id"] for r in rows}
            rows += [_row(rule) for rid, rule in rules.rules.items()
                     if rid not in used and catalog.documents[rule.citation.source].kind != "policy"]
            title = {k: t + _WORDS[k]["and_defaults"] for k, t in title.items()}
    else:
        policy = {d for d, doc in catalog.documents.items() if doc.kind == "policy"}
        rows = [_row(r) for r in catalog.rules.values() if args.all or r.citation.source in policy]
        title = {k: w["all"] + (w["defaults"] if args.all else w["policy"]) for k, w in _WORDS.items()}
    if args.json:
        print(json.dumps({"title": title["en"], "title_zh": title["zh"], "rules": rows}, ensure_ascii=False, indent=2))
        return 0
    lang, words = args.lang, _WORDS[args.lang]
    zh = "_zh" if lang == "zh" else ""
    print(f"{title[lang]}: {len(rows)} {words['rules']}\n")
    for r in rows:
        head = f"{r['role']}: " if r["role"] else ""
        print(f"{head}{r['id']}  = {r['text_' + lang]}")             # the value with its unit read in
        print(f"    {r['description' + zh]}")
        print(f"    {words['cited']}: {r['source']} {r['clause']} ({r['document']})")
        if r["borrowed"]:
            print(f"    {words['borrowed']}: {r['borrowed' + zh]}")
        if r["override_reason"]:
            print(f"    {words['overridden']}: {r['override_reason']}")
    return 0
