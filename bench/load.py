"""A small load driver: a fixed number of GET requests at a fixed concurrency, over keep-alive
HTTP/1.1 connections (reopened when the server closes them, as gunicorn's sync workers do).

Reads {"paths": [...], "cookie": "..."} on stdin, cycles through the paths, and prints
{"latencies_ms": [...], "errors": n, "elapsed_s": t, "first_error": "..."} as JSON.
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
    paths: list[str] = job["paths"]
    headers = {"Host": args.host, "User-Agent": "bollplank-bench", "Accept-Encoding": "gzip"}
    if job.get("cookie"):
        headers["Cookie"] = job["cookie"]
    headers.update(job.get("headers") or {})

    lock = threading.Lock()
    state = {"next": 0, "errors": 0, "first_error": ""}
    latencies: list[float] = []

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
            path = paths[i % len(paths)]
            started = time.perf_counter()
            error = ""
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    error = f"{path}: HTTP {response.status}"
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                error = f"{path}: {exc!r}"
                conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            if record:
                with lock:
                    latencies.append(elapsed)
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
        run(args.warmup, record=False)
    elapsed = run(args.requests, record=True)
    json.dump(
        {
            "latencies_ms": latencies,
            "errors": state["errors"],
            "elapsed_s": elapsed,
            "first_error": state["first_error"],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
