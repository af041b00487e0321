"""Bytes over the wire for every participant page: its HTML plus every CSS, JS and
image file it loads. Pages behind sign-in are reached the way she reaches them: a
new phone signs up (the code is read from the SMS file the worker writes), books a
place, and then opens each of her pages.

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

# bench/run points BENCH_DATA elsewhere for its smoke run.
DATA = Path(
    os.environ.get("BENCH_DATA")
    or Path(__file__).resolve().parents[1] / "var" / "bench"
)
LIMIT = 60 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
IMAGE = re.compile(r'<img[^>]+src="(/[^"]+)"')
FREE_SLOT = re.compile(r'<input type="radio" name="slot" value="(\d+)">')
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
DAY_LINK = re.compile(r'href="\?site=(\d+)&amp;day=([\d-]+)#time"')
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class Browser:
    def __init__(self, host: str) -> None:
        self.host = host
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )

    def get(self, path: str) -> tuple[str, bytes]:
        with self.opener.open(self.host + path, timeout=30) as response:
            return response.geturl(), response.read()

    def post(self, path: str, fields: dict[str, str]) -> tuple[str, bytes]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.host + path, data=data, headers={"Referer": self.host + path}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read()


def weigh(browser: Browser, name: str, path: str) -> tuple[dict[str, object], str]:
    """The page's weight, and its HTML for finding the next step in it."""
    _, body = browser.get(path)
    html = body.decode()
    assets = sorted(set(ASSET.findall(html)))
    images = sorted(set(IMAGE.findall(html)))
    asset_bytes = sum(len(browser.get(asset)[1]) for asset in assets)
    image_bytes = sum(len(browser.get(image)[1]) for image in images)
    total = len(body) + asset_bytes + image_bytes
    return {
        "page": name,
        "path": path,
        "html": len(body),
        "assets": asset_bytes,
        "images": image_bytes,
        "total": total,
    }, html


def sms_lines() -> int:
    path = DATA / "sms.jsonl"
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def latest_code(phone: str, after: int) -> str:
    """The sign-in code last sent to `phone` in the lines past `after`: the worker
    may still be sending the booking scenario's confirmations meanwhile."""
    path = DATA / "sms.jsonl"
    for _ in range(300):
        if path.exists():
            sent = [json.loads(line) for line in path.read_bytes().splitlines()[after:]]
            codes = [
                re.search(r"\d{6}", message["text"])
                for message in sent
                if message.get("phone") == phone and message.get("kind") == "otp"
            ]
            found = [code.group(0) for code in codes if code]
            if found:
                return found[-1]
        time.sleep(0.2)
    raise SystemExit("no sign-in code arrived through the worker")


def new_phone() -> str:
    # The seeded phones all start 130: a 139 number is always a new woman.
    return f"139{random.randrange(10**8):08d}"


def new_id_number(district: str) -> str:
    """A valid ID number of a woman of 30 to 50 that the seed never gave out."""
    born = time.localtime().tm_year - random.randrange(30, 50)
    body = f"{district}{born}0101{random.randrange(500, 999) // 2 * 2:03d}"
    check = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11
    return body + "10X98765432"[check]


def ask_for_code(browser: Browser, phone_page: str, phone: str) -> str:
    """Ask for a code on `phone_page`; returns the code page's path."""
    url, _ = browser.post(phone_page, {"phone": phone})
    return urllib.parse.urlsplit(url).path


def walk(host: str, manifest: dict) -> list[dict[str, object]]:
    """Every participant page, in the order a new woman meets them."""
    campaign = manifest["product_campaign"]
    signup = f"/signup/{campaign}/"
    browser = Browser(host)
    pages = []

    def page(name: str, path: str) -> str:
        weight, html = weigh(browser, name, path)
        pages.append(weight)
        return html

    page("landing", "/")
    page("sign-up: phone", signup)
    phone, sent_before = new_phone(), sms_lines()
    code_page = ask_for_code(browser, signup, phone)
    page("sign-up: code", code_page)
    url, _ = browser.post(code_page, {"code": latest_code(phone, sent_before)})
    profile = urllib.parse.urlsplit(url).path
    page("sign-up: profile", profile)
    url, _ = browser.post(
        profile,
        {
            "full_name": "测试",
            "id_number": new_id_number(manifest["district"]),
            "employment_type": "courier",
            "district_code": manifest["district"],
        },
    )
    consent = urllib.parse.urlsplit(url).path
    page("sign-up: consent", consent)
    url, _ = browser.post(consent, {"consent_health_data": "on"})
    book = urllib.parse.urlsplit(url).path
    page("booking: place", book)
    site = manifest["sites"][0]
    days = DAY_LINK.findall(page("booking: day", f"{book}?site={site}"))
    times = page("booking: time", f"{book}?site={site}&day={days[0][1]}")
    fields = dict(HIDDEN.findall(times))
    url, _ = browser.post(book, {**fields, "slot": FREE_SLOT.findall(times)[0]})
    appointment = urllib.parse.urlsplit(url).path
    page("appointment", appointment)
    page("cancel: confirm", f"{appointment}cancel/")
    move_day = days[-1][1]
    page("move booking", f"{appointment}reschedule/?site={site}&day={move_day}")
    page("my bookings", "/my/")
    page("my results", "/my/results/")
    page("my data", "/my/data/")

    return pages + _sign_in_pages(host)


def _sign_in_pages(host: str) -> list[dict[str, object]]:
    """The two sign-in pages a returning woman sees, in a browser of her own."""
    returning = Browser(host)
    pages = []
    weight, _ = weigh(returning, "sign-in: phone", "/signin/")
    pages.append(weight)
    code_page = ask_for_code(returning, "/signin/", new_phone())
    weight, _ = weigh(returning, "sign-in: code", code_page)
    pages.append(weight)
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    args = parser.parse_args()
    manifest = json.loads((DATA / "manifest.json").read_text())
    pages = walk(args.host, manifest)
    print(json.dumps({"limit": LIMIT, "pages": pages}))


if __name__ == "__main__":
    main()
