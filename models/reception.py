"""Reception: the visitor register, the sales-floor rotation, customer visits, follow-ups, handovers."""
from peewee import BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from models.i18n import lazy_gettext as _l
from models.i18n import stored_text

from .base import (
    BaseModel,
    DateField,
    DateTimeField,
    SearchKeys,
    Voidable,
    filled_index,
    label_of,
    now,
    search_index,
    sparse_index,
)
from .customers import Customer
from .users import User

CLASSES = {"A": _l("A 贵宾"), "B": _l("B 业务"), "C": _l("C 普通")}
ID_TYPES = {"id_card": _l("身份证"), "passport": _l("护照"), "hk_macau": _l("港澳通行证"),
            "taiwan": _l("台胞证"), "other": _l("其他证件")}


class Visit(SearchKeys, Voidable):
    """访客登记单: one visitor (or group) who came in, whom they saw, and when they left."""

    record_name = _l("访客登记")

    masked_fields = {"phone": "phone", "id_number": "id"}

    serial = CharField(max_length=20, unique=True)
    customer = ForeignKeyField(Customer, null=True, backref="visits", on_delete="SET NULL")
    name = CharField(max_length=40)
    id_type = CharField(max_length=20, default="id_card")
    id_number = CharField(max_length=30, default="")
    phone = CharField(max_length=20, default="")  # optional: filled_index below
    headcount = IntegerField(default=1)
    visitee = CharField(max_length=80, default="")
    visitee_customer = ForeignKeyField(Customer, null=True, backref="visitors",
                                       on_delete="SET NULL", index=False)
    visitee_staff = ForeignKeyField(User, null=True, backref="visitors", on_delete="SET NULL")
    purpose = CharField(max_length=200, default="")
    plate = CharField(max_length=20, default="")
    arrived_at = DateTimeField(default=now, index=True)
    left_at = DateTimeField(null=True, index=True)
    host = ForeignKeyField(User, null=True, backref="hosted_visits", on_delete="SET NULL")
    reception_class = CharField(max_length=1, default="C")  # (filtered within one day only)
    venue = CharField(max_length=40, default="")
    night_duty = BooleanField(default=False)
    notes = CharField(max_length=500, default="")
    registered_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    name_initials = CharField(max_length=80, default="")
    phone_tail = CharField(max_length=4, default="")

    def label(self):
        return f"{self.serial} {self.name}"

    @property
    def inside(self):
        return self.left_at is None

    class_label = label_of("reception_class", CLASSES)

    id_type_label = label_of("id_type", ID_TYPES)

Visit.add_index(sparse_index(Visit, Visit.visitee_customer))
for _field in (Visit.phone, Visit.phone_tail, Visit.plate):
    Visit.add_index(filled_index(Visit, _field))


PRESENT, ABSENT, BUSY = "present", "absent", "busy"
SLOT_STATUSES = {PRESENT: _l("在岗"), BUSY: _l("忙碌"), ABSENT: _l("缺勤")}
WALK_IN, RETURNING, REFERRAL, COVERING = "walk_in", "returning", "referral", "covering"
TURN_KINDS = {WALK_IN: _l("新客轮接"), RETURNING: _l("老客户归属接待"), REFERRAL: _l("转介绍预约"),
              COVERING: _l("代接（不计轮次）")}

for _field in (Visit.name, Visit.name_initials):
    Visit.add_index(search_index(Visit, _field))


class RotationSlot(BaseModel):
    """One staff member's place in a day's sales-floor rotation (轮流接待) and whether they can take."""

    day = DateField(index=True)
    user = ForeignKeyField(User, backref="rotation_slots", on_delete="CASCADE")
    position = IntegerField()
    status = CharField(max_length=10, default=PRESENT)

    class Meta:
        indexes = ((("day", "user"), True),)

    status_label = label_of("status", SLOT_STATUSES)


