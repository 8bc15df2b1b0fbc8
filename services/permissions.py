"""Who may use which endpoint: one table, checked before every request.

An endpoint missing from the table is refused to everyone (and a test fails), so a new view
cannot go live without someone deciding who may use it.
"""
from models.users import ADMIN, DESK, ENGINEER, GM, MANAGER, ROLES, SALES

EVERYONE = frozenset(ROLES)
MANAGERS = frozenset({MANAGER, GM})
OFFICE = frozenset({DESK, SALES, MANAGER, GM})

# Reachable without logging in.
PUBLIC = frozenset({"static", "auth.login", "core.set_language", "core.health",
                    "core.favicon",
                    # a visitor's own registration on their phone (blueprints/visitors)
                    "visitors.register", "visitors.invited", "visitors.receipt"})

RULES = {
    # core
    "core.index": EVERYONE,
    "core.search": EVERYONE,
    "core.audit": MANAGERS | {ADMIN},
    "core.access_log": MANAGERS | {ADMIN},
    "core.access_log_print": MANAGERS | {ADMIN},
    "core.voided": MANAGERS,
    "core.voided_export": MANAGERS,
    "core.reports_page": MANAGERS,
    "core.restore": MANAGERS,
    # auth
    "auth.logout": EVERYONE,
    "auth.password": EVERYONE,
    # admin: users and settings
    "admin.users": {ADMIN},
    "admin.users_export": {ADMIN},
    "admin.user_new": {ADMIN},
    "admin.user_edit": {ADMIN},
    "admin.user_password": {ADMIN},
    "admin.user_toggle": {ADMIN},
    "admin.settings": {ADMIN},
    "admin.holidays": {ADMIN},
    "admin.duties": {ADMIN, MANAGER, GM},
    "admin.duty_run": {ADMIN, MANAGER},
    "admin.outbox": {ADMIN, MANAGER, GM},
    "admin.holiday_void": {ADMIN},
    "admin.logo": EVERYONE,
    # archives: the customer hub
    "archives.index": OFFICE,
    "archives.new": OFFICE,
    "archives.detail": OFFICE,
    "archives.edit": OFFICE,
    "archives.void": OFFICE,
    "archives.reveal": OFFICE,
    "archives.duplicates": OFFICE,
    "archives.contact_new": OFFICE,
    "archives.contact_edit": OFFICE,
    "archives.contact_void": OFFICE,
    "archives.print_card": OFFICE,
    "archives.print_contacts": OFFICE,
    "archives.timeline": OFFICE,
    "archives.blacklist": MANAGERS,
    "archives.document_upload": OFFICE,
    "archives.documents_view": OFFICE,
    "archives.document_download": OFFICE,
    "archives.contact_log": OFFICE,
    "archives.evaluate": OFFICE,
    "archives.evaluation_print": OFFICE,
    "archives.leaver_report": MANAGERS | {ADMIN},
    "archives.prospects": OFFICE,
    "archives.contact_duties": MANAGERS | {SALES},
    "archives.prospects_print": OFFICE,
    "archives.leaver_report_print": MANAGERS | {ADMIN},
    "archives.evaluation_step": MANAGERS,
    "archives.rules": OFFICE,
    "archives.rules_export": OFFICE,
    "archives.lapse": MANAGERS,
    "admin.redistribute": {ADMIN},
    "archives.unblacklist": MANAGERS,
}

