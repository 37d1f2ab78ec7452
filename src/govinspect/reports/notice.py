"""The quarterly notice (季度检查情况通报) as a DOCX draft the office edits, with 附件1–4.

Layout follows GB/T 9704-2012 (党政机关公文格式): A4, margins top 37 mm, bottom 35 mm, left 28 mm, right
26 mm; title 二号 方正小标宋简体; body 三号 仿宋_GB2312 at a fixed 28.95 pt line (22 lines a page);
一、 headings 黑体, （一） lead sentences 楷体_GB2312; signature and date right-aligned, the date in Arabic
numerals (2021年6月29日); page numbers “— 1 —” in the footer. The attachments follow in landscape
sections, one per attachment, with the pass-rate chart under 附件1.

Fonts: offices have the *_GB2312 and 方正 faces; other machines do not. Each run names its font in the
East Asian slot (``w:eastAsia``, which python-docx does not set by itself) and the document's font table
gives each face a chain of alternatives (``w:altName``: 仿宋_GB2312 → 仿宋 → FangSong → SimSun → Noto
Serif CJK SC) and the GB2312 charset, so Word and LibreOffice substitute a Chinese face rather than a
Latin one. ``fonts="portable"`` names the Noto CJK faces directly, for machines without office fonts.

Drafting notes (编辑提示: what the data could not support, e.g. sites not inspected) are printed at the
top, highlighted, for the editor to act on and delete.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

from govinspect.errors import ConfigError
from govinspect.reports.attachments import (
    ATTACHMENT_TITLES,
    AccountRow,
    AttachmentTable,
    attachment_tables,
    new_media_summary,
)
from govinspect.reports.context import ReportContext
from govinspect.reports.notice_text import (
    NoticeText,
    OfficeFigures,
    Para,
    Requirements,
    build_notice_text,
    clean,
    load_requirements,
    quarter_label,
)

__all__ = [
    "FONT_SETS",
    "Notice",
    "NoticeOptions",
    "build_notice",
    "docx_blocks",
    "write_notice_docx",
]

LINE_PT = 28.95  # fixed line pitch: 22 lines on the GB/T 9704 type area
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 12  # 小四
FOOTER_PT = 14  # 四号
CHART_MM = 150
ROW_MM = 9  # minimum table row height

FontRole = Literal["body", "title", "heading", "kai", "table", "page"]

# role → font named in the runs; the font table chains the alternatives (first to last).
FONT_SETS: dict[str, dict[str, str]] = {
    "office": {
        "body": "仿宋_GB2312",
        "title": "方正小标宋简体",
        "heading": "黑体",
        "kai": "楷体_GB2312",
        "table": "仿宋_GB2312",
        "page": "宋体",
    },
    "portable": {
        "body": "Noto Serif CJK SC",
        "title": "Noto Serif CJK SC",
        "heading": "Noto Sans CJK SC",
        "kai": "Noto Serif CJK SC",
        "table": "Noto Serif CJK SC",
        "page": "Noto Serif CJK SC",
    },
}
FONT_FALLBACKS: dict[str, tuple[str, ...]] = {
    "仿宋_GB2312": ("仿宋", "FangSong", "SimSun", "Noto Serif CJK SC"),
    "方正小标宋简体": ("方正小标宋_GBK", "SimSun", "Noto Serif CJK SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC"),
    "楷体_GB2312": ("楷体", "KaiTi", "SimSun", "Noto Serif CJK SC"),
    "宋体": ("SimSun", "Noto Serif CJK SC"),
    "Noto Serif CJK SC": ("SimSun",),
    "Noto Sans CJK SC": ("SimHei",),
}
_SANS = {"黑体", "SimHei", "Noto Sans CJK SC"}


@dataclass(frozen=True, slots=True)
class NoticeOptions:
    """What the office decides; everything else comes from the run."""

    quarter: str | None = None  # 2021年第二季度; default: the quarter of the run's 监测时间点
    issuer: str = "省政府办公厅"
    issue_date: date | None = None  # default: today
    deadline: date | None = None  # default: issue date + working days
    working_days: int | None = None  # default: the requirements file's deadline_working_days
    max_examples: int = 3  # example sites named per sentence
    max_deductions: int = 3  # deductions listed per site in 附件2
    max_urls: int = 3  # pages listed per problem in 附件2
    fonts: Literal["office", "portable"] = "office"
    drafting_notes: bool = True
    requirements: Requirements | None = None  # default: the packaged notice_requirements.yaml
    figures: OfficeFigures | None = None  # 找错 / 网上咨询 figures, only from the office


@dataclass(frozen=True, slots=True)
class Notice:
    text: NoticeText
    tables: tuple[AttachmentTable, ...]
    quarter: str
    issue_date: date
    options: NoticeOptions = field(default_factory=NoticeOptions)


def build_notice(
    ctx: ReportContext,
    options: NoticeOptions | None = None,
    *,
    registry_sites: Sequence[Any] | None = None,
    previous: ReportContext | None = None,
    accounts: Sequence[AccountRow] = (),
) -> Notice:
    """The notice's wording and attachment tables for one run.

    ``registry_sites``: the registry's sites (coverage and 网站总数 per region); ``previous``: the previous
    quarter's run (环比); ``accounts``: 政务新媒体 results (附件3/4), empty until runs carry them.
    """
    options = options or NoticeOptions()
    if options.fonts not in FONT_SETS:
        raise ConfigError(f"unknown font set {options.fonts!r}: use one of {', '.join(FONT_SETS)}")
    quarter = clean(options.quarter, 40) if options.quarter else quarter_label(ctx.as_of.date())
    if not quarter:
        raise ConfigError("the quarter title is empty: pass --title like 2021年第二季度")
    issue = options.issue_date or date.today()
    requirements = options.requirements or load_requirements()
    running = None
    if registry_sites is not None:
        running = sum(1 for s in registry_sites if str(getattr(s, "status", "running")) == "running")
    tables = attachment_tables(
        ctx,
        quarter=quarter,
        accounts=accounts,
        registry_sites=registry_sites,
        max_deductions=options.max_deductions,
        max_urls=options.max_urls,
    )
    text = build_notice_text(
        ctx,
        quarter=quarter,
        issuer=options.issuer,
        issue_date=issue,
        requirements=requirements,
        deadline=options.deadline,
        working_days=options.working_days,
        registry_running=running,
        previous=previous,
        figures=options.figures,
        new_media=new_media_summary(accounts),
        max_examples=options.max_examples,
        attachment_titles=ATTACHMENT_TITLES,
    )
    return Notice(text=text, tables=tables, quarter=quarter, issue_date=issue, options=options)


# -- DOCX -----------------------------------------------------------------------------------------


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _set_font(run: Any, role: FontRole, fonts: dict[str, str], size: float, *, bold: bool = False) -> None:
    """Font of one run in every slot: ASCII, high ANSI, complex script and East Asian (w:eastAsia)."""
    from docx.shared import Pt

    name = fonts[role]
    run.font.size = Pt(size)
    run.font.bold = bold or None
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        r_fonts.set(_qn(slot), name)
    r_fonts.set(_qn("w:hint"), "eastAsia")


def _add_font_table_entries(doc: Any, fonts: dict[str, str]) -> None:
    """Declare every font used, with its alternative (w:altName) and the GB2312 charset, in the font table."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    declared = {el.get(_qn("w:name")) for el in root.findall(_qn("w:font"))}
    names: list[str] = []
    for name in fonts.values():
        chain = (name, *FONT_FALLBACKS.get(name, ()))
        names.extend(n for n in chain if n not in names)
    for name in names:
        if name in declared:
            continue
        font = etree.SubElement(root, _qn("w:font"))
        font.set(_qn("w:name"), name)
        later = FONT_FALLBACKS.get(name, ())
        if later:
            etree.SubElement(font, _qn("w:altName")).set(_qn("w:val"), later[0])
        etree.SubElement(font, _qn("w:charset")).set(_qn("w:val"), "86")  # GB2312
        etree.SubElement(font, _qn("w:family")).set(_qn("w:val"), "swiss" if name in _SANS else "roman")
        etree.SubElement(font, _qn("w:pitch")).set(_qn("w:val"), "variable")
    # python-docx keeps this part as bytes; replacing them is how a generic part is edited.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(section: Any, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(28)


