"""HTML to A4 PDF with WeasyPrint: bundled CJK font, and a fetcher that reaches only our static files.

Kept free of Flask: the caller renders the HTML and says where the static folder is.
"""
import ctypes.util
import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import segno

log = logging.getLogger(__name__)
BASE_URL = "http://print.frontdesk.invalid/"

# WeasyPrint runs in a child process: its layout of a long register takes a few hundred MB
# that Python never gives back, and the app's workers should stay small. The child is reused
# (one import of WeasyPrint, warm font caches) and replaced after PDF_TASKS_PER_CHILD PDFs.
# One child: PDFs print one at a time, like the office printer.
PDF_TASKS_PER_CHILD = 25
_pool = None
_pool_lock = threading.Lock()


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        max_tasks_per_child=PDF_TASKS_PER_CHILD,
                                        initializer=_start_pdf_process)
        return _pool


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
