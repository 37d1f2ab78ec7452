"""Chinese names used in reports: check ids, severities, site kinds, detail values, indicators.

The rule profile names its indicators itself (``PointLoss.name``); :data:`INDICATOR_NAMES` is only the
fallback for an indicator id no score line names (e.g. an info-only finding). Unknown ids are shown as
the id itself, never dropped, so a new check is reported before its label is added here.
"""

from __future__ import annotations

CHECK_NAMES: dict[str, str] = {
    "site.unreachable": "站点无法访问",
    "homepage.stale": "首页不更新",
    "column.stale": "栏目不更新",
    "column.empty": "空白栏目",
    "link.dead": "链接不可用",
    "image.broken": "图片无法显示",
    "footer.missing": "页面底部功能区要素缺失",
    "jiucuo.missing": "未添加“我为政府网站找错”入口",
    "domain.noncompliant": "域名不规范",
    "content.spam": "违法有害信息",
    "content.dark_link": "暗链",
    "content.test_draft": "发布测试稿件",
    "content.wrong_region": "内容张冠李戴",
    "content.serious_error": "严重表述错误",
    "privacy.leak": "泄露个人隐私",
    "security.xss_reflected": "反射型跨站脚本漏洞",
    "security.exposed": "管理后台或敏感文件对外暴露",
    "security.tls": "证书或传输安全问题",
    "security.headers": "缺少安全响应头",
    "interaction.unanswered": "留言超期未答复",
    "interaction.missing": "无有效互动交流渠道",
    "service.guide_incomplete": "办事指南要素缺失",
    "newmedia.stale": "政务新媒体内容不更新",
    "newmedia.never_posted": "政务新媒体开设以来未发布内容",
    "newmedia.unanswered": "政务新媒体互动回应差",
    "newmedia.menu_broken": "政务新媒体菜单或链接无法访问",
    "newmedia.unfiled": "政务新媒体未按要求报备",
}

SEVERITY_NAMES: dict[str, str] = {
    "veto": "单项否决",
    "deduct": "扣分",
    "info": "提示",
}

SITE_KIND_NAMES: dict[str, str] = {
    "portal": "门户网站",
    "department": "部门网站",
}

SITE_STATUS_NAMES: dict[str, str] = {
    "running": "运行",
    "closed": "关停",
}

# Values found in Finding.detail (footer items, privacy kinds, column categories).
DETAIL_VALUE_NAMES: dict[str, str] = {
    "site_code": "网站标识码",
    "icp": "ICP备案编号",
    "police_record": "公安机关备案标识",
    "host_org": "主办单位",
    "contact": "联系方式",
    "conac_logo": "党政机关网站标识",
    "id_number": "身份证号",
    "mobile": "手机号",
    "bank_card": "银行卡号",
    "address": "住址",
    "news": "动态要闻",
    "notice": "通知公告",
    "policy": "政策文件",
    "personnel": "人事信息",
    "other": "其他",
}

# Fallback names of the 2019 national indicators (国办秘函〔2019〕19号); the profile's names win.
INDICATOR_NAMES: dict[str, str] = {
    "veto.security_serious": "安全、泄密事故等严重问题",
    "veto.site_unreachable": "站点无法访问",
    "veto.homepage_not_updated": "首页不更新",
    "veto.columns_not_updated": "栏目不更新",
    "veto.poor_interaction": "互动回应差",
    "veto.service_not_practical": "服务不实用",
    "veto.newmedia_not_updated": "政务新媒体内容不更新",
    "veto.newmedia_poor_interaction": "政务新媒体互动回应差",
    "info.security.headers": "缺少安全响应头",
    "info.unmapped": "未映射到指标的问题",
}

OUTCOME_NAMES: dict[str, str] = {
    "completed": "已完成",
    "skipped": "已跳过",
    "not_applicable": "不适用",
    "error": "出错",
}

RUN_STATUS_NAMES: dict[str, str] = {
    "running": "进行中",
    "finished": "已完成",
    "interrupted": "已中断",
}

QUALIFIED = "合格"
UNQUALIFIED = "不合格"
NOT_SCORED = "未完成检查"
NOT_INSPECTED = "未检查"  # a 政务新媒体 account whose source could not be read


def check_name(check_id: str) -> str:
    """Chinese name of a check id, or the id itself when unknown."""
    return CHECK_NAMES.get(check_id, check_id)


def severity_name(severity: str) -> str:
    return SEVERITY_NAMES.get(str(severity), str(severity))


def site_kind_name(kind: str) -> str:
    return SITE_KIND_NAMES.get(str(kind), str(kind))


def indicator_name(indicator_id: str, known: dict[str, str] | None = None) -> str:
    """Name of an indicator: from the profile's score lines (``known``) first, then the fallback table."""
    if known and indicator_id in known:
        return known[indicator_id]
    return INDICATOR_NAMES.get(indicator_id, indicator_id)


def detail_value_name(value: str) -> str:
    return DETAIL_VALUE_NAMES.get(value, value)
