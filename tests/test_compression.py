"""A shop's tablet talks to the app directly: text responses go out compressed, unless a proxy in
front says it compresses them itself."""
import gzip
import re

import brotli

from tests.conftest import make_app


def without_csrf_tokens(body):
    """The page with its CSRF tokens blanked: each one carries the second it was signed in (by
    itsdangerous, on the server's clock), so two requests a second apart differ there only."""
    return re.sub(rb'(name="csrf_token" type="hidden" value="|"X-CSRFToken": ")[^"]+', rb"\1",
                  body)


def test_pages_and_static_files_are_compressed_for_browsers_that_ask(login, client):
    for path, asked, unpack in (
            ("/auth/login", "gzip", gzip.decompress),
            ("/static/js/htmx-2.0.11.min.js", "gzip", gzip.decompress),
            ("/static/css/app.css", "br", brotli.decompress)):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": asked})
        assert plain.headers.get("Content-Encoding") is None
        assert packed.headers.get("Content-Encoding") == asked.split(", ")[-1], path
        assert without_csrf_tokens(unpack(packed.data)) == without_csrf_tokens(plain.data)
        assert len(packed.data) < len(plain.data) / 2
        assert "Accept-Encoding" in packed.headers["Vary"]
        plain.close()
        packed.close()
    desk = login("desk")
    home = desk.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert home.headers["Content-Encoding"] == "br"


def test_a_proxy_that_compresses_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONTDESK_PROXY_COMPRESSES", "1")
    app = make_app(tmp_path)
    response = app.test_client().get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") is None
    response.close()
