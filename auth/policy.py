"""Who may do what: the acting user (Principal), the roles, the pages each role sees, and the permission checks.

Plain rules over a Principal: nothing here reads the warehouse. Pages hide what a role may not use, but these
checks are called again by the loaders and metrics functions: hiding a page is not security.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaign.model import UNIT_KINDS

ROLES = {"leader": "领导", "unit_staff": "填报员", "analyst": "分析员", "admin": "管理员"}

# Every page (by url path) and its title, in menu order: the menu, the tests and the browser bench read it here.
PAGE_TITLES = {
    "overview": "总览",
    "uploads": "数据上报",
    "complaints": "投诉分析",
    "monitoring": "监测线索",
    "tracking": "报送进度",
    "followup": "督办",
    "admin": "系统管理",
}

# Pages (by url path) each role may see. Navigation is built from this; every page checks it again.
PAGES_BY_ROLE = {
    "leader": ["overview", "complaints", "monitoring", "tracking", "followup"],
    "unit_staff": ["uploads", "tracking", "followup"],
    "analyst": ["overview", "uploads", "complaints", "monitoring", "tracking", "followup"],
    "admin": ["overview", "uploads", "complaints", "monitoring", "tracking", "followup", "admin"],
}


class PermissionDenied(PermissionError):
    """The user may not do this. The message is Chinese and says why."""


@dataclass(frozen=True)
class Principal:
    """The acting user. `system` is the trusted operator of the command line (who already owns the file)."""

    username: str
    role: str
    display_name: str = ""
    unit: str | None = None
    agency: str | None = None
    # What users call the (unit, agency) a unit's staff report for (武进区, 市公安局): messages name it, never a key.
    reporter: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name or self.username}（{self.reporter}{ROLES[self.role]}）"


SYSTEM = Principal("system", "admin", "命令行")


def can_see_page(p: Principal, page: str) -> bool:
    return page in PAGES_BY_ROLE.get(p.role, [])


def require_page(p: Principal, page: str) -> None:
    if not can_see_page(p, page):
        raise PermissionDenied(f"{p.label} 无权访问该页面。")


def require_load(p: Principal, kind: str, unit: str | None = None, agency: str | None = None) -> None:
    """Uploads: unit staff only for their own (unit, agency); analysts the exports; leaders nothing.

    The rule is by family, and the policy reads no campaign file: a unit-bound kind is one of
    campaign.model.UNIT_KINDS (a constant of the program), every other kind is one of the campaign's export
    sources. Whether a kind exists at all is the loaders' question (loaders.loader_for refuses an unknown one).
    """
    if p.role == "admin":
        return
    if kind in UNIT_KINDS:
        if p.role != "unit_staff":
            raise PermissionDenied(f"{p.label} 无权上报统计表或报送材料（仅填报员、管理员可以）。")
        if unit is not None and unit != p.unit:
            raise PermissionDenied(f"{p.label} 只能为本单位（{p.reporter}）上报，不能为其他单位上报。")
        if agency is not None and agency != p.agency:
            raise PermissionDenied(f"{p.label} 只能以本部门（{p.reporter}）名义上报，不能以其他部门名义上报。")
        return
    if p.role != "analyst":
        raise PermissionDenied(f"{p.label} 无权载入投诉举报或监测线索导出文件（仅分析员、管理员可以）。")


def require_withdraw(p: Principal, kind: str, unit: str | None, loaded_by: str) -> None:
    """Admins withdraw any batch; others only batches they may load themselves and loaded themselves."""
    if p.role == "admin":
        return
    require_load(p, kind, unit)
    if loaded_by != p.username:
        raise PermissionDenied(f"{p.label} 只能撤销自己上报的批次。")


def require_export(p: Principal) -> None:
    if p.role not in ("analyst", "admin"):
        raise PermissionDenied(f"{p.label} 无权导出明细数据（仅分析员、管理员可以）。")


def require_report(p: Principal) -> None:
    if p.role not in ("leader", "analyst", "admin"):
        raise PermissionDenied(f"{p.label} 无权下载全市汇总报表。")


def require_documents(p: Principal, unit: str | None = None, agency: str | None = None) -> None:
    """工作通报 and 总结报告 packs: leadership, analysts and admins for the city and any unit; a unit's staff only
    the pack of their own (unit, agency), since deliverables belong to one reporter (unit None: city-wide)."""
    if p.role in ("leader", "analyst", "admin"):
        return
    if p.role != "unit_staff":
        raise PermissionDenied(f"{p.label} 无权生成工作通报或总结报告材料。")
    if unit is None:
        raise PermissionDenied(
            f"{p.label} 无权生成全市工作通报或全市材料包（仅领导、分析员、管理员可以），只能生成本单位材料包。"
        )
    if unit != p.unit or agency != p.agency:
        raise PermissionDenied(
            f"{p.label} 只能生成本单位（{p.unit} / {p.agency}）的材料包，不能生成 {unit} / {agency or '全部成员单位'} 的。"
        )


def require_admin(p: Principal) -> None:
    if p.role != "admin":
        raise PermissionDenied(f"{p.label} 无权进行管理操作（仅管理员可以）。")


# --- 督办 (follow-up items) ------------------------------------------------------------------------------
# The office (admins, analysts) opens, returns and closes items; a unit's staff see and act on their own
# unit's items only; leadership sees all and may mark an item 挂牌督办. actions/items.py calls these on every
# change and every read, so a page that forgot to hide something still cannot show or change it.
FOLLOWUP_OFFICE = ("admin", "analyst")


def can_see_followup(p: Principal, unit: str, agency: str) -> bool:
    if p.role == "unit_staff":
        return (unit, agency) == (p.unit, p.agency)
    return p.role in ("leader", *FOLLOWUP_OFFICE)


def require_followup_see(p: Principal, unit: str, agency: str) -> None:
    if not can_see_followup(p, unit, agency):
        raise PermissionDenied(f"{p.label} 只能查看本单位的督办事项。")


def require_followup_office(p: Principal, what: str) -> None:
    """下发, 退回, 办结: the coordinating office's steps."""
    if p.role not in FOLLOWUP_OFFICE:
        raise PermissionDenied(f"{p.label} 无权{what}督办事项（仅联席办分析员、管理员可以）。")


def require_followup_unit_step(p: Principal, unit: str, agency: str, what: str) -> None:
    """签收, 核查, 反馈: the assigned unit's own staff (an admin may record them on its behalf)."""
    if p.role == "admin":
        return
    if p.role != "unit_staff":
        raise PermissionDenied(f"{p.label} 无权{what}：应由承办单位填报员办理。")
    if (unit, agency) != (p.unit, p.agency):
        raise PermissionDenied(f"{p.label} 只能办理本单位的督办事项，不能办理其他单位的事项。")


def require_followup_list(p: Principal) -> None:
    """挂牌督办: leadership's decision (an admin may record it)."""
    if p.role not in ("leader", "admin"):
        raise PermissionDenied(f"{p.label} 无权挂牌督办（仅领导、管理员可以）。")
