"""How fast and how lightly an oversized spreadsheet is refused (issue 19, item 7).

    python bench/hostile_import.py            # 300,000 rows
    python bench/hostile_import.py --rows 1000000

Builds a workbook of ROWS tiny rows (it compresses to about 100 KB per 100,000 rows' worth of
XML), then times services.imports.read_sheet refusing it and measures the process's memory
growth (peak RSS), once with the size the sheet declares and once with that declaration removed,
so that only the streaming cut-off stops it. Targets: refused in under 1 s, under 20 MB growth.
"""
import argparse
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def workbook(rows):
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["姓名", "手机"])
    for n in range(rows):
        sheet.append(["a", n])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def undeclared(data):
    """The same workbook with its sheets' <dimension> removed (as some programs write it)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<dimension [^>]*/>", b"", body)
            target.writestr(item, body)
    return out.getvalue()


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label, path):
    """In a fresh process (so the peak RSS is this refusal's): load the app, then refuse."""
    from app import create_app
    from blueprints.archives import importing as imports
    create_app({"DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "bench"})
    with open(path, "rb") as handle:
        data = handle.read()
    before, started = peak_mb(), time.perf_counter()
    try:
        imports.read_sheet(data)
        outcome = "accepted (!)"
    except imports.SheetError as refused:
        outcome = f"refused: {refused}"
    seconds = time.perf_counter() - started
    print(f"{label}: {len(data) / 1024:.0f} KB, {outcome}, {seconds:.2f} s, "
          f"peak RSS +{peak_mb() - before:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--measure", nargs=2, metavar=("LABEL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return
    data = workbook(args.rows)
    folder = tempfile.mkdtemp(prefix="frontdesk-import-")
    for label, body in ((f"{args.rows:,} rows, size declared", data),
                        (f"{args.rows:,} rows, size not declared", undeclared(data))):
        path = os.path.join(folder, "sheet.xlsx")
        with open(path, "wb") as handle:
            handle.write(body)
        subprocess.run([sys.executable, __file__, "--measure", label, path], check=True)


if __name__ == "__main__":
    main()
