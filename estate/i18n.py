"""Labels in Chinese (the default) and English. Rule citations stay in their original form.

``t(key, lang)`` for the page's own words; ``payer``, ``item``, ``status``, ``unit``, ``reason`` and
``service`` for the values the engines produce (service labels come from the registry,
``scenarios.services``). Each table has both languages for every key; a missing key raises KeyError, so
a test that walks the engines' values finds it."""

from __future__ import annotations

from scenarios.services import SERVICES

LANGUAGES = {"zh": "中文", "en": "English"}

_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("公租房小区规划：情景比较", "Public-rental estate planning: compare scenarios"),
    "language": ("语言", "Language"),
    "scenarios": ("情景", "Scenarios"),
    "pick": ("选择 2–4 个情景进行比较", "Pick 2–4 scenarios to compare"),
    "upload": ("上传情景文件（TOML）或楼栋表（CSV / GeoJSON / GeoPackage / Shapefile 压缩包）",
               "Upload a scenario (TOML) or a buildings file (CSV / GeoJSON / GeoPackage / zipped Shapefile)"),
    "upload_base": ("楼栋表沿用此情景的其他假设", "The buildings file takes its other assumptions from this scenario"),
    "edit": ("调整假设", "Edit assumptions"),
    "regime": ("规则体系", "Regime"),
    "cadence": ("配租频率", "Allocation cadence"),
    "election_share": ("居委会选举触发比例", "Committee election threshold"),
    "override_reason": ("调整理由（必填，将随引用保存）", "Reason for the change (kept with the citation)"),
    "download_scenario": ("下载修改后的情景文件", "Download the edited scenario"),
    "headlines": ("关键数字", "Headline figures"),
    "differences": ("与第一个情景不同的数值已标出", "Figures that differ from the first scenario are marked"),
    "rules": ("适用规则与出处", "Rules in force, with citations"),
    "site_map": ("楼栋分布", "Site layout"),
    "errors": ("输入有误", "Input problems"),
    "flats": ("住房套数", "Flats"),
    "buildings": ("楼栋数", "Buildings"),
    "clusters": ("组团数", "Clusters"),
    "floor_area_m2": ("总建筑面积（㎡）", "Gross floor area (m²)"),
    "delivery": ("交付月份（首—末）", "Delivery months (first–last)"),
    "regime_label": ("规则体系", "Regime"),
    "election_rule": ("选举触发条件", "Election trigger"),
    "staff_full": ("满住时专职人员", "Full-time staff at full occupancy"),
    "office_full": ("满住时办公服务用房（㎡）", "Office and service space at full occupancy (m²)"),
    "overrides": ("规则调整", "Rule overrides"),
    "role": ("角色", "Role"),
    "rule": ("规则", "Rule"),
    "value": ("取值", "Value"),
    "citation": ("出处", "Citation"),
    "note": ("说明", "Note"),
    "metric": ("指标", "Figure"),
    "communities": ("社区数", "Communities"),
    "plan_status": ("划分结果", "Split status"),
    "election_months": ("各社区居委会选举月份 P50（P10–P90）", "Election month per community, P50 (P10–P90)"),
    "peak_staff": ("专职人员需求峰值（P50）", "Peak full-time staff needed (P50)"),
    "staff_full_plan": ("满住时专职人员（按划分）", "Full-time staff at full occupancy (as split)"),
    "office_required_m2": ("办公服务用房需求（㎡）", "Office and service space required (m²)"),
    "office_planned_m2": ("已规划办公服务用房（㎡）", "Office and service space planned (m²)"),
    "facilities": ("配套设施及开办月份", "Facilities and opening months"),
    "budget_10y": ("前十年预算", "Budget, first ten years"),
    "cost_per_flat_year": ("每套每年成本（元）", "Cost per flat per year (CNY)"),
    "allocation.round_share": ("每轮配租房源比例", "Share of vacant flats offered per round"),
    "allocation.acceptance": ("签约率", "Acceptance (share who sign)"),
    "allocation.waiting_pool": ("轮候家庭数", "Applicants waiting"),
    "allocation.new_applicants_per_month": ("每月新增申请", "New applicants per month"),
    "households.non_local_share": ("非本地户籍家庭比例", "Non-local hukou share"),
    "costs.housing_fund_rate": ("住房公积金单位缴存比例", "Employer housing-fund rate"),
    "persons_per_household": ("户均人口", "Persons per household"),
    "age_profile": ("年龄结构", "Age profile"),
    "staff_pay": ("社区工作者年薪（元）", "Community worker pay (CNY per year)"),
    "budget_cap": ("年度预算上限（元，0 为不设）", "Yearly budget cap (CNY, 0 for none)"),
    "replications": ("模拟次数", "Replications"),
    "run": ("运行比较", "Run the comparison"),
    "run_hint": ("按“运行比较”进行划分、模拟、设施与预算测算；算过的设置会立即显示。",
                 "Press “Run the comparison” to split, simulate, plan facilities and budget; settings already run show at once."),
    "stage_plan": ("划分社区", "splitting into communities"),
    "stage_simulate": ("模拟入住", "simulating"),
    "stage_facilities": ("配套设施", "planning facilities"),
    "stage_budget": ("预算", "budgeting"),
    "results": ("测算结果", "Results"),
    "plan_relaxed": ("无法满足全部规则，给出最小放宽方案：", "No plan meets every rule; the smallest relaxation:"),
    "plan_infeasible": ("无可行方案：", "No plan at all:"),
    "occupancy_chart": ("入住进度与选举门槛（P10–P90 带，P50 线）", "Occupancy and the election threshold (P10–P90 band, P50 line)"),
    "demand_chart": ("服务需求（全小区）", "Service demand, whole estate"),
    "budget_chart": ("年度预算（按出资方）", "Budget by year and payer"),
    "month": ("月份", "Month"),
    "occupancy_axis": ("入住比例", "Share moved in"),
    "community": ("社区", "Community"),
    "year": ("年份", "Year"),
    "million_cny": ("百万元", "Million CNY"),
    "payer": ("出资方", "Payer"),
    "compliance": ("合规检查", "Compliance checklist"),
    "entity": ("对象", "Entity"),
    "required": ("要求", "Required"),
    "provided": ("实际", "Provided"),
    "passed": ("通过", "Passed"),
    "not_checked": ("未核查（缺少数据）", "not checked (figure missing)"),
    "downloads": ("下载", "Downloads"),
    "download_headlines": ("下载比较表（CSV）", "Download the comparison (CSV)"),
    "download_tables": ("全部表格（CSV 压缩包）", "All tables (zip of CSV)"),
    "download_report": ("报告（HTML）", "Report (HTML)"),
    "notices": ("条提示（未满足的需求、预算上限）", "notices (unmet demand, budget cap)"),
    "p10_means": ("P10：十次模拟中只有一次低于（早于）这个数，是区间的低端。",
                  "P10: only one run in ten comes out lower (earlier) than this: the low end of the band."),
    "p50_means": ("P50：一半模拟早于它、一半晚于它，是最可能的中间值。",
                  "P50: half the runs come out earlier and half later: the middle, most likely figure."),
    "p90_means": ("P90：十次模拟中有九次不高于（不晚于）这个数，按此留足余量。",
                  "P90: nine runs in ten come out no higher (no later) than this: plan with this much margin."),
    "band_words": ("P10、P50、P90 的含义", "What P10, P50 and P90 mean"),
    "uncertain_inputs": ("不确定的假设（每次模拟各自抽取）", "Uncertain inputs (each run draws its own)"),
    "band_drivers": ("哪些假设决定了区间宽度", "What drives the width of each band"),
    "observed": ("实际观测与模拟区间对照", "What was observed, against the simulated bands"),
    "inside_band": ("在 P10–P90 之内", "within P10–P90"),
    "outside_band": ("在 P10–P90 之外", "outside P10–P90"),

    "scenario": ("情景", "Scenario"),
    "answer": ("结论", "The answer"),
    "election_dates": ("居委会选举时间（P50；P10–P90）", "Committee election (P50; P10–P90)"),
    "no_election": ("模拟期内未达到选举条件", "not due within the horizon"),
    "after_horizon": ("模拟期之后", "after the horizon"),
    "office": ("办公服务用房", "Office and service space"),
    "office_need": ("需", "needs"),
    "office_plan": ("已规划", "planned"),
    "office_none_planned": ("情景未给出规划面积", "none planned in the scenario"),
    "short_by": ("缺", "short by"),
    "capital": ("建设投入（全期，按出资方）", "Capital, whole horizon, by payer"),
    "running": ("年运行费（最高年份，按出资方）", "Yearly running cost (peak year), by payer"),
    "checks": ("合规检查", "Compliance checks"),
    "cap_prefix": ("预算上限所致——", "Because of the budget cap — "),
    "findings": ("未通过的规则与未满足的需求", "Failed rules and unmet demand"),
    "findings_none": ("全部规则通过，无未满足的需求。", "Every rule passes; no unmet demand."),
    "budget_cap_line": ("年度预算上限", "Yearly budget cap"),
    "wan_cny": ("万元", "CNY 10,000"),
    "threshold": ("选举门槛", "Election threshold"),
    "service": ("服务", "Service"),
    "building": ("楼栋", "Building"),
    "office_marker": ("社区办公用房", "community office"),
    "override_needs_reason": ("未填写调整理由：选举触发比例仍按 {used} 计算，{asked} 未生效。",
                              "No reason given: the election threshold stays {used}; {asked} is not applied."),
    "uploaded": ("上传", "uploaded"),
    "inputs": ("输入与假设", "Inputs and assumptions"),
    "rule_date_notices": ("条规则时效提示", "rule-date notices"),
    "shortfall": ("缺口", "Shortfall"),
    "office_short_m2": ("办公服务用房缺口（㎡）", "Office and service space short (m²)"),
    "budget_10y_short": ("前十年预算", "Budget, first ten years"),
    "checks_failed": ("未通过的规则检查", "Failed rule checks"),
    "election_p50": ("选举月份 P50", "election month P50"),
    "before_opening": ("首个可开办月份之前的需求（学校 9 月开学）：", "Demand before the first possible opening (schools open in September): "),
    "scenario_setting": ("情景设定", "set by the scenario"),
    "sheet_headline": ("比较", "Comparison"),
    "sheet_budget": ("预算（按年和出资方）", "Budget by year and payer"),
    "sheet_compliance": ("合规检查", "Compliance"),
    "sheet_facilities": ("配套设施", "Facilities"),
    "sheet_elections": ("居委会选举", "Elections"),
    "item": ("项目", "Item"),
    "amount": ("金额", "Amount"),
    "size": ("规模", "Size"),
    "unit": ("单位", "Unit"),
    "opens": ("开办月份", "Opens"),
    "capital_short": ("建设投入", "Capital"),
    "running_short": ("年运行费", "Running per year"),
    "households": ("户数", "Households"),
    "elected_runs": ("达到选举条件的模拟次数", "Replications that elected"),
    "download_xlsx": ("下载比较工作簿（XLSX）", "Download the comparison workbook (XLSX)"),
    "download_print": ("可打印的比较报告（HTML，A4）", "Printable comparison report (HTML, A4)"),
    "print_title": ("公租房小区规划情景比较报告", "Public-rental estate planning: comparison report"),
    "print_made": ("生成日期", "Made on"),
    "total": ("合计", "Total"),
    "staff_short": ("专职人员（满住）", "Staff at full strength"),
    "calendar": ("时间表：交付、筹备组、选举、设施开办与需求缺口", "Calendar: deliveries, preparatory group, election, openings and unmet demand"),
    "cal_delivery": ("楼栋交付", "deliveries"),
    "cal_prep": ("成立筹备组（P50）", "preparatory group (P50)"),
    "cal_preparatory_group": ("成立筹备组（P50）", "preparatory group (P50)"),
    "cal_election": ("居委会选举", "committee election"),
    "cal_election_window": ("选举时间 P10–P90", "election P10–P90"),
    "cal_opening": ("设施开办", "facility opens"),
    "cal_unmet": ("需求未满足", "unmet demand"),
    "cal_unmet_cap": ("预算上限所致需求未满足", "unmet because of the budget cap"),
    "cal_row": ("社区 / 服务", "Community / service"),
    "what": ("事项", "What"),
    "edited": ("已修改", "edited"),
    "override": ("调整", "override"),
    "description": ("内容", "What it says"),
    "cjk_missing": ("未安装中文字体：图表以英文标注。", "No Chinese font is installed: plots are labelled in English."),
    # sweeps (estate.sensitivity) and the city roll-up (estate.city)
    "sweep_election_p50_first": ("首个社区选举月份（P50）", "First community's election month (P50)"),
    "sweep_election_p50_last": ("最后一个社区选举月份（P50）", "Last community's election month (P50)"),
    "sweep_peak_staff": ("专职人员需求峰值（P50）", "Peak full-time staff needed (P50)"),
    "sweep_staff_full_plan": ("满住时专职人员（按划分）", "Full-time staff at full occupancy (as split)"),
    "sweep_office_required_m2": ("办公服务用房需求（㎡）", "Office and service space required (m²)"),
    "sweep_facilities_opened": ("开办设施模块数", "Facility modules opened"),
    "sweep_budget_10y_cny": ("前十年预算（元）", "Budget, first ten years (CNY)"),
    "sweep_failed_rule_count": ("未通过的规则数", "Rules failed"),
    "sweep_method_main_effect": ("主效应（网格）", "main effects (grid)"),
    "sweep_method_src": ("标准化回归系数（拉丁超立方抽样）", "standardised regression (Latin hypercube)"),
    "sweep_low": ("输入取低值时", "input at its low end"),
    "sweep_high": ("输入取高值时", "input at its high end"),
    "sweep_input": ("输入", "Input"),
    "sweep_effect": ("影响（高值−低值）", "Effect (high − low)"),
    "sweep_rank": ("排序", "Rank"),
    "city_budget": ("全市年度预算（按小区）", "City budget by year, by estate"),
    "city_staff": ("专职人员需求（按小区，P50 年度峰值）", "Full-time staff needed (by estate, P50 yearly peak)"),
    "city_office": ("办公服务用房需求（㎡，按小区）", "Office and service space required (m², by estate)"),
    "city_facilities": ("当年开办设施模块（按小区）", "Facility modules opened in the year (by estate)"),
    "city_allotment": ("全市预算", "City budget"),
    # the run's report (estate.run_outputs, estate.report)
    "pass_word": ("通过", "pass"),
    "fail_word": ("未通过", "FAIL"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "replication_failed": ("第 {n} 次模拟失败", "Replication {n} failed"),
    "communities_table": ("各社区", "Communities"),
    "office_in": ("办公用房所在楼栋", "Office in"),
    "committee_members": ("居委会成员", "Committee members"),
    "resident_groups": ("居民小组", "Resident groups"),
    "grids": ("网格", "Grids"),
    "basis": ("依据", "Rule"),
    "share": ("比例", "Share"),
    "payer_rule": ("出资方依据", "Payer rule"),
    "amount_rules": ("金额依据", "Amount rules"),
    "date": ("日期", "Date"),
    "observed_value": ("观测值", "Observed"),
    "source": ("来源", "Source"),
    "observed_note": ("选举按月份观测，对照模拟选举月份的区间。",
                      "An election is observed by its month, against the band of the simulated election month."),
    "input": ("假设", "Input"),
    "distribution": ("分布", "Distribution"),
    "constant": ("各次相同", "constant"),
    "election_month_p10": ("选举月份 P10（自起始月起）", "Election month P10 (from the start)"),
    "explained": ("由这些假设解释的比例", "Explained by the inputs"),
    "drivers": ("与各假设的秩相关（由强到弱）", "Rank correlation with each input, strongest first"),
    "drivers_note": ("各次模拟中每个假设的取值与选举月份的斯皮尔曼秩相关（+：取值越高，选举越晚）。"
                     "“解释的比例”是对全部假设的秩回归所能解释的选举月份秩的离散程度，其余来自模型自身的随机性。",
                     "Spearman's rank correlation over the replications of each drawn input with the election month "
                     "(+: a higher value, a later election). 'Explained' is the share of the spread in the election "
                     "month's ranks that a regression on all inputs' ranks accounts for; the rest is the model's own "
                     "randomness."),
    "communities_note": ("专职人员、居民小组、网格和用房均按满住计算，依据见 plan.json 中各项规则；选举时间为日历月份。",
                         "Staff, groups, grids and space at full occupancy, each from the rule named in plan.json; "
                         "election dates as calendar months."),
    "facilities_table": ("配套设施及开办月份", "Facilities and opening months"),
    "budget_table": ("年度预算表（按出资方）", "Budget by year and payer"),
    "payers_table": ("出资方及其依据（各项目的出资方与规定出资方的规则）",
                     "Who pays what, and why (each item's payer and the rule naming it)"),
    "by_payer": ("按出资方", "by payer"),
    "by_item": ("按项目", "by item"),
    "budget_by_year": ("年度预算", "budget by year"),
    "simulated_basis": ("按模拟结果", "simulated"),
    "obs_election": ("观测到的选举", "election observed"),
    "obs_households": ("观测：入住户数 ÷ 套数", "observed: households ÷ flats"),
    "obs_residents": ("观测：居住人口 ÷ 规划居住人口", "observed: residents ÷ planned residents"),
    "panel_community": ("社区 {cid}（{n}/{of} 次模拟完成选举）", "community {cid} ({n}/{of} elected)"),
    "whole_estate": ("全小区", "whole estate"),
    "month_from": ("自 {start} 起的月数", "month from {start}"),
    "occupancy_title": ("{scenario}\n入住进度与居委会选举（{rule}）；{regime} 规则，{n} 次模拟",
                        "{scenario}\noccupancy and the committee election, {rule}; {regime} rules, {n} replications"),
    "demand_title": ("{scenario}：服务需求，全小区（{n} 次模拟）",
                     "{scenario}: service demand, whole estate ({n} replications)"),
    "audit_suffix": ("（已建小区核查）", " (audit of the built estate)"),
}


