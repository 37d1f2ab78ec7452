"""The wording of the quarterly notice (季度检查情况通报): builders that turn a run's figures into sentences.

Every figure and every name printed comes from the :class:`ReportContext` (or from figures the office
supplies, :class:`OfficeFigures`); a sentence whose data is missing is left out, never filled with a
guess. The builders return :class:`Para` records (text parts with a font role), so the DOCX writer only
formats and tests read the wording without opening a document.

Standard paragraphs that state no figures (addressees, 下一步工作要求, closing) are data:
``reports/data/notice_requirements.yaml`` or an office's own copy (:func:`load_requirements`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from string import Template
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from govinspect.errors import ConfigError
from govinspect.reports.context import ReportContext, SiteRow, fmt_percent

__all__ = [
    "JiucuoFigures",
    "NewMediaSummary",
    "NoticeText",
    "OfficeFigures",
    "Para",
    "Part",
    "PROBLEM_GROUPS",
    "ProblemGroup",
    "ProblemKind",
    "Requirements",
    "add_working_days",
    "build_notice_text",
    "clean",
    "cn_date",
    "cn_month_day",
    "cn_number",
    "load_figures",
    "load_requirements",
    "notice_title",
    "quarter_label",
    "site_label",
]

# XML 1.0 cannot hold C0 controls (except tab/newline/CR), U+FFFE/U+FFFF or lone surrogates.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")

NAME_CHARS = 80  # a name printed in a sentence; the attachment tables print up to TABLE_CHARS
TABLE_CHARS = 2000

FontRole = Literal["body", "title", "heading", "kai"]
ParaKind = Literal[
    "title", "addressees", "body", "heading", "note", "attachments_list", "signature", "date"
]


def clean(text: object, limit: int = NAME_CHARS) -> str:
    """Text safe for a document: XML-invalid characters dropped, whitespace runs (newlines too) made one
    space, clipped to ``limit`` characters with an ellipsis (the full value stays in the database)."""
    value = _XML_INVALID.sub("", str(text))
    value = _SPACES.sub(" ", value).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1–99; the numbering of headings and quarters)."""
    if not 1 <= n <= 99:
        raise ValueError(f"cn_number supports 1–99, not {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_date(d: date) -> str:
    """2021年6月29日 (成文日期 in Arabic numerals, as GB/T 9704-2012 prescribes)."""
    return f"{d.year}年{d.month}月{d.day}日"


def cn_month_day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def quarter_label(d: date) -> str:
    """The quarter a monitoring date falls in: 2021-06-15 → 2021年第二季度."""
    return f"{d.year}年第{cn_number((d.month - 1) // 3 + 1)}季度"


def notice_title(quarter: str) -> str:
    return f"关于{quarter}全省政府网站与政务新媒体检查情况的通报"


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` official working days after ``start`` (start itself not counted).

    Uses the State Council's holiday calendar (``chinesecalendar``): weekends and public holidays are
    skipped, 调休 make-up days (a Saturday or Sunday declared a working day) count.
    """
    import chinese_calendar

    if days < 0:
        raise ConfigError(f"working days must be 0 or more, not {days}")
    try:
        if days == 0:
            return start
        return chinese_calendar.find_workday(days, start)
    except NotImplementedError as exc:
        raise ConfigError(
            f"the official holiday calendar has no data for the days after {start.isoformat()} ({exc}); "
            "upgrade the chinesecalendar package or give the deadline with --deadline YYYY-MM-DD"
        ) from None


def site_label(name: str) -> str:
    """A site's name as a sentence names it: 雷州市人民政府 → 雷州市人民政府网站."""
    text = clean(name)
    if not text:
        return "（未命名）网站"
    if text.endswith(("网站", "网", "平台", "门户", "…")):
        return text
    return f"{text}网站"


def _short_city(name: str) -> str:
    """广州市 → 广州, as notices list cities; other names unchanged."""
    text = clean(name)
    return text[:-1] if text.endswith("市") and len(text) >= 3 else text


def _join(items: Sequence[str]) -> str:
    return "、".join(items)


# -- inputs --------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JiucuoFigures(_Strict):
    """“我为政府网站找错” messages forwarded in a period (from the platform, not from a crawl)."""

    start: date
    end: date
    messages: int = Field(ge=0)
    on_time_rate: float | None = Field(default=None, ge=0, le=1)  # 按期办结率, 0–1

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: date, info):  # type: ignore[no-untyped-def]
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError("end is before start")
        return end


class OfficeFigures(_Strict):
    """Figures the office supplies that no crawl can see; each sentence is printed only when given."""

    jiucuo: JiucuoFigures | None = None
    consultation_praised: tuple[str, ...] = ()  # units praised for handling 网上咨询 messages


def load_figures(path: Path) -> OfficeFigures:
    """Read office figures from YAML; a bad file names the field to fix."""
    import yaml

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read figures file {path}: {exc}; give a UTF-8 YAML file") from None
    try:
        return OfficeFigures.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ConfigError(
            f"figures file {path}: {where}: {first['msg']}; fix that field (keys: jiucuo.start, jiucuo.end, "
            "jiucuo.messages, jiucuo.on_time_rate from 0 to 1, consultation_praised)"
        ) from None


class RequirementItem(_Strict):
    heading: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Requirements(_Strict):
    """The standard text of the notice (see ``reports/data/notice_requirements.yaml``)."""

    addressees: str
    deadline_working_days: int = Field(ge=0, le=60)
    requirements: tuple[RequirementItem, ...]
    closing: str = ""
    rectification: str = ""


def _join_lines(value: object) -> object:
    if isinstance(value, str):
        return "".join(line.strip() for line in value.splitlines())
    if isinstance(value, list):
        return [_join_lines(v) for v in value]
    if isinstance(value, dict):
        return {k: _join_lines(v) for k, v in value.items()}
    return value


def load_requirements(path: Path | None = None) -> Requirements:
    """The packaged standard text, or an office's edited copy at ``path``."""
    import yaml

    where = str(path) if path else "reports/data/notice_requirements.yaml"
    try:
        if path is None:
            packaged = resources.files("govinspect.reports").joinpath("data/notice_requirements.yaml")
            text = packaged.read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        raw = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read notice text {where}: {exc}; give a UTF-8 YAML file") from None
    try:
        return Requirements.model_validate(_join_lines(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ConfigError(
            f"notice text {where}: {field_name}: {first['msg']}; "
            "start from the packaged notice_requirements.yaml"
        ) from None


@dataclass(frozen=True, slots=True)
class NewMediaSummary:
    """New-media (政务新媒体) results, once runs carry account results: counts and problem accounts."""

    accounts: int
    checked: int
    qualified: int
    problem_names: tuple[str, ...] = ()  # "韶关市“韶关发布”微信公众号" style, in attachment-4 order

    @property
    def pass_rate(self) -> float | None:
        return self.qualified / self.checked if self.checked else None


# -- output records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    text: str
    role: FontRole = "body"
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Para:
    kind: ParaKind
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)

    @classmethod
    def of(cls, kind: ParaKind, text: str, role: FontRole = "body") -> Para:
        return cls(kind, (Part(text, role),))


@dataclass(frozen=True, slots=True)
class NoticeText:
    title: str
    paragraphs: tuple[Para, ...]  # from the addressees line to the date line
    deadline: date | None  # None when nothing is to be rectified
    notes: tuple[str, ...] = field(default=())  # drafting notes, also printed highlighted


# -- 二、发现的主要问题 ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """One sentence of a problem group: the checks it covers and what it says about the example sites."""

    checks: tuple[str, ...]
    predicate: str  # "存在空白栏目": follows the example sites
    detail: Literal["", "columns", "host"] = ""  # what each example names in brackets


@dataclass(frozen=True, slots=True)
class ProblemGroup:
    key: str
    heading: str
    kinds: tuple[ProblemKind, ...]


PROBLEM_GROUPS: tuple[ProblemGroup, ...] = (
    ProblemGroup(
        "maintenance",
        "网站日常运维和监督管理有待加强",
        (
            ProblemKind(("site.unreachable",), "在监测期间无法正常访问"),
            ProblemKind(("homepage.stale",), "首页长期未更新"),
            ProblemKind(("column.stale",), "存在栏目长期未更新问题", "columns"),
            ProblemKind(("column.empty",), "存在空白栏目", "columns"),
            ProblemKind(("content.test_draft",), "发布了测试稿件或占位内容"),
            ProblemKind(("content.wrong_region",), "发布的内容与本地区实际不符"),
            ProblemKind(("content.serious_error",), "存在严重表述错误"),
            ProblemKind(("link.dead", "image.broken"), "存在链接不可用或图片无法显示问题"),
            ProblemKind(("footer.missing",), "页面底部功能区要素不全"),
            ProblemKind(("interaction.missing", "interaction.unanswered"), "互动交流渠道不畅或留言未及时答复"),
            ProblemKind(("service.guide_incomplete",), "办事指南要素不全"),
        ),
    ),
    ProblemGroup(
        "security",
        "个别网站安全保障责任有待落实",
        (
            ProblemKind(("content.spam",), "被植入违法有害信息"),
            ProblemKind(("content.dark_link",), "页面中存在“暗链”"),
            ProblemKind(("privacy.leak",), "公开的信息存在泄露个人隐私问题"),
            ProblemKind(("security.xss_reflected",), "存在反射型跨站脚本漏洞"),
            ProblemKind(("security.exposed",), "存在管理后台或敏感文件对外暴露问题"),
            ProblemKind(("security.tls",), "存在证书或传输安全问题"),
        ),
    ),
    ProblemGroup(
        "jiucuo",
        "“我为政府网站找错”入口设置有待规范",
        (ProblemKind(("jiucuo.missing",), "未全站规范添加“我为政府网站找错”入口"),),
    ),
    ProblemGroup(
        "domain",
        "政府网站域名管理有待规范",
        (ProblemKind(("domain.noncompliant",), "域名不符合政府网站域名管理要求", "host"),),
    ),
)


def _site_examples(
    sites: dict[str, SiteRow], hits: dict[str, list], kind: ProblemKind, max_examples: int
) -> tuple[int, list[str]]:
    """(sites with the problem, up to ``max_examples`` example phrases) — vetoed sites first, then the
    sites with most findings of this kind, then by 网站标识码."""
    order = sorted(hits, key=lambda code: (not sites[code].vetoed, -len(hits[code]), code))
    examples = []
    for code in order[:max_examples]:
        label = site_label(sites[code].name)
        rows = hits[code]
        extra = ""
        if kind.detail == "columns":
            names = list(dict.fromkeys(clean(r.finding.detail.get("column", ""), 30) for r in rows))
            names = [n for n in names if n]
            if names:
                shown = "".join(f"“{n}”" for n in names[:2])
                extra = f"（{shown}{'等' if len(names) > 2 else ''}栏目）"
        elif kind.detail == "host":
            hosts = list(dict.fromkeys(clean(r.finding.detail.get("host", ""), 60) for r in rows))
            hosts = [h for h in hosts if h]
            if hosts:
                extra = f"（{hosts[0]}）"
        examples.append(label + extra)
    return len(order), examples


def problem_paragraphs(
    ctx: ReportContext, *, max_examples: int = 3, new_media: NewMediaSummary | None = None
) -> list[Para]:
    """二、发现的主要问题: one paragraph per group that has findings (veto or deduct, not info), each
    sentence naming at most ``max_examples`` sites. Checks no group lists get a sentence of their own."""
    sites = {s.site_code: s for s in ctx.sites}
    by_check: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in ctx.findings:
        if row.severity == "info" or row.site_code not in sites:
            continue
        by_check[row.check][row.site_code].append(row)

    listed = {check for group in PROBLEM_GROUPS for kind in group.kinds for check in kind.checks}
    groups = list(PROBLEM_GROUPS)
    others = sorted(c for c in by_check if c not in listed and not c.startswith("newmedia."))
    if others:
        from govinspect.reports import labels

        groups.append(
            ProblemGroup(
                "other",
                "其他问题",
                tuple(ProblemKind((c,), f"存在“{clean(labels.check_name(c), 40)}”问题") for c in others),
            )
        )

    out: list[Para] = []
    number = 0
    for group in groups:
        sentences = []
        for kind in group.kinds:
            hits: dict[str, list] = defaultdict(list)
            for check in kind.checks:
                for code, rows in by_check.get(check, {}).items():
                    hits[code].extend(rows)
            if not hits:
                continue
            count, examples = _site_examples(sites, hits, kind, max_examples)
            if count > len(examples):
                sentences.append(f"共有{count}家网站{kind.predicate}，如{_join(examples)}等。")
            else:
                sentences.append(f"{_join(examples)}{kind.predicate}。")
        if not sentences:
            continue
        number += 1
        out.append(
            Para("body", (Part(f"（{cn_number(number)}）{group.heading}。", "kai"), Part("".join(sentences))))
        )
    if new_media is not None and new_media.problem_names:
        number += 1
        names = [clean(n) for n in new_media.problem_names]
        n = len(names)
        shown = names[:max_examples]
        sentence = (
            f"共有{n}个政务新媒体检查不合格，如{_join(shown)}等。" if n > len(shown) else f"{_join(shown)}检查不合格。"
        )
        out.append(
            Para("body", (Part(f"（{cn_number(number)}）政务新媒体运维监管有待完善。", "kai"), Part(sentence)))
        )
    return out


# -- 一、总体情况 ----------------------------------------------------------------------------------


def _rate_one_decimal(rate: float) -> float:
    return round(rate * 100, 1)


def _qoq(current: float, previous: ReportContext | None) -> str:
    """'，较上季度（97.6%）提高1.3个百分点' from the printed (one-decimal) figures, so a reader can check it."""
    if previous is None or previous.overall_pass_rate is None:
        return ""
    cur = _rate_one_decimal(current)
    prev = _rate_one_decimal(previous.overall_pass_rate)
    delta = round(cur - prev, 1)
    shown_prev = fmt_percent(previous.overall_pass_rate)
    if delta > 0:
        return f"，较上季度（{shown_prev}）提高{delta:g}个百分点"
    if delta < 0:
        return f"，较上季度（{shown_prev}）下降{-delta:g}个百分点"
    return f"，与上季度（{shown_prev}）持平"


def _is_city(name: str) -> bool:
    return not name.endswith("（省级）") and name != "未注明地区"


def overall_paragraphs(
    ctx: ReportContext,
    *,
    issuer: str,
    registry_running: int | None = None,
    previous: ReportContext | None = None,
    figures: OfficeFigures | None = None,
    new_media: NewMediaSummary | None = None,
    max_examples: int = 3,
) -> tuple[list[Para], list[str]]:
    """一、总体情况 and the drafting notes its gaps call for.

    ``registry_running`` is how many sites in operation the registry lists: only when the run covers
    them all does the notice say 全覆盖.
    """
    notes: list[str] = []
    t = ctx.totals
    issuer_text = clean(issuer)
    if t.sites == 0:
        notes.append("本次检查批次没有网站检查结果，无法形成总体情况，请核对检查批次。")
        return [], notes

    if registry_running is not None and registry_running == t.sites:
        scope = f"对全省在运行的{t.sites}家政府网站进行了全覆盖检查"
    elif registry_running is not None and registry_running > t.sites:
        scope = f"对全省在运行的{registry_running}家政府网站中的{t.sites}家进行了检查"
        notes.append(
            f"名录中在运行的网站{registry_running}家，本批次检查{t.sites}家，未达到全覆盖，请核实后修改表述。"
        )
    else:
        scope = f"对全省{t.sites}家政府网站进行了检查"
    sentences = [f"本季度，对照国务院办公厅《检查考核指标》，{issuer_text}{scope}"]
    if t.not_scored:
        sentences.append(f"，其中{t.scored}家完成检查")
        unfinished = [clean(s.name, 40) for s in ctx.sites if not s.scored]
        notes.append(
            f"{t.not_scored}家网站检查未完成，未计入合格率：{_join(unfinished[:10])}"
            + ("等" if len(unfinished) > 10 else "")
            + "。请补充检查后重新生成，或在正文中说明。"
        )
    if t.pass_rate is not None:
        basis = f"（按完成检查的{t.scored}家计算）" if t.not_scored else ""
        sentences.append(f"，总体合格率为{fmt_percent(t.pass_rate)}{basis}{_qoq(t.pass_rate, previous)}。")
    else:
        sentences.append("。")

    cities = [r for r in ctx.regions if _is_city(r.name) and r.scored]
    full = [r for r in cities if r.qualified == r.scored]
    if full:
        if len(full) == len(cities) and len(cities) > 1:
            sentences.append("各地级以上市合格率均达100%。")
        else:
            shown = [_short_city(r.name) for r in full[:max_examples]]
            more = "等" if len(full) > len(shown) else ""
            verb = "均达" if len(full) > 1 else "达"
            sentences.append(f"{_join(shown)}{more}{len(full)}个地级以上市合格率{verb}100%。")
    provincial = [r for r in ctx.regions if r.name.endswith("（省级）") and r.scored]
    if provincial and all(r.qualified == r.scored for r in provincial):
        sentences.append("省级政府网站合格率达100%。")
    if t.unqualified:
        sentences.append(
            f"检查发现不合格网站{t.unqualified}家"
            + (f"，其中存在单项否决问题的{t.vetoed}家" if t.vetoed else "")
            + "（名单见附件2）。"
        )
    elif t.scored:
        sentences.append("本季度完成检查的网站均合格。")
    paras = [Para.of("body", "".join(sentences))]

    if figures is not None and figures.jiucuo is not None:
        j = figures.jiucuo
        text = (
            f"{cn_date(j.start)}至{cn_month_day(j.end) if j.end.year == j.start.year else cn_date(j.end)}，"
            f"全省共收到“我为政府网站找错”平台转办的网民留言{j.messages}条"
        )
        if j.on_time_rate is not None:
            text += f"，按期办结率{fmt_percent(j.on_time_rate)}"
        paras.append(Para.of("body", text + "。"))
    else:
        notes.append("未提供“我为政府网站找错”留言办理数据，相关表述已省略；如需通报，请以数据文件提供。")
    if figures is not None and figures.consultation_praised:
        units = [clean(u, 40) for u in figures.consultation_praised]
        shown = units[: max(max_examples, 1) * 2]
        more = "等" if len(units) > len(shown) else ""
        paras.append(
            Para.of(
                "body", f"{_join(shown)}{more}单位积极办理“网上咨询”留言，主动回应群众关切。"
            )
        )

    if new_media is not None and new_media.checked:
        paras.append(
            Para.of(
                "body",
                f"同时，{issuer_text}对全省{new_media.accounts}个政务新媒体进行了检查，"
                f"总体合格率为{fmt_percent(new_media.pass_rate)}。",
            )
        )
    else:
        notes.append("本次检查数据不含政务新媒体，附件3、附件4仅列表头；如另行开展检查，请补充相关内容。")
    if ctx.run_status != "finished":
        notes.append(f"检查批次{clean(ctx.run_id, 60)}尚未完成（状态：{clean(ctx.run_status, 20)}），数据可能不完整。")
    return paras, notes


# -- the whole notice -----------------------------------------------------------------------------


def _template(text: str, **values: str) -> str:
    return Template(text).safe_substitute(values)


def build_notice_text(
    ctx: ReportContext,
    *,
    quarter: str,
    issuer: str,
    issue_date: date,
    requirements: Requirements,
    deadline: date | None = None,
    working_days: int | None = None,
    registry_running: int | None = None,
    previous: ReportContext | None = None,
    figures: OfficeFigures | None = None,
    new_media: NewMediaSummary | None = None,
    max_examples: int = 3,
    attachment_titles: Iterable[str] = (),
) -> NoticeText:
    """Every paragraph of the notice body, addressees to date line, in order.

    The rectification deadline is ``deadline`` when given, else ``issue_date`` plus ``working_days``
    (default: the requirements file's) official working days; it is printed only when problem sites or
    accounts are named.
    """
    if max_examples < 1:
        raise ConfigError(f"max examples must be at least 1, not {max_examples}")
    quarter_text = clean(quarter, 40)
    issuer_text = clean(issuer, 60)
    paras: list[Para] = [Para.of("addressees", clean(requirements.addressees, 300))]
    paras.append(
        Para.of(
            "body",
            "为贯彻落实《国务院办公厅关于印发政府网站发展指引的通知》（国办发〔2017〕47号，以下简称《指引》）"
            "《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知》"
            "（国办秘函〔2019〕19号，以下简称《检查考核指标》）要求，"
            f"{issuer_text}组织开展了{quarter_text}政府网站与政务新媒体检查工作，现将有关情况通报如下。",
        )
    )
    paras.append(Para.of("heading", "一、总体情况", "heading"))
    overall, notes = overall_paragraphs(
        ctx,
        issuer=issuer_text,
        registry_running=registry_running,
        previous=previous,
        figures=figures,
        new_media=new_media,
        max_examples=max_examples,
    )
    paras.extend(overall)

    problems = problem_paragraphs(ctx, max_examples=max_examples, new_media=new_media)
    section = 2
    if problems:
        paras.append(Para.of("heading", f"{cn_number(section)}、发现的主要问题", "heading"))
        paras.extend(problems)
        section += 1
    paras.append(Para.of("heading", f"{cn_number(section)}、下一步工作要求", "heading"))
    for i, item in enumerate(requirements.requirements, start=1):
        text = _template(item.text, issuer=issuer_text, quarter=quarter_text, deadline="")
        paras.append(Para("body", (Part(f"（{cn_number(i)}）{item.heading}。", "kai"), Part(text))))

    has_problems = bool(ctx.totals.unqualified) or bool(new_media and new_media.problem_names)
    closing = _template(requirements.closing, issuer=issuer_text, quarter=quarter_text, deadline="")
    due: date | None = None
    if has_problems and requirements.rectification:
        days = requirements.deadline_working_days if working_days is None else working_days
        due = deadline or add_working_days(issue_date, days)
        if due < issue_date:
            raise ConfigError(
                f"the deadline {due.isoformat()} is before the issue date {issue_date.isoformat()}; "
                "give a later --deadline"
            )
        closing += _template(
            requirements.rectification, issuer=issuer_text, quarter=quarter_text, deadline=cn_month_day(due)
        )
    if closing:
        paras.append(Para.of("body", closing))

    titles = list(attachment_titles)
    if titles:
        paras.append(Para.of("attachments_list", f"附件：1.{titles[0]}"))
        for i, t in enumerate(titles[1:], start=2):
            paras.append(Para.of("attachments_list", f"{i}.{t}"))
    paras.append(Para.of("signature", issuer_text))
    paras.append(Para.of("date", cn_date(issue_date)))
    return NoticeText(
        title=notice_title(quarter_text), paragraphs=tuple(paras), deadline=due, notes=tuple(notes)
    )

