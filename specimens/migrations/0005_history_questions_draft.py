"""The draft wording of DOMAIN §6.2's questions. The hospital must approve it;
admins edit it in the admin, so a changed word is data, not a release."""

from django.db import migrations

QUESTIONS = [
    ("lmp", "末次月经第一天是哪天?", "First day of your last period", "date"),
    ("pregnant", "目前是否怀孕?", "Are you pregnant?", "yes_no"),
    ("breastfeeding", "目前是否在哺乳期?", "Are you breastfeeding?", "yes_no"),
    ("menopause", "是否已经绝经?", "Have you reached menopause?", "yes_no"),
    ("iud", "是否放置了宫内节育器(上环)?", "Do you have an IUD (coil)?", "yes_no"),
    (
        "conization",
        "是否做过宫颈锥切或LEEP手术?",
        "Have you had a cone biopsy or LEEP of the cervix?",
        "yes_no",
    ),
    (
        "hysterectomy",
        "是否做过子宫全切手术?",
        "Have you had a total hysterectomy (womb removed)?",
        "yes_no",
    ),
    ("hpv_vaccine", "是否接种过HPV疫苗?", "Have you had the HPV vaccine?", "yes_no"),
    (
        "family_history",
        "母亲、姐妹或女儿是否患过乳腺癌或宫颈癌?",
        "Has your mother, a sister or a daughter had breast or cervical cancer?",
        "yes_no",
    ),
    (
        "contact_bleeding",
        "同房后是否有出血?",
        "Do you bleed after sex?",
        "yes_no",
    ),
    ("breast_lump", "是否摸到乳房肿块?", "Have you felt a lump in a breast?", "yes_no"),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    question = apps.get_model("specimens", "HistoryQuestion")
    for position, (key, text_zh, text_en, kind) in enumerate(QUESTIONS, start=1):
        question.objects.get_or_create(
            key=key,
            defaults={
                "text_zh": text_zh,
                "text_en": text_en,
                "answer_kind": kind,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("specimens", "0004_clinical_history")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
