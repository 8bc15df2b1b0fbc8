"""VIP views: the counter (find, quote, record, enrol), the card, gifts, outbox, month report."""
import datetime
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.core.forms import ButtonForm, ReasonForm
from blueprints.helpers import (
    excel_response,
    external_url,
    file_response,
    get_or_404,
    month_arg,
    once_per_form,
    pdf_response,
    record_or_none,
    render,
    show_form,
    sign_off_month,
    signoff_context,
    site_settings,
)
from models import Gift, Purchase, VipCard, now
from models.masking import mask_phone
from models.vip import FAILED, SENT, CardStatus
from services import audit, charts, identity, reports, signatures, signoffs
from services.search import Query

from . import bp, notices, service
from .forms import EnrolForm, GiftForm, PromotionForm, PurchaseForm, RedeemForm
from .service import VipError


def _card_or_404(id):
    return get_or_404(VipCard, id)


@bp.route("/")
def index():
    """Find a member by phone tail, card number or name, as the cashier types."""
    q = request.args.get("q", "")
    hits = service.search_cards(Query(q), 30) if q else []
    cards = service.listed_cards([h.id for h in hits])
    today = now().date()
    expiring = service.expiring_soon(today)
    return render("vip/index.html", "vip/_cards.html", q=q, cards=cards, expiring=expiring,
                  today=today, status_of=service.card_status)


def _card_from(form_or_args):
    value = form_or_args.get("card", "")
    return record_or_none(VipCard, value)


@bp.route("/counter", methods=["GET", "POST"])
@once_per_form
def counter():
    """Record a purchase; the rate and why are shown before saving; eligible buyers are offered a card."""
    form = PurchaseForm()
    card = _card_from(request.values)
    if request.method == "GET" and card:
        form.card.data, form.phone.data, form.buyer_name.data = str(card.id), card.phone, card.name
    if form.validate_on_submit():
        purchase = Purchase(receipt_no=form.receipt_no.data.strip(), card=card,
                            at=now(), amount_before=form.amount_before.data,
                            promotional=form.promotional.data,
                            buyer_phone=identity.normalize_phone(form.phone.data),
                            buyer_name=(form.buyer_name.data or "").strip(),
                            receipt_signed=form.receipt_signed.data)
        try:
            if form.signature.data:
                purchase.signature = signatures.decode(form.signature.data)
            service.record_purchase(purchase, current_user, site_settings(),
                                    id_shown=form.id_shown.data)
        except (VipError, signatures.SignatureError) as refused:
            form.receipt_signed.errors = list(form.receipt_signed.errors) + [str(refused)]
            return show_form("vip/counter.html", form, card=card, quote=_quote(card, form))
        if card:
            flash(_("已记录：实收 ¥%(paid)s，积分 +%(points)s", paid=purchase.amount_paid,
                    points=purchase.points), "success")
            return redirect(url_for("vip.card", id=card.id))
        if purchase.buyer_phone and service.eligible(purchase.buyer_phone, now(),
                                                     site_settings()) \
                and not service.active_card_for(purchase.buyer_phone, now().date()):
            flash(_("该顾客已达到入会条件，可为其办理会员卡"), "success")
            return redirect(url_for("vip.enrol", phone=purchase.buyer_phone,
                                    name=purchase.buyer_name))
        flash(_("已记录消费：实收 ¥%(paid)s", paid=purchase.amount_paid), "success")
        return redirect(url_for("vip.counter"))
    return show_form("vip/counter.html", form, card=card, quote=_quote(card, form))


def _quote(card, form):
    """The counter's quote for what the form holds (no paid amount for an amount it refuses)."""
    try:
        amount = Decimal(str(form.amount_before.data)) if form.amount_before.data else None
    except InvalidOperation:
        amount = None
    return service.quote(card, amount, now().date(), site_settings(),
                         promotional=bool(form.promotional.data),
                         id_shown=bool(form.id_shown.data))


@bp.route("/counter/quote")
def quote():
    """The live rate and amount as the cashier types (htmx)."""
    form = PurchaseForm(request.args, meta={"csrf": False})
    card = _card_from(request.args)
    return render("vip/_quote.html", quote=_quote(card, form), card=card)


