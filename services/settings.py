"""Admin settings with their defaults; stored as JSON, read once per request by the app."""
import json
import secrets

from peewee import SQL, fn

from models import Setting, clock, db
from models.base import Kept, Prepared

from . import audit

DEFAULTS = {
    "site_name": "客服台示范物业管理处",
    "site_address": "",
    "site_phone": "",
    # Every clock of the site (now, days, months, the night window, deadlines, prints).
    "site_timezone": "Asia/Shanghai",
    # The address tablets open the desk at (http://192.168.1.20:5000): QR codes and links on
    # printed forms use it. Empty: the address of the request that printed.
    "site_url": "",
    "logo": "",
    "business_hours": "08:30-17:30",
    "night_start": "20:00",
    "night_end": "08:00",
    "complaint_categories": ["产品质量", "销售合同", "维修质量", "服务质量", "建议或批评"],
    "venues": {"A": "贵宾室", "B": "商务室", "C": "休闲厅"},
    # Visitors: months an ID number seen at the desk is kept before it is masked for good
    # (个人信息保护法), and the receipt printer passes go to ("192.168.1.50:9100"; empty: PDF).
    "visitor_id_retention_months": 6,
    "pass_printer": "",
    "departments": ["客服部", "工程部", "销售部", "质量管理部", "制造部门", "业务部门",
                    "会计科", "总经理室"],
    "customer_sources": ["来电", "来访", "转介绍", "网络", "展会", "老客户"],
    # Archives: who may open confidential sections, contact intervals (days), grading window.
    "confidential_sections": ["fees", "credit", "violations"],
    "confidential_roles": ["manager", "gm"],
    "contact_days": {"strategic": 7, "key": 7, "general": 30},
    "evaluation_window": "03-25:03-30",
    # On-site visits a year the managers (业务单位责任人) owe each cooperating customer, by tier
    # (seed 001 第十七条: strategic and key at least once; general by choice).
    "visit_quotas": {"strategic": 1, "key": 1, "general": 0},
    "upload_max_mb": 10,
    # VIP: eligibility (amounts actually paid, yuan), rates, points and referral bonus.
    "vip_single_purchase": "1000",
    "vip_cumulative": "2000",
    "vip_cumulative_months": 6,
    "vip_referral_bonus": 0,
    # The member rates (share of the price charged: 0.90 is 9折) and the points that earn the
    # loyal rate.
    "vip_rates": {"member": "0.90", "loyal": "0.85", "birthday": "0.60"},
    "vip_loyal_points": 30,
    "vip_birthday_text": "亲爱的{name}，{site}祝您生日快乐！今天凭会员卡和身份证购物享6折优惠。",
    # The greeting members receive the day before a statutory holiday ({holiday}: its name).
    "vip_holiday_text": "亲爱的{name}，{site}祝您{holiday}快乐！",
    # The office's 企业微信 group robot (its webhook address): urgent notices go there too.
    "wecom_webhook_url": "",
    # An SMS gateway URL; empty means messages are exported, not sent. The request's shape:
    # "json" or "form", its fields with {phone} and {text} where they go (and the account's
    # keys), and what an accepted answer says ("code=0"; empty: any 2xx). See services.channels.
    "sms_gateway_url": "",
    "sms_format": "json",
    "sms_template": '{"phone": "{phone}", "text": "{text}"}',
    "sms_success": "",
    # E-mail over SMTP (empty host: no e-mail). Security: "none", "starttls" or "ssl".
    "smtp_host": "",
    "smtp_port": 25,
    "smtp_security": "none",
    "smtp_user": "",
    "smtp_password": "",
    "smtp_from": "",
    # Hours a complaint may stay overdue before the daily reminder (催办) also goes to the GM.
    "complaint_escalate_hours": 24,
    # 核决权限 (blueprints/complaints/approval.py): a solution costing up to "manager" yuan is
    # decided by the department's manager, up to "deputy" by the 副总经理 (the username below;
    # empty: the GM), above it by the GM.
    "complaint_approval_limits": {"manager": "2000", "deputy": "20000"},
    "complaint_deputy": "",
    # 治办: the penalty proposed for a case handled late, in yuan a day late per late clock.
    "complaint_late_penalty_per_day": "50",
    # 成品退货单: the share (%) a return may exceed its approved quantity and still be booked by
    # what came back, when the customer's order names none (seed 000 第十三条 超量允收比率).
    "return_over_ratio": "0",
    # 重卡: the fine for each card registered twice because a follow-up was late (seed 002).
    "duplicate_card_fine": "20",
    # Usernames who review repair jobs outside the service list; empty: managers and the GM.
    "repair_reviewers": [],
}


# Every request needs the settings: the SQL is written once.
_STORED = Prepared(lambda: Setting.select(Setting.key, Setting.value))


def revision_query():
    """The settings' state as one number (see Setting.revision); a subquery the signed-in
    user's query carries, so a page learns it without a query of its own."""
    return Setting.select(fn.COALESCE(fn.SUM(Setting.revision), SQL("0")))  # (no parameter)


_REVISION = Prepared(revision_query)
# The stored settings as this process read them last, with their revision.
_stored = Kept(_STORED.tuples)


def forget():
    """Read the settings afresh next time (a new app, perhaps on another database)."""
    _stored.forget()


def load(revision=None):
    """Every setting: the stored value where there is one, else the default. The site's clock
    follows the timezone setting. Read from the database only when `revision` (the settings'
    state, read now when not given) differs from the state last read."""
    if revision is None:
        revision = _REVISION.scalar()
    values = dict(DEFAULTS)
    for key, value in _stored.get(revision):  # (parsed for each caller: a caller may change its copy)
        try:
            values[key] = json.loads(value)
        except ValueError:
            continue
    clock.use_zone(values["site_timezone"])
    return values


# Settings whose value is a credential: never written into the audit trail.
SECRET = {"wecom_webhook_url", "sms_template", "smtp_password"}


def store(changes, actor=None):
    """Save several settings in one transaction, audited; returns {key: (before, after)} changed."""
    unknown = set(changes) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"unknown settings: {', '.join(sorted(unknown))}")
    current = load()
    diff = {k: (current.get(k), v) for k, v in changes.items() if current.get(k) != v}
    with db.atomic():
        for key, (_, value) in diff.items():
            text = json.dumps(value, ensure_ascii=False)
            row = Setting.get_or_none(Setting.key == key) or Setting(key=key)
            row.value, row.revision = text, secrets.randbits(48)
            row.save()
            before, after = diff[key][0], value
            if key in SECRET:  # (the address carries the robot's key: the audit says it changed)
                before, after = "***" if before else "", "***" if after else ""
            audit.record(audit.UPDATE, row, actor, {key: before}, {key: after})
    return diff


def parse_hhmm(text):
    """'20:00' -> (20, 0); raises ValueError on anything else."""
    hours, minutes = text.strip().split(":")
    hours, minutes = int(hours), int(minutes)
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(text)
    return hours, minutes
