"""Archive depth: documents in sections, grade evaluations, contact logs, ownership changes."""
from peewee import BooleanField, CharField, DecimalField, ForeignKeyField, IntegerField, TextField

from models.i18n import lazy_gettext as _l

from .base import BaseModel, DateTimeField, Voidable, label_of, now
from .customers import TIERS, Customer
from .users import User

SECTIONS = {
    "unit": _l("房屋/单位资料"),
    "fees": _l("费用、押金与欠费"),
    "decoration": _l("二次装修资料"),
    "move_in": _l("入住资料"),
    "correspondence": _l("往来函件"),
    "violations": _l("违章记录"),
    "credit": _l("资信档案（合同、执照）"),
}


class Document(Voidable):
    """An uploaded file in one archive section, stored outside static and served by the app."""

    record_name = _l("档案资料")

    customer = ForeignKeyField(Customer, backref="documents", on_delete="CASCADE")
    section = CharField(max_length=20, index=True)
    title = CharField(max_length=100)
    filename = CharField(max_length=200)
    content_type = CharField(max_length=100)
    size = IntegerField()
    stored_as = CharField(max_length=80, unique=True)
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    def label(self):
        return f"{self.customer.name} / {self.title}"

    section_label = label_of("section", SECTIONS)


PROPOSED, REVIEWED, APPROVED, REJECTED = "proposed", "reviewed", "approved", "rejected"
EVALUATION_STATES = {PROPOSED: _l("销售已提议"), REVIEWED: _l("销售主管已审核"),
                     APPROVED: _l("总经理已批准"), REJECTED: _l("已退回")}
PENDING = (PROPOSED, REVIEWED)  # waiting for the sales head, then the GM


class GradeEvaluation(BaseModel):
    """A yearly (or provisional) grading with the figures behind it; approved ones are history."""

    record_name = _l("客户评级")

    customer = ForeignKeyField(Customer, backref="evaluations", on_delete="CASCADE")
    year = IntegerField(index=True)
    provisional = BooleanField(default=False)
    tier = CharField(max_length=20)
    grade = CharField(max_length=1)
    credit = CharField(max_length=1, default="")  # 资信等级 (models.customers.CREDIT_GRADES)
    annual_sales = DecimalField(max_digits=14, decimal_places=2, null=True)
    price_level = CharField(max_length=40, default="")
    payment_record = CharField(max_length=100, default="")
    cooperation = CharField(max_length=200, default="")
    state = CharField(max_length=10, default=PROPOSED, index=True)
    proposed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    proposed_at = DateTimeField(default=now)
    reviewed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reviewed_at = DateTimeField(null=True)
    approved_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    approved_at = DateTimeField(null=True, index=True)
    comment = TextField(default="")

    def label(self):
        return f"{self.customer.name} {self.year} {self.tier_label}{self.grade}"

    tier_label = label_of("tier", TIERS)

    state_label = label_of("state", EVALUATION_STATES)

    @property
    def pending(self):
        return self.state in PENDING

    @property
    def awaiting_review(self):
        """Proposed by sales, for the sales head to review before the GM approves."""
        return self.state == PROPOSED


CONTACT_METHODS = {"phone": _l("电话"), "visit": _l("拜访"), "sms": _l("短信"),
                   "wechat": _l("微信"), "mail": _l("邮件")}


class ContactLog(BaseModel):
    """A contact with a customer (a logged call, a visit, a follow-up) for the contact rules."""

    customer = ForeignKeyField(Customer, backref="contacts", on_delete="CASCADE")
    at = DateTimeField(default=now, index=True)
    method = CharField(max_length=10, default="phone")
    note = CharField(max_length=300, default="")
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


class OwnershipChange(BaseModel):
    """Who owned a customer before and after, and why (leaver redistribution, lapse, manual)."""

    customer = ForeignKeyField(Customer, backref="ownership_changes", on_delete="CASCADE")
    at = DateTimeField(default=now)
    from_user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    to_user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    reason = CharField(max_length=100)
    by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