def t(key: str, lang: str = "zh") -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


# Payers, budget items and budget-cap tiers are words of standards/data/labels.toml's [terms] (one table for
# the rules' values and the engines' keys); facility items are "facility_capital:<service>" and tiers may be
# services, both read from the service registry.
STATUSES: dict[str, tuple[str, str]] = {
    "optimal": ("最优", "optimal"), "feasible": ("可行", "feasible"),
    "relaxed": ("须放宽规则", "rules relaxed"), "infeasible": ("无可行方案", "infeasible"),
}
UNITS: dict[str, tuple[str, str]] = {
    "classes": ("个班", "classes"), "beds": ("张床位", "beds"), "m²": ("㎡", "m²"), "households": ("户", "households"),
    "persons": ("人", "persons"), "residents": ("人", "residents"), "CNY": ("元", "CNY"),
}
REASONS: dict[str, tuple[str, str]] = {
    "before_first_opening": ("首个开办月份之前无法开办", "nothing can open before the first opening month"),
    "max_sites": ("情景限定的站点数已用完", "the scenario's max_sites allows no more sites"),
    "budget_cap": ("年度预算上限已无余钱", "the yearly budget cap leaves no money for it"),
    "uncovered": ("求解器超时，未能覆盖", "the solver stopped (time limit) before covering it"),
    "not_solved": ("求解器未给出方案", "the solver stopped without a plan"),
}
BASES: dict[str, tuple[str, str]] = {
    "planned_residents": ("规划居住人口", "planned residents"), "occupancy": ("入住户数", "households moved in"),
}
CADENCES: dict[str, tuple[str, str]] = {"weekly": ("每周", "weekly"), "monthly": ("每月", "monthly"),
                                        "quarterly": ("每季度", "quarterly")}
