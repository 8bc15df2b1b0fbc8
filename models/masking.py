"""Masking of phone and ID numbers (138****5678), and what the audit may keep of a record."""


def mask_phone(value):
    """Keep the first 3 and last 4 digits of a mobile; the last 4 of anything shorter."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


def mask_id(value):
    """Keep the first 3 and last 4 characters of an ID number, mask the rest."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 7:
        return value[0] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


MASKERS = {"phone": mask_phone, "id": mask_id}


def mask(kind, value):
    """`value` masked as a number of this kind ('phone' or 'id')."""
    return MASKERS[kind](value)


# What the audit stores in place of a secret's value: only that it changed.
SECRET_CHANGED = "<changed>"


def redacted(model, values):
    """`values` (a record's fields, as the audit keeps them) with the model's secret fields
    replaced by SECRET_CHANGED and its number fields masked. Models declare both once:
    `secret_fields` (credentials) and `masked_fields` (name -> 'phone' or 'id')."""
    secrets, numbers = model.secret_fields, model.masked_fields
    shown = {}
    for name, value in values.items():
        if name in secrets:
            shown[name] = SECRET_CHANGED
        elif name in numbers and isinstance(value, str):
            shown[name] = mask(numbers[name], value)
        else:
            shown[name] = value
    return shown
