"""Builds ``summary.docx``, the default template of the summary as an official document.

Run ``python -m projections.exports.templates.build_summary_template`` after changing this file; a
test checks that the committed template is what this builds. A bureau does not run it: it
opens ``summary.docx`` in Word, puts its letterhead, wording and styles around the fields
(``{{ figures.closed }}``…, listed in the README) and points ``rectify summary --template`` at
its copy.

The layout is GB/T 9704-2012's: A4, text block 156 mm × 225 mm (top margin 37 mm, left 28 mm),
title in 2号小标宋, body in 3号仿宋 on 22 lines of 28 characters, level-one headings in 黑体,
page numbers in 4号宋体 as “— 1 —” below the text block, right on odd pages and left on even.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph

from projections.exports.workbook import stable_zip

TEMPLATE = Path(__file__).with_name("summary.docx")
LINE_PITCH = Pt(28.95)
"""225 mm of text block over 22 lines."""
BODY, TITLE, HEADING, SUBHEADING, TABLE, CAPTION, SIGNATURE = (
    "公文正文", "公文标题", "一级标题", "二级标题", "表格文字", "表格标题", "落款")


def _style(document: DocumentObject, name: str, east_asian: str, points: float, *,
           bold: bool = False, indent: bool = True, spacing: Pt = LINE_PITCH,
           align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
           on_grid: bool = False) -> ParagraphStyle:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = document.styles["Normal"]
    style.font.name, style.font.size, style.font.bold = "Times New Roman", Pt(points), bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    paragraph = style.paragraph_format
    paragraph.line_spacing_rule, paragraph.line_spacing = WD_LINE_SPACING.EXACTLY, spacing
    paragraph.space_before = paragraph.space_after = Pt(0)
    paragraph.first_line_indent = Pt(points * 2) if indent else Pt(0)
    paragraph.alignment = align
    paragraph.widow_control = False  # a fixed grid of 22 lines: no line moves for widows
    if on_grid:
        # 28 characters to a 156 mm line: 3号 (16 pt) drawn 0.25 pt closer together
        style.element.get_or_add_rPr().insert_element_before(
            _element("w:spacing", val="-5"), *_AFTER_RUN_SPACING)
    else:  # tables, captions and the title keep their own line height, off the body's grid
        style.element.get_or_add_pPr().insert_element_before(
            _element("w:snapToGrid", val="0"), *_AFTER_SNAP_TO_GRID)
    return style


# Word refuses a part whose elements are out of the schema's order: what must follow each one
_AFTER_RUN_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
                      "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
                      "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
_AFTER_SNAP_TO_GRID = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
                       "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                       "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
                       "w:sectPr", "w:pPrChange")
_AFTER_CELL_MARGINS = ("w:tblLook", "w:tblCaption", "w:tblDescription")


def _element(tag: str, **attributes: str) -> Any:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _styles(document: DocumentObject) -> None:
    # Chinese glyphs, not Japanese ones, where a fallback font has both
    document.styles["Normal"].element.get_or_add_rPr().append(
        _element("w:lang", val="zh-CN", eastAsia="zh-CN"))
    _style(document, BODY, "仿宋", 16, on_grid=True)
    _style(document, TITLE, "方正小标宋简体", 22, indent=False, spacing=Pt(36),
           align=WD_ALIGN_PARAGRAPH.CENTER)
    for name, face in ((HEADING, "黑体"), (SUBHEADING, "楷体")):
        _style(document, name, face, 16, on_grid=True).paragraph_format.keep_with_next = True
    _style(document, TABLE, "仿宋", 12, indent=False, spacing=Pt(18),
           align=WD_ALIGN_PARAGRAPH.CENTER)
    caption = _style(document, CAPTION, "黑体", 14, indent=False, spacing=Pt(24),
                     align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format
    caption.keep_with_next, caption.space_before = True, Pt(12)
    _style(document, SIGNATURE, "仿宋", 16, indent=False, on_grid=True,
           align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = Pt(64)


def _page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    section.start_type = WD_SECTION.NEW_PAGE
    grid = section._sectPr.find(qn("w:docGrid"))  # the 22-line grid Word snaps the body to
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    """— N —, one character in from the text block's edge."""
    paragraph.alignment = align
    indent = Pt(14)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = indent
    else:
        paragraph.paragraph_format.left_indent = indent
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind is not None:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)
    paragraph.add_run(" —")
    for each in paragraph.runs:
        each.font.name, each.font.size = "宋体", Pt(14)
        each._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def _table(document: DocumentObject, headers: list[str], cells: list[str], loop: str,
           widths: list[float], left: tuple[int, ...] = (), points: float | None = None) -> None:
    """A bordered table: a header row, then one row per item of ``loop`` (docxtpl ``{%tr %}``);
    the columns in ``left`` hold running text, set flush left rather than centred; ``points``
    sets a smaller type where many columns share the width."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    margins = _element("w:tblCellMar")  # 1 mm each side, so that four-character headers fit
    for side in ("left", "right"):
        margins.append(_element(f"w:{side}", w="57", type="dxa"))
    table._tbl.tblPr.insert_element_before(margins, *_AFTER_CELL_MARGINS)
    rows = table.rows
    for column, width in enumerate(widths):
        table.columns[column].width = Mm(width)
        for row in rows:
            row.cells[column].width = Mm(width)
    for column, (header, cell) in enumerate(zip(headers, cells, strict=True)):
        for row, text in ((0, header), (2, cell)):
            rows[row].cells[column].text = text
            for paragraph in rows[row].cells[column].paragraphs:
                paragraph.style = document.styles[TABLE]
                for run in paragraph.runs:
                    run.font.size = Pt(points) if points else None
                if row == 0:
                    for run in paragraph.runs:
                        run.bold = True
                elif column in left:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    rows[3].cells[0].text = "{%tr endfor %}"
    rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # again on every page
    rows[2]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row on one page


def _p(document: DocumentObject, text: str, style: str = BODY) -> Paragraph:
    return document.add_paragraph(text, style=style)


def _content(document: DocumentObject) -> None:
    _p(document, "{{ title }}", TITLE)
    _p(document, "", BODY)
    _p(document, "按照行政执法突出问题专项整治工作部署，{{ who }}对照整治重点，全面开展问题排查，"
                 "逐项推进整改。截至{{ as_of }}，有关情况总结如下。")
    _p(document, "一、问题排查情况", HEADING)
    _p(document, "{{ who }}共收集行政执法突出问题{{ figures.reported }}个，其中应整改"
                 "{{ figures.to_rectify }}个（不予受理和重复反映的问题不计入）。"
                 "按来源分：{{ channels_text }}。按类别分：{{ categories_text }}。")
    _p(document, "{%p if typical_cases %}")
    _p(document, "（一）典型问题", SUBHEADING)
    _p(document, "{%p for case in typical_cases %}")
    _p(document, "{{ loop.index }}. {{ case }}")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endif %}")
    _p(document, "{%p if causes %}")
    _p(document, "（{{ '二' if typical_cases else '一' }}）问题成因", SUBHEADING)
    _p(document, "{%p for cause in causes %}")
    _p(document, "{{ loop.index }}. {{ cause }}")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endif %}")
    _p(document, "二、问题整改情况", HEADING)
    _p(document, "已整改销号{{ figures.closed }}个，销号率{{ closure_rate }}；其中按期销号"
                 "{{ figures.closed_on_time }}个，按期销号率{{ on_time_rate }}。立行立改"
                 "{{ plans.immediate }}个；制定整改路线图、仍在推进的{{ plans.roadmap_open }}个。"
                 "销号后因反弹等原因重新打开的{{ figures.reopened }}个。")
    _p(document, "{%p if rectification_plans %}")
    _p(document, "制定整改方案、工作方案{{ rectification_plans|length }}个：")
    _p(document, "{%p for plan in rectification_plans %}")
    _p(document, "{{ loop.index }}. {{ plan }}")
    _p(document, "{%p endfor %}")
    _p(document, "{%p endif %}")
    _p(document, "三、督办、通报和群众举报答复情况", HEADING)
    _p(document, "收到督办{{ figures.orders }}件，已回复{{ notices.orders_answered }}件；"
                 "通报{{ figures.circulars }}件，已回复{{ notices.circulars_answered }}件"
                 "{{ notices.late_text }}。收到群众举报{{ figures.public_reports }}件，"
                 "已答复{{ figures.answered }}件。{% if figures.satisfied is defined %}回访中，"
                 "满意{{ figures.satisfied }}件、基本满意{{ figures.basically_satisfied }}件、"
                 "不满意{{ figures.dissatisfied }}件。{% endif %}")
    _p(document, "四、建立长效机制情况", HEADING)
    _p(document, "{%p if mechanisms %}")
    _p(document, "{%p for mechanism in mechanisms %}")
    _p(document, "{{ loop.index }}. {{ mechanism }}")
    _p(document, "{%p endfor %}")
    _p(document, "{%p else %}")
    _p(document, "（待补充：针对排查出的问题建立的制度机制。）")
    _p(document, "{%p endif %}")
    _p(document, "五、尚未完成整改的问题", HEADING)
    _p(document, "{%p if open_items %}")
    _p(document, "尚有{{ open_items|length }}个问题正在整改，其中已超过整改时限的"
                 "{{ figures.overdue }}个。逐项明确责任和时限如下：")
    _p(document, "表1  未完成整改的问题", CAPTION)
    _table(document, ["序号", "单位", "问题", "责任部门", "责任领导", "整改时限", "状态"],
           ["{{ item.no }}", "{{ item.unit }}", "{{ item.problem }}", "{{ item.department }}",
            "{{ item.leader }}", "{{ item.deadline }}", "{{ item.remarks }}"],
           "item in open_items", [14, 20, 40, 21, 21, 21, 19], left=(2, 6))
    _p(document, "", TABLE)
    _p(document, "{%p else %}")
    _p(document, "排查出的问题已全部整改销号。")
    _p(document, "{%p endif %}")
    _p(document, "六、下一步工作", HEADING)
    _p(document, "（待补充。）")
    _p(document, "", BODY)
    _p(document, "{{ issuer }}", SIGNATURE)
    _p(document, "{{ signed_on }}", SIGNATURE)
    _p(document, "附表：专项整治数据", CAPTION).paragraph_format.page_break_before = True
    _p(document, "表2  总体情况（{{ who }}）", CAPTION)
    _table(document, ["项目", "数量"], ["{{ row.label }}", "{{ row.value }}"],
           "row in figures_table", [80, 40])
    _p(document, "{%p if units %}")
    _p(document, "表3  各单位情况", CAPTION)
    _table(document, ["单位", "问题总数", "应整改", "已销号", "按期销号", "当前超期", "督办",
                      "通报"],
           ["{{ u.unit }}", "{{ u.reported }}", "{{ u.to_rectify }}", "{{ u.closed }}",
            "{{ u.closed_on_time }}", "{{ u.overdue }}", "{{ u.orders }}", "{{ u.circulars }}"],
           "u in units", [30, 18, 18, 18, 18, 18, 18, 18], left=(0,), points=10.5)
    _p(document, "{%p endif %}")
    _p(document, "表{{ 4 if units else 3 }}  按问题类别", CAPTION)
    _table(document, ["问题类别", "问题数"], ["{{ row.label }}", "{{ row.count }}"],
           "row in categories", [120, 30], left=(0,))
    _p(document, "表{{ 5 if units else 4 }}  按问题来源", CAPTION)
    _table(document, ["问题来源", "问题数"], ["{{ row.label }}", "{{ row.count }}"],
           "row in channels", [80, 30])


def build() -> bytes:
    document = Document()
    _styles(document)
    _page(document)
    _content(document)
    document.core_properties.author = "rectify"
    document.core_properties.title = "行政执法突出问题专项整治工作总结"
    raw = io.BytesIO()
    document.save(raw)
    return stable_zip(raw.getvalue())


if __name__ == "__main__":
    TEMPLATE.write_bytes(build())
