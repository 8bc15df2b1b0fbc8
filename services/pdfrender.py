"""WeasyPrint's side of printing: imported only in the PDF process (see services.printing).

A bundled CJK font, a fetcher that reaches only the app's static files, and Python's garbage
collector set for WeasyPrint's way of working (see start_process).
"""
import gc
import os
import urllib.parse

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .printing import BASE_URL


class StaticOnlyFetcher(URLFetcher):
    """Serves /static/… from disk and data: URIs; refuses file://, the network and everything else."""

    def __init__(self, static_folder, static_url_path="/static"):
        super().__init__(allowed_protocols=("http", "data"))
        self.static_folder = os.path.realpath(static_folder)
        self.prefix = urllib.parse.urljoin(BASE_URL, static_url_path.strip("/") + "/")

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(self.prefix):
            raise ValueError(f"refused to fetch {url}: only the app's static files may be used")
        relative = urllib.parse.unquote(url[len(self.prefix):].split("?")[0].split("#")[0])
        path = os.path.realpath(os.path.join(self.static_folder, relative))
        if not path.startswith(self.static_folder + os.sep) or not os.path.isfile(path):
            raise ValueError(f"refused to fetch {url}: not a static file")
        with open(path, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": _content_type(path)})


def _content_type(path):
    ext = os.path.splitext(path)[1].lower()
    return {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".png": "image/png",
            ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}.get(
                ext, "application/octet-stream")


# A young-generation pass every 10,000 new objects rather than Python's 700 (the older
# generations after 10 passes each, as by default).
COLLECTOR_THRESHOLDS = (10_000, 10, 10)


def start_process():
    """Set up the PDF process: the garbage collector runs less often while a PDF is made (it
    would walk WeasyPrint's growing box tree again and again) and in full after each one, so
    the process holds one document's memory at a time (figures: bench/RESULTS.md). What the
    imports made lives as long as the process, so no collection walks it again."""
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    gc.freeze()


def render(html, static_folder, static_url_path="/static"):
    """HTML (with its print stylesheet linked) to PDF bytes."""
    fetcher = StaticOnlyFetcher(static_folder, static_url_path)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    pdf = document.write_pdf(font_config=FontConfiguration(), uncompressed_pdf=False)
    del document
    gc.collect()
    return pdf
