"""The registers' rules (seed 000's 商住大厦客户档案管理制度 and seed 004's desk books): each is
one function, called by the register's declaration before an entry is written, and tested in
tests/test_registers_rules.py. A refusal is a RuleError naming the field it is about."""
import datetime
import re
from decimal import Decimal

from peewee import fn

from models import clock, now
from models.customers import Tier
from models.i18n import gettext as _
from models.registers import (
    GIVEN,
    WAITING,
    DuplicateCard,
    KeyLoan,
    MeterReading,
    ParkingDeal,
    ParkingPermit,
    PhoneChange,
    PhoneInstall,
    PhoneMove,
    PhoneNumber,
    PhoneTransfer,
    ServiceTally,
    SpaceApplication,
)
from models.users import GM, MANAGER
from services import audit, identity
from services import settings as settings_service

from .engine import REGISTERS_BY_MODEL, RuleError


def _others(model, entry, *conditions):
    """Live entries of `model` meeting `conditions`, other than `entry` itself."""
    query = model.select().where(model.not_voided(), *conditions)
    return query.where(model.id != entry.id) if entry.id else query


def _normalise_plate(entry, name="plate"):
    value = getattr(entry, name)
    if value:
        if not identity.valid_plate(value):
            raise RuleError(name, _("车牌格式不正确，例如 粤B12345"))
        setattr(entry, name, identity.normalize_plate(value))


# --- parking: a space is let or sold, never both; a permit is for a space and a plate, and ends


def _overlaps(model, start, end):
    """Entries whose period [starts_on, ends_on] (open-ended when ends_on is empty) meets
    [start, end]."""
    ends = model.ends_on.is_null() | (model.ends_on >= start)
    return ends if end is None else ends & (model.starts_on <= end)


def check_parking_deal(deal):
    """A let needs its end date after its start. A sold space is never let and a let one is not
    sold while the let runs; two lets of one space do not overlap."""
    _normalise_plate(deal)
    deal.space = deal.space.strip().upper()
    if deal.kind == "rent" and deal.ends_on is None:
        raise RuleError("ends_on", _("出租须填写到期日期"))
    if deal.ends_on is not None and deal.ends_on < deal.starts_on:
        raise RuleError("ends_on", _("到期日期不能早于起始日期"))
    if deal.kind == "sale":
        deal.ends_on = None
        sold = _others(ParkingDeal, deal, ParkingDeal.space == deal.space,
                       ParkingDeal.kind == "sale").first()
        if sold is not None:
            raise RuleError("space", _("车位 %(space)s 已售予 %(name)s",
                                       space=deal.space, name=sold.customer.name))
    clash = _others(ParkingDeal, deal, ParkingDeal.space == deal.space,
                    _overlaps(ParkingDeal, deal.starts_on, deal.ends_on)).first()
    if clash is not None:
        if clash.kind == "sale" or deal.kind == "sale":
            raise RuleError("kind", _("车位只能出租或出售其一：%(space)s 已%(kind)s给 %(name)s",
                                      space=deal.space, kind=clash.kind_label,
                                      name=clash.customer.name))
        raise RuleError("starts_on", _("车位 %(space)s 在此期间已出租给 %(name)s（至 %(end)s）",
                                       space=deal.space, name=clash.customer.name,
                                       end=clash.ends_on))


def deal_of_space(space, day):
    """The live let or sale of `space` in force on `day`, or None."""
    return (ParkingDeal.select().where(
        ParkingDeal.not_voided(), ParkingDeal.space == space,
        ParkingDeal.starts_on <= day, _overlaps(ParkingDeal, day, day))
        .order_by(ParkingDeal.starts_on.desc()).first())


def check_permit(permit):
    """A permit names a space let or sold on the day it is issued, ends after it starts and no
    later than the let, and is the space's only permit in force."""
    _normalise_plate(permit)
    permit.space = permit.space.strip().upper()
    if permit.valid_until < permit.issued_on:
        raise RuleError("valid_until", _("有效期不能早于发证日期"))
    deal = deal_of_space(permit.space, permit.issued_on)
    if deal is None:
        raise RuleError("space", _("车位 %(space)s 在发证日没有租售登记，请先登记车位租售",
                                   space=permit.space))
    if deal.ends_on is not None and permit.valid_until > deal.ends_on:
        raise RuleError("valid_until", _("停车证不能超过车位租期（至 %(end)s）", end=deal.ends_on))
    current = _others(ParkingPermit, permit, ParkingPermit.space == permit.space,
                      ParkingPermit.valid_until >= permit.issued_on,
                      ParkingPermit.issued_on <= permit.valid_until).first()
    if current is not None:
        raise RuleError("space", _("车位 %(space)s 已有有效停车证 %(no)s（%(plate)s，至 %(end)s）",
                                   space=permit.space, no=current.permit_no,
                                   plate=current.plate, end=current.valid_until))


