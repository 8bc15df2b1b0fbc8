"""Repair rules: location keys, repeat repairs, the work-order state machine, fees, signatures."""
import datetime
import re
from decimal import Decimal

from peewee import JOIN, fn

from models import RepairRequest, User, WorkOrder, WorkOrderItem, clock, db, now
from models.base import Prepared, next_step
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from models.repairs import (
    ACKNOWLEDGED,
    AWAITING,
    CANCELLED,
    CHECKS,
    COMPLETED,
    DISPATCHED,
    FINISHED,
    IN_PROGRESS,
    PUBLIC,
    REFUSED,
    REPORTED,
    UNDER_REVIEW,
    UNQUALIFIED,
    WorkOrderMaterial,
)
from models.users import DESK, ENGINEER, GM, MANAGER
from services import audit, serials, timeline, workdays
from services.customers import first_in_queues

REPEAT_MONTHS = 6


class RepairError(Exception):
    """A step the rules refuse, with the reason for the user."""


def location_key(text):
    """A unit's location without spaces, dashes or 栋/单元/室 so 3栋2单元1201 matches 3-2-1201."""
    return re.sub(r"[\s\-—_/栋幢座单元号室楼层#]", "", (text or "").upper())[:100]



def find_repeat(location, item, at):
    """A work order completed for the same unit and item within 6 months before `at`, if any."""
    if item is None:
        return None
    key = location_key(location)
    candidates = (WorkOrder.select(WorkOrder, RepairRequest).join(RepairRequest)
                  .where((RepairRequest.location_key == key) & (RepairRequest.item == item) &
                         (WorkOrder.state == COMPLETED) & WorkOrder.not_voided())
                  .order_by(WorkOrder.accepted_at.desc()))
    for order in candidates:
        if at < workdays.add_months(order.accepted_at, REPEAT_MONTHS):
            return order
        break
    return None


def register_request(request, actor):
    """Record a repair request and open its work order (报修); repeats are flagged."""
    with db.atomic():
        request.location_key = location_key(request.location)
        repeat = find_repeat(request.location, request.item, request.received_at)
        request.repeat_of = repeat.request if repeat else None
        request.received_by = actor
        request.priority = first_in_queues(request.customer)
        audit.save(request, actor)
        order = WorkOrder(request=request, serial=serials.next_serial("WX", request.received_at),
                          outside_list=request.item is None,
                          deadline=request.preferred_at if request.area == PUBLIC else None)
        audit.save(order, actor)
        timeline.add(request.customer, "repair", f"{order.serial} {request.content[:60]}",
                     ref_id=order.id, user=actor, at=request.received_at)
    return order


def reviewers(settings):
    """Who may review jobs outside the service list: named users, else managers and the GM."""
    names = settings.get("repair_reviewers") or []
    if names:
        return list(User.select().where(User.username.in_(names) & User.active))
    return list(User.select().where(User.role.in_([MANAGER, GM]) & User.active))


def may_review(user, settings):
    return user.id in {u.id for u in reviewers(settings)}


# action: (from states, to state, roles)
ACTIONS = {
    "dispatch": ((REPORTED, DISPATCHED), DISPATCHED, {DESK, MANAGER, GM}),
    "acknowledge": ((DISPATCHED,), ACKNOWLEDGED, {ENGINEER, MANAGER}),
    "start": ((ACKNOWLEDGED,), IN_PROGRESS, {ENGINEER, MANAGER}),
    "submit_review": ((ACKNOWLEDGED,), UNDER_REVIEW, {ENGINEER, MANAGER}),
    "approve": ((UNDER_REVIEW,), IN_PROGRESS, None),   # reviewers, see may_review()
    "decline": ((UNDER_REVIEW,), REFUSED, None),
    "complete": ((IN_PROGRESS,), AWAITING, {ENGINEER, MANAGER}),
    "sign": ((AWAITING,), COMPLETED, {ENGINEER, DESK, MANAGER, GM}),
    "cancel": ((REPORTED, DISPATCHED, ACKNOWLEDGED, UNDER_REVIEW, IN_PROGRESS), CANCELLED,
               {DESK, MANAGER, GM}),
}
# What comes next in each state, and who does it: shown to everyone who sees the work order.
NEXT_STEP = {REPORTED: _l("待前台派单"), DISPATCHED: _l("待工程人员 %(who)s 接单"),
             ACKNOWLEDGED: _l("待工程人员 %(who)s 开始维修或提交评审"),
             UNDER_REVIEW: _l("待经理评审"), IN_PROGRESS: _l("待工程人员 %(who)s 完工"),
             AWAITING: _l("待客户验收签字")}


def whose_turn(order):
    """What comes next and who does it, or None when the work order is finished."""
    return next_step(order, NEXT_STEP, lambda o: o.engineer.display_name if o.engineer_id else "")


