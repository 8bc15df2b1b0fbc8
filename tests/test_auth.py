"""Signing in and out, lockout, password changes and sessions that end."""
import datetime
import threading

import pytest
from bs4 import BeautifulSoup

from models import User, clock, db
from services import accounts
from tests.conftest import PASSWORD


def test_login_page_and_successful_login(client, users):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert "登录" in page.get_data(as_text=True)
    response = client.login("desk")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/")
    assert "前台/客服甲" in home.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/archives/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_wrong_password_shows_message_beside_field(client, users):
    response = client.login("desk", "wrong-password")
    assert response.status_code == 422
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    field = soup.find("input", id="password")
    assert field["aria-invalid"] == "true"
    assert "用户名或密码不正确" in soup.find(id="password-errors").text


def test_empty_login_form_gets_messages(client, users):
    response = client.submit("/auth/login", {"username": "", "password": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "请输入用户名" in text and "请输入密码" in text


def test_repeated_failures_lock_the_account(client, users):
    for _ in range(accounts.MAX_FAILURES):
        client.login("desk", "wrong-password")
    locked = User.get(User.username == "desk")
    assert locked.locked_until > clock.now()
    response = client.login("desk", PASSWORD)  # right password, still locked
    assert response.status_code == 422
    assert "暂时锁定" in response.get_data(as_text=True)


def test_lock_expires(users, database):
    accounts.authenticate("desk", PASSWORD)
    user = User.get(User.username == "desk")
    User.update(locked_until=clock.now() - datetime.timedelta(minutes=1)).where(
        User.id == user.id).execute()
    assert accounts.authenticate("desk", PASSWORD).id == user.id


def test_next_parameter_cannot_leave_the_site(client, users):
    token = client.token("/auth/login")
    response = client.post("/auth/login?next=https://evil.example/", data={
        "username": "desk", "password": PASSWORD, "csrf_token": token})
    assert response.location == "/"


def test_logout_is_a_post_and_ends_the_session(login):
    desk = login("desk")
    assert desk.get("/auth/logout").status_code == 405
    response = desk.submit("/auth/logout", {}, page="/")
    assert response.status_code == 302
    assert desk.get("/").status_code == 302


def test_password_change_ends_other_sessions(login):
    first = login("sales")
    second = login("sales")
    response = first.submit("/auth/password", {"current": PASSWORD, "new": "brand-new-pass",
                                               "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200  # the one who changed it stays signed in
    assert second.get("/").status_code == 302  # the other device is signed out


def test_password_change_validation(login):
    sales = login("sales")
    response = sales.submit("/auth/password", {"current": "nope", "new": "short",
                                               "confirm": "other"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "密码至少" in text and "两次输入的密码不一致" in text


def test_passwords_are_argon2_hashes(users):
    user = User.get(User.username == "desk")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_many_failures_from_one_address_make_it_wait(client, users):
    """Guessing across usernames from one address: after ADDRESS_FAILURES refusals in the window
    even a right password is not tried until the window has passed; other addresses sign in."""
    from models import LoginFailure
    for n in range(accounts.ADDRESS_FAILURES):
        client.login(f"nobody{n}", "wrong-password")
    assert LoginFailure.select().where(LoginFailure.address == "127.0.0.1").count() == (
        accounts.ADDRESS_FAILURES)
    waiting = client.login("manager", PASSWORD)
    assert waiting.status_code == 429 and "登录失败次数过多" in waiting.get_data(as_text=True)
    assert User.get(User.username == "manager").last_login_at is None  # password never tried
    assert accounts.authenticate("manager", PASSWORD, address="10.0.0.2").username == "manager"
    later = clock.now() + datetime.timedelta(minutes=accounts.ADDRESS_MINUTES + 1)
    assert accounts.authenticate("manager", PASSWORD, at=later,
                                 address="127.0.0.1").username == "manager"


def test_behind_a_proxy_failures_count_per_forwarded_address(monkeypatch, tmp_path):
    from models import LoginFailure, schema
    from tests.conftest import make_app
    monkeypatch.setenv("FRONTDESK_PROXY", "1")
    app = make_app(tmp_path)
    with db.connection_context():
        schema.upgrade()
    from tests.conftest import csrf_from
    with db.connection_context():
        before = LoginFailure.select().count()  # (on PostgreSQL the schema outlives the test)
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    refused = client.post("/auth/login", data={"username": "x", "password": "y",
                                               "csrf_token": token},
                          headers={"X-Forwarded-For": "192.168.1.23"})
    assert refused.status_code == 422
    with db.connection_context():
        newest = LoginFailure.select().order_by(LoginFailure.id).offset(before)
        assert [f.address for f in newest] == ["192.168.1.23"]


def test_older_hashes_are_upgraded_at_sign_in(users, database):
    """Hashes made with heavier settings (argon2-cffi's 64 MiB default) still verify, and are
    replaced with the current settings at the next successful sign-in."""
    from argon2 import PasswordHasher
    old = PasswordHasher().hash(PASSWORD)
    User.update(password_hash=old).where(User.username == "desk").execute()
    accounts.authenticate("desk", PASSWORD)
    upgraded = User.get(User.username == "desk").password_hash
    assert upgraded != old and not accounts._hasher.check_needs_rehash(upgraded)
    assert accounts.authenticate("desk", PASSWORD).username == "desk"


# Known ways past a "stay on this site" check (issue 19, item 4): each must land on the home page.
REDIRECT_BYPASSES = [
    "https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example",
    "/%09/127.0.0.1:5403/pwned", "/\t/evil.example", "/%2F/evil.example", "/%2f%2fevil.example",
    "/%5Cevil.example", "/\\/evil.example", "%2F%2Fevil.example", "javascript:alert(1)",
    "java\nscript:alert(1)", "/\r\n/evil.example", "/%0d%0a/evil.example", "http:evil.example",
    "https:/evil.example", "///evil.example", " //evil.example", "/%00/evil.example",
    "/\x7f/evil.example", "evil.example", "", "/%252F%252Fevil.example/../..//evil.example",
]


@pytest.mark.parametrize("target", REDIRECT_BYPASSES)
def test_no_redirect_leaves_the_site(client, users, target):
    language = client.get("/lang/en", query_string={"next": target})
    signed_in = client.post("/auth/login", query_string={"next": target}, data={
        "username": "desk", "password": PASSWORD, "csrf_token": client.token("/auth/login")})
    for response in (language, signed_in):
        assert response.status_code == 302
        assert response.headers["Location"] == "/", (target, response.headers["Location"])


def test_a_path_on_this_site_is_kept(client, users):
    response = client.get("/lang/en", query_string={"next": "/archives/?q=%E5%BC%A0"})
    assert response.headers["Location"] == "/archives/?q=%E5%BC%A0"


def _cookie_copy(app, browser):
    """A second client holding a copy of `browser`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", browser.client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_is_refused_after_logout(app, login):
    desk = login("desk")
    thief = _cookie_copy(app, desk)
    assert thief.get("/archives/").status_code == 200
    desk.submit("/auth/logout", {}, page="/")
    response = thief.get("/archives/")
    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_a_session_ends_after_a_shift_without_use(app, login):
    desk = login("desk")
    thief = _cookie_copy(app, desk)
    with desk.client.session_transaction() as session:
        hours = app.config["SESSION_IDLE_HOURS"]
        session["seen"] -= hours * 3600 - 120  # used two minutes inside the limit
    assert desk.get("/archives/").status_code == 200
    with desk.client.session_transaction() as session:
        session["seen"] -= hours * 3600 + 1
    response = desk.get("/archives/")
    assert response.status_code == 302 and response.location.startswith("/auth/login")
    assert desk.get("/").status_code == 302  # and the session is gone, not only refused once
    thief_cookie_seen_long_ago = thief  # the copy made earlier carries the same last-use time
    with thief_cookie_seen_long_ago.session_transaction() as session:
        session["seen"] -= hours * 3600 + 1
    assert thief.get("/archives/").status_code == 302


@pytest.mark.parametrize("password, why", [
    ("12345678", "密码至少 10 位"), ("deskdesk", "密码至少 10 位"),
    ("desk-desk-desk", "不能包含用户名"), ("1234567890", "太常见"), ("qwertyuiop", "太常见"),
    ("password123", "太常见"), ("aaaaaaaaaaaa", "太常见")])
def test_weak_passwords_are_refused_with_the_reason(login, users, database, password, why):
    admin = login("admin")
    username = "desk-desk" if "用户名" in why else "desk2"
    response = admin.submit("/admin/users/new", {"username": username, "display_name": "前台乙",
                                                 "role": "desk", "password": password})
    assert response.status_code == 422 and why in response.get_data(as_text=True)
    assert not User.select().where(User.username == username).exists()
    reset = admin.submit(f"/admin/users/{users['desk'].id}/password", {"password": password})
    assert reset.status_code == 422 and why in reset.get_data(as_text=True)
    desk = login("desk")
    own = desk.submit("/auth/password", {"current": PASSWORD, "new": password,
                                         "confirm": password})
    assert own.status_code == 422 and why in own.get_data(as_text=True)
    with pytest.raises(accounts.WeakPassword):
        accounts.create_user(username, "前台丙", "desk", password)


def test_the_cli_refuses_a_weak_password(app, database):
    result = app.test_cli_runner().invoke(args=["create-user", "cli-user", "--name", "命令行",
                                                "--role", "gm", "--password", "12345678"])
    assert result.exit_code != 0 and "10" in result.output
    assert not User.select().where(User.username == "cli-user").exists()


def test_concurrent_wrong_passwords_check_at_most_five(app, users, monkeypatch):
    """40 wrong passwords at once for one account: at most MAX_FAILURES reach the hash check,
    and the account ends locked (the counter loses no update), on SQLite and PostgreSQL."""
    checks, start = [], threading.Barrier(40)
    real_verify = accounts.verify_password

    def counted(user, password):
        checks.append(password)
        return real_verify(user, password)
    monkeypatch.setattr(accounts, "verify_password", counted)
    outcomes = []

    def attempt(n):
        with app.app_context(), db.connection_context():
            start.wait()
            try:
                accounts.authenticate("desk", f"wrong-{n}")
            except accounts.LoginRefused as refused:
                outcomes.append(refused.locked_until)
    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 40
    assert 1 <= len(checks) <= accounts.MAX_FAILURES
    with db.connection_context():
        user = User.get(User.username == "desk")
    assert user.failed_logins == accounts.MAX_FAILURES and user.locked_until is not None
    with db.connection_context(), pytest.raises(accounts.LoginRefused):
        accounts.authenticate("desk", PASSWORD)  # the right password waits for the lock too
    assert len(checks) <= accounts.MAX_FAILURES