def permit_standing(permit):
    return _("已过期") if permit.valid_until < clock.today() else _("有效")


def application_facts(application):
    if application.state != WAITING:
        return []
    return [(_("排队位次"), str(waiting_position(application)))]


def check_application(application):
    _normalise_plate(application)
    if application.state == GIVEN and not application.space_given.strip():
        raise RuleError("space_given", _("已安排须填写车位号"))


def waiting_position(application):
    """Where a waiting application stands in the queue for its kind (1 = next)."""
    return SpaceApplication.select().where(
        SpaceApplication.not_voided(), SpaceApplication.state == WAITING,
        SpaceApplication.wants == application.wants,
        (SpaceApplication.applied_on < application.applied_on)
        | ((SpaceApplication.applied_on == application.applied_on)
           & (SpaceApplication.id < application.id))).count() + 1


# --- keys in custody: a holder, an authorisation, every hand-out against a checked ID, a return

SEPARATORS = re.compile(r"[、,，;；/\s]+")


def authorised_names(custody):
    return [n for n in SEPARATORS.split(custody.authorised or "") if n]


def check_custody(custody):
    if not authorised_names(custody):
        raise RuleError("authorised", _("请填写授权取用人"))
    if custody.count < 1:
        raise RuleError("count", _("数量至少 1 把"))
    if custody.returned_on is not None and custody.returned_on < custody.received_on:
        raise RuleError("returned_on", _("退还日期不能早于接收日期"))


def key_out(custody):
    """The hand-out of this custody's keys not yet back, or None."""
    return KeyLoan.live().where((KeyLoan.custody == custody) & KeyLoan.back_at.is_null()).first()


def check_loan(loan):
    """A key is handed out only while held, to a person the owner authorised (and within the
    authorisation's date), against an ID the clerk checked, and not while it is already out."""
    custody = loan.custody
    if custody.voided or custody.returned_on is not None:
        raise RuleError(None, _("该钥匙已不在代保管中"))
    if loan.person.strip() not in authorised_names(custody):
        raise RuleError("person", _("%(name)s 不在业主授权取用人之列（%(names)s）",
                                    name=loan.person.strip(), names=custody.authorised))
    if custody.authorised_until is not None and loan.out_at.date() > custody.authorised_until:
        raise RuleError("person", _("授权已于 %(day)s 到期", day=custody.authorised_until))
    if not loan.id_checked:
        raise RuleError("id_checked", _("借出钥匙须核对领用人证件"))
    if not loan.id_number:
        raise RuleError("id_number", _("请登记领用人证件号码"))
    out = key_out(custody)
    if out is not None and out.id != loan.id:
        raise RuleError(None, _("钥匙已于 %(at)s 借给 %(name)s，尚未归还",
                                at=out.out_at.strftime("%Y-%m-%d %H:%M"), name=out.person))


def return_key(loan, user):
    loan.back_at = now()


def key_standing(custody):
    if custody.returned_on is not None:
        return _("已退还业主")
    return _("借出中") if key_out(custody) is not None else _("在库")


def loan_standing(loan):
    return _("已归还") if loan.back_at else _("借出中")


# --- meters: a lower reading is refused unless the meter was replaced; the customer signs


def previous_reading(reading):
    """The last live reading of the same meter before this one, or None."""
    return (_others(MeterReading, reading, MeterReading.customer == reading.customer_id,
                    MeterReading.meter == reading.meter,
                    MeterReading.meter_no == reading.meter_no,
                    (MeterReading.read_on < reading.read_on)
                    | ((MeterReading.read_on == reading.read_on)
                       & (MeterReading.id < (reading.id or 2**31))))
            .order_by(MeterReading.read_on.desc(), MeterReading.id.desc()).first())


def check_reading(reading):
    """A reading below the last one of the same meter is refused unless this reading records a
    replacement, which needs the old meter's final reading (not below the last one either)."""
    reading.meter_no = reading.meter_no.strip()
    if reading.read_on > clock.today():
        raise RuleError("read_on", _("抄表日期不能晚于今天"))
    last = previous_reading(reading)
    if reading.replaced:
        if reading.old_final is None:
            raise RuleError("old_final", _("换表须填写旧表止数"))
        if last is not None and reading.old_final < last.reading:
            raise RuleError("old_final", _("旧表止数 %(value)s 低于上次底数 %(last)s",
                                           value=_amount(reading.old_final),
                                           last=_amount(last.reading)))
    elif last is not None and reading.reading < last.reading:
        raise RuleError("reading", _("底数 %(value)s 低于上次底数 %(last)s（%(day)s），如已换表请勾选“本次换表”",
                                     value=_amount(reading.reading), last=_amount(last.reading),
                                     day=last.read_on))
    else:
        reading.old_final = None