ACTION_LABELS = {"dispatch": _l("派单"), "acknowledge": _l("接单"), "start": _l("开始维修"),
                 "submit_review": _l("提交评审"), "approve": _l("评审通过"),
                 "decline": _l("评审不通过"), "complete": _l("完工待验收"),
                 "sign": _l("验收签字"), "cancel": _l("取消")}


def allowed_actions(order, user, settings):
    """The steps this user may take on the order now (none on a voided one: it is read-only)."""
    if order.voided:
        return []
    result = []
    for name, (sources, _target, roles) in ACTIONS.items():
        if order.state not in sources:
            continue
        if roles is None:
            if may_review(user, settings):
                result.append(name)
        elif user.role in roles:
            if name == "acknowledge" and user.role == ENGINEER and order.engineer_id not in (
                    None, user.id):
                continue
            if name == "start" and order.outside_list:
                continue
            if name == "submit_review" and not order.outside_list:
                continue
            result.append(name)
    return result


def step(order, action, user, settings, at=None, engineer=None, reason="", signature=None,
         on_paper=False):
    """Take one work-order step, or raise RepairError saying why not."""
    if action not in ACTIONS:
        raise RepairError(_l("未知的操作"))
    sources, target, _roles = ACTIONS[action]
    if order.state not in sources:
        raise RepairError(_l("工单当前为“%(state)s”，不能%(action)s", state=order.state_label,
                             action=ACTION_LABELS[action]))
    if action not in allowed_actions(order, user, settings):
        raise RepairError(_l("您不能对此工单执行“%(action)s”", action=ACTION_LABELS[action]))
    at = at or now()
    with db.atomic():
        if action == "dispatch":
            order.engineer = engineer.id if engineer else None
            order.dispatched_at = at
        elif action == "acknowledge":
            order.engineer = order.engineer_id or user.id
            order.acknowledged_at = at
        elif action == "start":
            order.started_at = at
        elif action in ("approve", "decline"):
            if not reason.strip():
                raise RepairError(_l("请填写给客户的答复"))
            order.reviewed_by, order.reviewed_at, order.review_reply = user.id, at, reason.strip()
            if action == "approve":
                order.started_at = at
        elif action == "complete":
            if not order.items.count():
                raise RepairError(_l("请先登记维修项目"))
            order.completed_at = at
        elif action == "sign":
            if signature is None and not on_paper:
                raise RepairError(_l("请客户在屏幕上签名，或勾选已在纸质工单上签字"))
            order.signature, order.signed_on_paper = signature, bool(on_paper and not signature)
            order.accepted_at = at
        elif action == "cancel":
            if not reason.strip():
                raise RepairError(_l("请填写取消原因"))
            order.close_reason = reason.strip()
        order.state = target
        audit.save(order, user)
        if target in FINISHED:
            timeline.add(order.request.customer, "repair",
                         f"{order.serial} {order.state_label}", ref_id=order.id, user=user, at=at)
        if target == COMPLETED:
            _plan_followup(order, user, at)
    return order


def _plan_followup(order, user, at):
    """Every completed repair gets a follow-up (回访) the next day."""
    from services.customers import create_followup
    create_followup(N_("维修回访：%(serial)s %(location)s"), (at + datetime.timedelta(days=1)).date(),
                    customer=order.request.customer, source="repair", source_id=order.id,
                    assigned_to=order.request.received_by, actor=user,
                    params={"serial": order.serial, "location": order.request.location})


def material_problem(supplied_by_customer, check, note):
    """Why a material cannot be recorded so, or None. Seed 000 客户报修管理制度 四.7: material the
    customer supplies is verified 合格 or 不合格 by the repairer, and the finding is noted."""
    if not supplied_by_customer:
        return None
    if check not in CHECKS:
        return _l("客户自备材料须检验合格或不合格")
    if check == UNQUALIFIED and not (note or "").strip():
        return _l("不合格的自备材料请在备注中写明原因")
    return None


def add_material(order, user, name, quantity, unit="", supplied_by_customer=False, check="",
                 note=""):
    """Record a material on a work order; a customer-supplied one carries its verdict."""
    if order.finished:
        raise RepairError(_l("工单已结束"))
    problem = material_problem(supplied_by_customer, check, note)
    if problem is not None:
        raise RepairError(problem)
    material = WorkOrderMaterial(order=order, name=name.strip(), quantity=quantity,
                                 unit=unit or "", supplied_by_customer=supplied_by_customer,
                                 check=check if supplied_by_customer else "", note=note or "")
    return audit.save(material, user)


def fee(items):
    """有偿服务 fee: the sum of quantity × unit fee over the confirmed items."""
    return sum((Decimal(i.unit_fee) * i.quantity for i in items), Decimal("0.00"))


