"""Checks and normal forms for phone numbers, PRC ID numbers and vehicle plates."""
import re

PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PLATE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领]"
                   r"[A-Z][A-HJ-NP-Z0-9]{4,6}[挂学警港澳领]?$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalize_phone(value):
    """Digits (and a leading +) only: '138 1234-5678' -> '13812345678'."""
    value = (value or "").strip()
    lead = "+" if value.startswith("+") else ""
    return lead + re.sub(r"\D", "", value)


def valid_phone(value):
    """A mobile of 11 digits starting 1[3-9], or a landline/extension of 5 to 20 digits."""
    value = (value or "").strip()
    if not PHONE.match(value):
        return False
    digits = normalize_phone(value).lstrip("+")
    if len(digits) == 11 and digits.startswith("1"):
        return bool(MOBILE.match(digits))
    return 5 <= len(digits) <= 20


def normalize_plate(value):
    """Upper case without spaces or dots: '粤b·12345' -> '粤B12345'."""
    return re.sub(r"[\s·.\-]", "", (value or "")).upper()


def valid_plate(value):
    """A PRC plate: province character, letter, 4-6 characters (new-energy plates have 6)."""
    return bool(PLATE.match(normalize_plate(value)))


def valid_id_number(value):
    """An 18-character resident ID must carry the right check digit; other documents pass."""
    value = (value or "").strip().upper()
    if not value:
        return True
    if not re.fullmatch(r"[A-Z0-9]{5,30}", value):
        return False
    if len(value) == 18 and re.fullmatch(r"\d{17}[\dX]", value):
        total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS))
        return ID_CHECK[total % 11] == value[17]
    return True
