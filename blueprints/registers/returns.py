"""Returns' accounting (seed 000 第十三条 成品退货帐务处理) and carrier claims (seed 004 第四条):
the rules of the 成品退货单, 销货折让证明单, 销货退回证明单 and 承运索赔 registers."""
from decimal import Decimal

from models import clock, now
from models.complaints import CLOSED, Complaint
from models.i18n import gettext as _
from models.registers import GoodsReturnNote
from models.users import GM, MANAGER
from services import settings as settings_service

from .engine import RuleError
from .service import check_complaint_serial

APPROVERS = (MANAGER, GM)


def _closed_complaint(entry):
    """The closed complaint the entry is opened from (第十三条: 接到已结案的客户埋怨处理表)."""
    check_complaint_serial(entry)
    complaint = Complaint.get_or_none(Complaint.serial == entry.complaint_serial)
    if complaint is None:  # (a serial is required on these forms)
        raise RuleError("complaint_serial", _("请填写客诉编号"))
    if complaint.state != CLOSED:
        raise RuleError("complaint_serial", _("投诉 %(serial)s 尚未结案", serial=complaint.serial))
    return complaint


def _approver(user):
    if user.role not in APPROVERS:
        raise RuleError(None, _("须由经理或总经理核签"))


# --- 成品退货单

def check_return_note(note):
    """The approved quantity is the one the complaint's 核决 set for this way of handling."""
    complaint = _closed_complaint(note)
    approved = complaint.return_qty if note.handling == "return" else complaint.rework_qty
    if not approved:
        raise RuleError("handling", _("该投诉的核决结果没有此处理方式的数量"))
    if note.approved_qty != approved:
        raise RuleError("approved_qty", _("核定退货量须与投诉核决的数量 %(n)s 一致", n=approved))
    if note.over_ratio is not None and note.over_ratio > 100:
        raise RuleError("over_ratio", _("超量允收比率不能超过 100%"))


def approve_return(note, user):
    """经（副）理批示 before the warehouse takes the goods in."""
    _approver(user)
    note.approved_by, note.approved_at = user.id, now()


def over_limit(note, settings=None):
    """The most that may be booked by what came back: the approved quantity plus the customer's
    over-acceptance ratio, or the company's when the order named none."""
    ratio = note.over_ratio
    if ratio is None:
        ratio = Decimal(str((settings or settings_service.load())["return_over_ratio"]))
    return int(note.approved_qty * (100 + ratio) / 100)


def receive_return(note, user):
    """仓储签收 by the actual quantity. Less than approved, or more within the ratio: booked by
    the actual quantity. More beyond it: left for a manager's instruction (请示)."""
    if not note.actual_qty or note.actual_qty < 1:
        raise RuleError("actual_qty", _("请填写实退量"))
    note.received_by, note.received_at = user.id, now()
    note.booked_qty = note.actual_qty if note.actual_qty <= over_limit(note) else None


def instruct_return(note, user):
    """A manager's instruction on a return beyond the ratio: the quantity to book."""
    _approver(user)
    if not note.booked_qty or not 1 <= note.booked_qty <= note.actual_qty:
        raise RuleError("booked_qty", _("转帐数量须在 1 与实退量 %(n)s 之间", n=note.actual_qty))


def prove_return(note, user):
    if not note.proof:
        raise RuleError("proof", _("请选择取得的退货证明"))


def return_standing(note):
    if note.approved_at is None:
        return _("待经理批示")
    if note.received_at is None:
        return _("待仓储签收")
    if note.booked_qty is None:
        return _("实退量超出允收比率，待请示")
    if not note.proof:
        return _("待取得退货证明")
    return _("已转帐 %(n)s", n=note.booked_qty)


def return_facts(note):
    facts = [(_("允收上限"), str(over_limit(note)))]
    if note.actual_qty is not None:
        facts.append((_("实退与核定之差"), f"{note.actual_qty - note.approved_qty:+d}"))
    return facts


# --- 销货折让证明单

def _allowance_total(note):
    return (note.allowance_price or 0) * (note.quantity or 0)


