"""整治重点归类: which of the 13 categories a free-text report is about, when nobody said."""

from __future__ import annotations

from events.vocabulary import Category

_KEYWORDS: dict[Category, tuple[str, ...]] = {
    Category.PROCEDURE: ("程序", "执法主体", "告知", "陈述申辩", "听证", "未出示证件"),
    Category.OVER_INSPECTION: ("频次", "多头检查", "重复检查", "检查多", "检查乱", "反复检查",
                               "多次检查"),
    Category.INACTION_OR_ARBITRARY: ("不作为", "乱作为", "未见处理", "未见查处", "不处理",
                                     "推诿", "不受理", "无人处理"),
    Category.ONE_SIZE_FITS_ALL: ("一刀切", "运动式", "一律关停", "一律停产", "一律断电",
                                 "一律责令"),
    Category.IMPROPER_INTENSITY: ("过度执法", "执法不严", "执法不到位", "选择性执法", "逐利",
                                  "驱利", "罚款指标", "以罚代管"),
    Category.DOCUMENTS: ("文书", "决定书", "通知书", "法律条款", "引用条款"),
    Category.OVERDUE_CASES: ("超期", "超过法定期限", "逾期办结", "久拖不决"),
    Category.CASE_FILES: ("案卷", "卷宗", "归档", "装订", "送达回证"),
    Category.FAULT_LIABILITY: ("过错责任", "责任追究", "问责"),
    Category.THREE_SYSTEMS: ("三项制度", "公示", "全过程记录", "记录仪", "法制审核", "法制审查"),
    Category.UNCIVIL: ("粗暴", "不文明", "态度", "辱骂", "呵斥", "言语"),
    Category.CAPABILITY: ("能力不足", "法律素养", "执法证", "培训", "不熟悉", "业务水平"),
}


def infer_category(problem: str, case: str = "") -> Category:
    """The category whose keywords the text names most (the problem counts double), else other."""
    scores = {
        category: sum(2 * problem.count(k) + case.count(k) for k in keywords)
        for category, keywords in _KEYWORDS.items()
    }
    best = max(scores, key=lambda category: scores[category])
    return best if scores[best] > 0 else Category.OTHER


def category_from(text: str | None, problem: str, case: str = "") -> tuple[Category, bool]:
    """The category named in ``text`` (code, label or 1–13), else inferred; and whether inferred."""
    if text and text.strip():
        wanted = text.strip()
        if wanted.isdigit() and 1 <= int(wanted) <= len(Category):
            return list(Category)[int(wanted) - 1], False
        try:
            return Category(Category.parse(wanted)), False
        except ValueError:
            pass
    return infer_category(problem, case), True
