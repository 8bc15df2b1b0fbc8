"""Phone and ID numbers in forms: a form never carries a stored number in full.

A field that would show a stored number shows it masked; when the same masked text comes back,
the number is unchanged and the stored one stands; anything else typed replaces it. A full
number is shown only by a reveal, which the access log records."""
from models.masking import mask


def _pairs(form, record, fields):
    """(form field, stored value, kind) for the numbers of `record` this form holds.
    `fields`: {form field name: record field name} where the names differ."""
    kinds = type(record).masked_fields
    fields = fields or {name: name for name in kinds}
    return [(form[name], getattr(record, stored) or "", kinds[stored])
            for name, stored in fields.items() if name in form]


def show_masked(form, record, fields=None):
    """Fields that hold `record`'s stored number show it masked (before rendering)."""
    for field, stored, kind in _pairs(form, record, fields):
        if stored and field.data == stored:
            field.data = mask(kind, stored)


def keep_stored(form, record, fields=None):
    """A field sent back with the masked number it was shown keeps the stored number (before
    validating)."""
    for field, stored, kind in _pairs(form, record, fields):
        if stored and (field.data or "").strip() == mask(kind, stored):
            field.data = stored