def add_item(order, user, service_item=None, description="", quantity=1, unit_fee=None):
    """Confirm a repair item on site; free text only once a reviewer has approved the job."""
    if not order.taking_items:
        raise RepairError(_l("只有维修中的工单可以登记项目"))
    if quantity < 1:
        raise RepairError(_l("数量至少为 1"))
    if service_item is None:
        if order.reviewed_by_id is None:
            raise RepairError(_l("服务项目表以外的项目须先经主管评审"))
        if not description.strip() or unit_fee is None or Decimal(unit_fee) < 0:
            raise RepairError(_l("请填写项目名称和收费"))
    with db.atomic():
        item = WorkOrderItem.create(
            order=order, service_item=service_item,
            description=service_item.name if service_item else description.strip(),
            quantity=quantity,
            unit_fee=service_item.fee if service_item else Decimal(unit_fee),
            labour_minutes=service_item.labour_minutes if service_item else 0)
        order.fee_total = fee(order.items)
        audit.save(order, user)
    return item


def waited(order, at=None):
    """How long an open job has waited since it was reported."""
    return (at or now()) - order.request.received_at


def is_overdue(order, at=None):
    """A public-area job whose engineer was not on site before the appointment."""
    return bool(order.deadline and order.started_at is None and not order.finished and
                (at or now()) > order.deadline)


__all__ = ["RepairError", "register_request", "step", "add_item", "fee", "find_repeat",
           "ACKNOWLEDGED", "CANCELLED"]


def _order_hits():
    """What a work order hit shows."""
    return WorkOrder.select(WorkOrder.id, WorkOrder.serial, WorkOrder.state,
                            RepairRequest.location.alias("location"),
                            RepairRequest.content.alias("content")).join(
        RepairRequest).where(WorkOrder.not_voided())


def search_orders(query, limit):
    """Work orders by serial, or by location (room number, building)."""
    from services.search import Hit, matching, starts
    if query.upper.startswith("WX-"):
        keys = [starts(WorkOrder.serial, query.upper)]
    elif query.has_cjk or query.digits:
        keys = [starts(RepairRequest.location_key, location_key(query.raw))]
    else:
        return []
    return matching(_order_hits, keys, limit, lambda o: Hit(
        "work_order", f"{o.serial} {o.location}", f"{o.state_label} · {o.content[:30]}",
        "repairs.detail", o.id))


# ---- home panel ---------------------------------------------------------------------------------

def _open_orders(condition):
    """How many open work orders meet `condition`."""
    from models.repairs import order_is_open
    return WorkOrder.live().select(fn.COUNT(WorkOrder.id)).where(condition & order_is_open())


_MINE = Prepared(lambda engineer: _open_orders(WorkOrder.engineer == engineer))
_QUEUE = Prepared(lambda state: _open_orders(WorkOrder.engineer.is_null() &
                                             (WorkOrder.state == state)))
_IN_STATE = Prepared(lambda state: _open_orders(WorkOrder.state == state))
_LATE = Prepared(lambda at: _open_orders((WorkOrder.deadline < at) &
                                         WorkOrder.started_at.is_null()))


def home_tiles(user, at):
    """Engineer: my jobs and the queue; managers: jobs waiting review and overdue jobs. As
    (endpoint, label, count, url arguments, warn)."""
    from models.repairs import UNDER_REVIEW
    from models.users import ENGINEER, GM, MANAGER
    tiles = []
    if user.role == ENGINEER:
        tiles += [
            ("repairs.index", _l("我的工单"), lambda: _MINE.later(user.id), {"view": "mine"},
             False),
            ("repairs.index", _l("待接单队列"), lambda: _QUEUE.later("dispatched"),
             {"view": "queue"}, True)]
    if user.role in (MANAGER, GM):
        tiles += [
            ("repairs.index", _l("待评审工单"), lambda: _IN_STATE.later(UNDER_REVIEW),
             {"view": "review"}, True),
            ("repairs.index", _l("超时工单"), lambda: _LATE.later(at), {"view": "overdue"},
             True)]
    return tiles


def day_register(day):
    """报修登记表: the day's work orders in the order they came in, each with its request and
    its engineer's name (engineer_name)."""
    start, end = clock.day_bounds(day, day)
    engineer = User.alias("engineer")
    return list(WorkOrder.select(WorkOrder, RepairRequest,
                                 engineer.display_name.alias("engineer_name"))
                .join(RepairRequest).switch(WorkOrder)
                .join(engineer, JOIN.LEFT_OUTER, on=(WorkOrder.engineer == engineer.id))
                .where(WorkOrder.not_voided() & (RepairRequest.received_at >= start) &
                       (RepairRequest.received_at < end))
                .order_by(RepairRequest.received_at))
