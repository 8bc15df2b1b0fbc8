"""Visitors who register themselves (issue 26): invitations, the requests a visitor's phone
sends, their confirmation into the register after the desk has seen the ID (seed 002), the pass
with its signed QR code, sign-out by scan, and how long what a visitor gave is kept."""
import datetime
import secrets

from flask import current_app
from itsdangerous import BadSignature, Signer
from peewee import IntegrityError

from models import Invitation, User, Visit, VisitRequest, clock, db, now
from models.base import literal
from models.i18n import N_
from models.i18n import gettext as _
from models.masking import mask_id
from models.reception import CONFIRMED, EXPIRED, REFUSED, WAITING
from services import audit, channels, identity, workdays
from services.notifications import notify

from . import service

# A code read aloud or typed from an SMS: no 0/O, 1/I/L.
CODE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
INVITE_DAYS_AHEAD = 90
REQUEST_HOURS = 12  # a request not confirmed within this expires, and what it held is erased


class SelfRegError(ValueError):
    """Refused, with the message for the person (and the form field, when there is one)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field


class Blacklisted(SelfRegError):
    """The visitor matches the blacklist: the desk confirms only with a reason, or refuses."""

    def __init__(self, hits):
        super().__init__(_("访客与黑名单客户相符，须填写放行理由或拒绝登记"))
        self.hits = hits


def _code():
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def tidy_code(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:CODE_LENGTH * 2]


# ---- invitations -------------------------------------------------------------------------------

def invite(actor, visit_on, visitee, host_staff=None, host_customer=None, visitor_name="",
           purpose="", headcount=1):
    """An invitation for a day from today on (up to INVITE_DAYS_AHEAD), with a fresh code."""
    today = clock.today()
    if not today <= visit_on <= today + datetime.timedelta(days=INVITE_DAYS_AHEAD):
        raise SelfRegError(_("来访日期须在今天起 %(n)s 天内", n=INVITE_DAYS_AHEAD), "visit_on")
    if host_staff is None and host_customer is None:
        raise SelfRegError(_("请选择被访住户或员工"), "visitee")
    for _attempt in range(5):
        invitation = Invitation(code=_code(), visit_on=visit_on, visitee=visitee[:80],
                                host_staff=host_staff, host_customer=host_customer,
                                visitor_name=visitor_name[:40], purpose=purpose[:200],
                                headcount=headcount, created_by=actor.id)
        try:
            with db.atomic():
                return audit.save(invitation, actor)
        except IntegrityError:  # (the same code drawn twice: draw again)
            continue
    raise SelfRegError(_("暂时无法生成邀请码，请重试"))


def invitation_for(code, today=None):
    """The live, unused invitation with this code for today; None otherwise."""
    code = tidy_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return Invitation.live().where((Invitation.code == code) & Invitation.visit.is_null() &
                                   (Invitation.visit_on == (today or clock.today()))).first()


# ---- requests from the visitor's phone ---------------------------------------------------------

def _desk_no(today):
    """A four-digit number not used by another request today."""
    start, end = clock.day_bounds(today, today)
    for _attempt in range(20):
        number = f"{secrets.randbelow(9000) + 1000}"
        if not VisitRequest.select().where((VisitRequest.desk_no == number) &
                                           (VisitRequest.submitted_at >= start) &
                                           (VisitRequest.submitted_at < end)).exists():
            return number
    return f"{secrets.randbelow(900000) + 100000}"


RESEND_MINUTES = 10  # the same entry sent again within this is the first one (a double tap)


def submit(name, phone, visitee, purpose, plate, headcount, invitation=None):
    """A visitor's own entry, waiting for the desk; the same entry sent twice is kept once.
    Nothing is looked up for them."""
    at = now()
    phone = identity.normalize_phone(phone)
    with db.atomic():
        same = VisitRequest.select().where(
            (VisitRequest.state == WAITING) & (VisitRequest.phone == phone) &
            (VisitRequest.name == name.strip()[:40]) &
            (VisitRequest.visitee == visitee.strip()[:80]) &
            (VisitRequest.submitted_at >= at - datetime.timedelta(minutes=RESEND_MINUTES))).first()
        if same is not None:
            return same
        return VisitRequest.create(
            token=secrets.token_urlsafe(18)[:24], desk_no=_desk_no(at.date()), submitted_at=at,
            name=name.strip()[:40], phone=phone,
            visitee=visitee.strip()[:80], purpose=purpose.strip()[:200],
            plate=identity.normalize_plate(plate), headcount=headcount,
            invitation=invitation.id if invitation else None)


def waiting(at=None):
    """Requests waiting at the desk, oldest first (those older than REQUEST_HOURS have expired)."""
    since = (at or now()) - datetime.timedelta(hours=REQUEST_HOURS)
    return (VisitRequest.select().where((VisitRequest.state == WAITING) &
                                        (VisitRequest.submitted_at >= since))
            .order_by(VisitRequest.submitted_at))


def repeat_visitor(request):
    """The visitor's last entry in the register by the same phone, for the desk only."""
    return service.previous_visit(request.phone) if request.phone else None


