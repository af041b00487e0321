"""Seed the result codes (DOMAIN §1.4) and the draft summary rules (DOMAIN §1.4,
§5.2). Both are drafts for the hospital's clinicians, who edit them in the
admin; this migration only fills empty tables and never overwrites an edit."""

from django.db import migrations

CODES = [
    ("hpv", "HPV_NEG", "高危型HPV阴性", "hrHPV negative"),
    ("hpv", "HPV_16_18_POS", "HPV16/18型阳性", "HPV 16/18 positive"),
    ("hpv", "HPV_OTHER_POS", "其他高危型HPV阳性", "Other high-risk HPV type(s) positive"),
    ("hpv", "HPV_INVALID", "标本不合格/检测无效", "Invalid or unsatisfactory"),
    ("cytology", "UNSAT", "标本不满意", "Unsatisfactory specimen"),
    ("cytology", "NILM", "未见上皮内病变或恶性病变", "Negative for intraepithelial lesion or malignancy"),
    ("cytology", "ASC_US", "意义不明确的非典型鳞状细胞", "Atypical squamous cells of undetermined significance"),
    ("cytology", "ASC_H", "非典型鳞状细胞,不除外高级别病变", "Atypical squamous cells, cannot exclude HSIL"),
    ("cytology", "LSIL", "低级别鳞状上皮内病变", "Low-grade squamous intraepithelial lesion"),
    ("cytology", "HSIL", "高级别鳞状上皮内病变", "High-grade squamous intraepithelial lesion"),
    ("cytology", "SCC", "鳞状细胞癌", "Squamous cell carcinoma"),
    ("cytology", "AGC_NOS", "非典型腺细胞(非特指)", "Atypical glandular cells, not otherwise specified"),
    ("cytology", "AGC_FN", "非典型腺细胞(倾向瘤变)", "Atypical glandular cells, favour neoplastic"),
    ("cytology", "AIS", "子宫颈管原位腺癌", "Endocervical adenocarcinoma in situ"),
    ("cytology", "ADENO", "腺癌", "Adenocarcinoma"),
    ("cbe", "CBE_NORMAL", "临床乳腺检查未见异常", "Clinical breast exam normal"),
    ("cbe", "CBE_ABNORMAL", "临床乳腺检查发现异常体征", "Clinical breast exam: abnormal finding"),
]
BIRADS = [
    ("BIRADS_0", "0类:评估不完全", "Incomplete, needs more imaging"),
    ("BIRADS_1", "1类:阴性", "Negative"),
    ("BIRADS_2", "2类:良性发现", "Benign"),
    ("BIRADS_3", "3类:可能良性", "Probably benign"),
    ("BIRADS_4A", "4A类:低度可疑恶性", "Suspicious, low"),
    ("BIRADS_4B", "4B类:中度可疑恶性", "Suspicious, moderate"),
    ("BIRADS_4C", "4C类:高度可疑恶性", "Suspicious, high"),
    ("BIRADS_5", "5类:高度提示恶性", "Highly suggestive of malignancy"),
    ("BIRADS_6", "6类:已活检证实为恶性", "Known biopsy-proven malignancy"),
]
for test in ("breast_ultrasound", "mammography"):
    CODES += [(test, code, zh, en) for code, zh, en in BIRADS]

ABNORMAL_CYTOLOGY = ["ASC_US", "ASC_H", "LSIL", "HSIL", "SCC", "AGC_NOS", "AGC_FN", "AIS", "ADENO"]
HPV_POSITIVE = ["HPV_16_18_POS", "HPV_OTHER_POS"]

CERVIX_NORMAL = (
    "本次宫颈癌筛查未发现异常。请按计划定期复查。",
    "No abnormality found in this cervical screening. Keep up regular screening.",
)
BREAST_NORMAL = (
    "乳腺检查未见异常(或仅为良性改变,如囊肿)。请定期复查。",
    "Breast check normal (or only benign findings such as cysts). Keep regular check-ups.",
)
CELL_CHANGES = (
    "宫颈细胞检查发现需要进一步明确的改变,请尽快按通知完成阴道镜检查。早发现、早处理效果很好。",
    "Your cell test found changes that need a closer look. Please have the colposcopy "
    "soon. Problems found early are very treatable.",
)
BREAST_BIOPSY = (
    "发现需要进一步明确性质的乳腺病灶,医生建议做穿刺活检。很多活检结果是良性的,请尽快按通知就诊。",
    "A breast finding needs a biopsy to clarify what it is. Many biopsies turn out "
    "benign. Please attend promptly.",
)
RESAMPLE = (
    "本次取样细胞量不足,无法判读,需要重新取样。这不代表有异常。",
    "The sample couldn't be read and must be retaken. This does not mean anything is wrong.",
)
COLPO = ("阴道镜检查", "Colposcopy")
URGENT_COLPO = ("尽快做阴道镜检查及活检", "Colposcopy and biopsy, promptly")
BIOPSY = ("乳腺穿刺活检", "Breast biopsy")
URGENT_BIOPSY = ("尽快活检并转专科", "Prompt biopsy and specialist referral")
ROUTINE_CERVIX = ("按期常规筛查(细胞学3年/HPV 5年)", "Routine screening (cytology every 3 years, HPV every 5 years)")
ROUTINE_BREAST = ("按期常规乳腺筛查", "Routine breast screening")