def _amount(value):
    return f"{value:.2f}"


def usage(reading):
    """What the meter counted since the last reading (a replaced meter: the old one's rest
    plus the new one's count), or None for a first reading."""
    last = previous_reading(reading)
    if last is None:
        return None
    if reading.replaced:
        return reading.old_final - last.reading + reading.reading
    return reading.reading - last.reading


def reading_facts(reading):
    """The meter's count since the last reading, on the page and the printed form."""
    counted = usage(reading)
    return [(_("用量"), _amount(counted) if counted is not None else _("首次抄表"))]


def sign_reading(reading, user):
    reading.signed_at = now()


def reading_standing(reading):
    return _("已签字确认") if reading.signature else _("待客户签字")


# --- phones: the pool, and every installation, change, transfer and move names the number

PHONE_MODELS = (PhoneNumber, PhoneInstall, PhoneChange, PhoneTransfer, PhoneMove)


def _tidy_number(entry, name="number"):
    value = re.sub(r"[\s-]", "", getattr(entry, name) or "")
    if value and not identity.valid_phone(value):
        raise RuleError(name, _("电话号码格式不正确"))
    setattr(entry, name, value)


def holder_of(number, on=None, leaving_out=None):
    """The customer who holds `number` on the day `on` (today when None) by its installations
    and transfers, or None (never installed, or taken out); `leaving_out`: an entry being
    corrected, which does not count."""
    on = on or clock.today()
    events = []
    for model, day in ((PhoneInstall, PhoneInstall.applied_on),
                       (PhoneTransfer, PhoneTransfer.transferred_on)):
        query = model.select().where(model.not_voided(), model.number == number, day <= on)
        if leaving_out is not None and leaving_out.id and type(leaving_out) is model:
            query = query.where(model.id != leaving_out.id)
        events += [(getattr(e, day.name), e.created_at, e.customer_id) for e in query]
    cancelled = (PhoneChange.select(fn.MAX(PhoneChange.changed_on))
                 .where(PhoneChange.not_voided(), PhoneChange.number == number,
                        PhoneChange.change == "cancel", PhoneChange.changed_on <= on).scalar())
    events.sort()
    if not events or (cancelled is not None and cancelled >= events[-1][0]):
        return None
    return events[-1][2]


def check_pool_number(entry):
    _tidy_number(entry)
    twin = _others(PhoneNumber, entry, PhoneNumber.number == entry.number).first()
    if twin is not None:
        raise RuleError("number", _("号码 %(number)s 已在号码池中", number=entry.number))


def check_install(install):
    """A number is installed once at a time: not while another customer holds it; a pool
    number must still be free."""
    _tidy_number(install)
    holder = holder_of(install.number, install.applied_on, leaving_out=install)
    if holder is not None and holder != install.customer_id:
        raise RuleError("number", _("号码 %(number)s 仍在其他用户名下，请办理过户", number=install.number))
    pooled = PhoneNumber.select().where(PhoneNumber.not_voided(),
                                        PhoneNumber.number == install.number).first()
    if pooled is not None and pooled.taken_by_id not in (None, install.customer_id):
        raise RuleError("number", _("号码 %(number)s 已租/售给其他客户", number=install.number))


def take_from_pool(install, user):
    """Installing a pool number takes it for the customer."""
    pooled = PhoneNumber.select().where(PhoneNumber.not_voided(),
                                        PhoneNumber.number == install.number).first()
    if pooled is not None and pooled.taken_by_id is None:
        pooled.taken_by, pooled.taken_on = install.customer_id, install.applied_on
        audit.save(pooled, user)


def check_change(change):
    _tidy_number(change)
    _tidy_number(change, "new_number")
    if change.change == "number" and not change.new_number:
        raise RuleError("new_number", _("改号须填写新号码"))
    if holder_of(change.number, change.changed_on) != change.customer_id:
        raise RuleError("number", _("号码 %(number)s 不在该单元名下", number=change.number))


def renumber(change, user):
    """A change of number moves the line's history onto the new number: an installation of it
    for the same customer, dated the day of the change."""
    if change.change == "number" and change.new_number:
        audit.save(PhoneInstall(customer=change.customer_id, number=change.new_number,
                                applied_on=change.changed_on, installed_on=change.changed_on,
                                notes=_("由 %(number)s 改号", number=change.number),
                                entered_by=user.id, keywords=change.new_number), user)