# what an [[observed]] entry measures (scenarios.schema), and the fields a scenario may write as uncertain
# (scenarios.distributions.UNCERTAIN_FIELDS and the delivery slip)
# the split's own checks (optimize.verify), which are not catalogue rules
CHECKS: dict[str, tuple[str, str]] = {
    "plan.partition": ("每栋楼恰属一个社区", "plan.partition"), "plan.contiguity": ("社区楼栋相邻连片", "plan.contiguity"),
    "plan.office": ("办公用房在本社区楼栋内", "plan.office"),
}
OBSERVED: dict[str, tuple[str, str]] = {
    "households": ("入住户数", "households"), "residents": ("居住人口", "residents"),
    "occupancy": ("入住比例", "occupancy"), "election": ("居委会选举", "election"),
}
FIELDS: dict[str, tuple[str, str]] = {
    "allocation.round_share": ("每轮配租比例", "allocation.round_share"),
    "allocation.acceptance": ("接受配租的比例", "allocation.acceptance"),
    "allocation.waiting_pool": ("轮候家庭数", "allocation.waiting_pool"),
    "allocation.new_applicants_per_month": ("每月新增申请家庭", "allocation.new_applicants_per_month"),
    "allocation.lease_months": ("租期（月）", "allocation.lease_months"),
    "allocation.renewal_rate": ("续租率", "allocation.renewal_rate"),
    "allocation.voluntary_exit_rate": ("主动退租率", "allocation.voluntary_exit_rate"),
    "allocation.sublet_eviction_rate": ("转租清退率", "allocation.sublet_eviction_rate"),
    "households.persons_per_household": ("户均人口", "households.persons_per_household"),
    "households.non_local_share": ("非本地户籍比例", "households.non_local_share"),
    "households.low_income_share": ("低收入家庭比例", "households.low_income_share"),
    "households.disabled_share": ("残疾人家庭比例", "households.disabled_share"),
    "households.birth_rate": ("出生率", "households.birth_rate"),
    "households.death_rate": ("死亡率", "households.death_rate"),
    "delivery.slip_months": ("楼栋交付延迟（月）", "delivery.slip_months"),
}
TABLES = {"cadence": CADENCES, "basis": BASES, "status": STATUSES, "unit": UNITS, "reason": REASONS,
          "observed": OBSERVED, "field": FIELDS, "check": CHECKS}