def _page_number_footer(section: Any, fonts: dict[str, str]) -> None:
    """— 1 — centred in the footer (a PAGE field, so Word and LibreOffice number the pages)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from lxml import etree

    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(para.add_run("— "), "page", fonts, FOOTER_PT)
    field_el = etree.SubElement(para._p, _qn("w:fldSimple"))
    field_el.set(_qn("w:instr"), " PAGE ")
    run = etree.SubElement(field_el, _qn("w:r"))
    etree.SubElement(run, _qn("w:t")).text = "1"
    _set_font(para.add_run(" —"), "page", fonts, FOOTER_PT)


def _format(para: Any, *, indent_chars: float = 0, line_pt: float | None = LINE_PT, align: str = "justify",
            left_chars: float = 0, right_pt: float = 0) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    pf = para.paragraph_format
    pf.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }[align]
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if line_pt is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    pf.first_line_indent = Pt(BODY_PT * indent_chars) if indent_chars else None
    pf.left_indent = Pt(BODY_PT * left_chars) if left_chars else None
    pf.right_indent = Pt(right_pt) if right_pt else None
    pf.widow_control = False


def _text_width_pt(text: str, size: float = BODY_PT) -> float:
    return sum(size if ord(ch) > 0x2E7F else size / 2 for ch in text)


def _highlight(run: Any) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _add_para(doc: Any, para: Para, fonts: dict[str, str], signature_right_pt: float) -> None:
    p = doc.add_paragraph()
    if para.kind == "title":
        _format(p, align="center", line_pt=None)
    elif para.kind == "addressees":
        _format(p, align="justify")
    elif para.kind in ("body", "heading"):
        _format(p, indent_chars=2)
    elif para.kind == "attachments_list":
        first = para.text.startswith("附件：")
        _format(p, indent_chars=2 if first else 0, left_chars=0 if first else 5, align="left")
    elif para.kind == "signature":
        _format(p, align="right", right_pt=signature_right_pt)
    elif para.kind == "date":
        _format(p, align="right", right_pt=BODY_PT * 4)
    else:
        _format(p, indent_chars=2)
    for part in para.parts:
        run = p.add_run(part.text)
        _set_font(run, part.role, fonts, TITLE_PT if part.role == "title" else BODY_PT, bold=part.bold)


def _blank(doc: Any, fonts: dict[str, str]) -> None:
    p = doc.add_paragraph()
    _format(p)
    _set_font(p.add_run(""), "body", fonts, BODY_PT)


def _cell_text(cell: Any, lines: Sequence[str], fonts: dict[str, str], *, bold: bool, align: str) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for i, line in enumerate(lines or ("",)):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        _format(p, line_pt=None, align=align)
        run = p.add_run(line)
        _set_font(run, "heading" if bold else "table", fonts, TABLE_PT)


def _repeat_header(row: Any) -> None:
    from lxml import etree

    tr_pr = row._tr.get_or_add_trPr()
    etree.SubElement(tr_pr, _qn("w:tblHeader")).set(_qn("w:val"), "true")
    etree.SubElement(tr_pr, _qn("w:cantSplit")).set(_qn("w:val"), "true")


def _add_table(doc: Any, table: AttachmentTable, fonts: dict[str, str], width_mm: float) -> None:
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.shared import Mm

    ncols = len(table.header)
    t = doc.add_table(rows=1 + len(table.rows), cols=ncols)
    t.style = doc.styles["Table Grid"]
    t.autofit = False
    total = sum(table.widths)
    widths = [Mm(width_mm * w / total) for w in table.widths]
    for c, column in enumerate(t.columns):
        column.width = widths[c]
    for c, name in enumerate(table.header):
        cell = t.rows[0].cells[c]
        cell.width = widths[c]
        _cell_text(cell, (name,), fonts, bold=True, align="center")
    _repeat_header(t.rows[0])
    last = len(table.rows)
    for r, row in enumerate(table.rows, start=1):
        cells = t.rows[r].cells
        if table.placeholder:
            merged = cells[0].merge(cells[-1])
            text = next((line for cell in row for line in cell if line), "")
            merged.width = Mm(width_mm)
            _cell_text(merged, (text,), fonts, bold=False, align="center")
            continue
        for c, lines in enumerate(row):
            cells[c].width = widths[c]
            align = "left" if len(lines) > 1 or len("".join(lines)) > 16 else "center"
            _cell_text(cells[c], lines, fonts, bold=table.total_row and r == last, align=align)
    for row in t.rows:
        row.height = Mm(ROW_MM)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def write_notice_docx(notice: Notice, path: Path, *, chart_png: bytes | None = None) -> Path:
    """Write the notice and its attachments to ``path`` (a .docx)."""
    import docx
    from docx.enum.section import WD_SECTION
    from docx.shared import Mm

    fonts = FONT_SETS[notice.options.fonts]
    doc = docx.Document()
    _add_font_table_entries(doc, fonts)
    normal = doc.styles["Normal"]
    normal.font.size = docx.shared.Pt(BODY_PT)
    r_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        r_fonts.set(_qn(slot), fonts["body"])

    props = doc.core_properties
    props.title = notice.text.title
    props.author = clean(notice.options.issuer, 60)
    props.last_modified_by = "govinspect"
    props.comments = "草稿：由检查结果生成，印发前请核对。"
    stamp = datetime.combine(notice.issue_date, time(0, 0))
    props.created = stamp
    props.modified = stamp
    props.revision = 1

    section = doc.sections[0]
    _page(section, landscape=False)
    _page_number_footer(section, fonts)

    if notice.options.drafting_notes:
        for note in notice.text.notes:
            p = doc.add_paragraph()
            _format(p, align="left")
            run = p.add_run(f"【编辑提示】{note}")
            _set_font(run, "body", fonts, BODY_PT)
            _highlight(run)

    title = doc.add_paragraph()
    _format(title, align="center", line_pt=None)
    title.paragraph_format.space_before = docx.shared.Pt(BODY_PT)
    _set_font(title.add_run(notice.text.title), "title", fonts, TITLE_PT)
    _blank(doc, fonts)

    date_para = next((p for p in notice.text.paragraphs if p.kind == "date"), None)
    signature = next((p for p in notice.text.paragraphs if p.kind == "signature"), None)
    sig_right = BODY_PT * 4
    if date_para is not None and signature is not None:
        sig_right += max(0.0, (_text_width_pt(date_para.text) - _text_width_pt(signature.text)) / 2)

    for para in notice.text.paragraphs:
        if para.kind == "attachments_list" and para.text.startswith("附件："):
            _blank(doc, fonts)
        if para.kind == "signature":
            _blank(doc, fonts)
            _blank(doc, fonts)
        _add_para(doc, para, fonts, sig_right)

    table_width = 297 - 37 - 35
    for table in notice.tables:
        new = doc.add_section(WD_SECTION.NEW_PAGE)
        _page(new, landscape=True)
        label = doc.add_paragraph()
        _format(label, align="left")
        _set_font(label.add_run(f"附件{table.number}"), "heading", fonts, BODY_PT)
        _blank(doc, fonts)
        head = doc.add_paragraph()
        _format(head, align="center", line_pt=None)
        _set_font(head.add_run(table.title), "title", fonts, TITLE_PT)
        sub = doc.add_paragraph()
        _format(sub, align="center")
        _set_font(sub.add_run(table.subtitle), "kai", fonts, BODY_PT)
        _blank(doc, fonts)
        _add_table(doc, table, fonts, table_width)
        if table.number == 1 and chart_png:
            _blank(doc, fonts)
            pic = doc.add_paragraph()
            _format(pic, align="center", line_pt=None)
            pic.add_run().add_picture(io.BytesIO(chart_png), width=Mm(CHART_MM))
    doc.save(str(path))
    return Path(path)


def docx_blocks(path: Path) -> list[dict[str, Any]]:
    """The document body in order: ``{"p": text}`` for a paragraph, ``{"table": rows of cell texts}`` for a
    table (a cell's paragraphs joined by newlines; a merged cell once). For tests and for re-reading."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(str(path))
    blocks: list[dict[str, Any]] = []
    for child in doc.element.body.iterchildren():
        if child.tag == _qn("w:p"):
            para = Paragraph(child, doc)
            blocks.append({"p": para.text})
        elif child.tag == _qn("w:tbl"):
            table = Table(child, doc)
            rows = []
            for row in table.rows:
                cells = []
                seen: list[Any] = []  # a merged cell appears once per grid column it spans
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append("\n".join(p.text for p in cell.paragraphs))
                rows.append(cells)
            blocks.append({"table": rows})
    return blocks