def check_transfer(transfer):
    _tidy_number(transfer)
    if transfer.from_customer_id == transfer.customer_id:
        raise RuleError("customer", _("新用户与原用户相同"))
    if holder_of(transfer.number, transfer.transferred_on,
                 leaving_out=transfer) != transfer.from_customer_id:
        raise RuleError("from_customer", _("号码 %(number)s 不在原用户名下", number=transfer.number))


def check_move(move):
    _tidy_number(move)
    if holder_of(move.number, move.moved_on) != move.customer_id:
        raise RuleError("number", _("号码 %(number)s 不在该单元名下", number=move.number))


def number_history(number):
    """Every live entry that names `number`, oldest first: (day, entry)."""
    days = {PhoneNumber: "listed_on", PhoneInstall: "applied_on", PhoneChange: "changed_on",
            PhoneTransfer: "transferred_on", PhoneMove: "moved_on"}
    found = []
    for model in PHONE_MODELS:
        query = model.select().where(model.not_voided(), model.number == number)
        found += [(getattr(e, days[model]), e.created_at, e) for e in query]
    if number:
        renamed = PhoneChange.select().where(PhoneChange.not_voided(),
                                             PhoneChange.new_number == number)
        found += [(e.changed_on, e.created_at, e) for e in renamed]
    return [(day, entry) for day, _at, entry in sorted(found, key=lambda f: f[:2])]


def phone_facts(entry):
    """A link from any telephone entry to its number's whole history."""
    return [(_("号码历史"), entry.number, ("registers.phone_history", {"number": entry.number}))]


def pool_standing(number):
    return _("已租/售") if number.taken_by_id else _("可租/售")


# --- complaint forms: 签呈, 来函 and 异常处理单 name the complaint they concern


def check_complaint_serial(entry):
    """A complaint named by its serial must exist."""
    from models import Complaint
    serial = (entry.complaint_serial or "").strip().upper()
    entry.complaint_serial = serial
    if serial and not Complaint.select().where(Complaint.serial == serial).exists():
        raise RuleError("complaint_serial", _("没有客诉编号为 %(serial)s 的投诉", serial=serial))


def complaint_facts(entry):
    """A link to the complaint the entry names."""
    from models import Complaint
    complaint = (Complaint.get_or_none(Complaint.serial == entry.complaint_serial)
                 if entry.complaint_serial else None)
    if complaint is None:
        return []
    return [(_("相关投诉"), f"{complaint.serial} {complaint.complainant}",
             ("complaints.detail", {"id": complaint.id}))]


def decide_petition(petition, user):
    """Only the GM writes the 批示 on a 签呈."""
    if user.role != GM:
        raise RuleError(None, _("签呈须由总经理批示"))
    if not petition.decision.strip():
        raise RuleError("decision", _("请填写批示"))
    petition.decided_by, petition.decided_at = user.id, now()


def petition_standing(petition):
    return _("已批示") if petition.decided_at else _("待总经理批示")


def reply_letter(letter, user):
    """The written reply, dated today, by whoever sends it."""
    if not letter.reply.strip():
        raise RuleError("reply", _("请填写书面答复"))
    letter.replied_on, letter.replied_by = clock.today(), user.id


def letter_standing(letter):
    return _("已答复") if letter.replied_on else _("待答复")


# --- the archive's structured records and the 查阅程序

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_fee(fee):
    """A fee is for a month (YYYY-MM); money paid has its day."""
    fee.period = fee.period.strip()
    if not PERIOD.match(fee.period):
        raise RuleError("period", _("所属期间请写成 2026-11 的形式"))
    if fee.amount_due is None:
        raise RuleError("amount_due", _("请填写应收金额"))
    if fee.amount_paid and fee.paid_on is None:
        raise RuleError("paid_on", _("已收款须填写缴费日期"))


def fee_standing(fee):
    return _("欠费 %(amount)s 元", amount=_amount(fee.arrears)) if fee.arrears > 0 else _("已结清")


def fee_summary(fees):
    """The period's amounts due, paid and in arrears."""
    due = sum((f.amount_due or 0 for f in fees), 0)
    paid = sum((f.amount_paid or 0 for f in fees), 0)
    return [(_("应收合计"), _amount(due)), (_("实收合计"), _amount(paid)),
            (_("欠费合计"), _amount(sum((max(f.arrears, 0) for f in fees), 0)))]