@bp.route("/enrol", methods=["GET", "POST"])
@once_per_form
def enrol():
    """会员资料登记表: issue a card valid two years."""
    form = EnrolForm()
    if request.method == "GET":
        form.phone.data = request.args.get("phone", "")
        form.name.data = request.args.get("name", "")
    if form.validate_on_submit():
        existing = service.active_card_for(form.phone.data, now().date())
        if existing:
            form.phone.errors.append(_("该手机号已有有效会员卡 %(number)s", number=existing.number))
            return show_form("vip/enrol.html", form, terms=service.terms(site_settings()))
        customer = service.customer_for(form.name.data.strip(), form.phone.data, current_user)
        referrer = VipCard.get_or_none(VipCard.number == (form.referrer.data or "").strip()
                                       .upper()) if form.referrer.data else None
        card = VipCard(customer=customer, name=form.name.data.strip(), phone=form.phone.data,
                       birthday=form.birthday.data, gender=form.gender.data or "",
                       id_number=(form.id_number.data or "").strip().upper(),
                       address=(form.address.data or "").strip(),
                       handbook_given=form.handbook_given.data, referrer=referrer)
        service.enrol(card, current_user, site_settings())
        flash(_("已办理会员卡 %(number)s，有效期至 %(until)s", number=card.number,
                until=card.expires_on.isoformat()), "success")
        return redirect(url_for("vip.card", id=card.id))
    return show_form("vip/enrol.html", form, terms=service.terms(site_settings()))


@bp.route("/cards/<int:id>")
def card(id):
    """The member: status, balance, the ledger, purchases, and what can be done with the card."""
    card = _card_or_404(id)
    ledger, purchases = service.card_history(card)
    return render("vip/card.html", card=card, balance=service.balance(card),
                  earned=service.earned_total(card), ledger=ledger, purchases=purchases,
                  card_status=service.card_status(card, now().date()),
                  redeem_form=RedeemForm())


