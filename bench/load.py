"""Open-loop HTTP load on one page at a fixed arrival rate, with Locust's HTTP client and statistics.

Locust's own schedulers are closed-loop (each simulated user waits for its
answer before the next request), so a slow page would quietly lower the
rate.  Here one Locust user starts a new request every 1/rate seconds on a
fixed timetable, each in its own greenlet, whether or not earlier ones have
answered: the arrival rate stays what was asked, and a slow server shows as
latency and errors, not as fewer requests.  Latency is measured by Locust
from the moment the request is issued (including any wait for a free
connection).

    python bench/load.py --host http://127.0.0.1:8000 --path /directory/ --rate 100 --duration 60 \
        [--cookie sessionid=…]

Prints one JSON line: path, requests, failures, achieved rate, p50/p95/p99/max in milliseconds.
"""
from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--rate", type=float, default=100.0, help="requests started per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--cookie", default="", help="Cookie header sent with every request (a signed-in session)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a request counts as failed")
    args = parser.parse_args()
    print(json.dumps(run(args.host, args.path, args.rate, args.duration, args.cookie, args.timeout)))


def run(host: str, path: str, rate: float, duration: float, cookie: str = "", timeout: float = 10.0) -> dict:
    import gevent
    from gevent.pool import Group
    from locust import FastHttpUser, task
    from locust.env import Environment
    from locust.exception import StopUser

    headers = {"Cookie": cookie} if cookie else {}
    timetable: dict = {}

    class OpenLoopVisitor(FastHttpUser):
        concurrency = 1000  # connections the client may open: never the thing that limits the rate
        network_timeout = connection_timeout = timeout
        insecure = True

        def one_request(self) -> None:
            with self.client.get(path, headers=headers, name=path, allow_redirects=False, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")

        @task
        def drive(self) -> None:
            in_flight = Group()
            started = time.monotonic()
            total = int(rate * duration)
            for n in range(total):
                delay = started + n / rate - time.monotonic()
                if delay > 0:
                    gevent.sleep(delay)
                in_flight.spawn(self.one_request)
            timetable["issued"] = total
            timetable["issue_seconds"] = time.monotonic() - started
            in_flight.join(timeout=timeout + 5)
            raise StopUser()

    environment = Environment(user_classes=[OpenLoopVisitor], host=host)
    runner = environment.create_local_runner()
    runner.start(1, spawn_rate=1)
    deadline = time.monotonic() + duration + timeout + 30
    while "issue_seconds" not in timetable or runner.user_count:
        if time.monotonic() > deadline:
            break
        gevent.sleep(0.2)
    runner.quit()
    stats = environment.stats.total
    percentile = stats.get_response_time_percentile
    return {
        "path": path,
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "errors": sorted({str(error.error) for error in environment.stats.errors.values()})[:5],
        "target_rate": rate,
        "achieved_rate": round(timetable.get("issued", 0) / max(timetable.get("issue_seconds", 1e-9), 1e-9), 1),
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "max_ms": stats.max_response_time,
    }


if __name__ == "__main__":
    main()