class Referral(BaseModel):
    """A customer a staff member pre-registered (转介绍/预约): they go to that staff member."""

    masked_fields = {"phone": "phone"}

    staff = ForeignKeyField(User, backref="referrals", on_delete="CASCADE")
    name = CharField(max_length=40)
    phone = CharField(max_length=20, default="", index=True)
    expected_on = DateField(index=True)
    note = CharField(max_length=200, default="")
    used_at = DateTimeField(null=True)

    def label(self):
        return f"{self.name} → {self.staff.display_name}"


class RotationTurn(BaseModel):
    """Who received one arrival, why, and whether it used up their turn."""

    day = DateField(index=True)
    at = DateTimeField(default=now)
    user = ForeignKeyField(User, backref="rotation_turns", on_delete="CASCADE")
    kind = CharField(max_length=20)
    consumes_turn = BooleanField()
    customer = ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    referral = ForeignKeyField(Referral, null=True, on_delete="SET NULL")
    visitor_name = CharField(max_length=40, default="")
    assigned_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    kind_label = label_of("kind", TURN_KINDS)


APPOINTED, DONE, CANCELLED = "appointed", "done", "cancelled"
VISIT_STATES = {APPOINTED: _l("已预约"), DONE: _l("已拜访"), CANCELLED: _l("已取消")}


class CustomerVisit(Voidable):
    """拜访/探望: an appointment with a customer, then the record of what was said (会谈内容记录)."""

    record_name = _l("客户拜访")

    customer = ForeignKeyField(Customer, backref="customer_visits", on_delete="CASCADE")
    staff = ForeignKeyField(User, backref="customer_visits", on_delete="CASCADE")
    planned_at = DateTimeField(index=True)
    place = CharField(max_length=100, default="")
    purpose = CharField(max_length=200, default="")
    state = CharField(max_length=12, default=APPOINTED, index=True)
    visited_at = DateTimeField(null=True)
    participants = CharField(max_length=200, default="")
    opinions = TextField(default="")
    suggestions = TextField(default="")
    requests = TextField(default="")
    explanation = TextField(default="")
    unresolved = TextField(default="")

    def label(self):
        return f"{self.customer.name} {self.planned_at:%Y-%m-%d %H:%M}"

    state_label = label_of("state", VISIT_STATES)

    @property
    def recorded(self):
        """The visit took place and what was said is written down."""
        return self.state == DONE

    @property
    def can_record(self):
        """A cancelled appointment gets no record."""
        return self.state != CANCELLED

    @property
    def can_cancel(self):
        return self.state == APPOINTED


METHODS = {"phone": _l("电话"), "sms": _l("短信"), "letter": _l("信函"), "onsite": _l("上门")}
SOURCES = {"manual": _l("日常回访"), "complaint": _l("投诉结案"), "repair": _l("维修完工"),
           "visit_request": _l("拜访遗留诉求"), "redistribution": _l("客户移交")}


class FollowUp(Voidable):
    """回访: a planned contact with its method, outcome, satisfaction and the report due next day."""

    record_name = _l("回访")

    customer = ForeignKeyField(Customer, null=True, backref="followups", on_delete="CASCADE")
    source = CharField(max_length=20, default="manual", index=True)
    source_id = IntegerField(null=True)
    subject = CharField(max_length=200)
    subject_params = TextField(default="")  # set: subject is the catalogue's source
    planned_on = DateField(index=True)
    method = CharField(max_length=10, default="phone")
    assigned_to = ForeignKeyField(User, null=True, backref="followups", on_delete="SET NULL")
    done_at = DateTimeField(null=True, index=True)
    outcome = TextField(default="")
    satisfaction = IntegerField(null=True)
    report_due = DateField(null=True, index=True)
    report = TextField(default="")
    reported_at = DateTimeField(null=True)

    @property
    def title(self):
        """The subject in the reader's language (a planned follow-up's is stored as a message)."""
        return stored_text(self.subject, self.subject_params)

    def label(self):
        return self.title

    @property
    def report_open(self):
        """The follow-up was made and its report is not yet filed."""
        return self.done_at is not None and self.reported_at is None

    method_label = label_of("method", METHODS)

    source_label = label_of("source", SOURCES)


