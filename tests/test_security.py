"""Security basics: headers, cookies, oversized uploads, backups that restore."""
import os

from models import Customer, backup, db


def test_security_headers_and_csp(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers["Vary"]


def test_session_cookie_is_httponly_and_samesite(client, users):
    response = client.login("desk")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_behind_https(monkeypatch, tmp_path):
    from tests.conftest import make_app
    monkeypatch.setenv("FRONTDESK_HTTPS", "1")
    app = make_app(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_oversized_request_gets_a_clear_413(login, make_customer, database):
    customer = make_customer()
    manager = login("manager")
    response = manager.post(f"/archives/{customer.id}/documents",
                            data=b"title=" + b"0" * (11 * 1024 * 1024),
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "文件太大" in response.get_data(as_text=True)


def test_backup_and_restore_bring_rows_back(app, database, make_customer, tmp_path):
    make_customer(name="备份前")
    path = backup.backup_database(str(tmp_path / "backups"))
    assert os.path.getsize(path) > 0
    make_customer(name="备份后")
    Customer.delete().where(Customer.name == "备份前").execute()
    if not db.is_closed():
        db.close()
    db.connect()
    backup.restore_database(path)
    assert sorted(c.name for c in Customer.select()) == ["备份前"]


def test_backup_cli_writes_a_dated_file(app, database):
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    written = result.output.strip().splitlines()[-1]
    assert os.path.exists(written) and "frontdesk-" in os.path.basename(written)


def test_nul_characters_are_dropped_from_input(login, make_customer, database):
    customer = make_customer(name="张三")
    desk = login("desk")
    assert desk.get("/search?q=%00zs").status_code == 200
    desk.submit(f"/archives/{customer.id}/edit", {"kind": "resident", "name": "张\x00三丰",
                                                   "phone": "13800001111", "status": "potential"})
    assert Customer.get_by_id(customer.id).name == "张三丰"


def test_backup_while_writes_go_on_is_consistent(app, database, make_customer, tmp_path):
    """A writer keeps adding customers (each with a contact, in one transaction) while the
    backup runs: the copy holds whole transactions only, between the counts before and after."""
    import threading

    from models import EmergencyContact
    stop = threading.Event()

    def write():
        with db.connection_context():
            n = 0
            while not stop.is_set():
                n += 1
                with db.atomic():
                    customer = Customer.create(name=f"并发{n}")
                    EmergencyContact.create(customer=customer, name="联系人", phone="13800000000")
    writer = threading.Thread(target=write)
    writer.start()
    try:
        while Customer.select().count() < 20:
            pass
        before = Customer.select().count()
        path = backup.backup_database(str(tmp_path / "backups"))
        after = Customer.select().count()
    finally:
        stop.set()
        writer.join()
    if path.endswith(".db"):
        import sqlite3
        copy = sqlite3.connect(path)
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        customers = copy.execute("SELECT COUNT(*) FROM customer").fetchone()[0]
        contacts = copy.execute("SELECT COUNT(*) FROM emergency_contact").fetchone()[0]
        copy.close()
        assert before <= customers <= after and contacts == customers
    else:  # PostgreSQL: pg_dump's snapshot, restored into the live database
        backup.restore_database(path)
        customers = Customer.select().count()
        assert before <= customers <= after
        assert EmergencyContact.select().count() == customers


def test_only_the_last_backups_are_kept(app, database, tmp_path):
    folder = str(tmp_path / "many")
    os.makedirs(folder)
    for n in range(backup.KEEP + 3):
        open(os.path.join(folder, f"frontdesk-2026010{n // 10}{n % 10}-000000.db"), "w").close()
    backup.backup_database(folder)
    kept = backup.list_backups(folder)
    assert len(kept) == backup.KEEP
    names = {os.path.basename(name) for name in kept}
    assert "frontdesk-202601000-000000.db" not in names  # the oldest went
    assert "frontdesk-202601012-000000.db" in names


def test_disabling_a_user_ends_their_session(login, users, database):
    from services import accounts
    desk = login("desk")
    assert desk.get("/").status_code == 200
    accounts.set_active(users["desk"], False, actor=users["admin"])
    assert desk.get("/").status_code == 302


def test_the_favicon_is_served_to_anyone(client):
    """Issue 22: /favicon.ico answered 404, a console error on every page."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.get_data()
    assert 'rel="icon"' in client.get("/auth/login").get_data(as_text=True)
