"""Who may use which endpoint: one table, checked before every request.

An endpoint missing from the table is refused to everyone (and a test fails), so a new view
cannot go live without someone deciding who may use it.
"""
from models.users import ADMIN, DESK, ENGINEER, GM, MANAGER, ROLES, SALES

EVERYONE = frozenset(ROLES)
MANAGERS = frozenset({MANAGER, GM})
OFFICE = frozenset({DESK, SALES, MANAGER, GM})

# Reachable without logging in.
PUBLIC = frozenset({"static", "auth.login", "core.set_language", "core.health"})

RULES = {
    # core
    "core.index": EVERYONE,
    "core.search": EVERYONE,
    "core.audit": MANAGERS | {ADMIN},
    "core.access_log": MANAGERS | {ADMIN},
    "core.access_log_print": MANAGERS | {ADMIN},
    "core.voided": MANAGERS,
    "core.restore": MANAGERS,
    # auth
    "auth.logout": EVERYONE,
    "auth.password": EVERYONE,
    # admin: users and settings
    "admin.users": {ADMIN},
    "admin.user_new": {ADMIN},
    "admin.user_edit": {ADMIN},
    "admin.user_password": {ADMIN},
    "admin.user_toggle": {ADMIN},
    "admin.settings": {ADMIN},
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
}

# Roles allowed to see full (unmasked) numbers after giving a reason.
REVEAL_ROLES = frozenset({DESK, SALES, MANAGER, GM})

__all__ = ["RULES", "PUBLIC", "EVERYONE", "MANAGERS", "OFFICE", "REVEAL_ROLES", "allowed",
           "DESK", "SALES", "ENGINEER", "MANAGER", "GM", "ADMIN"]


def allowed(role, endpoint):
    """True when `role` may use `endpoint` (public endpoints are open to all)."""
    if endpoint in PUBLIC:
        return True
    return role in RULES.get(endpoint, ())
