"""A shop's tablet talks to the app directly: text responses go out compressed, unless a proxy in
front says it compresses them itself."""
import gzip

import brotli

from tests.conftest import make_app


def test_pages_and_static_files_are_compressed_for_browsers_that_ask(login, client):
    for path, asked, unpack in (
            ("/auth/login", "gzip", gzip.decompress),
            ("/static/js/htmx-2.0.11.min.js", "gzip", gzip.decompress),
            ("/static/css/app.css", "br", brotli.decompress)):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": asked})
        assert plain.headers.get("Content-Encoding") is None
        assert packed.headers.get("Content-Encoding") == asked.split(", ")[-1], path
        assert unpack(packed.data) == plain.data
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
