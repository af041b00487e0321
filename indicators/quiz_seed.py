"""A first draft of the core-knowledge quiz (DOMAIN §6.5: causes, HPV, symptoms,
screening interval, vaccine). Clinical wording the hospital must approve: it is
data, edited in the admin, and this only writes it once."""

from __future__ import annotations

from typing import Any

# (question zh, question en, [(answer zh, answer en, correct), ...])
QUESTIONS: list[tuple[str, str, list[tuple[str, str, bool]]]] = [
    (
        "宫颈癌的主要病因是什么?",
        "What mainly causes cervical cancer?",
        [
            ("高危型HPV持续感染", "Lasting infection with high-risk HPV", True),
            ("着凉受寒", "Catching a cold", False),
            ("不知道", "I don't know", False),
        ],
    ),
    (
        "接种HPV疫苗后还需要定期做宫颈癌筛查吗?",
        "After the HPV vaccine, do you still need cervical screening?",
        [
            ("需要", "Yes", True),
            ("不需要", "No", False),
            ("不知道", "I don't know", False),
        ],
    ),
    (
        "以下哪项可能是乳腺癌的早期信号?",
        "Which may be an early sign of breast cancer?",
        [
            ("乳房无痛性肿块", "A painless lump in the breast", True),
            ("偶尔头痛", "An occasional headache", False),
            ("不知道", "I don't know", False),
        ],
    ),
    (
        "同房后出血需要就医吗?",
        "Should bleeding after sex be checked by a doctor?",
        [
            ("需要尽快就医", "Yes, soon", True),
            ("不需要", "No", False),
            ("不知道", "I don't know", False),
        ],
    ),
    (
        "HPV检测阴性的女性,一般多久再筛查一次?",
        "After a negative HPV test, when is the next screening usually due?",
        [
            ("约5年", "In about 5 years", True),
            ("一辈子不用再查", "Never again", False),
            ("不知道", "I don't know", False),
        ],
    ),
]


def seed_quiz(version_model: Any, question_model: Any, choice_model: Any) -> None:
    if version_model.objects.exists():
        return
    version = version_model.objects.create(
        number=1,
        title_zh="两癌防治核心知识小问卷(草稿,待医院审定)",
        title_en="Two-cancer core knowledge (draft for the hospital to approve)",
        is_current=True,
    )
    for order, (text_zh, text_en, answers) in enumerate(QUESTIONS, start=1):
        question = question_model.objects.create(
            version=version, order=order, text_zh=text_zh, text_en=text_en
        )
        for n, (a_zh, a_en, correct) in enumerate(answers, start=1):
            choice_model.objects.create(
                question=question, order=n, text_zh=a_zh, text_en=a_en, correct=correct
            )