TERM_KINDS = ("payer", "item", "tier")       # words of labels.toml's [terms] (see ``term``)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def service(name: str, lang: str = "zh") -> str:
    """A service's label from the registry (``scenarios.services``)."""
    for s in SERVICES:
        if s.name == name or s.metric == name:
            return s.label(lang)
    raise KeyError(name)


def term(key: str, lang: str = "zh") -> str:
    """A word of labels.toml's [terms] (payers, budget items, tiers, the identifiers in rule values)."""
    from standards import load_catalog

    return _pick(load_catalog().labels["terms"][key], lang)


def value(kind: str, key: str, lang: str = "zh") -> str:
    """An engine's value in words: ``value("payer", "district")`` → "区县财政". Budget items of a facility
    read "小学建设"; tiers and items not in labels.toml fall back to the service registry. Raises KeyError
    on an unknown key."""
    if kind in TERM_KINDS:
        if kind in ("item", "tier") and ":" in key:
            part, name = key.split(":", 1)
            return (f"{service(name, lang)}{term(part, lang)}" if lang == "zh"
                    else f"{service(name, lang)} {term(part, lang)}")
        try:
            return term(key, lang)
        except KeyError:
            if kind == "payer":
                raise
            return service(key, lang)
    return _pick(TABLES[kind][key], lang)


