"""Customers, the hub every module links to, with their emergency contacts and timeline."""
from enum import StrEnum

from peewee import SQL, BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from models.i18n import lazy_gettext as _l

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
from .users import User

KINDS = {
    "resident": _l("住户"),
    "company": _l("单位"),
    "dealer": _l("经销商"),
    "shopper": _l("顾客"),
}


class Status(StrEnum):
    """Where a customer stands with the office (stored)."""
    POTENTIAL = "potential"
    COOPERATING = "cooperating"
    LAPSED = "lapsed"


class Tier(StrEnum):
    """The customer's grade for contact and visits (seed 000: 战略合作, 重点, 一般, 储备)."""
    STRATEGIC = "strategic"
    KEY = "key"
    GENERAL = "general"
    RESERVE = "reserve"


STATUSES = {
    Status.POTENTIAL: _l("潜在"),
    Status.COOPERATING: _l("合作"),
    Status.LAPSED: _l("流失"),
}
TIERS = {
    Tier.STRATEGIC: _l("战略合作"),
    Tier.KEY: _l("重点"),
    Tier.GENERAL: _l("一般"),
    Tier.RESERVE: _l("储备"),
}
SERVED_TIERS = (Tier.STRATEGIC, Tier.KEY, Tier.GENERAL)  # those with a contact interval and quota
IMPORTANT_TIERS = (Tier.STRATEGIC, Tier.KEY)
GRADES = {"A": "A", "B": "B", "C": "C"}
# 资信等级, rated by finance at the yearly evaluation (seed 000 4.2, 5.1.1)
CREDIT_GRADES = {"A": _l("A 资信良好"), "B": _l("B 资信一般"), "C": _l("C 须现款结算")}


class Customer(SearchKeys, Voidable):
    """客户档案: one person, household or company the office serves."""

    record_name = _l("客户档案")

    masked_fields = {"phone": "phone", "phone2": "phone", "id_number": "id"}

    kind = CharField(max_length=20, default="shopper", index=True)
    name = CharField(max_length=80)
    contact_person = CharField(max_length=40, default="")
    phone = CharField(max_length=20, default="")
    phone2 = CharField(max_length=20, default="")
    email = CharField(max_length=120, default="")
    id_number = CharField(max_length=30, default="")
    # Optional columns a search looks up are indexed where filled (filled_index below).
    building = CharField(max_length=20, default="")
    unit = CharField(max_length=20, default="")
    room = CharField(max_length=20, default="")
    address = CharField(max_length=200, default="")
    plate = CharField(max_length=20, default="")
    company_nature = CharField(max_length=40, default="")
    owner = ForeignKeyField(User, null=True, backref="customers", on_delete="SET NULL")
    status = CharField(max_length=20, default=Status.POTENTIAL, index=True)
    tier = CharField(max_length=20, default="", index=True)
    grade = CharField(max_length=1, default="", index=True)
    credit_grade = CharField(max_length=1, default="")
    source = CharField(max_length=40, default="")
    contract_date = DateField(null=True)
    handed_over_on = DateField(null=True)  # 交房: the unit handed over to the buyer
    # 案场规则: a phone enquiry owned by sales lapses to data only without a visit in 2 months.
    enquiry_only = BooleanField(default=False)
    provisional_until = DateField(null=True)
    notes = TextField(default="")
    blacklisted = BooleanField(default=False)
    blacklist_reason = CharField(max_length=300, default="")
    blacklisted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    blacklisted_at = DateTimeField(null=True)
    # Search keys, kept in step with name and phone by services.search.index_customer.
    name_pinyin = CharField(max_length=200, default="")
    name_initials = CharField(max_length=80, default="")
    phone_tail = CharField(max_length=4, default="")
    # The last contact (logged, visit made, follow-up done), or when the card was opened: kept
    # here so "who is due for contact" is one indexed query however many customers there are.
    contacted_at = DateTimeField(null=True)

    @classmethod
    def on_blacklist(cls):
        """Blacklisted customers, in the form their partial index serves: a handful of rows, so
        the check at every visitor registration does not read all customers."""
        return cls.blacklisted == SQL("TRUE")

    def save(self, *args, **kwargs):
        if self.contacted_at is None:
            self.contacted_at = self.created_at or now()
        return super().save(*args, **kwargs)

    @classmethod
    def touch_contact(cls, customer_id, at):
        """A contact was made at `at`: move the customer's last contact forward (never back)."""
        if customer_id is None or at is None:
            return
        cls.update(contacted_at=at).where((cls.id == customer_id) & (
            cls.contacted_at.is_null() | (cls.contacted_at < at))).execute()

    def label(self):
        return self.name

    @property
    def unit_label(self):
        """楼栋-单元-房号 when known, else the address."""
        parts = [p for p in (self.building, self.unit, self.room) if p]
        return "-".join(parts) if parts else self.address

    kind_label = label_of("kind", KINDS)

    status_label = label_of("status", STATUSES)

    @property
    def tier_label(self):
        return TIERS.get(self.tier, "")

Customer.add_index(Customer.created_at)  # (the one table whose lists and duties read it)
Customer.add_index(sparse_index(Customer, Customer.provisional_until))
for _field in (Customer.phone2, Customer.building, Customer.room, Customer.plate,
               Customer.phone_tail):
    Customer.add_index(filled_index(Customer, _field))


Customer.add_index(Customer.index(Customer.phone, where=Customer.on_blacklist(),
                                  name="customer_blacklist_phone"))

# Who is due for contact, everyone's and an owner's: live customers by tier and last contact,
# the id last, so PostgreSQL counts the home page's tile (up to its cap) from the index alone
# instead of scanning the table.
for _fields in ((Customer.tier,), (Customer.owner, Customer.tier)):
    Customer.add_index(Customer.index(
        *_fields, Customer.contacted_at, Customer.id, where=Customer.not_voided(),
        name="_".join(["customer_live"] + [f.column_name for f in _fields] + ["contacted_at"])))

for _field in (Customer.name, Customer.phone, Customer.name_pinyin, Customer.name_initials):
    Customer.add_index(search_index(Customer, _field))


class EmergencyContact(Voidable):
    """客户紧急联络表: who to call for a customer when something happens."""

    record_name = _l("紧急联络人")

    masked_fields = {"phone": "phone", "phone2": "phone"}

    customer = ForeignKeyField(Customer, backref="emergency_contacts", on_delete="CASCADE")
    name = CharField(max_length=40)
    relation = CharField(max_length=20, default="")
    phone = CharField(max_length=20)
    phone2 = CharField(max_length=20, default="")
    workplace = CharField(max_length=100, default="")
    address = CharField(max_length=200, default="")
    notes = CharField(max_length=200, default="")

    def label(self):
        return f"{self.customer.name} / {self.name}"


class TimelineEntry(BaseModel):
    """One event on a customer's timeline, added by any module through services.timeline."""

    customer = ForeignKeyField(Customer, backref="timeline", on_delete="CASCADE")
    at = DateTimeField(default=now)
    kind = CharField(max_length=20)
    ref_id = IntegerField(null=True)
    summary = CharField(max_length=300)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("customer", "at"), False),)
