"""Bytes over the wire for the participant pages: HTML plus every CSS and JS file
each page loads. Pages behind sign-in are reached by walking the sign-up path."""

import argparse
import http.cookiejar
import json
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "var" / "bench"
LIMIT = 60 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


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


def weigh(browser: Browser, path: str) -> dict[str, object]:
    _, html = browser.get(path)
    assets = sorted(set(ASSET.findall(html.decode())))
    asset_bytes = sum(len(browser.get(asset)[1]) for asset in assets)
    total = len(html) + asset_bytes
    return {"page": path, "html": len(html), "assets": asset_bytes, "total": total}


def latest_code(after: int) -> str:
    path = DATA / "sms.jsonl"
    for _ in range(100):
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()[after:]
            codes = [re.search(r"\d{6}", json.loads(line)["text"]) for line in lines]
            found = [c.group(0) for c in codes if c]
            if found:
                return found[-1]
        time.sleep(0.2)
    raise SystemExit("no sign-in code arrived through the worker")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    args = parser.parse_args()
    manifest = json.loads((DATA / "manifest.json").read_text())
    campaign = manifest["product_campaign"]
    browser = Browser(args.host)
    pages = [weigh(browser, "/"), weigh(browser, f"/signup/{campaign}/")]
    print(json.dumps({"limit": LIMIT, "pages": pages}))


if __name__ == "__main__":
    main()