def _card_action(id, action, message):
    card = _card_or_404(id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        result = action(card, current_user)
    except VipError as refused:
        flash(str(refused), "error")
        return redirect(url_for("vip.card", id=id))
    flash(message(result), "success")
    return redirect(url_for("vip.card", id=result.id))


@bp.route("/cards/<int:id>/loss", methods=["POST"])
def report_loss(id):
    """挂失: block the card at once."""
    return _card_action(id, service.report_loss,
                        lambda c: _("已挂失 %(number)s", number=c.number))


@bp.route("/cards/<int:id>/reissue", methods=["POST"])
def reissue(id):
    """补办: a new number with the same balance and expiry."""
    return _card_action(id, service.reissue,
                        lambda c: _("已补办新卡 %(number)s，积分与有效期不变", number=c.number))


@bp.route("/cards/<int:id>/renew", methods=["POST"])
def renew(id):
    """续卡: a new two-year card; old points do not carry over."""
    return _card_action(id, service.renew,
                        lambda c: _("已续卡 %(number)s，有效期至 %(until)s", number=c.number,
                                    until=c.expires_on.isoformat()))


@bp.route("/cards/<int:id>/redeem", methods=["POST"])
@once_per_form
def redeem(id):
    """Exchange points for a gift (final: no cancel, no refund, no exchange)."""
    card = _card_or_404(id)
    form = RedeemForm()
    if form.validate_on_submit():
        try:
            redemption = service.redeem(card, get_or_404(Gift, form.gift.data), current_user)
            flash(_("已兑换 %(gift)s，扣除 %(points)s 分", gift=redemption.gift.name,
                    points=redemption.points), "success")
        except VipError as refused:
            flash(str(refused), "error")
    else:
        flash(_("请选择礼品"), "error")
    return redirect(url_for("vip.card", id=id))


@bp.route("/gifts", methods=["GET", "POST"])
@once_per_form
def gifts():
    """The gift list: points and stock."""
    form = GiftForm()
    if form.validate_on_submit():
        try:
            service.save_gift(None, form.name.data, form.points.data, form.stock.data,
                              form.active.data, current_user)
            flash(_("已添加礼品"), "success")
            return redirect(url_for("vip.gifts"))
        except VipError as refused:
            form.name.errors.append(str(refused))
    return show_form("vip/gifts.html", form, rows=service.gifts(),
                     redeemed=service.redemption_count())


@bp.route("/gifts/<int:id>", methods=["GET", "POST"])
def gift_edit(id):
    """Change a gift's points or stock, or withdraw it."""
    gift = get_or_404(Gift, id)
    form = GiftForm(obj=gift)
    if form.validate_on_submit():
        try:
            service.save_gift(gift, form.name.data, form.points.data, form.stock.data,
                              form.active.data, current_user)
            return redirect(url_for("vip.gifts"))
        except VipError as refused:
            form.name.errors.append(str(refused))
    return show_form("vip/gift_form.html", form, gift=gift)


@bp.route("/outbox")
def outbox():
    """Greetings and notices waiting to go out, with honest states."""
    return render("vip/outbox.html", rows=notices.recent_messages(), form=PromotionForm(),
                  gateway=bool(site_settings()["sms_gateway_url"]))


@bp.route("/outbox/birthdays", methods=["POST"])
def outbox_birthdays():
    """Prepare tomorrow's birthday greetings."""
    if ButtonForm().validate_on_submit():
        created = notices.prepare_birthday_greetings(now().date(), site_settings())
        flash(_("已准备 %(n)s 条生日祝福", n=len(created)), "success")
    return redirect(url_for("vip.outbox"))


@bp.route("/outbox/promotion", methods=["POST"])
def outbox_promotion():
    """Prepare a new-product or promotion notice to chosen members."""
    form = PromotionForm()
    if not form.validate_on_submit():
        return show_form("vip/outbox.html", form, rows=notices.recent_messages(),
                         gateway=bool(site_settings()["sms_gateway_url"]))
    listed = form.numbers.data.split() if form.audience.data == "listed" else None
    created = notices.prepare_promotion(notices.promotion_audience(listed), form.text.data)
    flash(_("已准备 %(n)s 条通知", n=len(created)), "success")
    return redirect(url_for("vip.outbox"))


@bp.route("/outbox/export", methods=["POST"])
def outbox_export():
    """Pending messages as a CSV for the SMS platform. It holds full phone numbers, so it is a
    reveal: a reason is required, and the access log records it."""
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("导出完整号码须填写原因。"), "error")
        return redirect(url_for("vip.outbox"))
    messages = notices.pending_messages()
    body = notices.export_outbox(messages)
    audit.log_access(current_user, audit.REVEAL, model="Message",
                     detail=f"outbox {len(messages)}", reason=form.reason.data)
    return file_response(body, "text/csv; charset=utf-8", f"sms-{now():%Y%m%d-%H%M}.csv")


@bp.route("/outbox/send", methods=["POST"])
def outbox_send():
    """Send pending messages through the configured gateway; only its 2xx answers count as sent."""
    if ButtonForm().validate_on_submit():
        try:
            results = notices.send_outbox(notices.pending_messages(), site_settings())
            sent = sum(1 for m in results if m.state == SENT)
            failed = sum(1 for m in results if m.state == FAILED)
            flash(_("已交短信网关 %(n)s 条：已发送 %(sent)s 条，失败 %(failed)s 条，其余发送中",
                    n=len(results), sent=sent, failed=failed),
                  "success" if sent == len(results) else "info")
        except VipError as refused:
            flash(str(refused), "error")
    return redirect(url_for("vip.outbox"))


def month_charts(year, month):
    """New members and points earned over the twelve months up to this one."""
    end = datetime.date(year, month, 1)
    labels, members, points = reports.vip_by_month(end)
    return [charts.bars(_("每月新会员"), labels, [(_("新会员"), members)]),
            charts.bars(_("每月发放积分"), labels, [(_("积分"), points)])]