# words inside the engines' readings of a check ("3,000–5,000 households", "0.006 × 367,400 m² floor area")
_TERMS_ZH = (("each building in exactly one community", "每栋楼恰属一个社区"),
             ("the layout marks no street-level space", "总平面未标注沿街用房"),
             ("no office space planned in the layout", "总平面未规划办公服务用房"),
             ("the plan proposes", "方案拟配"), ("the office is in one of the community's buildings", "办公用房在本社区楼栋内"), ("the largest-site minimum", "最大一处面积下限"),
             ("hold the office", "设办公用房"), ("street-level floors", "沿街楼层"),
             ("communities are contiguous (adjacent buildings)", "社区楼栋相邻连片"),
             ("the office is in one of the community's buildings", "办公用房在本社区楼栋内"),
             ("office in one of the community's buildings", "办公用房在本社区楼栋内"),
             ("buildings once each", "栋楼各归一个社区"), ("once", "栋已归属"), ("one connected piece", "连成一片"),
             ("disconnected", "不连片"), ("connected", "连片"), ("estate", "全小区"), ("households", "户"), ("floor area", "建筑面积"), ("residents", "人"), ("persons", "人"),
             ("workers", "名工作人员"), ("members", "名成员"), ("m²", "㎡"), ("per", "每"))


