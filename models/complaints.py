"""Complaints (客户投诉), their steps and outcomes, returns (退换货) and in-app notifications."""
import datetime

from peewee import (
    BooleanField,
    CharField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.i18n import lazy_gettext as _l
from models.i18n import stored_text

from .base import (
    BaseModel,
    DateField,
    DateTimeField,
    Prepared,
    SearchKeys,
    Voidable,
    filled_index,
    first_index,
    ids_in,
    in_literal,
    label_of,
    now,
    open_index,
    search_index,
    sparse_index,
)
from .customers import Customer
from .users import User

RECORDED, CLASSIFIED, INVESTIGATED, APPROVED, REPLIED, FOLLOWED_UP, CLOSED, INVALID = (
    "recorded", "classified", "investigated", "approved", "replied", "followed_up", "closed",
    "invalid")
STATES = {RECORDED: _l("登记"), CLASSIFIED: _l("判定"), INVESTIGATED: _l("调查"),
          APPROVED: _l("审批"), REPLIED: _l("答复"), FOLLOWED_UP: _l("回访"), CLOSED: _l("结案"),
          INVALID: _l("不成立")}
FINISHED = (CLOSED, INVALID)
ANSWERED = (REPLIED, FOLLOWED_UP, CLOSED)  # the customer has been given the result
# Open states listed (not "not finished"): `state IN (...)` is an index lookup, NOT IN a scan.
OPEN = tuple(state for state in STATES if state not in FINISHED)
# Progress reports: at least PROGRESS_PER_WEEK in every 7-day period counted from acceptance.
PROGRESS_PER_WEEK = 2
PROGRESS_PERIOD = datetime.timedelta(days=7)
STATS_DUE_DAY = 10  # 客诉案件统计表: the previous month's, by the 10th of the next
CHANNELS = {"phone": _l("电话"), "visit": _l("来访"), "letter": _l("信函"), "online": _l("网络")}
REGIONS = {"in_province": _l("省内"), "out_province": _l("省外"), "overseas": _l("国外")}
SEVERITIES = {"general": _l("一般"), "major": _l("重大")}
# 客诉分类 (seed 000 第五条): the cause is a quality fault or not (人为因素)
CAUSE_KINDS = {"quality": _l("质量异常"), "non_quality": _l("非质量异常（人为因素）")}
CHECKLIST = (("check_heard", _l("听清楚")), ("check_asked", _l("问清楚")),
             ("check_followed", _l("跟清楚")), ("check_replied", _l("答清楚")),
             ("check_recorded", _l("记清楚")), ("check_reported", _l("报告（重大投诉）")))


class Complaint(SearchKeys, Voidable):
    """客户投诉处理表: one complaint from intake (受理) to closure (结案)."""

    record_name = _l("客户投诉")

    masked_fields = {"phone": "phone"}

    search_name = "complainant"

    serial = CharField(max_length=20, unique=True)
    received_at = DateTimeField(default=now, index=True)
    channel = CharField(max_length=10, default="phone")
    complainant = CharField(max_length=40)
    phone = CharField(max_length=20, default="")  # optional: filled_index below
    phone_tail = CharField(max_length=4, default="")
    plate = CharField(max_length=20, default="")
    priority = IntegerField(default=0)  # 1: an A-class customer's, first in every queue
    name_initials = CharField(max_length=80, default="")
    customer = ForeignKeyField(Customer, null=True, backref="complaints", on_delete="SET NULL")
    content = TextField()
    category = CharField(max_length=40, index=True)
    demand = TextField(default="")
    order_no = CharField(max_length=40, default="")
    item = CharField(max_length=80, default="")
    quantity = IntegerField(null=True)
    ship_date = DateField(null=True)
    defective_qty = IntegerField(null=True)
    region = CharField(max_length=20, default="in_province")
    severity = CharField(max_length=10, default="general", index=True)
    check_heard = BooleanField(default=False)
    check_asked = BooleanField(default=False)
    check_followed = BooleanField(default=False)
    check_replied = BooleanField(default=False)
    check_recorded = BooleanField(default=False)
    check_reported = BooleanField(default=False)
    received_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    owner = ForeignKeyField(User, null=True, backref="owned_complaints", on_delete="SET NULL")
    state = CharField(max_length=12, default=RECORDED, index=True)
    # The earliest deadline not met yet (see earliest_due), kept on every save: lists of late
    # and nearly late complaints read only the few due within a day, not every open one.
    next_due = DateTimeField(null=True)
    parent = ForeignKeyField("self", null=True, backref="recomplaints", on_delete="SET NULL",
                             index=False)
    # Deadlines fixed when the clock starts, so lists can filter on them.
    closure_due = DateTimeField(index=True)
    onsite_due = DateTimeField(null=True)
    report_due = DateTimeField()
    proposal_due = DateTimeField(null=True)
    # 判定
    valid = BooleanField(null=True)
    nature = CharField(max_length=100, default="")
    cause_kind = CharField(max_length=12, default="")
    responsible_dept = CharField(max_length=40, default="", index=True)
    responsible_person = CharField(max_length=40, default="")
    classified_at = DateTimeField(null=True)
    onsite_at = DateTimeField(null=True)
    # 调查
    cause = TextField(default="")
    responsible_party = CharField(max_length=100, default="")
    solution = TextField(default="")
    investigated_at = DateTimeField(null=True)
    # 核决: the money the proposed solution involves, and the level that decides it
    claim_amount = DecimalField(max_digits=12, decimal_places=2, null=True)
    approval_level = CharField(max_length=10, default="")
    # 审批
    approved_at = DateTimeField(null=True)
    approved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approval_comment = TextField(default="")
    # 答复, 回访, 结案
    replied_at = DateTimeField(null=True)
    # 综合看法: the office's composite opinion on the negotiation, due a working day after it
    opinion_due = DateTimeField(null=True)
    opinion = TextField(default="")
    opinion_at = DateTimeField(null=True)
    opinion_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reply_method = CharField(max_length=10, default="")
    reply_note = TextField(default="")
    followed_up_at = DateTimeField(null=True)
    satisfaction = IntegerField(null=True)
    closed_at = DateTimeField(null=True, index=True)
    summary = TextField(default="")
    corrective_action = TextField(default="")
    invalid_reason = TextField(default="")
    # Major complaints: the emergency meeting and the agreed solution.
    meeting_at = DateTimeField(null=True)
    meeting_notes = TextField(default="")
    agreed_solution = TextField(default="")
    # Outcomes
    allowance = DecimalField(max_digits=12, decimal_places=2, null=True)
    return_qty = IntegerField(null=True)
    rework_qty = IntegerField(null=True)

    def label(self):
        return f"{self.serial} {self.complainant}"

    state_label = label_of("state", STATES)

    @property
    def finished(self):
        return self.state in FINISHED

    @property
    def answered(self):
        """The customer has had the result, so may reject it (a recomplaint)."""
        return self.state in ANSWERED

    @property
    def is_closed(self):
        return self.state == CLOSED

    @property
    def is_invalid(self):
        return self.state == INVALID

    def save(self, *args, **kwargs):
        self.next_due = self.earliest_due()
        return super().save(*args, **kwargs)

    def earliest_due(self):
        """Its earliest deadline not met yet, with its progress reports as they stand."""
        return earliest_due(self, self.report_moments())

    def report_moments(self):
        """When its progress reports were made."""
        if self.id is None:
            return []
        return [ComplaintProgress.at.python_value(at) for (at,) in _REPORT_MOMENTS.tuples(self.id)]

    channel_label = label_of("channel", CHANNELS)

    region_label = label_of("region", REGIONS)

    severity_label = label_of("severity", SEVERITIES)

    cause_kind_label = label_of("cause_kind", CAUSE_KINDS)

Complaint.add_index(sparse_index(Complaint, Complaint.parent))
Complaint.add_index(first_index(Complaint))
Complaint.add_index(filled_index(Complaint, Complaint.phone))
Complaint.add_index(filled_index(Complaint, Complaint.phone_tail))


def first_progress_due(received_at, reports):
    """The end of the first 7-day period from acceptance with fewer reports than required:
    the progress deadline as the reports stand (later periods have none yet)."""
    start, index = received_at, 0
    while True:
        end = start + PROGRESS_PERIOD * (index + 1)
        if sum(end - PROGRESS_PERIOD <= r < end for r in reports) < PROGRESS_PER_WEEK:
            return end
        index += 1


def earliest_due(complaint, reports):
    """The earliest deadline of an open complaint not met yet: closure, on-site visit, proposal,
    investigation report, next progress report. It changes only when the complaint or its
    reports do, never with the passing of time; None for a finished complaint."""
    if complaint.state in FINISHED or complaint.received_at is None:
        return None
    dues = [complaint.closure_due,
            complaint.onsite_due if complaint.onsite_at is None else None,
            complaint.proposal_due if complaint.investigated_at is None else None,
            complaint.report_due if complaint.investigated_at is None else None,
            complaint.opinion_due if complaint.opinion_at is None else None,
            first_progress_due(complaint.received_at, reports)]
    return min(due for due in dues if due is not None)


Complaint.add_index(open_index(Complaint, Complaint.closure_due, states=OPEN))
Complaint.add_index(open_index(Complaint, Complaint.owner, states=OPEN))


def complaint_is_open():
    """The open complaints' condition, in the form the partial index above serves."""
    return in_literal(Complaint.state, OPEN)


def refresh_next_due():
    """Every open complaint's next_due from its dates and progress reports (after an upgrade,
    or after rows were written without the models, as the benchmark's generator does)."""
    complaints = list(Complaint.select().where(complaint_is_open()))
    reports = report_moments_of(c.id for c in complaints)
    for complaint in complaints:
        _SET_NEXT_DUE.execute(earliest_due(complaint, reports[complaint.id]), complaint.id)


def report_moments_of(ids):
    """{complaint id: when its progress reports were made} for many complaints, in one query."""
    reports = {ident: [] for ident in ids}
    if not reports:
        return reports
    for complaint_id, at in (ComplaintProgress.select(ComplaintProgress.complaint,
                                                      ComplaintProgress.at)
                             .where(ids_in(ComplaintProgress.complaint, reports)).tuples()):
        reports[complaint_id].append(at)
    return reports

for _field in (Complaint.complainant, Complaint.name_initials):
    Complaint.add_index(search_index(Complaint, _field))


class ComplaintStep(BaseModel):
    """Who did which step when, with what they recorded."""

    complaint = ForeignKeyField(Complaint, backref="steps", on_delete="CASCADE")
    at = DateTimeField(default=now)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = CharField(max_length=20)
    from_state = CharField(max_length=12)
    to_state = CharField(max_length=12)
    note = TextField(default="")


class ComplaintProgress(BaseModel):
    """A progress report to the customer (at least twice in every 7 days)."""

    complaint = ForeignKeyField(Complaint, backref="progress", on_delete="CASCADE")
    at = DateTimeField(default=now, index=True)
    method = CharField(max_length=10, default="phone")
    note = CharField(max_length=500, default="")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")

    def save(self, *args, **kwargs):
        saved = super().save(*args, **kwargs)
        complaint = self.complaint  # a report may move its next deadline on
        complaint.next_due = complaint.earliest_due()
        _SET_NEXT_DUE.execute(complaint.next_due, complaint.id)
        return saved


# Every progress report reads its complaint's reports and moves its next_due: SQL written once.
_REPORT_MOMENTS = Prepared(lambda ident: ComplaintProgress.select(ComplaintProgress.at)
                           .where(ComplaintProgress.complaint == ident))
_SET_NEXT_DUE = Prepared(lambda due, ident: Complaint.update(next_due=due)
                         .where(Complaint.id == ident))


class ResponsibilityShare(BaseModel):
    """One department's share of responsibility; a complaint's shares add up to 100 %."""

    complaint = ForeignKeyField(Complaint, backref="shares", on_delete="CASCADE")
    department = CharField(max_length=40)
    percent = IntegerField()


PENALTY, REWARD = "penalty", "reward"
NOTICE_KINDS = {PENALTY: _l("罚"), REWARD: _l("奖")}


class PenaltyNotice(Voidable):
    """奖罚通知单: a penalty or reward arising from a complaint, approved by the GM."""

    record_name = _l("奖罚通知单")

    complaint = ForeignKeyField(Complaint, backref="notices", on_delete="CASCADE")
    kind = CharField(max_length=10, default=PENALTY)
    target = CharField(max_length=60)
    amount = DecimalField(max_digits=12, decimal_places=2, default=0)
    reason = TextField()
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approved_at = DateTimeField(null=True)
    for_lateness = BooleanField(default=False)  # proposed from the case's late clocks (治办)

    def label(self):
        return f"{self.complaint.serial} {NOTICE_KINDS.get(self.kind)} {self.target}"

    kind_label = label_of("kind", NOTICE_KINDS)


R_REQUESTED, R_APPROVED, R_REFUSED, R_RECEIVED, R_INSPECTED, R_SETTLED = (
    "requested", "approved", "refused", "received", "inspected", "settled")
RETURN_STATES = {R_REQUESTED: _l("已申请"), R_APPROVED: _l("已批准"), R_REFUSED: _l("已拒绝"),
                 R_RECEIVED: _l("已到货"), R_INSPECTED: _l("已检验"), R_SETTLED: _l("已结算")}


class ReturnRequest(Voidable):
    """退换货申请: goods coming back, inspected within 3 days of arrival, settled within 5."""

    record_name = _l("退换货申请")

    serial = CharField(max_length=20, unique=True)
    complaint = ForeignKeyField(Complaint, null=True, backref="returns", on_delete="SET NULL")
    customer = ForeignKeyField(Customer, null=True, backref="returns", on_delete="SET NULL")
    customer_name = CharField(max_length=80)
    purchase_date = DateField()
    requested_at = DateTimeField(default=now, index=True)
    reason = TextField()
    quality = BooleanField(default=False)
    # seed 004: the office or area manager's first assessment, signed on the 产品返厂申请表
    area_manager = CharField(max_length=40, default="")
    # a batch quality objection, confirmed on site within 5 days of the claim (seed 004 第二条)
    batch = BooleanField(default=False)
    batch_confirmed_at = DateTimeField(null=True)
    batch_note = TextField(default="")
    state = CharField(max_length=12, default=R_REQUESTED, index=True)
    approved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approved_at = DateTimeField(null=True)
    refused_reason = TextField(default="")
    arrived_at = DateTimeField(null=True)
    inspected_at = DateTimeField(null=True)
    inspection_note = TextField(default="")
    settled_at = DateTimeField(null=True)
    settlement_note = TextField(default="")

    def label(self):
        return f"{self.serial} {self.customer_name}"

    state_label = label_of("state", RETURN_STATES)


class ReturnLine(BaseModel):
    """One item on a return request."""

    request = ForeignKeyField(ReturnRequest, backref="lines", on_delete="CASCADE")
    item = CharField(max_length=80)
    quantity = IntegerField()
    unit_price = DecimalField(max_digits=12, decimal_places=2, null=True)


class Notification(BaseModel):
    """An in-app notice for one user (a major complaint, an approval waiting…)."""

    user = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    at = DateTimeField(default=now)
    message = CharField(max_length=300)
    params = TextField(default="")  # set: message is the catalogue's source (see stored_text)
    endpoint = CharField(max_length=60, default="")
    ref_id = IntegerField(null=True)
    read_at = DateTimeField(null=True, index=True)

    @property
    def text(self):
        """The notice in the reader's language."""
        return stored_text(self.message, self.params)


QUEUED, SENT, RETRYING, FAILED_DELIVERY = "queued", "sent", "retrying", "failed"
DELIVERY_STATES = {QUEUED: _l("待发送"), SENT: _l("已发送"), RETRYING: _l("重试中"),
                   FAILED_DELIVERY: _l("发送失败")}


class Delivery(BaseModel):
    """A notice on its way out through a channel (企业微信 robot, SMS…): the outbox. Sent only
    when the other side accepted it, with its reply; failed with the reason."""

    record_name = _l("外发通知")

    notification = ForeignKeyField(Notification, null=True, backref="deliveries",
                                   on_delete="SET NULL")
    channel = CharField(max_length=20)
    address = CharField(max_length=300, default="")  # (a webhook's address is a secret)
    body = TextField()
    state = CharField(max_length=10, default=QUEUED, index=True)
    attempts = IntegerField(default=0)
    reply = CharField(max_length=300, default="")
    sent_at = DateTimeField(null=True)

    secret_fields = ("address",)

    state_label = label_of("state", DELIVERY_STATES)

    @property
    def delivered(self):
        return self.state == SENT

    @property
    def given_up(self):
        """Failed after its retries."""
        return self.state == FAILED_DELIVERY