@bp.route("/monthly")
def monthly():
    """会员月报: the month's new members, purchases, points and expiring cards."""
    year, month = month_arg(due_day=service.MONTHLY_DUE_DAY)
    return render("vip/monthly.html", summary=service.monthly_summary(year, month),
                  charts=month_charts(year, month),
                  **signoff_context(signoffs.VIP_MONTHLY, year, month, "vip.monthly_confirm"))


@bp.route("/monthly/confirm", methods=["POST"])
def monthly_confirm():
    """A manager records the month's report as submitted (due by the 2nd)."""
    year, month = month_arg(due_day=service.MONTHLY_DUE_DAY)
    sign_off_month(signoffs.VIP_MONTHLY, year, month,
                   _("已确认报送 %(month)s 会员月报", month=signoffs.period(year, month)))
    return redirect(url_for("vip.monthly", month=signoffs.period(year, month)))


@bp.route("/monthly/print")
def monthly_print():
    """会员月报 as a PDF (due by the 2nd of the next month)."""
    year, month = month_arg(due_day=service.MONTHLY_DUE_DAY)
    period = signoffs.period(year, month)
    return pdf_response("print/vip_monthly.html", f"会员月报-{year}{month:02d}.pdf",
                        title=_("会员月报"), number=period,
                        qr_url=external_url("vip.monthly", month=period),
                        summary=service.monthly_summary(year, month),
                        charts=month_charts(year, month), background=True)


@bp.route("/form")
def print_form():
    """会员资料登记表: blank, or filled for ?card=ID."""
    card = _card_from(request.args)
    return pdf_response("print/vip_form.html",
                        f"会员资料登记表-{card.number if card else 'blank'}.pdf", record=card,
                        title=_("会员资料登记表"), number=card.number if card else "",
                        qr_url=external_url("vip.card", id=card.id) if card else None, card=card,
                        terms=service.terms(site_settings()))


@bp.route("/cards/<int:id>/statement")
def statement(id):
    """A member's points statement."""
    card = _card_or_404(id)
    ledger = service.statement_ledger(card)
    return pdf_response("print/vip_statement.html", f"积分对账单-{card.number}.pdf", record=card,
                        title=_("积分对账单"), number=card.number,
                        qr_url=external_url("vip.card", id=id), card=card, ledger=ledger,
                        balance=service.balance(card), background=True)


@bp.route("/export")
def export():
    """Every member card with its balance, as an Excel workbook."""
    today = now().date()
    balances = service.balances()
    validity = {CardStatus.ACTIVE: _("有效"), CardStatus.EXPIRED: _("已过期"),
                CardStatus.BLOCKED: _("停用")}

    def row(c):
        return [c.number, c.name, mask_phone(c.phone), c.birthday, str(c.state_label),
                validity[service.card_status(c, today)], c.issued_on, c.expires_on,
                balances.get(c.id, 0)]
    headers = [_("卡号"), _("姓名"), _("手机"), _("生日"), _("状态"), _("有效性"), _("入会日期"),
               _("有效期至"), _("积分余额")]
    return excel_response("会员.xlsx", _("会员"), headers, service.live_cards(), "VipCard", row)


@bp.route("/gifts/export")
def gifts_export():
    """The gift list with points, stock and how many were redeemed, as an Excel workbook."""
    redeemed = service.redeemed_by_gift()

    def row(g):
        return [g.name, g.points, g.stock, redeemed.get(g.id, 0),
                _("在兑") if g.active else _("已停兑")]
    headers = [_("礼品"), _("所需积分"), _("库存"), _("已兑换"), _("状态")]
    return excel_response("礼品.xlsx", _("礼品"), headers, service.gifts(), "Gift", row)


@bp.route("/outbox/workbook")
def outbox_workbook():
    """Every message in the outbox (?state= to narrow it), as an Excel workbook."""
    query = notices.messages_with_cards(request.args.get("state"))

    def row(m):
        return [m.prepared_at, m.card.number, mask_phone(m.phone), m.text, m.for_date,
                str(m.state_label), m.sent_at, m.detail]
    headers = [_("准备时间"), _("卡号"), _("手机"), _("内容"), _("日期"), _("状态"), _("发送时间"),
               _("说明")]
    return excel_response("短信.xlsx", _("短信"), headers, query, "Message", row)