# The desk's shifts (seed 004): 白班 08:00–17:00, 晚班 17:00–01:00, 常班 09:00–18:00.
SHIFTS = {"day": _l("白班"), "night": _l("晚班"), "regular": _l("常班")}
REST = "rest"
ROTA_CHOICES = {**SHIFTS, REST: _l("休")}


class RotaEntry(BaseModel):
    """排班表: one person's shift, or rest, on one day."""

    record_name = _l("排班")

    day = DateField(index=True)
    user = ForeignKeyField(User, backref="rota", on_delete="CASCADE")
    shift = CharField(max_length=10)

    class Meta:
        indexes = ((("day", "user"), True),)

    def label(self):
        return f"{self.user.display_name} {self.day} {ROTA_CHOICES.get(self.shift, self.shift)}"

    shift_label = label_of("shift", ROTA_CHOICES)



class Handover(BaseModel):
    """交接记录: what the outgoing shift leaves to the incoming one, acknowledged on arrival."""

    record_name = _l("交接记录")

    shift = CharField(max_length=10, default="day")
    author = ForeignKeyField(User, backref="handovers_written", on_delete="CASCADE")
    at = DateTimeField(default=now, index=True)
    items = TextField(default="")
    prospects = TextField(default="")
    acknowledged_by = ForeignKeyField(User, null=True, backref="handovers_acknowledged",
                                      on_delete="SET NULL")
    acknowledged_at = DateTimeField(null=True, index=True)

    def label(self):
        return f"{SHIFTS.get(self.shift, self.shift)} {self.at:%Y-%m-%d %H:%M}"

    shift_label = label_of("shift", SHIFTS)


# Visitors who register themselves on their phone (issue 26): a request waits at the desk until
# a clerk has seen the ID and confirms it into the register; an invitation prefills it.
WAITING, CONFIRMED, REFUSED, EXPIRED = "waiting", "confirmed", "refused", "expired"
REQUEST_STATES = {WAITING: _l("待确认"), CONFIRMED: _l("已确认"), REFUSED: _l("未通过"),
                  EXPIRED: _l("已过期")}


class Invitation(Voidable):
    """邀请: a resident or member of staff expects a visitor on a day; its code prefills the
    visitor's own entry and the host is told when the desk confirms them."""

    record_name = _l("访客邀请")

    code = CharField(max_length=12, unique=True)
    visit_on = DateField(index=True)
    visitor_name = CharField(max_length=40, default="")
    visitee = CharField(max_length=80)  # as the visitor's entry shows it (3栋1201 王先生)
    host_staff = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    host_customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL")
    purpose = CharField(max_length=200, default="")
    headcount = IntegerField(default=1)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    visit = ForeignKeyField(Visit, null=True, backref="+", on_delete="SET NULL")

    def label(self):
        return f"{self.code} {self.visitee}"


class VisitRequest(BaseModel):
    """访客自助登记: what a visitor typed on their phone, waiting for the desk."""

    token = CharField(max_length=32, unique=True)  # their receipt page's address
    desk_no = CharField(max_length=8, index=True)  # the number they show at the desk
    submitted_at = DateTimeField(default=now, index=True)
    name = CharField(max_length=40)
    phone = CharField(max_length=20, default="")
    visitee = CharField(max_length=80)
    purpose = CharField(max_length=200)
    plate = CharField(max_length=20, default="")
    headcount = IntegerField(default=1)
    invitation = ForeignKeyField(Invitation, null=True, backref="requests", on_delete="SET NULL")
    state = CharField(max_length=10, default=WAITING, index=True)
    handled_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    handled_at = DateTimeField(null=True)
    refusal = CharField(max_length=200, default="")
    visit = ForeignKeyField(Visit, null=True, backref="+", on_delete="SET NULL")

    state_label = label_of("state", REQUEST_STATES)

    @property
    def waiting(self):
        """Not yet seen by the desk: the receipt keeps refreshing, the desk may act on it."""
        return self.state == WAITING

    @property
    def confirmed(self):
        return self.state == CONFIRMED

    @property
    def refused(self):
        return self.state == REFUSED
