"""A small load driver: a fixed number of GET requests at a fixed concurrency, over keep-alive
HTTP/1.1 connections (reopened when the server closes them, as gunicorn's sync workers do).

Reads {"paths": [...], "cookie": "..."} on stdin, cycles through the paths, and prints
{"latencies_ms": [...], "errors": n, "elapsed_s": t, "first_error": "..."} as JSON. Or, for the
realistic mix, {"requests": [{"method", "path", "cookie", "headers", "body"}, ...],
"length": n}: the first n are measured in order, the rest are the warm-up (so that the warm-up
is of other draws than the requests measured); it also counts the GETs and the writes.
Runs as its own process so that it does not share an interpreter with what it measures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    job = json.load(sys.stdin)
    base = {"Host": args.host, "User-Agent": "bollplank-bench", "Accept-Encoding": "gzip"}
    if "requests" in job:
        requests = [
            (r["method"], r["path"], _headers(base, r["cookie"], r["headers"]), r["body"] or None)
            for r in job["requests"]
        ]
        measured, warmup = requests[: job["length"]], requests[job["length"] :]
    else:
        headers = _headers(base, job.get("cookie", ""), job.get("headers") or {})
        measured = warmup = [("GET", path, headers, None) for path in job["paths"]]

    lock = threading.Lock()
    state = {"next": 0, "errors": 0, "first_error": "", "gets": 0, "writes": 0}
    latencies: list[float] = []
    requests = measured

    def take(limit: int) -> int | None:
        with lock:
            i = state["next"]
            if i >= limit:
                return None
            state["next"] = i + 1
            return i

    def worker(limit: int, record: bool) -> None:
        conn = http.client.HTTPConnection(args.host, args.port, timeout=args.timeout)
        while (i := take(limit)) is not None:
            method, path, headers, body = requests[i % len(requests)]
            started = time.perf_counter()
            error = ""
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                # A form that saved answers with a redirect to the page.
                if response.status != (200 if method == "GET" else 302):
                    error = f"{method} {path}: HTTP {response.status}"
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                error = f"{path}: {exc!r}"
                conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            if record:
                with lock:
                    latencies.append(elapsed)
                    state["gets" if method == "GET" else "writes"] += 1
                    if error:
                        state["errors"] += 1
                        state["first_error"] = state["first_error"] or error
        conn.close()

    def run(limit: int, record: bool) -> float:
        state["next"] = 0
        threads = [
            threading.Thread(target=worker, args=(limit, record)) for _ in range(args.concurrency)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - started

    if args.warmup:
        requests = warmup
        run(args.warmup, record=False)
    requests = measured
    elapsed = run(args.requests, record=True)
    json.dump(
        {
            "latencies_ms": latencies,
            "errors": state["errors"],
            "elapsed_s": elapsed,
            "first_error": state["first_error"],
            "gets": state["gets"],
            "writes": state["writes"],
        },
        sys.stdout,
    )


def _headers(base: dict[str, str], cookie: str, extra: dict[str, str]) -> dict[str, str]:
    headers = dict(base)
    if cookie:
        headers["Cookie"] = cookie
    headers.update(extra)
    return headers


if __name__ == "__main__":
    main()