_GIVEN_ZH = {"staff": "专职人员数", "resident_groups": "居民小组数", "grids": "网格数", "representatives": "居民代表数",
             "office_area_m2": "办公用房面积", "largest_site_m2": "最大一处面积", "office_building": "办公用房所在楼栋"}
# whole readings of the verifier (optimize.verify) with figures in them, translated before the words above
_PATTERNS_ZH = (
    (r"among the buildings nearest its household-weighted centre that house the first (\S+) of its households"
     r"(?: \(≤ ([\d,.]+) m from it\))?",
     lambda m: f"位于最靠近户数加权中心、容纳前{m[1]}住户的楼栋之中" + (f"（距中心不超过 {m[2]} 米）" if m[2] else "")),
    (r"(\S+): ([\d,.]+) m, (\S+) of households nearer", r"\1：距中心 \2 米，更靠近中心的楼栋住户占 \3"),
    (r"\(([\d.,]+)–([\d.,]+) for each of (?:its|the planned) (\d+) groups\)", r"（\3 个居民小组，每组 \1—\2 名）"),
    (r"\(([\d,.]+)–([\d,.]+) households a group, or one a building\)", r"（每个居民小组 \1—\2 户，或一栋楼一个居民小组）"),
    (r"street-level floors 1–2 of (\S+) hold the office", r"\1 的平街1—2层设有办公用房"),
    (r"([\d,.]+) m² street-level", r"平街层 \1 ㎡"),
    (r"the plan proposes ([\d,.]+) ?m²", r"方案拟配 \1 ㎡"),
    (r"the layout marks no street-level space \(street_level_m2\)", "楼栋表未标明平街层面积"),
    (r"no office space planned in the layout \(office_space_m2\)", "楼栋表未规划办公用房"),
    (r"the office's planned space", "规划的办公用房面积"),
    (r"the largest-site minimum", "最大一处的面积下限"),
    (r"some street-level space", "一定的平街层面积"),
    (r"some space", "一定面积"),
    (r"near the household-weighted centre", "靠近户数加权中心"),
    (r"\b(" + "|".join(_GIVEN_ZH) + r") not given", lambda m: f"未给出{_GIVEN_ZH[m[1]]}"),
)


