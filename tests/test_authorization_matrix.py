"""Walk every rule in app.url_map for every role and for an anonymous visitor."""
from flask import url_for

from models.users import ROLES
from services import permissions
from tests.conftest import Browserish


def urls(app):
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            values = {arg: 1 if f"<int:{arg}>" in rule.rule
                      else "x" for arg in rule.arguments}
            method = "GET" if "GET" in rule.methods else "POST"
            yield rule.endpoint, method, url_for(rule.endpoint, **values)


def test_anonymous_visitors_are_sent_to_login(app, client):
    for endpoint, method, url in urls(app):
        if endpoint in permissions.PUBLIC:
            continue
        response = client.get(url) if method == "GET" else client.post(
            url, data={"csrf_token": client.token("/auth/login")})
        assert response.status_code == 302, endpoint
        assert response.location.startswith("/auth/login"), endpoint


def test_every_role_gets_exactly_what_the_table_allows(app, users, database):
    for role in ROLES:
        browser = Browserish(app.test_client())
        assert browser.login(role).status_code == 302
        token = browser.token("/")
        for endpoint, method, url in urls(app):
            if endpoint in permissions.PUBLIC or endpoint == "auth.logout":
                continue
            response = browser.get(url) if method == "GET" else browser.post(
                url, data={"csrf_token": token})
            allowed = permissions.allowed(role, endpoint)
            if allowed:
                assert response.status_code != 403, (role, endpoint)
            else:
                assert response.status_code == 403, (role, endpoint, response.status_code)
            assert response.status_code < 500, (role, endpoint)


def test_key_separations():
    assert not permissions.allowed("engineer", "vip.index")
    assert not permissions.allowed("engineer", "vip.card")
    assert not permissions.allowed("desk", "complaints.notice_approve")
    assert not permissions.allowed("desk", "core.restore")
    assert permissions.allowed("manager", "core.restore")
    assert all(not permissions.allowed(role, "admin.users") for role in ROLES if role != "admin")
