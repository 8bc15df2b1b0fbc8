"""Lists as Excel workbooks (openpyxl) and CSV: Chinese headers, one sheet, and no cell that a
spreadsheet would run as a formula."""
import csv
import io
import re

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# A cell starting with one of these (after spaces) is a formula to Excel and LibreOffice, or
# becomes one once the tab or carriage return is stripped: =HYPERLINK("…"&A1,"click").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value):
    """True for text a spreadsheet would read as a formula."""
    return isinstance(value, str) and (value.startswith(FORMULA_START)
                                       or value.lstrip().startswith(FORMULA_START))


def workbook(title, headers, rows):
    """The bytes of an .xlsx with a bold header row and columns wide enough to read."""
    # (openpyxl is imported here, not with the module: web workers that never build a workbook
    # stay about 18 MB smaller)
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\\/*?:\[\]]", "-", title)[:31]  # (what Excel forbids in a name)
    sheet.append([str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) * 2 + 2 for h in headers]
    for number, row in enumerate(rows, 2):
        values = ["" if v is None else v for v in row]
        sheet.append(values)
        for index, value in enumerate(values):
            widths[index] = min(max(widths[index], len(str(value)) * 2 + 2), 60)
            if looks_like_formula(value):  # kept as text, shown as typed
                cell = sheet.cell(row=number, column=index + 1)
                cell.data_type, cell.quotePrefix = "s", True
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(headers, rows):
    """A CSV (UTF-8 with BOM, for Excel) where text that would run as a formula starts with
    an apostrophe, the usual guard for files other programs import."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow(["'" + v if looks_like_formula(v) else ("" if v is None else v)
                         for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