RULES.update({
    # reception: the visitor register
    "reception.index": OFFICE,
    "reception.new": OFFICE,
    "reception.lookup": OFFICE,
    "reception.pick": OFFICE,
    "reception.detail": OFFICE,
    "reception.edit": OFFICE,
    "reception.sign_out": OFFICE,
    "reception.void": OFFICE,
    "reception.print_day": OFFICE,
    # visitor self-registration at the desk (blueprints/reception/selfservice.py)
    "reception.selfreg_qr": OFFICE,
    "reception.selfreg_poster": OFFICE,
    "reception.selfreg_waiting": OFFICE,
    "reception.selfreg_confirm": OFFICE,
    "reception.selfreg_quick": OFFICE,
    "reception.selfreg_refuse": OFFICE,
    "reception.visit_pass": OFFICE,
    "reception.pass_pdf": OFFICE,
    "reception.pass_escpos": OFFICE,
    "reception.scan": OFFICE,
    "reception.invitations": OFFICE,
    "reception.invitation": OFFICE,
    "reception.invitation_void": OFFICE,
    # the sales-floor rotation: managers set the order, the desk asks who is next
    "reception.rotation": OFFICE,
    "reception.rotation_receive": OFFICE,
    "reception.rotation_status": OFFICE,
    "reception.rotation_add": MANAGERS,
    "reception.rotation_copy": MANAGERS,
    "reception.rotation_move": MANAGERS,
    "reception.rotation_print": MANAGERS,
    "reception.rotation_history": OFFICE,
    "reception.rotation_export": MANAGERS,
    "reception.referral_new": OFFICE,
    # customer visits and follow-ups
    "reception.customer_visits": OFFICE,
    "reception.customer_visit_new": OFFICE,
    "reception.customer_visit_detail": OFFICE,
    "reception.customer_visit_record": OFFICE,
    "reception.customer_visit_cancel": OFFICE,
    "reception.customer_visit_print": OFFICE,
    "reception.customer_visits_print": OFFICE,
    "reception.followups": OFFICE,
    "reception.followup_new": OFFICE,
    "reception.followup_detail": OFFICE,
    "reception.followup_record": OFFICE,
    "reception.followup_report": OFFICE,
    "reception.followup_print": OFFICE,
    "reception.followups_report": OFFICE,
    # shift handovers
    "reception.handovers": OFFICE,
    "reception.handovers_export": OFFICE,
    "reception.handover_new": OFFICE,
    "reception.handover_ack": OFFICE,
    "reception.handovers_print": OFFICE,
    # the desk's rota: everyone reads it, a manager keeps it
    "reception.shift_rota": OFFICE,
    "reception.shift_rota_print": OFFICE,
    "reception.shift_rota_save": MANAGERS,
})

STAFF = frozenset({DESK, SALES, ENGINEER, MANAGER, GM})
RULES.update({
    # complaints: anyone who answers the phone may take one; the rules decide each step
    "complaints.index": STAFF,
    "complaints.new": STAFF,
    "complaints.detail": STAFF,
    "complaints.side_form": STAFF,
    "complaints.step": STAFF,
    "complaints.approval_route": STAFF,
    "complaints.hand_over": STAFF,
    "complaints.progress": STAFF,
    "complaints.onsite": STAFF,
    "complaints.meeting": MANAGERS,
    "complaints.opinion": MANAGERS,
    "complaints.outcome": MANAGERS,
    "complaints.shares": MANAGERS,
    "complaints.notice_new": MANAGERS,
    "complaints.notice_approve": {GM},
    "complaints.recomplaint": STAFF,
    "complaints.void": MANAGERS,
    "complaints.print_form": STAFF,
    "complaints.reminder": STAFF,
    "complaints.late_notice": STAFF,
    "complaints.late_penalty": MANAGERS,
    "complaints.notice_print": STAFF,
    "complaints.tracking_print": MANAGERS,
    "complaints.stats": MANAGERS,
    "complaints.stats_confirm": MANAGERS,
    "complaints.stats_print": MANAGERS,
    "complaints.staff_notice": MANAGERS,
    "complaints.returns": OFFICE,
    "complaints.return_new": OFFICE,
    "complaints.return_detail": OFFICE,
    "complaints.return_step": OFFICE,
    "complaints.return_batch": OFFICE | {ENGINEER},
    "complaints.return_print": OFFICE,
    "core.notifications": EVERYONE,
    "core.notify_choices": EVERYONE,
})

FIELD = frozenset({DESK, ENGINEER, MANAGER, GM})
RULES.update({
    # repairs: the desk records and dispatches, engineering works the orders
    "repairs.index": FIELD,
    "repairs.new": FIELD,
    "repairs.detail": FIELD,
    "repairs.step": FIELD,
    "repairs.item_add": FIELD,
    "repairs.material_add": FIELD,
    "repairs.signature": FIELD,
    "repairs.void": MANAGERS,
    "repairs.print_order": FIELD,
    "repairs.print_day": FIELD,
    "admin.service_items": {ADMIN, MANAGER},
    "admin.service_item_edit": {ADMIN, MANAGER},
})

COUNTER = frozenset({DESK, SALES, MANAGER, GM})
RULES.update({
    # VIP: the cashier at the counter; gifts and the outbox for managers
    "vip.index": COUNTER,
    "vip.counter": COUNTER,
    "vip.quote": COUNTER,
    "vip.enrol": COUNTER,
    "vip.card": COUNTER,
    "vip.report_loss": COUNTER,
    "vip.reissue": COUNTER,
    "vip.renew": COUNTER,
    "vip.redeem": COUNTER,
    "vip.gifts": MANAGERS,
    "vip.gifts_export": MANAGERS,
    "vip.gift_edit": MANAGERS,
    "vip.outbox": MANAGERS,
    "vip.outbox_birthdays": MANAGERS,
    "vip.outbox_promotion": MANAGERS,
    "vip.outbox_export": MANAGERS,
    "vip.outbox_workbook": MANAGERS,
    "vip.outbox_send": MANAGERS,
    "vip.monthly": MANAGERS,
    "vip.monthly_confirm": MANAGERS,
    "vip.monthly_print": MANAGERS,
    "vip.print_form": COUNTER,
    "vip.statement": COUNTER,
})

