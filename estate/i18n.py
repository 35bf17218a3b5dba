"""Labels in Chinese (the default) and English. Rule citations stay in their original form."""

from __future__ import annotations

LANGUAGES = {"zh": "中文", "en": "English"}

_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("公租房小区规划：情景比较", "Public-rental estate planning: compare scenarios"),
    "language": ("语言", "Language"),
    "scenarios": ("情景", "Scenarios"),
    "pick": ("选择 2–4 个情景进行比较", "Pick 2–4 scenarios to compare"),
    "upload": ("上传情景文件（TOML）或楼栋表（CSV / GeoJSON）", "Upload a scenario (TOML) or a buildings file (CSV / GeoJSON)"),
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
    "cjk_missing": ("未安装中文字体：图表以英文标注。", "No Chinese font is installed: plots are labelled in English."),
}


def t(key: str, lang: str = "zh") -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en
