"""One table decides who may use which endpoint; every endpoint is in it."""
import pytest

from models.users import ROLES
from services import permissions


def test_every_endpoint_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(e for e in endpoints if e not in permissions.RULES and
                     e not in permissions.PUBLIC)
    assert missing == []
    from blueprints.registers.engine import REGISTERS
    registers = {register.permission for register in REGISTERS.values()}
    stale = sorted(e for e in permissions.RULES if e not in endpoints | registers)
    assert stale == []


def test_rules_name_only_real_roles():
    for endpoint, roles in permissions.RULES.items():
        assert set(roles) <= set(ROLES), endpoint


@pytest.mark.parametrize("role, url, status", [
    ("desk", "/admin/users", 403),
    ("manager", "/admin/settings", 403),
    ("admin", "/admin/users", 200),
    ("engineer", "/archives/", 403),
    ("desk", "/archives/", 200),
    ("desk", "/audit", 403),
    ("manager", "/audit", 200),
    ("desk", "/records/voided", 403),
    ("gm", "/records/voided", 200),
])
def test_role_access(login, role, url, status):
    assert login(role).get(url).status_code == status


def test_denied_page_explains_in_chinese(login):
    response = login("desk").get("/admin/users")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)


def test_navigation_shows_only_what_the_role_may_use(login):
    desk_page = login("desk").get("/").get_data(as_text=True)
    assert 'href="/archives/"' in desk_page and 'href="/admin/users"' not in desk_page
    admin_page = login("admin").get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in admin_page and 'href="/archives/"' not in admin_page
