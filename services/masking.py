"""Masking of phone and ID numbers for lists and prints (138****5678)."""


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