def _claim(request, actor, state, **values):
    """Move a waiting request on, once: a second tap (or clerk) finds it handled."""
    claimed = VisitRequest.update(state=state, handled_by=actor.id, handled_at=now(),
                                  **values).where((VisitRequest.id == request.id) &
                                                  (VisitRequest.state == WAITING)).execute()
    if not claimed:
        raise SelfRegError(_("该登记已由他人处理"))


def confirm(request, actor, settings, reception_class="C", host=None, id_type="id_card",
            id_number="", release_reason=""):
    """The desk has seen the visitor's ID: the entry goes into the register under the class
    rules, with its number and night flag, unless the blacklist matches and no reason to let
    them in is given. The host is told."""
    hits = service.blacklist_warnings(request.phone, request.plate, id_number)
    if hits and not release_reason.strip():
        raise Blacklisted(hits)
    invitation = request.invitation
    notes = _("自助登记 %(no)s", no=request.desk_no)
    if release_reason.strip():
        notes += "；" + _("黑名单放行：%(reason)s", reason=release_reason.strip())
    visit = Visit(name=request.name, phone=request.phone, id_type=id_type,
                  id_number=(id_number or "").strip().upper(), headcount=request.headcount,
                  visitee=request.visitee, purpose=request.purpose, plate=request.plate,
                  arrived_at=now(), host=(host or actor).id, reception_class=reception_class,
                  visitee_staff=invitation.host_staff_id if invitation else None,
                  visitee_customer=invitation.host_customer_id if invitation else None,
                  notes=notes[:500])
    with db.atomic():
        _claim(request, actor, CONFIRMED)
        service.register_visit(visit, actor, settings)
        VisitRequest.update(visit=visit.id).where(VisitRequest.id == request.id).execute()
        if invitation is not None:
            Invitation.update(visit=visit.id).where(Invitation.id == invitation.id).execute()
            told = _tell_host(invitation, visit, settings)
        else:
            told = None
    return visit, told


def _tell_host(invitation, visit, settings):
    """The host hears that their visitor is here: staff in the app (and their channels), a
    resident by SMS where a gateway is set up. Returns who was told, or None."""
    if invitation.host_staff_id:
        notify([User.get_by_id(invitation.host_staff_id)],
               N_("您邀请的访客 %(name)s 已在前台登记（%(serial)s）"), "reception.detail",
               ref_id=visit.id, name=visit.name, serial=visit.serial)
        return invitation.host_staff.display_name
    customer = invitation.host_customer
    if customer is not None and customer.phone and "sms" in channels.configured(settings):
        channels.queue("sms", customer.phone, _(
            "【%(site)s】您邀请的访客 %(name)s 已到达，登记号 %(serial)s。",
            site=settings["site_name"], name=visit.name, serial=visit.serial))
        return customer.name
    return None


def refuse(request, actor, reason):
    if not reason.strip():
        raise SelfRegError(_("请填写未通过的原因"), "reason")
    with db.atomic():
        _claim(request, actor, REFUSED, refusal=reason.strip()[:200])


def forget_requests(at=None):
    """Requests older than REQUEST_HOURS: those still waiting expire, and what any of them
    held of the visitor is erased (a confirmed one lives on in the register)."""
    cutoff = (at or now()) - datetime.timedelta(hours=REQUEST_HOURS)
    with db.atomic():
        expired = VisitRequest.update(state=EXPIRED).where(
            (VisitRequest.state == WAITING) & (VisitRequest.submitted_at < cutoff)).execute()
        erased = VisitRequest.update(name="", phone="", plate="", visitee="", purpose="").where(
            (VisitRequest.submitted_at < cutoff) & (VisitRequest.name != "")).execute()
    return expired, erased


def mask_old_ids(months, at=None):
    """个人信息保护法: an ID number is kept `months` after the visit, then masked for good."""
    cutoff = workdays.add_months(at or now(), -int(months))
    masked = 0
    while True:
        batch = list(Visit.select(Visit.id, Visit.id_number).where(
            (Visit.arrived_at < cutoff) & (Visit.id_number != "") &
            ~Visit.id_number.contains("*")).limit(literal(500)))
        if not batch:
            return masked
        with db.atomic():
            for visit in batch:
                Visit.update(id_number=mask_id(visit.id_number)).where(
                    Visit.id == visit.id).execute()
        masked += len(batch)


# ---- the pass and its QR code -------------------------------------------------------------------

def _signer():
    return Signer(current_app.config["SECRET_KEY"], salt="visitor-pass")


def pass_code(visit):
    """What the pass's QR code holds: the serial, signed, so a home-made code signs no one out."""
    return _signer().sign(visit.serial).decode()


def visit_for_code(text):
    """The visit a scanned code (signed) or a typed serial names, or SelfRegError."""
    text = (text or "").strip()[:100]
    if "." in text:
        try:
            serial = _signer().unsign(text).decode()
        except BadSignature:
            raise SelfRegError(_("二维码无效，不是本处打印的通行证"), "code") from None
    else:
        serial = text.upper()
    visit = Visit.live().where(Visit.serial == serial).first() if serial else None
    if visit is None:
        raise SelfRegError(_("没有单号为 %(serial)s 的访客", serial=serial or "—"), "code")
    return visit
