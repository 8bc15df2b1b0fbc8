"""HTML to A4 PDF with WeasyPrint: bundled CJK font, and a fetcher that reaches only our static files.

Kept free of Flask: the caller renders the HTML and says where the static folder is.
"""
import ctypes.util
import io
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import segno

log = logging.getLogger(__name__)
BASE_URL = "http://print.frontdesk.invalid/"

# WeasyPrint runs in child processes: its layout of a long register takes a few hundred MB
# that Python never gives back, and the app's workers should stay small. A child is reused
# (one import of WeasyPrint, warm font caches) and replaced after PDF_TASKS_PER_CHILD PDFs.
# Two children at most (the tablet server's cores): a register sheet's pages are laid out in
# parts at once.
PDF_TASKS_PER_CHILD = 25
PDF_PROCESSES = max(1, min(2, os.cpu_count() or 1))
_pool = None
_pool_lock = threading.Lock()


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=PDF_PROCESSES,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        max_tasks_per_child=PDF_TASKS_PER_CHILD,
                                        initializer=_start_pdf_process)
        return _pool


def stop():
    """Stop the PDF processes (the server is stopping): queued PDFs are dropped, and a PDF
    being laid out is left to finish."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _reset_executor():
    global _pool
    with _pool_lock:
        _pool = None


def qr_data_uri(url):
    """A QR code of `url` as an SVG data URI, for the corner of every printed form."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=3, border=1)


def html_to_pdf(html, static_folder, static_url_path="/static"):
    """Render an HTML document (with its print stylesheet linked) to PDF bytes, in the PDF
    process; a crashed child is replaced and the PDF tried once more."""
    try:
        return _executor().submit(_render, html, static_folder, static_url_path).result()
    except BrokenProcessPool:
        log.warning("the PDF process died; starting a new one")
        _reset_executor()
        return _executor().submit(_render, html, static_folder, static_url_path).result()


def parts_to_pdf(parts, static_folder, static_url_path="/static"):
    """HTML documents laid out at once in the PDF processes, their pages joined in order into
    one PDF (a register sheet split at page boundaries)."""
    if len(parts) == 1:
        return html_to_pdf(parts[0], static_folder, static_url_path)
    try:
        pdfs = [future.result() for future in [
            _executor().submit(_render, html, static_folder, static_url_path) for html in parts]]
    except BrokenProcessPool:
        log.warning("a PDF process died; starting new ones")
        _reset_executor()
        pdfs = [html_to_pdf(html, static_folder, static_url_path) for html in parts]
    # (pypdf is imported here: joining pages is the task consumer's work, and a web worker that
    # never joins any stays about 20 MB smaller)
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    joined = io.BytesIO()
    writer.write(joined)
    return joined.getvalue()


def split_even(weights, parts):
    """Consecutive runs of the indexes of `weights`, at most `parts` of them, whose largest sum
    of weights is as small as can be (a register's pages shared by the PDF processes)."""
    def runs_within(limit):
        runs, start, total = [], 0, 0
        for index, weight in enumerate(weights):
            if total + weight > limit and index > start:
                runs.append(range(start, index))
                start, total = index, 0
            total += weight
        return runs + [range(start, len(weights))]

    low, high = max(weights, default=0), sum(weights)
    while low < high:  # the smallest limit that needs no more than `parts` runs
        middle = (low + high) // 2
        low, high = (low, middle) if len(runs_within(middle)) <= parts else (middle + 1, high)
    return runs_within(low)


def _start_pdf_process():
    """Runs first in each PDF process: WeasyPrint imported and the process set up for it."""
    from .pdfrender import start_process
    start_process()


def _render(html, static_folder, static_url_path):
    """Runs in the PDF process: WeasyPrint is imported there, never in the app's workers."""
    from .pdfrender import render
    return render(html, static_folder, static_url_path)


def harfbuzz_subset_available():
    """True when libharfbuzz-subset is installed; without it font subsetting is many times slower."""
    return bool(ctypes.util.find_library("harfbuzz-subset"))
