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
    from locust.env import Environment  # noqa: F401 - Locust patches the standard library for gevent first

    headers = {"Cookie": cookie} if cookie else {}
    stats: dict = {}

    def one_request(client) -> None:
        with client.get(path, headers=headers, name=path, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    timetable = open_loop(host, rate, duration, timeout, one_request, stats=stats)
    total = stats["total"]
    percentile = total.get_response_time_percentile
    return {
        "path": path,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "errors": sorted({str(error.error) for error in stats["errors"].values()})[:5],
        "target_rate": rate,
        "achieved_rate": round(timetable.get("issued", 0) / max(timetable.get("issue_seconds", 1e-9), 1e-9), 1),
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "max_ms": total.max_response_time,
    }


def open_loop(host: str, rate: float, duration: float, timeout: float, issue, stats: dict | None = None) -> dict:
    """Call ``issue(client)`` ``rate`` times a second for ``duration`` seconds, each in its own greenlet, on a
    fixed timetable whatever the answers; wait for the last answers (at most ``timeout`` + 5 s).

    ``client`` is one Locust ``FastHttpSession`` shared by every request, with no cookie jar of its own: each
    request sends the cookies it means to (one session each, in the mixed workload).  Returns the timetable
    (requests issued, seconds the issuing took); Locust's statistics go into ``stats`` (``total``, ``errors``).
    """
    import gevent
    from gevent.pool import Group
    from locust import FastHttpUser, task
    from locust.env import Environment
    from locust.exception import StopUser

    timetable: dict = {}

    class OpenLoopVisitor(FastHttpUser):
        concurrency = 1000  # connections the client may open: never the thing that limits the rate
        network_timeout = connection_timeout = timeout
        insecure = True

        def safely(self) -> None:
            try:
                issue(self.client)
            except Exception as error:  # noqa: BLE001 - a failed request is counted by issue(); never stop the timetable
                timetable.setdefault("exceptions", []).append(repr(error))

        @task
        def drive(self) -> None:
            self.client.client.cookiejar = None  # no cookies carried from one request (one member) to the next
            in_flight = Group()
            started = time.monotonic()
            total = int(rate * duration)
            for n in range(total):
                delay = started + n / rate - time.monotonic()
                if delay > 0:
                    gevent.sleep(delay)
                in_flight.spawn(self.safely)
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
    if stats is not None:
        stats["total"], stats["errors"] = environment.stats.total, environment.stats.errors
    return timetable


if __name__ == "__main__":
    main()