def check_violation(violation):
    if violation.rectified_on is not None and violation.rectified_on < violation.happened_on:
        raise RuleError("rectified_on", _("整改日期不能早于发生日期"))


def violation_standing(violation):
    return _("已整改") if violation.rectified_on else _("待整改")


def check_fit_out(works):
    """Works end after they start; the deposit goes back only after the inspection."""
    if works.ends_on < works.starts_on:
        raise RuleError("ends_on", _("完工日期不能早于开工日期"))
    if works.deposit_returned_on is not None and works.inspected_on is None:
        raise RuleError("deposit_returned_on", _("装修验收后才能退还押金"))


def fit_out_standing(works):
    if works.deposit_returned_on:
        return _("押金已退")
    return _("已验收") if works.inspected_on else _("施工中")


def approve_reading(loan, user):
    """Only a leader (a manager or the GM) lets an outside party read a customer's file; the
    access log keeps it (查阅程序)."""
    if user.role not in (MANAGER, GM):
        raise RuleError(None, _("外单位查阅档案须经领导批准"))
    loan.approved_by, loan.approved_at = user.id, now()
    audit.log_access(user, audit.OPEN, obj=loan.customer, detail=loan.requester,
                     reason=loan.purpose)


def return_archive(loan, user):
    loan.returned_at = now()


def archive_loan_standing(loan):
    if loan.approved_at is None:
        return _("待批准")
    if loan.borrow:
        return _("已归还") if loan.returned_at else _("借出中")
    return _("已批准")


# --- 重卡: seed 002 因没有及时回访而造成的重卡,视为浪费客户资源,每卡罚款20元


def late_for_contact(customer, settings, today):
    """Had the first registration's owner let the customer go without contact longer than its
    tier allows?"""
    days = int(settings["contact_days"].get(customer.tier or Tier.GENERAL, 30))
    return customer.contacted_at.date() + datetime.timedelta(days=days) < today


def check_duplicate_card(card):
    """The fine follows the cause: the set fine when the follow-up was late, else none."""
    fine = Decimal(str(settings_service.load()["duplicate_card_fine"]))
    card.fine = fine if card.late_follow_up else Decimal("0")


def record_duplicate(first, second, user, settings, today):
    """A customer registered again (重卡): attributed to the first registration and its owner,
    late follow-up judged from the contact interval (its fine with it)."""
    card = DuplicateCard(entered_by=user.id, customer=first, second=second,
                         first_owner=first.owner_id, second_by=user.id, found_on=today,
                         late_follow_up=late_for_contact(first, settings, today))
    return REGISTERS_BY_MODEL[DuplicateCard].write(card, user, new=True)


def duplicate_standing(card):
    return _("罚款 %(amount)s 元", amount=_amount(card.fine)) if card.fine else _("不罚")


# --- the desk's books


def check_tally(tally):
    """One line per person and day; deals are among the customers served."""
    if tally.deals > tally.served:
        raise RuleError("deals", _("成交客户数不能多于服务客户数"))
    twin = _others(ServiceTally, tally, ServiceTally.staff == tally.staff_id,
                   ServiceTally.day == tally.day).first()
    if twin is not None:
        raise RuleError("day", _("%(day)s 已有该客服的统计，请修改原记录", day=tally.day))


def tally_totals(rows):
    """Totals of a list of tally lines with the conversion rate (成交 / 服务)."""
    totals = {k: sum(getattr(r, k) for r in rows) for k in ("visits", "calls", "served", "deals")}
    totals["conversion"] = (round(100 * totals["deals"] / totals["served"], 1)
                            if totals["served"] else None)
    return totals


def tally_summary(rows):
    """What the service tally's list and sheet sum up (seed 004: 运算转化率)."""
    totals = tally_totals(rows)
    rate = f"{totals['conversion']}%" if totals["conversion"] is not None else "—"
    return [(_("来访接待"), str(totals["visits"])), (_("来电接听"), str(totals["calls"])),
            (_("服务客户数"), str(totals["served"])), (_("成交客户数"), str(totals["deals"])),
            (_("转化率"), rate)]


def review_problem(problem, user):
    problem.reviewed_by, problem.reviewed_at = user.id, now()


def collect_mail(mail, user):
    if not mail.collected_by.strip():
        raise RuleError("collected_by", _("请填写领取人"))
    mail.collected_at = now()


def claim_property(item, user):
    if not item.claimed_by.strip():
        raise RuleError("claimed_by", _("请填写认领人"))
    if not item.claimant_id.strip():
        raise RuleError("claimant_id", _("认领须登记证件号码"))
    item.claimed_at = now()
