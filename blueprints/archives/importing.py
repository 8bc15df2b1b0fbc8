"""Excel imports of customers and VIP members: guess the columns, check every row, then save all
valid rows in one transaction (or none). Duplicates by phone are reported, never merged."""
import datetime
import io
import zipfile
from collections import namedtuple

from models import Customer, VipCard, db
from models.customers import KINDS, Status
from models.i18n import lazy_gettext as _l
from models.vip import CardState
from services import identity

FIELDS = {
    "customers": [("name", _l("姓名/名称")), ("phone", _l("电话")), ("kind", _l("类型")),
                  ("contact_person", _l("联系人")), ("building", _l("楼栋")),
                  ("unit", _l("单元")), ("room", _l("房号")), ("address", _l("地址")),
                  ("id_number", _l("证件号码")), ("plate", _l("车牌")), ("source", _l("来源")),
                  ("notes", _l("备注"))],
    "members": [("name", _l("姓名")), ("phone", _l("手机")), ("birthday", _l("生日")),
                ("gender", _l("性别")), ("id_number", _l("证件号码")), ("address", _l("地址"))],
}
REQUIRED = {"customers": ("name", "phone"), "members": ("name", "phone")}
# Headers offices actually use, for the first guess of the mapping.
SYNONYMS = {
    "name": ["姓名", "名称", "客户名称", "客户姓名", "业主", "业主姓名", "会员姓名", "单位名称", "name"],
    "phone": ["手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "phone", "mobile"],
    "kind": ["类型", "客户类型"], "contact_person": ["联系人"], "building": ["楼栋", "栋", "楼号"],
    "unit": ["单元"], "room": ["房号", "房间", "房间号", "室"], "address": ["地址", "住址", "联系地址"],
    "id_number": ["身份证", "身份证号", "证件号码", "证件号"], "plate": ["车牌", "车牌号"],
    "source": ["来源"], "notes": ["备注", "说明"], "birthday": ["生日", "出生日期"],
    "gender": ["性别"],
}
MAX_ROWS = 5000

Row = namedtuple("Row", "number values errors")


class SheetError(ValueError):
    """The file cannot be read as a workbook."""


MAX_COLUMNS = 60
# No part of a workbook of MAX_ROWS rows comes near this once unpacked (5,000 rows of a dozen
# columns are 2–4 MB of sheet XML). A larger part is refused from the archive's directory,
# before openpyxl reads it: a sheet that does not declare its size is otherwise scanned whole
# when it is opened, and a small upload can unpack to gigabytes.
MAX_PART_BYTES = 8 * 1024 * 1024
# openpyxl parses through defusedxml when it is installed (requirements.txt): no entity
# expansion ("billion laughs") or external entities from an uploaded workbook. (openpyxl is
# imported where a workbook is read or made: a web worker that never does so stays smaller.)


def read_sheet(data):
    """(headers, rows) of the first sheet of an .xlsx, values as text or dates.

    The sheet is streamed (read-only mode) and refused as soon as it is known to hold more
    than MAX_ROWS rows: from the size it declares, before any row is read, or else on reaching
    the limit. A workbook that does not parse is refused with a message."""
    if not data.startswith(b"PK\x03\x04"):
        raise SheetError(_l("请上传 Excel 文件（.xlsx）"))
    too_many = SheetError(_l("一次最多导入 %(n)s 行", n=MAX_ROWS))
    import openpyxl
    if not openpyxl.DEFUSEDXML:
        raise RuntimeError("defusedxml is required to read uploaded workbooks safely")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(part.file_size > MAX_PART_BYTES for part in archive.infolist()):
                raise too_many
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            if (sheet.max_row or 0) > MAX_ROWS + 1 and sheet.min_row == 1:
                raise too_many  # the size the sheet declares (its <dimension>)
            rows = []
            for values in sheet.iter_rows(values_only=True):
                values = values[:MAX_COLUMNS]
                if any(v not in (None, "") for v in values):
                    rows.append(list(values))
                    if len(rows) > MAX_ROWS + 1:
                        raise too_many
        finally:
            book.close()
    except SheetError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged file: zip, XML, values
        raise SheetError(_l("文件无法读取，请另存为 .xlsx 后重试"))
    if not rows:
        raise SheetError(_l("表格是空的"))
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    return headers, rows[1:]


def guess_mapping(headers, kind):
    """{field: column index} from the header names."""
    mapping = {}
    for field, _label in FIELDS[kind]:
        for index, header in enumerate(headers):
            if header.lower() in [s.lower() for s in SYNONYMS.get(field, [])]:
                mapping.setdefault(field, index)
    return mapping


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    return datetime.date.fromisoformat(text) if text else None


def check(rows, mapping, kind):
    """Every row with its values and its problems (in Chinese), nothing written."""
    missing = [f for f in REQUIRED[kind] if f not in mapping]
    if missing:
        return None, [str(_l("缺少必需的列：%(cols)s", cols="、".join(
            str(dict(FIELDS[kind])[f]) for f in missing)))]
    seen = {}
    phones = [identity.normalize_phone(_text(r[mapping["phone"]]))
              for r in rows if mapping["phone"] < len(r)]
    existing = {}
    if kind == "customers":
        for c in Customer.select(Customer.phone, Customer.name).where(
                Customer.phone.in_(phones) & Customer.not_voided()):
            existing.setdefault(c.phone, c.name)
    else:
        for c in VipCard.select(VipCard.phone, VipCard.number).where(
                VipCard.phone.in_(phones) & (VipCard.state == CardState.ACTIVE)):
            existing.setdefault(c.phone, c.number)
    result = []
    for offset, raw in enumerate(rows):
        number = offset + 2  # the spreadsheet's own row number
        values, errors = {}, []
        for field, _label in FIELDS[kind]:
            index = mapping.get(field)
            values[field] = raw[index] if index is not None and index < len(raw) else None
        values = {k: (_text(v) if k != "birthday" else v) for k, v in values.items()}
        if not values["name"]:
            errors.append(str(_l("缺少姓名")))
        elif len(values["name"]) > 40 and kind == "members" or len(values["name"]) > 80:
            errors.append(str(_l("姓名太长")))
        phone = identity.normalize_phone(values["phone"])
        if not values["phone"]:
            errors.append(str(_l("缺少电话")))
        elif not identity.valid_phone(values["phone"]):
            errors.append(str(_l("电话格式不正确")))
        elif phone in existing:
            errors.append(str(_l("电话已登记（%(who)s），未导入", who=existing[phone])))
        elif phone in seen:
            errors.append(str(_l("与第 %(row)s 行电话重复", row=seen[phone])))
        values["phone"] = phone
        seen.setdefault(phone, number)
        if values.get("id_number") and not identity.valid_id_number(values["id_number"]):
            errors.append(str(_l("证件号码不正确")))
        if values.get("plate"):
            if identity.valid_plate(values["plate"]):
                values["plate"] = identity.normalize_plate(values["plate"])
            else:
                errors.append(str(_l("车牌格式不正确")))
        if kind == "customers":
            kinds = {str(v): k for k, v in KINDS.items()}
            values["kind"] = kinds.get(values["kind"], values["kind"] if values["kind"] in KINDS
                                       else "resident" if values["room"] else "shopper")
            for field in ("contact_person", "building", "unit", "room", "source"):
                if len(values[field]) > 40:
                    errors.append(str(_l("%(field)s 太长", field=field)))
        else:
            try:
                values["birthday"] = _date(values["birthday"])
            except ValueError:
                errors.append(str(_l("生日不是日期")))
            values["gender"] = {"男": "M", "女": "F"}.get(values["gender"], "")
        result.append(Row(number, values, errors))
    return result, []


def apply(rows, kind, actor, settings, on_row=None):
    """Save every valid row in one transaction (all or none); returns how many were saved."""
    from blueprints.vip import service as vip
    from services.customers import create_customer
    valid = [r for r in rows if not r.errors]
    with db.atomic():
        for count, row in enumerate(valid, 1):
            values = row.values
            if kind == "customers":
                fields = {k: values[k] for k, _ in FIELDS["customers"]}
                fields["status"] = Status.COOPERATING
                create_customer(Customer(**fields), actor)
            else:
                customer = vip.customer_for(values["name"], values["phone"], actor)
                vip.enrol(VipCard(customer=customer, name=values["name"], phone=values["phone"],
                                  birthday=values["birthday"], gender=values["gender"],
                                  id_number=values["id_number"].upper(),
                                  address=values["address"], handbook_given=True),
                          actor, settings)
            if on_row:
                on_row(count)
    return len(valid)


def template(kind):
    """An empty workbook with the expected headers, to fill in and import."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append([str(label) for _field, label in FIELDS[kind]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
