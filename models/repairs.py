"""Repairs (报修): requests, engineering work orders (工程修理单), items, materials, sign-off."""
from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.i18n import lazy_gettext as _l

from .base import (
    BaseModel,
    DateTimeField,
    Voidable,
    first_index,
    in_literal,
    label_of,
    now,
    open_index,
    sparse_index,
)
from .customers import Customer
from .users import User

PUBLIC, IN_UNIT = "public", "unit"
AREAS = {PUBLIC: _l("公共区域"), IN_UNIT: _l("户内")}
CHANNELS = {"phone": _l("电话"), "verbal": _l("口头"), "written": _l("书面")}


class ServiceItem(BaseModel):
    """修理服务项目表: a repair the office offers at a standard fee."""

    record_name = _l("修理服务项目")

    name = CharField(max_length=60, unique=True)
    fee = DecimalField(max_digits=10, decimal_places=2, default=0)
    labour_minutes = IntegerField(default=30)
    active = BooleanField(default=True)

    def label(self):
        return self.name


class RepairRequest(Voidable):
    """报修登记: what is broken where, who reported it, and when they would like the visit."""

    record_name = _l("报修登记")

    masked_fields = {"contact_phone": "phone"}

    received_at = DateTimeField(default=now, index=True)
    priority = IntegerField(default=0)  # 1: an A-class customer's, first in every queue
    customer = ForeignKeyField(Customer, null=True, backref="repair_requests",
                               on_delete="SET NULL")
    contact_name = CharField(max_length=40, default="")
    contact_phone = CharField(max_length=20, default="")
    location = CharField(max_length=100)
    location_key = CharField(max_length=100, default="", index=True)
    area = CharField(max_length=10, default=IN_UNIT)
    item = ForeignKeyField(ServiceItem, null=True, backref="requests", on_delete="SET NULL")
    content = TextField()
    preferred_at = DateTimeField(null=True)
    channel = CharField(max_length=10, default="phone")
    received_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    repeat_of = ForeignKeyField("self", null=True, backref="+", on_delete="SET NULL",
                                index=False)

    def label(self):
        return f"{self.location} {self.content[:30]}"

    area_label = label_of("area", AREAS)

    channel_label = label_of("channel", CHANNELS)

RepairRequest.add_index(sparse_index(RepairRequest, RepairRequest.repeat_of))
RepairRequest.add_index(first_index(RepairRequest))


REPORTED, DISPATCHED, ACKNOWLEDGED, UNDER_REVIEW, IN_PROGRESS, AWAITING, COMPLETED = (
    "reported", "dispatched", "acknowledged", "under_review", "in_progress", "awaiting",
    "completed")
REFUSED, CANCELLED = "refused", "cancelled"
STATES = {REPORTED: _l("报修"), DISPATCHED: _l("已派单"), ACKNOWLEDGED: _l("已接单"),
          UNDER_REVIEW: _l("待评审"), IN_PROGRESS: _l("维修中"), AWAITING: _l("待验收"),
          COMPLETED: _l("已完成"), REFUSED: _l("已拒绝"), CANCELLED: _l("已取消")}
FINISHED = (COMPLETED, REFUSED, CANCELLED)
# Open states listed (not "not finished"): `state IN (...)` is an index lookup, NOT IN a scan.
OPEN = tuple(state for state in STATES if state not in FINISHED)


class WorkOrder(Voidable):
    """工程修理单: one job from dispatch to the customer's signature."""

    record_name = _l("工程修理单")

    serial = CharField(max_length=20, unique=True)
    request = ForeignKeyField(RepairRequest, backref="orders", on_delete="CASCADE")
    state = CharField(max_length=14, default=REPORTED, index=True)
    engineer = ForeignKeyField(User, null=True, backref="work_orders", on_delete="SET NULL")
    dispatched_at = DateTimeField(null=True)
    acknowledged_at = DateTimeField(null=True)
    deadline = DateTimeField(null=True, index=True)
    outside_list = BooleanField(default=False)
    reviewed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reviewed_at = DateTimeField(null=True)
    review_reply = TextField(default="")
    started_at = DateTimeField(null=True)
    completed_at = DateTimeField(null=True)
    accepted_at = DateTimeField(null=True, index=True)
    signature = BlobField(null=True)
    signed_on_paper = BooleanField(default=False)
    fee_total = DecimalField(max_digits=12, decimal_places=2, default=0)
    close_reason = TextField(default="")

    def label(self):
        return f"{self.serial} {self.request.location}"

    state_label = label_of("state", STATES)

    @property
    def finished(self):
        return self.state in FINISHED

    @property
    def taking_items(self):
        """Under repair: the engineer confirms items on site."""
        return self.state == IN_PROGRESS

    @property
    def accepted(self):
        """The customer has signed the work off."""
        return self.state == COMPLETED


WorkOrder.add_index(open_index(WorkOrder, WorkOrder.deadline, states=OPEN))
WorkOrder.add_index(open_index(WorkOrder, WorkOrder.engineer, states=OPEN))


def order_is_open():
    """The open work orders' condition, in the form the partial index above serves."""
    return in_literal(WorkOrder.state, OPEN)


class WorkOrderItem(BaseModel):
    """A confirmed repair item: from the service list, or free text after review."""

    order = ForeignKeyField(WorkOrder, backref="items", on_delete="CASCADE")
    service_item = ForeignKeyField(ServiceItem, null=True, on_delete="SET NULL")
    description = CharField(max_length=100)
    quantity = IntegerField(default=1)
    unit_fee = DecimalField(max_digits=10, decimal_places=2, default=0)
    labour_minutes = IntegerField(default=0)


QUALIFIED, UNQUALIFIED = "qualified", "unqualified"
CHECKS = {QUALIFIED: _l("合格"), UNQUALIFIED: _l("不合格")}


class WorkOrderMaterial(BaseModel):
    """Material used; if the customer supplied it, it is checked 合格/不合格 with a note."""

    order = ForeignKeyField(WorkOrder, backref="materials", on_delete="CASCADE")
    name = CharField(max_length=60)
    quantity = DecimalField(max_digits=10, decimal_places=2, default=1)
    unit = CharField(max_length=10, default="")
    supplied_by_customer = BooleanField(default=False)
    check = CharField(max_length=12, default="")
    note = CharField(max_length=200, default="")

    @property
    def check_label(self):
        return CHECKS.get(self.check, "")
