"""What crosses a slow village network: pages, partials and static files compressed for the
browsers that accept it, and static files at addresses that name their content, kept for a
year, so that a page does not ask again for what the phone already holds."""
import gzip
import re

from flask import url_for

STATIC = re.compile(r'/static/(css/app\.css)\?v=([0-9a-f]{12})"')


def test_pages_are_compressed_for_a_browser_that_accepts_it(client):
    plain = client.get("/login")
    packed = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert int(packed.headers["Content-Length"]) < len(plain.get_data())


def test_static_files_are_kept_for_a_year_at_the_address_of_their_content(client):
    page = client.get("/login").get_data(as_text=True)
    filename, version = STATIC.search(page).groups()
    kept = client.get(f"/static/{filename}?v={version}")
    assert kept.status_code == 200
    assert kept.cache_control.max_age == 365 * 24 * 3600 and kept.cache_control.immutable
    # An address from before the file changed is served, but not kept: the page that named it
    # asks again next time.
    stale = client.get(f"/static/{filename}?v=000000000000")
    assert stale.status_code == 200 and not stale.cache_control.immutable and not stale.cache_control.max_age


def test_a_changed_static_file_gets_a_new_address(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    (tmp_path / "site.css").write_text("body { color: black; }")
    with app.test_request_context():
        first = url_for("static", filename="site.css")
        (tmp_path / "site.css").write_text("body { color: navy; }")
        second = url_for("static", filename="site.css")
    assert first != second and re.search(r"v=[0-9a-f]{12}$", second)
