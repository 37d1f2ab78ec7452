"""Registry records: a government website (Site) and a new-media account (Account)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class SiteKind(StrEnum):
    PORTAL = "portal"  # 门户网站
    DEPARTMENT = "department"  # 部门网站


class SiteStatus(StrEnum):
    RUNNING = "running"
    CLOSED = "closed"  # 关停


class Site(BaseModel):
    """One government website as the registry lists it."""

    model_config = ConfigDict(frozen=True)

    site_code: str  # 网站标识码: 6-digit division code + 4 digits, or bm + 8 digits
    name: str  # 网站名称
    homepage: str  # 首页网址, absolute http(s) URL
    region: str  # 广东省/湛江市/雷州市
    host_org: str  # 主办单位
    kind: SiteKind
    status: SiteStatus = SiteStatus.RUNNING
    has_services: bool = True  # False: department without external services (75 × 4/3 rule)

    @property
    def region_parts(self) -> list[str]:
        return [p for p in self.region.split("/") if p]

    @property
    def province(self) -> str:
        parts = self.region_parts
        return parts[0] if parts else ""

    @property
    def city(self) -> str:
        """The city (地级市) the site belongs to; a provincial site reports its province."""
        parts = self.region_parts
        return parts[1] if len(parts) > 1 else (parts[0] if parts else "")

    @property
    def division_prefix(self) -> str | None:
        """The 6-digit administrative division code inside the site code, or None for ``bm`` codes."""
        return self.site_code[:6] if self.site_code[:6].isdigit() else None


class AccountStatus(StrEnum):
    RUNNING = "running"  # 运行
    CLOSED = "closed"  # 关停 (停更公告 published, not yet cancelled)
    CANCELLED = "cancelled"  # 注销


PLATFORM_LABELS = {
    "wechat": "微信公众号",
    "weibo": "微博",
    "douyin": "抖音",
    "toutiao": "头条号",
    "kuaishou": "快手",
    "bilibili": "哔哩哔哩",
    "app": "移动客户端",
    "mini_program": "小程序",
    "other": "其他",
}


class Account(BaseModel):
    """One government new-media account (政务新媒体)."""

    model_config = ConfigDict(frozen=True)

    account_id: str
    name: str
    platform: str  # wechat / weibo / douyin / toutiao / app / ...
    region: str
    host_org: str
    homepage: str = ""  # profile page or feed URL (RSS/Atom, JSON, or an HTML post list)
    status: AccountStatus = AccountStatus.RUNNING
    filing_no: str = ""  # 备案编号 in 全国政务新媒体信息报送系统, as the registry lists it

    @property
    def platform_label(self) -> str:
        """The platform's Chinese name for reports (微信公众号, 微博 …)."""
        return PLATFORM_LABELS.get(self.platform, self.platform)

    @property
    def running(self) -> bool:
        return self.status == AccountStatus.RUNNING