def check_allowance(note):
    """Opened by the 核决 result: the allowance stays within the one the complaint approved,
    and a unit's allowance within its price."""
    complaint = _closed_complaint(note)
    if note.unit_price is None or note.allowance_price is None:
        raise RuleError("allowance_price", _("请填写原单价与折让单价"))
    if note.allowance_price > note.unit_price:
        raise RuleError("allowance_price", _("折让单价不能超过原单价"))
    if not note.quantity:
        raise RuleError("quantity", _("请填写数量"))
    if complaint.allowance is None:
        raise RuleError("complaint_serial", _("该投诉的核决结果没有折让或赔款"))
    if _allowance_total(note) > complaint.allowance:
        raise RuleError("allowance_price", _("折让金额 %(total)s 超过核决的 %(approved)s 元",
                                             total=f"{_allowance_total(note):.2f}",
                                             approved=f"{complaint.allowance:.2f}"))


def manager_sign_allowance(note, user):
    _approver(user)
    note.manager_by, note.manager_at = user.id, now()


def gm_sign_allowance(note, user):
    """总（副）经理核签: the GM or the deputy the 核决 settings name, after the manager."""
    from blueprints.complaints.approval import deputy
    named = deputy(settings_service.load())
    if user.role != GM and (named is None or named.id != user.id):
        raise RuleError(None, _("须由总经理或副总经理核签"))
    note.gm_by, note.gm_at = user.id, now()


def stamp_allowance(note, user):
    if not note.proof:
        raise RuleError("proof", _("请选择取得的折让证明"))
    note.stamped_on = clock.today()


def allowance_standing(note):
    if note.manager_at is None:
        return _("待经理核签")
    if note.gm_at is None:
        return _("待总经理核签")
    return _("已签回") if note.stamped_on else _("待客户签章")


def allowance_facts(note):
    if note.unit_price is None or note.allowance_price is None or note.quantity is None:
        return []
    net = note.unit_price - note.allowance_price
    return [(_("折让金额（元）"), f"{_allowance_total(note):.2f}"),
            (_("实收单价（元）"), f"{net:.2f}"), (_("实收金额（元）"), f"{net * note.quantity:.2f}")]


# --- 销货退回证明单

def _return_note(certificate):
    number = (certificate.return_note_no or "").strip().upper()
    certificate.return_note_no = number
    note = GoodsReturnNote.live().where(GoodsReturnNote.note_no == number).first()
    if note is None:
        raise RuleError("return_note_no", _("没有单号为 %(no)s 的成品退货单", no=number))
    return note


def check_certificate(certificate):
    """It states what the warehouse signed for on the 成品退货单, for the same buyer."""
    note = _return_note(certificate)
    if note.received_at is None:
        raise RuleError("return_note_no", _("该成品退货单尚未经仓储签收"))
    if certificate.customer_id != note.customer_id:
        raise RuleError("customer", _("买受人须与成品退货单的客户一致"))
    if certificate.quantity != note.actual_qty:
        raise RuleError("quantity", _("退货数量须与成品退货单的实退量 %(n)s 一致",
                                      n=note.actual_qty))
    if certificate.received_qty > certificate.quantity:
        raise RuleError("received_qty", _("实收数量不能超过退货数量"))


def stamp_certificate(certificate, user):
    """The buyer's stamp is back: it is the 成品退货单's proof, unless that has one already."""
    certificate.stamped_on = clock.today()
    note = _return_note(certificate)
    if not note.proof:
        GoodsReturnNote.update(proof="certificate").where(GoodsReturnNote.id == note.id).execute()


def certificate_facts(certificate):
    if certificate.unit_price is None:
        return []
    return [(_("退货金额（元）"), f"{certificate.unit_price * certificate.quantity:.2f}"),
            (_("实收金额（元）"), f"{certificate.unit_price * certificate.received_qty:.2f}")]


# --- 承运索赔

def check_claim(claim):
    if claim.amount_claimed is None or claim.amount_claimed <= 0:
        raise RuleError("amount_claimed", _("请填写索赔金额"))


def close_claim(claim, user):
    """The carrier paid (no more than claimed) or refused; either way the reason is kept."""
    if claim.outcome == "paid":
        if claim.amount_paid is None or not 0 < claim.amount_paid <= claim.amount_claimed:
            raise RuleError("amount_paid", _("赔付金额须大于 0 且不超过索赔金额"))
    elif claim.outcome == "refused":
        claim.amount_paid = None
        if not claim.closing_note.strip():
            raise RuleError("closing_note", _("请说明拒赔原因"))
    else:
        raise RuleError("outcome", _("请选择结果"))
    claim.closed_on = clock.today()


def claim_standing(claim):
    if claim.closed_on is None:
        return _("索赔中")
    if claim.outcome == "paid":
        return _("已赔付 %(amount)s 元", amount=f"{claim.amount_paid:.2f}")
    return _("承运方拒赔")