def _identifier(name: str, lang: str) -> str:
    """An engine identifier in words (bases, labels.toml's [terms], services); unknown ones unchanged."""
    if name in BASES:
        return _pick(BASES[name], lang)
    try:
        return term(name, lang)
    except KeyError:
        pass
    try:
        return service(name, lang)
    except KeyError:
        return name


def terms(text: str, lang: str = "zh") -> str:
    """An engine's short reading with its English words in Chinese (English unchanged); in Chinese its
    identifiers (``planned_residents``, ``work_injury``) in words too, rule ids (``CQ-73.x_y``) left."""
    if lang != "zh":
        return text
    import re
    for pattern, zh in _PATTERNS_ZH:
        text = re.sub(pattern, zh, text)
    for en, zh in _TERMS_ZH:
        text = re.sub(rf"(?<!\w){re.escape(en)}(?!\w)" if en[0].isalpha() else re.escape(en), zh, text)
    return re.sub(r"(?<![\w.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.])", lambda m: _identifier(m.group(), lang), text)


# ---- rules and regimes: their words live in standards/data (description_zh, unit_zh, reading_zh,
# label_zh, borrowed_zh, labels.toml); these are the one way a view shows them.

RULE_PARTS = ("description", "reading", "unit", "value")


def rule_text(rule, lang: str = "zh", part: str = "description") -> str:
    """A rule's words in a language: its ``description`` (default), ``reading`` ("" where it has none),
    ``unit`` or ``value`` (the value with its unit, e.g. "每200户1名专职工作人员" / "1 per 200 workers per
    households"). ``rule`` is a ``standards.Rule`` or a rule id of the shipped catalogue."""
    from standards import load_catalog
    from standards.describe import describe_rule

    if part not in RULE_PARTS:
        raise KeyError(part)
    catalog = load_catalog()
    if isinstance(rule, str):
        rule = catalog.rule(rule)
    zh = lang == "zh"
    if part == "description":
        return rule.description_zh if zh else rule.description
    if part == "reading":
        return (rule.reading_zh if zh else rule.reading) or ""
    if part == "unit":
        return rule.unit_zh if zh else rule.unit
    return describe_rule(rule, lang, catalog.labels.get("terms"))