RULES.update({
    # Excel exports of the lists (each recorded in the access log)
    "archives.export": OFFICE,
    "reception.export": OFFICE,
    "complaints.export": MANAGERS | {DESK},
    "repairs.export": FIELD,
    "core.audit_export": MANAGERS | {ADMIN},
    "core.access_log_export": MANAGERS | {ADMIN},
    "vip.export": MANAGERS,
    "reception.followups_export": OFFICE,
    "reception.customer_visits_export": OFFICE,
    "complaints.returns_export": OFFICE,
    # Excel imports of customers and members, and the progress of long jobs
    "archives.import_start": OFFICE,
    "archives.import_template": OFFICE,
    "archives.import_preview": OFFICE,
    "archives.import_run": OFFICE,
    "core.job": EVERYONE,
    "core.job_file": EVERYONE,
})

REGISTER_USERS = frozenset({DESK, SALES, ENGINEER, MANAGER, GM})
RULES.update({
    # registers (blueprints/registers): each page checks the register's own entry below too
    "registers.index": REGISTER_USERS,
    "registers.entries": REGISTER_USERS,
    "registers.new": REGISTER_USERS,
    "registers.detail": REGISTER_USERS,
    "registers.edit": REGISTER_USERS,
    "registers.void": REGISTER_USERS,
    "registers.act": REGISTER_USERS,
    "registers.reveal": REGISTER_USERS,
    "registers.export": REGISTER_USERS,
    "registers.sheet": REGISTER_USERS,
    "registers.print_entry": REGISTER_USERS,
    "registers.pick": REGISTER_USERS,
    "registers.phone_history": REGISTER_USERS,
    # who may use each register ("registers:<slug>")
    "registers:parking-deals": OFFICE - {SALES},
    "registers:parking-permits": OFFICE - {SALES},
    "registers:space-applications": OFFICE - {SALES},
    "registers:bike-plates": OFFICE - {SALES},
    "registers:special-matters": OFFICE - {SALES},
    "registers:phone-numbers": OFFICE - {SALES},
    "registers:phone-installs": FIELD,
    "registers:phone-changes": FIELD,
    "registers:phone-transfers": OFFICE - {SALES},
    "registers:phone-moves": FIELD,
    "registers:foreign-employees": OFFICE - {SALES},
    "registers:foreign-offices": OFFICE - {SALES},
    "registers:resident-cards": OFFICE - {SALES},
    "registers:staff-leavers": OFFICE - {SALES},
    "registers:key-custody": OFFICE - {SALES},
    "registers:key-loans": OFFICE - {SALES},
    "registers:meter-readings": FIELD,
    "registers:calls": OFFICE - {SALES},
    "registers:problems": OFFICE - {SALES},
    "registers:service-tally": OFFICE - {SALES},
    "registers:newspapers": OFFICE - {SALES},
    "registers:mail": OFFICE - {SALES},
    "registers:lost-property": OFFICE - {SALES},
    "registers:anomalies": OFFICE,
    # the archive's confidential records (fees, violations) and its 查阅程序
    "registers:fees": MANAGERS | {DESK},
    "registers:violations": MANAGERS | {DESK},
    "registers:fit-outs": FIELD,
    "registers:supplements": OFFICE,
    "registers:archive-loans": MANAGERS | {DESK},
    "registers:duplicate-cards": OFFICE,
    "registers:petitions": STAFF,
    "registers:letters": OFFICE,
    "registers:return-notes": STAFF,
    "registers:allowance-notes": OFFICE,
    "registers:return-certificates": OFFICE,
    "registers:carrier-claims": OFFICE,
    "registers:satisfaction": OFFICE,
    "registers:satisfaction-reports": MANAGERS | {SALES},
    "registers:followup-reviews": MANAGERS | {SALES},
})

# Roles allowed to see full (unmasked) numbers after giving a reason.
REVEAL_ROLES = frozenset({DESK, SALES, MANAGER, GM})

__all__ = ["RULES", "PUBLIC", "EVERYONE", "MANAGERS", "OFFICE", "REVEAL_ROLES", "allowed",
           "DESK", "SALES", "ENGINEER", "MANAGER", "GM", "ADMIN"]


def allowed(role, endpoint):
    """True when `role` may use `endpoint` (public endpoints are open to all)."""
    if endpoint in PUBLIC:
        return True
    return role in RULES.get(endpoint, ())
