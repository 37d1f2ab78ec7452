"""footer.missing — 页面底部功能区要素缺失: a required item is not listed in the page-bottom function area."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from pydantic import Field, field_validator

from govinspect.archive.pageview import PageView, node_locator
from govinspect.checks.base import Check, CheckContext, CheckParams, Input, NotApplicable, Scope, SiteView
from govinspect.findings.model import Finding

ITEM_NAMES = {
    "site_code": "网站标识码",
    "icp": "ICP备案编号",
    "police_record": "公安机关备案标识",
    "host_org": "主办单位",
    "contact": "联系方式",
    "conac_logo": "党政机关网站标识",
}

_SPACE = re.compile(r"\s+")
_SITE_CODE_LABEL = re.compile(r"网站标识码[:：]?([A-Za-z0-9]{10})?")
# 粤ICP备05070218号-1, 京ICP备05070218号, 琼ICP备2021001234号
_ICP = re.compile(r"[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新]ICP备\d{6,10}号(?:-\d{1,3})?", re.I)
_POLICE_NO = re.compile(r"公网安备\d{14}号?")
_POLICE_LINK = re.compile(r"//(?:www\.)?beian(?:\.mps)?\.gov\.cn\b", re.I)
_CONTACT = re.compile(
    r"联系电话|联系方式|联系我们|(?:电话|tel)[:：]?[(（]?\d{3,}|邮箱|e-?mail|电子邮件"
    r"|(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@[\w-]{1,63}\.[a-z]{2,}", re.I  # bounded: linear on long text
)
_CONAC_FOOTER = re.compile(r"conac\.cn|dzjg|党政机关", re.I)
_CONAC_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?[^\"'>\s]*dcs\.conac\.cn/js/", re.I)


def squeeze(text: str) -> str:
    """Remove all whitespace (also 全角空格 and &nbsp;) so labels split by spaces still match."""
    return _SPACE.sub("", text)


def sample_pages(view: SiteView, count: int) -> list[PageView]:
    """The homepage plus up to ``count`` other fetched HTML pages, spread evenly over the crawl order."""
    home = view.homepage
    others = [
        p for p in view.pages
        if p is not home and (p.status is None or p.status < 400) and "html" in (p.content_type or "html")
    ]
    if len(others) > count:
        if count <= 0:
            others = []
        elif count == 1:
            others = others[:1]
        else:
            step = (len(others) - 1) / (count - 1)
            others = [others[round(i * step)] for i in range(count)]
    return ([home] if home is not None else []) + others


@dataclass
class FooterArea:
    """The page-bottom function area (底部功能区) of one page, in the forms the detectors need."""

    page: PageView

    @cached_property
    def text(self) -> str:
        return squeeze(self.page.footer_text)

    @cached_property
    def html(self) -> str:
        return self.page.footer_html

    @property
    def seen(self) -> bool:
        return bool(self.page.footer_nodes)

    @property
    def locator(self) -> str:
        nodes = self.page.footer_nodes
        return node_locator(nodes[0]) if nodes else ""


class FooterMissing(Check):
    """底部功能区要素缺失: 网站标识码, ICP备案编号, 公安机关备案标识, 主办单位, 联系方式 or 党政机关网站标识
    not clearly listed in the page-bottom function area (未在全站页面底部功能区清晰列明).

    Checks the homepage and ``sample_pages`` other pages; one finding per missing item per site. The
    网站标识码 must show the registry code (a different code is reported as ``found_code``); a code only
    in the SiteIDCode meta tag is still missing from the footer (``meta_only``). The conac script
    (dcs.conac.cn/js/…) counts wherever it sits, because it draws the logo in place.
    """

    id = "footer.missing"
    scope = Scope.SITE
    inputs = (Input.HOMEPAGE, Input.PAGES)

    class Params(CheckParams):
        sample_pages: int = Field(10, ge=0, le=1000)
        required_items: tuple[str, ...] = tuple(ITEM_NAMES)

        @field_validator("required_items")
        @classmethod
        def _known_items(cls, value: tuple[str, ...]) -> tuple[str, ...]:
            unknown = [v for v in value if v not in ITEM_NAMES]
            if unknown:
                raise ValueError(f"unknown footer item(s) {unknown}; choose from {list(ITEM_NAMES)}")
            return value

    def detectors(self, site_code: str) -> dict[str, Callable[[FooterArea], bool]]:
        def has_site_code(area: FooterArea) -> bool:
            return site_code.lower() in area.text.lower()

        return {
            "site_code": has_site_code,
            "icp": lambda a: _ICP.search(a.text) is not None,
            "police_record": lambda a: _POLICE_NO.search(a.text) is not None or _POLICE_LINK.search(a.html) is not None,
            "host_org": lambda a: "主办" in a.text,
            "contact": lambda a: _CONTACT.search(a.text) is not None or "mailto:" in a.html.lower(),
            "conac_logo": lambda a: _CONAC_FOOTER.search(a.html) is not None
            or _CONAC_SCRIPT.search(a.page.html) is not None,
        }

    def run(self, target: SiteView, ctx: CheckContext) -> Iterator[Finding]:
        areas = [FooterArea(p) for p in sample_pages(target, self.params.sample_pages)]
        areas = [a for a in areas if a.seen]
        if not areas:
            raise NotApplicable("no fetched page with a page-bottom area: fetch the homepage first")
        code = ctx.site.site_code
        detectors = self.detectors(code)
        for item in self.params.required_items:
            missing = [a for a in areas if not detectors[item](a)]
            if not missing:
                continue
            first = missing[0]
            detail: dict[str, object] = {
                "item": item,
                "pages_checked": len(areas),
                "pages_missing": len(missing),
                "missing_pages": [a.page.url for a in missing[:5]],
            }
            reason = f"{ITEM_NAMES[item]} not found in the page-bottom area of {len(missing)} of {len(areas)} pages"
            if item == "site_code":
                shown = {m.group(1) for a in missing for m in _SITE_CODE_LABEL.finditer(a.text) if m.group(1)}
                if shown:
                    detail["found_code"] = sorted(shown)[0]
                    reason += f"; the footer shows {detail['found_code']} instead of the registry code {code}"
                meta_codes = {a.page.meta.get("siteidcode", "").strip().lower() for a in missing}
                detail["meta_only"] = code.lower() in meta_codes
                if detail["meta_only"]:
                    reason += "; the code is only in the SiteIDCode meta tag"
            yield self.finding(
                ctx,
                first.page.url,
                detail=detail,
                excerpt=first.page.footer_text[:300],
                locator=first.locator,
                warc_record=first.page.warc_record_id,
                reason=reason,
            )
