"""The audit trail (create, update, void, restore with before/after) and the access log (查阅登记).

Every write a view makes goes through save(), void() or restore() here, so no change escapes
the trail.

Each writes its record and entry in a transaction, or inside the caller's: there it adds no
savepoint (peewee's transaction() joins the outer one), so an error undoes the caller's whole
transaction, or the caller's own atomic() block where it means to recover.
"""
import datetime
import decimal
import json

from peewee import ForeignKeyField

from models import AccessLog, AuditEntry, db, now
from models.i18n import gettext as _
from models.masking import SECRET_CHANGED, redacted

CREATE, UPDATE, VOID, RESTORE = "create", "update", "void", "restore"
ACTIONS = (CREATE, UPDATE, VOID, RESTORE)

REVEAL, PRINT, EXPORT, DOWNLOAD, OPEN = "reveal", "print", "export", "download", "open"
ACCESS_ACTIONS = (REVEAL, PRINT, EXPORT, DOWNLOAD, OPEN)

_SKIP = {"updated_at", "created_at", "keywords"}  # (stamps, and search words derived from the rest)

# kind -> (model, label): records the managers' "voided records" page can list and restore.
VOIDABLE = {}


def record_kinds():
    """{model name as the logs store it: what people call such a record}."""
    from models import MODELS
    return {model.__name__: model.record_name for model in MODELS if model.record_name}


def register_voidable(kind, model, label):
    """Declare a voidable kind of record, once, when its module is set up."""
    VOIDABLE[kind] = (model, label)


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, decimal.Decimal)):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def snapshot(obj):
    """The record's stored values (foreign keys as ids), ready for JSON."""
    values = {}
    for name, field in type(obj)._meta.fields.items():
        if name in _SKIP:
            continue
        # A foreign key by its id accessor (customer_id): reading the field would load the row.
        value = getattr(obj, field.object_id_name if isinstance(field, ForeignKeyField)
                        else name)
        values[name] = _plain(value)
    return values


def record(action, obj, user, before, after):
    """Write one audit entry; save(), void() and restore() call this for you. Secrets are
    written only as changed and numbers masked (models.masking.redacted)."""
    model = type(obj)
    AuditEntry.create(user=user.id if user else None, action=action,
                      model=model.__name__, record_id=obj.id, label=obj.label()[:200],
                      before=json.dumps(redacted(model, before), ensure_ascii=False),
                      after=json.dumps(redacted(model, after), ensure_ascii=False))


def readable(text):
    """An entry's before or after values as a person reads them: `name: value; …`."""
    try:
        values = json.loads(text or "{}")
    except ValueError:
        return text or ""
    if not isinstance(values, dict):
        return str(values)
    changed = _("已更改")
    return "; ".join(f"{name}: {changed if value == SECRET_CHANGED else value}"
                     for name, value in values.items())


def save(obj, user):
    """Save `obj` in a transaction with an audit entry of what changed; return obj."""
    with db.transaction():
        if obj.id is None:
            obj.save()
            record(CREATE, obj, user, {}, snapshot(obj))
            return obj
        stored = type(obj).get_by_id(obj.id)
        before = snapshot(stored)
        obj.save()
        after = snapshot(obj)
        changed = [k for k in after if before.get(k) != after[k]]
        if changed:
            record(UPDATE, obj, user, {k: before.get(k) for k in changed},
                   {k: after[k] for k in changed})
    return obj


def void(obj, user, reason):
    """Void a record with a reason (never deleted); the audit keeps who and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required to void a record")
    with db.transaction():
        obj.voided, obj.voided_at = True, now()
        obj.voided_by, obj.void_reason = (user.id if user else None), reason[:500]
        obj.save()
        record(VOID, obj, user, {"voided": False}, {"voided": True, "reason": reason[:500]})
    return obj


def restore(obj, user):
    """Bring a voided record back; the audit keeps the reason it had been voided for."""
    with db.transaction():
        reason = obj.void_reason
        obj.voided, obj.voided_at, obj.voided_by, obj.void_reason = False, None, None, None
        obj.save()
        record(RESTORE, obj, user, {"voided": True, "reason": reason}, {"voided": False})
    return obj


def log_access(user, action, obj=None, model=None, detail="", reason=""):
    """Record a reveal, print, export, download or confidential opening in the access log."""
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"unknown access action {action!r}")
    return AccessLog.create(
        user=user.id if user else None, action=action,
        model=(obj.__class__.__name__ if obj is not None else model or ""),
        record_id=obj.id if obj is not None else None,
        label=(obj.label() if obj is not None else "")[:200],
        detail=(detail or "")[:200], reason=(reason or "")[:500])