# (test, code, requires_test, requires_codes, conclusion, severity, action, text, days, urgent)
RULES = [
    ("hpv", "HPV_NEG", "", [], "NORMAL", 0, ROUTINE_CERVIX, CERVIX_NORMAL, None, False),
    (
        "hpv", "HPV_16_18_POS", "", [], "REFER", 32, COLPO,
        (
            "检出HPV16/18型。这两种型别风险相对较高,需要做阴道镜检查进一步明确。这不是癌症诊断。",
            "HPV type 16/18 found. These types carry higher risk, so a colposcopy (a magnified "
            "look at the cervix) is needed. This is not a cancer diagnosis.",
        ),
        30, False,
    ),
    (
        "hpv", "HPV_OTHER_POS", "cytology", ["NILM"], "RECALL", 22,
        ("约12个月后复查HPV", "Re-test in about 12 months"),
        (
            "检出高危型HPV感染,但宫颈细胞未见异常。HPV感染很常见,大多数会被免疫系统自行清除,不等于得了宫颈癌。"
            "需要按医生建议复查,以确认病毒是否持续存在。",
            "A high-risk HPV type was found but your cervical cells look normal. HPV is common "
            "and usually clears by itself. This is not cancer. You need a re-test as advised "
            "to check whether it persists.",
        ),
        365, False,
    ),
    (
        "hpv", "HPV_OTHER_POS", "cytology", ABNORMAL_CYTOLOGY, "REFER", 32, COLPO,
        (
            "检出高危型HPV感染,且宫颈细胞有改变,需要做阴道镜检查进一步明确。这不是癌症诊断。",
            "A high-risk HPV type was found and your cervical cells show changes, so a "
            "colposcopy is needed. This is not a cancer diagnosis.",
        ),
        30, False,
    ),
    (
        "hpv", "HPV_OTHER_POS", "", [], "REFER", 30,
        ("宫颈细胞学分流检查", "Cervical cell test (triage)"),
        (
            "检出高危型HPV感染。HPV感染很常见,大多数会自行清除,不等于得了宫颈癌。需要做宫颈细胞检查来决定下一步。",
            "A high-risk HPV type was found. HPV is common and usually clears by itself; this "
            "is not cancer. A cervical cell test will decide the next step.",
        ),
        30, False,
    ),
    ("hpv", "HPV_INVALID", "", [], "RECALL", 20, ("重新取样", "Sample taken again"), RESAMPLE, 30, False),
    ("cytology", "UNSAT", "", [], "RECALL", 20, ("2–4个月后重新取样", "Sample taken again in 2–4 months"), RESAMPLE, 90, False),
    ("cytology", "NILM", "", [], "NORMAL", 0, ROUTINE_CERVIX, CERVIX_NORMAL, None, False),
    (
        "cytology", "ASC_US", "hpv", ["HPV_NEG"], "RECALL", 22,
        ("约12个月后复查", "Re-check in about 12 months"),
        (
            "宫颈细胞有轻微不典型改变,多数与炎症有关;HPV检测为阴性,风险很低。请约12个月后复查。",
            "Slightly unusual cervical cells, usually from inflammation; your HPV test was "
            "negative, so the risk is very low. Please have a re-check in about 12 months.",
        ),
        365, False,
    ),
    (
        "cytology", "ASC_US", "hpv", HPV_POSITIVE, "REFER", 32, COLPO,
        (
            "宫颈细胞有轻微不典型改变,同时检出高危型HPV,需要做阴道镜检查进一步明确。这不是癌症诊断。",
            "Slightly unusual cervical cells together with a high-risk HPV type, so a "
            "colposcopy is needed. This is not a cancer diagnosis.",
        ),
        30, False,
    ),
    (
        "cytology", "ASC_US", "", [], "REFER", 30,
        ("HPV检测或阴道镜检查", "HPV test or colposcopy"),
        (
            "宫颈细胞有轻微不典型改变,多数与炎症或HPV有关,需要结合HPV结果决定下一步。",
            "Slightly unusual cervical cells, often from inflammation or HPV. The next step "
            "depends on your HPV result.",
        ),
        30, False,
    ),
    ("cytology", "LSIL", "", [], "REFER", 32, COLPO, CELL_CHANGES, 30, False),
    ("cytology", "ASC_H", "", [], "REFER", 34, COLPO, CELL_CHANGES, 30, False),
    ("cytology", "HSIL", "", [], "REFER", 38, URGENT_COLPO, CELL_CHANGES, 14, True),
    ("cytology", "AGC_NOS", "", [], "REFER", 38, ("尽快做阴道镜及宫颈管取样", "Colposcopy and endocervical sampling, promptly"), CELL_CHANGES, 14, True),
    ("cytology", "AGC_FN", "", [], "REFER", 38, ("尽快做阴道镜及宫颈管取样", "Colposcopy and endocervical sampling, promptly"), CELL_CHANGES, 14, True),
    ("cytology", "AIS", "", [], "REFER", 38, URGENT_COLPO, CELL_CHANGES, 14, True),
    ("cytology", "SCC", "", [], "REFER", 40, ("尽快阴道镜、活检并转专科", "Urgent colposcopy, biopsy and specialist referral"), CELL_CHANGES, 14, True),
    ("cytology", "ADENO", "", [], "REFER", 40, ("尽快转专科", "Urgent specialist referral"), CELL_CHANGES, 14, True),
    ("cbe", "CBE_NORMAL", "", [], "NORMAL", 0, ROUTINE_BREAST, BREAST_NORMAL, None, False),
    (
        "cbe", "CBE_ABNORMAL", "", [], "REFER", 30,
        ("乳腺超声或其他影像检查", "Breast ultrasound or other imaging"),
        (
            "乳腺体检发现需要进一步明确的情况,需要做乳腺超声或其他影像检查。",
            "The breast exam found something that needs a closer look with an ultrasound or "
            "other imaging.",
        ),
        30, False,
    ),
]
for test in ("breast_ultrasound", "mammography"):
    RULES += [
        (
            test, "BIRADS_0", "", [], "REFER", 30,
            ("补充乳腺X线或其他影像检查", "Additional mammogram or other imaging"),
            (
                "本次影像评估还不完整,需要补做乳腺X线或其他检查。",
                "The imaging assessment is incomplete. You need an extra mammogram or other imaging.",
            ),
            30, False,
        ),
        (test, "BIRADS_1", "", [], "NORMAL", 0, ROUTINE_BREAST, BREAST_NORMAL, None, False),
        (test, "BIRADS_2", "", [], "NORMAL", 0, ROUTINE_BREAST, BREAST_NORMAL, None, False),
        (
            test, "BIRADS_3", "", [], "RECALL", 25,
            ("6个月后复查影像", "Repeat imaging in 6 months"),
            (
                "发现“可能良性”的结节,恶性可能很低(≤2%)。为稳妥起见,需要短期随访:通常6个月后复查超声,"
                "之后医生可能建议再随访一段时间。",
                "A \u201cprobably benign\u201d finding with a very low chance of cancer (\u22642%). To be "
                "safe you need a short-interval follow-up: usually a repeat ultrasound in 6 months, "
                "and possibly further checks after that.",
            ),
            180, False,
        ),
        (test, "BIRADS_4A", "", [], "REFER", 35, BIOPSY, BREAST_BIOPSY, 30, False),
        (test, "BIRADS_4B", "", [], "REFER", 36, BIOPSY, BREAST_BIOPSY, 30, False),
        (test, "BIRADS_4C", "", [], "REFER", 38, URGENT_BIOPSY, BREAST_BIOPSY, 14, True),
        (test, "BIRADS_5", "", [], "REFER", 40, URGENT_BIOPSY, BREAST_BIOPSY, 14, True),
        (
            test, "BIRADS_6", "", [], "CANCER", 60,
            ("专科治疗评估", "Specialist treatment planning"),
            (
                "本次检查与已确诊的乳腺疾病有关,请按专科医生的安排继续治疗和复查。",
                "This check relates to a breast condition already diagnosed. Please continue "
                "treatment and check-ups as your specialist arranges.",
            ),
            14, True,
        ),
    ]


def seed(apps, schema_editor):
    ResultCode = apps.get_model("screening", "ResultCode")
    SummaryRule = apps.get_model("screening", "SummaryRule")
    if not ResultCode.objects.exists():
        ResultCode.objects.bulk_create(
            ResultCode(test=test, code=code, label_zh=zh, label_en=en)
            for test, code, zh, en in CODES
        )
    if not SummaryRule.objects.exists():
        SummaryRule.objects.bulk_create(
            SummaryRule(
                test=test,
                code=code,
                requires_test=requires_test,
                requires_codes=requires_codes,
                conclusion=conclusion,
                severity=severity,
                action_zh=action[0],
                action_en=action[1],
                text_zh=text[0],
                text_en=text[1],
                follow_up_days=days,
                urgent=urgent,
            )
            for (
                test,
                code,
                requires_test,
                requires_codes,
                conclusion,
                severity,
                action,
                text,
                days,
                urgent,
            ) in RULES
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0005_visits_results_follow_up")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
