"""Replay the stream of cases one at a time through a stored programme, and print each routing.

    python geriatrics/replay.py                  # the library: matcher.MentorPool
    python geriatrics/replay.py --url http://127.0.0.1:8000 [--token T]
                                                                   # the service: /v1/programs

Each case goes to the best expert with a place left (its suggestion list is printed with the
reasons); a case closes ``--lasts`` arrivals later and frees its expert's place.  Both modes
print the same routings.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import urllib.request
from collections import deque
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class Library:
    def __init__(self) -> None:
        import matcher

        self.pool = matcher.MentorPool(HERE / "mentors.csv", config=HERE / "program.toml")

    def suggest(self, case: dict[str, str], top: int) -> list[dict[str, Any]]:
        return [
            {"mentor_id": p.mentor_id, "score": p.score, "reasons": p.reasons}
            for p in self.pool.suggest(case, top=top)
        ]

    def assign(self, case_id: str, expert: str) -> None:
        self.pool.assign(case_id, expert)

    def release(self, case_id: str, expert: str) -> None:
        self.pool.release(case_id, expert)


class Service:
    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        boundary = "matcher-replay"
        parts = []
        for field, name in (("mentors", "mentors.csv"), ("config", "program.toml")):
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{name}"\r\n\r\n'.encode()
                + (HERE / name).read_bytes()
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        self._call(
            "PUT",
            "/v1/programs/geriatrics-consult",
            body,
            f"multipart/form-data; boundary={boundary}",
        )

    def _call(
        self, method: str, path: str, body: bytes | None = None, ctype: str = "application/json"
    ) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=body,
            method=method,
            headers={**self.headers, "Content-Type": ctype},
        )
        with urllib.request.urlopen(request) as response:
            data = response.read()
        return json.loads(data) if data else None

    def suggest(self, case: dict[str, str], top: int) -> list[dict[str, Any]]:
        body = json.dumps({"mentee": case, "top": top}).encode()
        got = self._call("POST", "/v1/programs/geriatrics-consult/suggest", body)
        return list(got["suggestions"])

    def assign(self, case_id: str, expert: str) -> None:
        body = json.dumps({"mentee_id": case_id, "mentor_id": expert}).encode()
        self._call("POST", "/v1/programs/geriatrics-consult/pairs", body)

    def release(self, case_id: str, expert: str) -> None:
        self._call("DELETE", f"/v1/programs/geriatrics-consult/pairs/{case_id}/{expert}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the service's base URL (default: the library)")
    parser.add_argument("--token", help="bearer token for the service")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--lasts", type=int, default=40, help="arrivals a case stays open")
    args = parser.parse_args(argv)
    router = Service(args.url, args.token) if args.url else Library()
    with (HERE / "mentees.csv").open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    open_cases: deque[tuple[str, str]] = deque()
    routed = 0
    for case in cases:
        while len(open_cases) >= args.lasts:
            router.release(*open_cases.popleft())
        profile = {k: v for k, v in case.items() if v and k != "urgency"}
        found = router.suggest(profile, args.top)
        head = (
            f"{case['id']} ({case['urgency']}, {case['languages']}, {case['region']}: "
            f"{case['specialties']})"
        )
        if not found:
            print(f"{head} -> no expert available")
            continue
        best = found[0]
        router.assign(case["id"], best["mentor_id"])
        open_cases.append((case["id"], best["mentor_id"]))
        routed += 1
        others = ", ".join(f"{s['mentor_id']} {s['score']:.2f}" for s in found[1:])
        print(
            f"{head} -> {best['mentor_id']} {best['score']:.2f}: {best['reasons']}"
            + (f" (also: {others})" if others else "")
        )
    print(f"routed {routed} of {len(cases)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
