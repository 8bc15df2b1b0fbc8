"""核决权限: who decides a complaint's solution, by the money at stake (seed 000, 客户投诉管理制度
第九条（五）: "依据核决权限分送业务部经理、副总经理或总经理核决"; （十）: "业务部门不得超越核决权限与
客户做任何处理的答复协议或承认").

The amount is what the proposed solution costs the company: the allowance or compensation, or
the value of the goods taken back. Up to the manager's limit the responsible department's
manager decides; up to the deputy's limit the 副总经理 named in the settings (the GM when
nobody is named); above it the GM. A higher level may always decide a lower one's case.
"""
from decimal import Decimal, InvalidOperation

from models import User
from models.i18n import lazy_gettext as _l
from models.users import GM
from services.staff import general_managers, managers_of

LEVELS = {"manager": _l("业务部经理核决"), "deputy": _l("副总经理核决"), "gm": _l("总经理核决")}
ORDER = list(LEVELS)


def limits(settings):
    """(manager's limit, deputy's limit) in yuan, from the settings."""
    values = settings["complaint_approval_limits"]
    return Decimal(str(values["manager"])), Decimal(str(values["deputy"]))


def level_for(amount, settings):
    """The level that decides a solution costing `amount` yuan."""
    manager, deputy = limits(settings)
    amount = Decimal(amount or 0)
    if amount <= manager:
        return "manager"
    return "deputy" if amount <= deputy else "gm"


def deputy(settings):
    """The 副总经理 the settings name, if they are an active user."""
    name = settings.get("complaint_deputy") or ""
    return User.get_or_none((User.username == name) & User.active) if name else None


def approvers(level, department, settings):
    """Who decides at `level` for a case of `department` (the GMs when nobody else can)."""
    if level == "manager":
        return managers_of(department) or general_managers()
    if level == "deputy":
        named = deputy(settings)
        return [named] if named is not None else general_managers()
    return general_managers()


def may_decide(complaint, user, settings):
    """May `user` approve (or send back) this complaint's solution? Its level's approvers and
    those of every level above it; the GM always."""
    if user.role == GM:
        return True
    level = complaint.approval_level or "gm"
    above = ORDER[ORDER.index(level):] if level in ORDER else ["gm"]
    return any(user.id == person.id for step in above
               for person in approvers(step, complaint.responsible_dept, settings))


def route(amount, department, settings):
    """(level, its label, the names who decide) for a solution costing `amount`, as the form
    shows it before the investigation is sent."""
    try:
        level = level_for(amount, settings)
    except (InvalidOperation, ValueError, TypeError):
        return None
    names = "、".join(p.display_name for p in approvers(level, department, settings))
    return level, LEVELS[level], names
