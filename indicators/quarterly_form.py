# ruff: noqa: E501 - the national form's rows, one per line
"""The rows, rates and logic checks of the quarterly programme table (DOMAIN §6.4),
as data: the 2010 national quarterly form's items, in its order."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from indicators.measures import TARGET

_BI = ("0", "1", "2", "3", "4a", "4b", "4c", "5")

# (section, code, 中文, English, measure). Items the programme does not record
# (Pap classes, VIA/VILI) are zero rows, as the form still has them (DOMAIN §1.4.2).
ROWS: list[tuple[str, str, str, str, str | None]] = [
    ("basic", "target", "应查人数", "Target population", TARGET),
    ("basic", "screened", "实查人数", "Women screened", "screened"),
    ("basic", "normal", "正常人数", "Women normal", "normal"),
    ("cervix", "pap", "巴氏分级报告人数", "Pap class reports", None),
    ("cervix", "tbs", "TBS分类报告人数", "TBS cytology reports", "cytology_tested"),
    ("cervix", "tbs_abnormal", "细胞学≥ASC-US人数", "Cytology ASC-US or worse", "cytology_abnormal"),
    ("cervix", "via", "VIA/VILI检查人数", "VIA/VILI examined", None),
    ("cervix", "via_abnormal", "VIA/VILI异常人数", "VIA/VILI abnormal", None),
    ("cervix", "hpv", "HPV检测人数", "hrHPV tested", "hpv_tested"),
    ("cervix", "hpv_positive", "HPV阳性人数", "hrHPV positive", "hpv_positive"),
    ("cervix", "hpv_16_18", "其中HPV16/18阳性", "of which HPV 16/18", "hpv_16_18_positive"),
    ("cervix", "colpo_referred", "应行阴道镜人数", "Referred for colposcopy", "colposcopy_referred"),
    ("cervix", "colpo_done", "实行阴道镜人数", "Colposcopy done", "colposcopy_done"),
    ("cervix", "biopsy", "组织病理检查人数", "Cervical biopsies", "cervix_biopsied"),
    ("cervix", "cin1", "CIN1", "CIN1", "cin1"),
    ("cervix", "cin2", "CIN2", "CIN2", "cin2"),
    ("cervix", "cin3", "CIN3", "CIN3", "cin3"),
    ("cervix", "ais", "原位腺癌(AIS)", "Adenocarcinoma in situ", "ais"),
    ("cervix", "microinvasive", "微小浸润癌", "Micro-invasive carcinoma", "microinvasive"),
    ("cervix", "invasive", "浸润癌", "Invasive carcinoma", "invasive_cervical"),
    ("breast", "cbe", "临床乳腺检查人数", "Clinical breast exams", "cbe_examined"),
    ("breast", "us", "乳腺超声检查人数", "Breast ultrasound", "us_examined"),
    *[("breast", f"us_{c}", f"超声BI-RADS {c.upper()}类", f"Ultrasound BI-RADS {c.upper()}",
       f"us_birads_{c}") for c in _BI],
    ("breast", "mg", "乳腺X线检查人数", "Mammography", "mammography_examined"),
    *[("breast", f"mg_{c}", f"X线BI-RADS {c.upper()}类", f"Mammography BI-RADS {c.upper()}",
       f"mg_birads_{c}") for c in _BI],
    ("breast", "breast_cancer", "乳腺癌(含原位癌)", "Breast cancer (in situ included)", "breast_cancer"),
    ("breast", "breast_in_situ", "其中原位癌", "of which in situ", "breast_early"),
    ("knowledge", "surveyed", "核心知识调查人数", "Women surveyed", "quiz_surveyed"),
    ("knowledge", "aware", "知晓人数", "Aware (知晓)", "quiz_aware"),
    ("knowledge", "partial", "部分知晓人数", "Partly aware (部分知晓)", "quiz_partial"),
]  # fmt: skip
# Rates per 10万 under the counts: (code, 中文, English, numerator, denominator).
RATES = [
    ("precancer_per_100k", "宫颈癌前病变检出率(/10万)", "Cervical precancer per 100,000",
     "cervical_precancer", "cervix_screened"),
    ("cervical_cancer_per_100k", "宫颈癌检出率(/10万)", "Cervical cancer per 100,000",
     "cervical_cancer", "cervix_screened"),
    ("breast_cancer_per_100k", "乳腺癌检出率(/10万)", "Breast cancer per 100,000",
     "breast_cancer", "breast_screened"),
]  # fmt: skip

# (code, larger, smaller-or-sum, words): the logic checks. Each larger side must
# be at least the sum of its smaller side.
CHECKS: list[tuple[str, str, tuple[str, ...], Promise]] = [
    ("target_ge_screened", "target", ("screened",), _("应查 ≥ 实查 (target ≥ screened)")),
    ("screened_ge_normal", "screened", ("normal",), _("实查 ≥ 正常 (screened ≥ normal)")),
    ("screened_ge_tbs", "screened", ("tbs",), _("实查 ≥ TBS reports")),
    ("screened_ge_hpv", "screened", ("hpv",), _("实查 ≥ HPV tested")),
    ("tbs_ge_abnormal", "tbs", ("tbs_abnormal",), _("TBS reports ≥ abnormal cytology")),
    ("hpv_ge_positive", "hpv", ("hpv_positive",), _("HPV tested ≥ HPV positive")),
    ("positive_ge_16_18", "hpv_positive", ("hpv_16_18",), _("HPV positive ≥ HPV 16/18")),
    ("referred_ge_colposcopy", "colpo_referred", ("colpo_done",), _("colposcopy referred ≥ done")),
    ("colposcopy_ge_biopsy", "colpo_done", ("biopsy",), _("colposcopy done ≥ biopsies")),
    ("biopsy_ge_pathology", "biopsy",
     ("cin1", "cin2", "cin3", "ais", "microinvasive", "invasive"),
     _("biopsies ≥ CIN1 + CIN2 + CIN3 + AIS + cancers")),
    ("screened_ge_cbe", "screened", ("cbe",), _("实查 ≥ clinical breast exams")),
    ("screened_ge_us", "screened", ("us",), _("实查 ≥ breast ultrasound")),
    ("us_ge_birads", "us", tuple(f"us_{c}" for c in _BI), _("ultrasound ≥ its BI-RADS categories")),
    ("mg_ge_birads", "mg", tuple(f"mg_{c}" for c in _BI), _("mammography ≥ its BI-RADS categories")),
    ("cancer_ge_in_situ", "breast_cancer", ("breast_in_situ",), _("breast cancers ≥ in situ")),
    ("surveyed_ge_aware", "surveyed", ("aware", "partial"), _("surveyed ≥ aware + partly aware")),
]  # fmt: skip
