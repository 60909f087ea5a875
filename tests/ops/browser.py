"""A small browser-like HTTPS client for the deploy test: cookies, CSRF tokens from the
forms, Origin/Referer like a browser, one connection per request."""

from __future__ import annotations

import http.client
import re
import ssl
import urllib.parse

from peerlog.instruments import load_instrument


class Browser:
    def __init__(self, host: str, port: int, cafile: str):
        self.host, self.port = host, port
        self.context = ssl.create_default_context(cafile=cafile)
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def request(self, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data or {}, doseq=True) if method == "POST" else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Origin": self.origin, "Referer": self.origin + path}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                           timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return resp, text

    @staticmethod
    def form_fields(text: str) -> dict[str, str]:
        out = {}
        for name in ("csrfmiddlewaretoken", "key"):
            if m := re.search(rf'name="{name}" value="([^"]+)"', text):
                out[name] = m.group(1)
        return out

    def post_form(self, path: str, data: dict):
        """GET the page (for its CSRF token), then POST ``data`` to it."""
        resp, text = self.request("GET", path)
        assert resp.status == 200, (path, resp.status, text[:500])
        return self.request("POST", path, {**self.form_fields(text), **data})


def answers_for(section) -> dict[str, str]:
    data: dict[str, str] = {}
    for item in section.items:
        if item.type == "count":
            data[item.code] = "1"
        elif item.type == "integer":
            data[item.code] = str(item.min or 1)
        elif item.type == "single":
            data[item.code] = str(item.options[0].value)
    data.pop("personal_id", None)
    return data


def complete_log(browser: Browser, token: str) -> str:
    """Fill in the log a personal link offers, page by page; returns the thank-you path."""
    resp, text = browser.request("GET", f"/l/{token}/")
    assert resp.status == 200, text[:500]
    resp, _ = browser.request("POST", f"/l/{token}/", browser.form_fields(text))
    location = resp.getheader("Location", "")
    pages = 0
    while "/log/" in location:
        path = urllib.parse.urlparse(location).path
        resp, text = browser.request("GET", path)
        assert resp.status == 200, (path, resp.status)
        code = re.search(r'data-instrument="([a-z_]+)"', text)
        inst = load_instrument(code.group(1) if code else "monthly")
        section = next(s for s in inst.sections if s.code == path.rstrip("/").rsplit("/", 1)[1])
        resp, body = browser.request("POST", path, {**browser.form_fields(text),
                                                     **answers_for(section)})
        assert resp.status == 302, (path, resp.status, body[:1500])
        location = resp.getheader("Location", "")
        pages += 1
    assert "/thanks/" in location and pages >= 3, location
    return urllib.parse.urlparse(location).path