def regime_label(regime, lang: str = "zh") -> str:
    """A regime's name (``standards.Regime``, or its name in the shipped catalogue) in a language."""
    from standards import load_catalog

    if isinstance(regime, str):
        regime = load_catalog().regimes[regime]
    return regime.label_zh if lang == "zh" else regime.label


def borrowed_reason(regime, role: str, lang: str = "zh") -> str:
    """Why the regime fills ``role`` with another document's rule, in a language ("" if it does not)."""
    return (regime.borrowed_zh if lang == "zh" else regime.borrowed).get(role, "")


def shape_label(shape: str, lang: str = "zh") -> str:
    """A value shape's name ("ratio" → "比例（每若干配若干）")."""
    from standards import load_catalog

    return _pick(load_catalog().labels["shapes"][shape], lang)


def notice_line(n, lang: str = "zh") -> str:
    """A rule-date notice (``standards.validity.ValidityNotice``) in a language; English is the CLI's line."""
    if lang != "zh":
        return f"Rule dates: {n.line}"
    from standards import load_catalog

    catalog = load_catalog()
    validity = n.validity
    rule = catalog.rules.get(n.rules[0])
    doc = catalog.documents.get(rule.citation.source) if rule is not None else None
    if doc is not None and validity is not None and validity == doc.validity:
        validity = doc.validity_zh or validity          # a rule's own dates are cited as "<id> <clause>"
    span = (f"自 {n.valid_from} 起有效" if n.valid_until is None else
            f"有效期至 {n.valid_until}" if n.valid_from is None else
            f"有效期 {n.valid_from} 至 {n.valid_until}")
    before = n.valid_from is not None and n.first < n.valid_from
    whole = (n.last < n.valid_from) if before else (n.valid_until is not None and n.first > n.valid_until)
    when = f"{'全部' if whole else '部分'}在其{'生效之前' if before else '失效之后'}"
    source = f"（{validity}）" if validity else ""
    return (f"规则时效：{'、'.join(n.rules)}：{span}{source}；情景期间为 {n.first:%Y-%m} 至 {n.last:%Y-%m}，{when}。"
            "规则仍按原文适用；请核实该规则（或其后续规定）是否仍然有效。")


def rule_date_notices(result, lang: str = "zh") -> tuple[str, ...]:
    """A run's rule-date notices (``estate.pipeline.RunResult``) in a language: the run's own lines in
    English, the same notices in Chinese."""
    if lang != "zh":
        return tuple(result.notices)
    from scenarios.validity import out_of_date_rules

    return tuple(notice_line(n, lang) for n in out_of_date_rules(result.scenario, result.rules))


def plan_explanation(result, lang: str = "zh") -> tuple[str, ...]:
    """Why a split is relaxed or infeasible, in a language. English: the optimizer's own lines. Chinese:
    the optimizer's reasons in Chinese (``Plan.explanation_zh``: each breach, why, and the smallest
    relaxation); for a plan without them, each community outside the community-size band with its
    households, the bound and the rule's citation."""
    plan = result.plan
    if lang != "zh":
        return tuple(plan.explanation)
    if getattr(plan, "explanation_zh", ()):
        return tuple(plan.explanation_zh)
    from standards.formulas import band

    rules = result.rules
    out: list[str] = []
    if rules.has("community_households") and plan.communities:
        rule = rules.role("community_households")
        low, high = band(rule)
        for c in plan.communities:
            if c.households < low or c.households > high:
                side, bound = ("低于下限", low) if c.households < low else ("高于上限", high)
                out.append(f"{c.id}：{c.households:,} 户，{side} {bound:,.0f} 户——{rule_text(rule, 'zh')}"
                           f"（{rule.citation}）")
    if not out:
        out.append("未找到满足不可放宽规则的划分方案（每栋楼恰属一个社区、社区楼栋相邻连片、办公用房在本社区楼栋内），"
                   "或求解器在时限内未给出方案。" if plan.status.value == "infeasible" else
                   "求解器放宽了规则以给出方案；各项未通过的规则见合规检查。")
    return tuple(out)
