"""The mixed workload: many members and visitors, many pages, writes through the real forms, open-loop.

    python -m bench.workload [--quick] [--rates 25,50,100] [--duration 60] [--write-results]

What it does, in order:

1. Brings the benchmark database (``<DATABASE_URL's name>_bench``, or ``…_bench_quick``
   with ``--quick``) to the size of ``manage.py bench_data`` (``bench.run.FULL``:
   10,000 members, 1,000 threads besides the 1,000-reply one, 5,000 matrix entries,
   100,000 search documents), as ``python -m bench`` does.
2. Chooses the load's members (``--members``, default 500; 50 with ``--quick``)
   among the synthetic ones and gives them roles in the proportions of a real
   network (``ROLE_SHARES``: most are members, one in seven leads a cluster, a
   few moderate, administer or edit for the SHA), one password (hashed once), a
   verified address, and an authenticator for the roles that need two factors.
   Then reads the catalogue of pages from the data (``catalogue``): threads and
   their pages, boards, profiles, directory and matrix filters and pages, matrix
   entries, events, guidance, case studies, templates and their downloads, and
   ``QUERIES`` (over 200 searches).
3. Starts ``manage.py serve --workers 2 --task-workers 1`` in production mode on
   PostgreSQL and Redis, and signs every load member in **through the sign-in
   form** (the two-factor step too), each from an address of its own on the
   loopback range, so each holds a real session.
4. Opens websockets for a share of the members (``--sockets``, default 10 %):
   thread and board pages left open, in a process of their own.
5. First drives the first rate for ``--warm-up`` seconds (default 30; none with
   ``--quick``), reported in a row of its own and never counted: a server just
   started has cold processes, connection pools and database buffers.  Then,
   for each rate, drives the mix open-loop (a request starts every 1/rate s
   whatever the answers, ``bench/load.py``'s timetable) for ``--duration``
   seconds: 20 % anonymous visitors, 80 % signed-in members picked with a
   skewed popularity; pages by ``READS``; about 10 % writes (``WRITES``):
   replies, new threads, bookings and cancellations, profile edits, stage
   changes, each POSTed with the member's session and CSRF token as a browser
   would.  Within each kind the n-th most popular page is asked for about 1/n
   as often as the first (Zipf).  It measures, per kind and for the writes:
   p50/p95/p99, errors, the cache hit rate (from the ``X-Cache-Status`` header
   the portal adds when ``CACHE_STATUS_HEADER`` is on), and for the whole run the
   web workers', task worker's and PostgreSQL's CPU per request (``/proc``), the
   load average, and whether each live update reached every socket open on its
   thread exactly once, and the p95 of each 10 s of the run (a slow start, a
   stall and a steady queue look alike in one p95).  Between rates it waits
   until the server is idle again.
6. Prints the table (and with ``--write-results`` puts it at the top of
   bench/RESULTS.md), then one JSON line.

The machine's two cores run the load generator, the portal, PostgreSQL and
Redis together, and in a shared session other work too: every figure is given
with the load average, which says how much of the two cores the run had.
"""
from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import re
import shlex
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402

PASSWORD = "load-bench-password-2008"  # the load members' password, on the benchmark's own database only
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLE_SHARES = (  # of the signed-in members, in a network of a few hundred active people
    ("Members", 0.76), ("Cluster leads", 0.15), ("Moderators", 0.04), ("Network administrators", 0.02), ("SHA editors", 0.03),
)
ANONYMOUS_SHARE = 0.2
WRITE_SHARE = 0.10
# Reads by signed-in members: kind -> share.  Anonymous visitors read ANONYMOUS_READS.
READS = {
    "thread": 0.22, "board": 0.05, "forum index": 0.03, "profile": 0.09, "directory": 0.10, "matrix": 0.08,
    "matrix entry": 0.03, "event list": 0.03, "event": 0.04, "guidance": 0.07, "home": 0.05, "case study": 0.04,
    "template": 0.03, "template download": 0.02, "search": 0.12,
}
ANONYMOUS_READS = {"home": 0.35, "guidance": 0.35, "event list": 0.1, "event": 0.1, "case study": 0.1}
WRITES = {"reply": 0.40, "new thread": 0.08, "booking": 0.14, "cancellation": 0.10, "profile edit": 0.16, "stage change": 0.12}
TARGET_P95_MS, WRITE_P95_MS, HELD_P95_MS = 150, 300, 250

TOPICS = [
    "dermatology", "diabetes", "COPD", "heart failure", "musculoskeletal", "ophthalmology", "mental health",
    "falls", "end of life care", "minor surgery", "anticoagulation", "ENT", "urology", "gynaecology",
    "stroke", "cardiology", "respiratory", "physiotherapy", "podiatry", "audiology",
]
ASPECTS = [
    "business case", "referral management", "triage", "service specification", "indicative budget",
    "clinical assessment service", "care pathway", "outpatient follow-up", "tariff", "practice based commissioning",
]
EXTRA_QUERIES = [
    "GPwSI", "community clinic", "freed-up resources", "PbC incentive scheme", "consortium plan", "demand management",
    "choose and book", "payment by results", "unbundling tariff", "health needs assessment", "patient survey",
    "locality commissioning", "shifting care closer to home", "QOF", "audit template", "service level agreement",
    "training course", "case study", "specification template", "intermediate care",
]


def queries() -> list[str]:
    """Over 200 searches a commissioning network would type: topics alone, topic and aspect, and common phrases."""
    combined = [f"{topic} {aspect}" for topic in TOPICS for aspect in ASPECTS[:9]]
    return TOPICS + EXTRA_QUERIES + combined


QUERIES = queries()


# --- preparing the members and the catalogue (Django, on the benchmark database) -------------------------------------
def prepare(count: int) -> dict:
    """``prepare_members`` and ``catalogue`` in a process of its own (Django binds one database per process)."""
    import django

    django.setup()
    from django.db import connections

    members = prepare_members(count)
    result = {"members": members, "catalogue": catalogue(members)}
    connections.close_all()
    return result


def role_mix(count: int) -> list[str]:
    """``count`` roles in the proportions of ``ROLE_SHARES``, every role at least once (when ``count`` allows)."""
    roles = [role for role, share in ROLE_SHARES[1:] for _ in range(max(1, round(share * count)))]
    return (roles + ["Members"] * count)[:count][::-1]


def prepare_members(count: int, seed: int = 22) -> list[dict]:
    """Give ``count`` synthetic members their roles, password and authenticators; return who they are."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from directory.models import Member
    from portal.core.roles import ROLES, Role, grant_role
    from portal.site.synthetic import SYNTHETIC, VIEWER_USERNAME

    User = get_user_model()
    users = list(User.objects.filter(username__startswith=SYNTHETIC, member__status=Member.Status.APPROVED)
                 .exclude(username=VIEWER_USERNAME).order_by("pk")[:count])
    if len(users) < count:
        raise SystemExit(f"only {len(users)} synthetic members; run manage.py bench_data with more --members")
    rng = random.Random(seed)
    roles = role_mix(count)
    rng.shuffle(roles)
    # One hash for all (making 500 would take a minute of scrypt), kept from run to run: a new hash would end
    # the sessions the last run signed in (Django ties a session to the password's hash).
    from django.contrib.auth.hashers import check_password

    hashed = users[0].password if check_password(PASSWORD, users[0].password) else make_password(PASSWORD)
    needs_mfa = {str(spec.role) for spec in ROLES.values() if spec.requires_mfa}
    with transaction.atomic():
        User.objects.filter(pk__in=[u.pk for u in users]).exclude(password=hashed).update(password=hashed)
        have = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
        EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True)
                                          for u in users if u.pk not in have])
        EmailAddress.objects.filter(user__in=users).update(verified=True)
        for user, role in zip(users, roles):
            user.groups.clear()
            grant_role(user, Role.MEMBER)
            if role != "Members":
                grant_role(user, Role(role))
            if role in needs_mfa:
                _give_authenticator(user)
    return [{"email": u.email, "user": u.pk, "member": u.member.pk, "role": role, "mfa": role in needs_mfa}
            for u, role in zip(users, roles)]


def _give_authenticator(user) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TOTP_SECRET)


def catalogue(members: list[dict]) -> dict:
    """Every page the mix may ask for, by kind, most popular first; and what the writes need."""
    from directory.forms import ProfileForm
    from directory.models import Member, Organisation, ServiceArea
    from events.models import EventPage
    from forum.models import Board, Thread
    from forum.queries import REPLIES_PER_PAGE
    from portal.guidance.models import GuidancePage
    from redesign.models import CaseStudyPage, MatrixEntry, Stage, Template
    from redesign.permissions import editable_organisation_ids

    rng = random.Random(2008)
    boards = list(Board.objects.filter(audience=Board.Audience.MEMBERS).order_by("pk"))
    threads = list(Thread.objects.filter(board__in=boards, is_hidden=False).order_by("-reply_count", "pk")
                   .values_list("pk", "reply_count", "is_locked", "board__slug"))
    thread_pages = []
    for pk, replies, _, _ in threads:
        pages = max(1, -(-replies // REPLIES_PER_PAGE))
        thread_pages.append(f"/forum/threads/{pk}/")
        if pages > 1:  # the last page (where new replies are) and, less often, the ones before it
            thread_pages.append(f"/forum/threads/{pk}/?page={pages}")
            thread_pages += [f"/forum/threads/{pk}/?page={n}" for n in rng.sample(range(2, pages + 1), min(3, pages - 1))]
    member_pks = list(Member.objects.filter(status=Member.Status.APPROVED).values_list("pk", flat=True))
    rng.shuffle(member_pks)
    areas = list(ServiceArea.objects.values_list("slug", flat=True))
    organisations = list(Organisation.objects.values_list("slug", flat=True))
    commissioning = list(Organisation.objects.commissioning().values_list("slug", flat=True))
    localities = sorted({value for value in Organisation.objects.values_list("locality", flat=True) if value})
    job_roles = [value for value, _ in Member.JobRole.choices]
    directory = ["/directory/"] + [f"/directory/?page={n}" for n in range(2, 60)]
    directory += [f"/directory/?interest={slug}" for slug in areas] + [f"/directory/?role={role}" for role in job_roles]
    directory += [f"/directory/?organisation={slug}" for slug in organisations[:80]]
    directory += [f"/directory/?locality={urllib.parse.quote(value)}" for value in localities]
    directory += [f"/directory/?interest={slug}&page=2" for slug in areas]
    matrix = ["/redesign/"] + [f"/redesign/?service_area={slug}" for slug in areas]
    matrix += [f"/redesign/?stage={stage}" for stage in Stage.values] + [f"/redesign/?organisation={slug}" for slug in commissioning[:60]]
    matrix += [f"/redesign/?service_area={slug}&stage={stage}" for slug in areas for stage in Stage.values[:3]]
    matrix += ["/redesign/entries/"] + [f"/redesign/entries/?service_area={slug}" for slug in areas]
    rng.shuffle(matrix[1:])
    entries = list(MatrixEntry.objects.order_by("?").values_list("pk", flat=True)[:2000])
    events = list(EventPage.objects.live().order_by("-ends_at", "pk"))  # upcoming ones first: the most asked for
    guidance = list(GuidancePage.objects.live().order_by("pk"))
    case_studies = list(CaseStudyPage.objects.live().order_by("pk"))
    templates = list(Template.objects.order_by("pk").prefetch_related("versions__document"))
    # A version whose file is not in this machine's MEDIA_ROOT (data built in another checkout) is a 404 by right.
    versions = [(t, v) for t in templates for v in t.versions.all()]
    downloads = [f"/redesign/templates/{t.pk}/versions/{v.number}/download/" for t, v in versions if v.document.file.storage.exists(v.document.file.name)]
    if len(downloads) < len(versions):
        print(f"{len(versions) - len(downloads)} template file(s) missing from MEDIA_ROOT: their downloads are left out", file=sys.stderr)
    pages = {
        "thread": thread_pages,
        "board": [f"/forum/boards/{board.slug}/" for board in boards],
        "forum index": ["/forum/"],
        "profile": [f"/directory/members/{pk}/" for pk in member_pks[:3000]],
        "directory": directory,
        "matrix": matrix,
        "matrix entry": [f"/redesign/entries/{pk}/" for pk in entries],
        "event list": ["/events/"],
        "event": [event.url for event in events],
        "guidance": [page.url for page in guidance] or ["/"],
        "home": ["/"],
        "case study": [page.url for page in case_studies] or ["/"],
        "template": ["/redesign/templates/"] + [f"/redesign/templates/{t.pk}/" for t in templates],
        "template download": downloads or ["/redesign/templates/"],
        "search": [f"/search/?q={urllib.parse.quote_plus(q)}" for q in QUERIES],
    }
    anonymous = {
        "home": ["/"],
        "guidance": [page.url for page in guidance if page.audience == "public"] or ["/"],
        "event list": ["/events/"],
        "event": [event.url for event in events if event.audience == "public"] or ["/events/"],
        "case study": [page.url for page in case_studies if page.audience == "public"] or ["/"],
    }
    # What the writes need: threads open for replies, boards for new threads, events to book, each
    # member's profile as the form shows it, and for each member who may move work on, entries they may move.
    by_pk = {m.pk: m for m in Member.objects.filter(pk__in=[m["member"] for m in members])
             .select_related("user").prefetch_related("organisations", "specialties", "interests")}
    profiles = {}
    for m in members:
        initial = ProfileForm.initial_for(by_pk[m["member"]])
        profiles[m["email"]] = {name: ([item.pk for item in value] if isinstance(value, list) else value or "")
                                for name, value in initial.items()}
    movers = {}
    transitions = _transitions()
    for m in members:
        if m["role"] not in ("Cluster leads", "Network administrators"):
            continue
        org_ids = editable_organisation_ids(by_pk[m["member"]].user)
        found = list(MatrixEntry.objects.filter(organisation_id__in=org_ids).values_list("pk", "stage")[:20])
        if found:
            movers[m["email"]] = found
    bookable = [event.pk for event in events if event.takes_bookings and event.starts_at and event.starts_at > _now()]
    return {
        "pages": pages,
        "anonymous": anonymous,
        "reply_threads": [f"/forum/threads/{pk}/" for pk, _, locked, _ in threads if not locked][:400],
        "new_thread_boards": [f"/forum/boards/{board.slug}/new/" for board in boards if not board.is_sha_board],
        "events": bookable,
        "profiles": profiles,
        "movers": movers,
        "transitions": transitions,
    }


def _transitions() -> dict[str, list[str]]:
    from redesign.services import STAGE_TRANSITIONS

    return {str(stage): [str(target) for target in targets] for stage, targets in STAGE_TRANSITIONS.items()}


def _now():
    from django.utils import timezone as tz

    return tz.now()


# --- signing in through the form ---------------------------------------------------------------------------------------------
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(host: str, member: dict, index: int) -> dict:
    """Sign ``member`` in as a browser does (sign-in form, then the code when the role needs two factors).

    Each member comes from an address of its own in 127.0.0.0/8: the sign-in
    form's rate limit is per address, as it is for members on their own
    networks.  Returns the session's cookies.
    """
    import http.client

    parsed = urllib.parse.urlsplit(host)
    source = f"127.{(index // 250) % 250 + 1}.{index % 250 + 2}.{index // 62500 + 2}"
    cookies: dict[str, str] = {}

    def ask(method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60, source_address=(source, 0))
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Host": parsed.netloc}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = host + path
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location") or "", text

    status, _, page = ask("GET", "/accounts/login/")
    token = CSRF_FIELD.search(page)
    if status != 200 or not token:
        raise RuntimeError(f"sign-in page answered {status}")
    status, location, _ = ask("POST", "/accounts/login/", {"csrfmiddlewaretoken": token.group(1), "login": member["email"],
                                                            "password": PASSWORD})
    if status == 302 and "2fa" in location:
        path = urllib.parse.urlsplit(location).path
        _, _, page = ask("GET", path)
        token = CSRF_FIELD.search(page)
        code = totp_code(TOTP_SECRET, time.time())
        status, location, _ = ask("POST", path, {"csrfmiddlewaretoken": token.group(1) if token else "", "code": code})
    if status != 302 or "sessionid" not in cookies or "/accounts/login" in location:
        raise RuntimeError(f"sign-in of {member['email']} ended with HTTP {status} to {location!r}")
    if "csrftoken" not in cookies:
        ask("GET", "/directory/me/")
    return {"sessionid": cookies["sessionid"], "csrftoken": cookies.get("csrftoken", "")}


def totp_code(secret: str, now: float) -> str:
    """The authenticator app's six digits (RFC 6238: HMAC-SHA1 of the 30-second step)."""
    import base64
    import hashlib
    import hmac
    import struct

    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(now) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in_all(host: str, members: list[dict], parallel: int = 4, saved: Path | None = None) -> list[dict]:
    """Every member's session: kept from an earlier run on this database when still good, else signed in now.

    Sessions made by an earlier run through the same form are real sessions still; ``saved`` keeps them
    (with a digest of the secret key they were signed under), so a second run does not pay 500 sign-ins.
    """
    import hashlib
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    secret = hashlib.sha256(os.environ.get("SECRET_KEY", "").encode()).hexdigest()[:16]
    kept = {}
    if saved is not None and saved.exists():
        stored = json.loads(saved.read_text())
        if stored.get("secret") == secret:
            kept = stored["sessions"]
    kept = {email: session for email, session in kept.items()
            if any(m["email"] == email and m["role"] == session.get("role") for m in members)}

    def still_good(session: dict) -> bool:
        request = urllib.request.Request(f"{host}/directory/me/", headers={"Cookie": f"sessionid={session['sessionid']}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status == 200 and response.url.endswith("/directory/me/")
        except OSError:
            return False

    sample = random.Random(1).sample(sorted(kept), min(5, len(kept)))
    if not all(still_good(kept[email]) for email in sample):
        kept = {}
    needed = [(index, member) for index, member in enumerate(members) if member["email"] not in kept]
    def try_twice(pair):
        for attempt in range(2):
            try:
                return sign_in(host, pair[1], pair[0])
            except (RuntimeError, OSError) as error:
                failure = error
                time.sleep(2)
        run.log(f"  left out: {failure}")
        return None

    with ThreadPoolExecutor(parallel) as pool:
        made = list(pool.map(try_twice, needed))
    for (_, member), session in zip(needed, made):
        if session is not None:
            kept[member["email"]] = {**session, "role": member["role"]}
    if saved is not None:
        saved.parent.mkdir(exist_ok=True)
        saved.write_text(json.dumps({"secret": secret, "sessions": kept}))
    run.log(f"  {len(needed)} members signed in through the form, {len(members) - len(needed)} sessions kept from an earlier run")
    return [{**member, **kept[member["email"]]} for member in members if member["email"] in kept]


# --- choosing what to ask for -------------------------------------------------------------------------------------------------
class Zipf:
    """Items drawn with the n-th asked for about 1/n as often as the first."""

    def __init__(self, items: list, exponent: float = 1.0):
        self.items = items
        total, self.cumulative = 0.0, []
        for rank in range(1, len(items) + 1):
            total += 1 / rank ** exponent
            self.cumulative.append(total)

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]


class Mix:
    """The request mix: who asks (anonymous or which member) and for what (a page kind and URL, or a write)."""

    def __init__(self, plan: dict, seed: int = 8):
        self.rng = random.Random(seed)
        catalogue = plan["catalogue"]
        self.members = Zipf(plan["sessions"], 0.6)  # some members are on the portal far more than others
        self.pages = {kind: Zipf(urls) for kind, urls in catalogue["pages"].items() if urls}
        self.anonymous = {kind: Zipf(urls) for kind, urls in catalogue["anonymous"].items() if urls}
        self.reads = [(kind, share) for kind, share in READS.items() if kind in self.pages]
        self.anonymous_reads = [(kind, share) for kind, share in ANONYMOUS_READS.items() if kind in self.anonymous]
        self.writes = list(WRITES.items())
        self.catalogue = catalogue
        self.reply_threads = Zipf(catalogue["reply_threads"]) if catalogue["reply_threads"] else None
        self.booked: dict[str, list[int]] = defaultdict(list)  # member -> events booked in this run
        self.stages: dict[int, str] = {}  # entry -> its stage as this run moved it
        self.movers = [s for s in plan["sessions"] if s["email"] in catalogue["movers"]]

    def _choose(self, shares):
        kinds, weights = zip(*shares)
        return self.rng.choices(kinds, weights)[0]

    def next(self) -> dict:
        """One request: {kind, method, path, session (or None), form (for writes)}."""
        if self.rng.random() < ANONYMOUS_SHARE:
            kind = self._choose(self.anonymous_reads)
            return {"kind": kind, "method": "GET", "path": self.anonymous[kind].pick(self.rng), "session": None}
        session = self.members.pick(self.rng)
        if self.rng.random() < WRITE_SHARE:
            write = self.write(self._choose(self.writes), session)
            if write:
                return write
        kind = self._choose(self.reads)
        return {"kind": kind, "method": "GET", "path": self.pages[kind].pick(self.rng), "session": session}

    def write(self, kind: str, session: dict) -> dict | None:
        rng, stamp = self.rng, f"{time.time():.3f}"
        form: dict
        if kind == "reply" and self.reply_threads:
            path = self.reply_threads.pick(rng) + "reply/"
            form = {"body": f"Our cluster saw the same; we kept the triage clinic weekly. (load {stamp})"}
        elif kind == "new thread":
            path = rng.choice(self.catalogue["new_thread_boards"])
            form = {"title": f"{rng.choice(TOPICS).capitalize()}: how are others handling {rng.choice(ASPECTS)}?",
                    "body": f"We are starting this in our cluster and would welcome experience. (load {stamp})"}
        elif kind == "cancellation" and self.booked[session["email"]]:
            return {"kind": "cancellation", "method": "CANCEL", "path": f"/events/{self.booked[session['email']].pop()}/",
                    "session": session}
        elif kind in ("booking", "cancellation") and self.catalogue["events"]:
            event = rng.choice(self.catalogue["events"])
            self.booked[session["email"]].append(event)
            path, form, kind = f"/events/{event}/book/", {}, "booking"
        elif kind == "profile edit":
            form = dict(self.catalogue["profiles"][session["email"]])
            form["job_title"] = rng.choice(["GP partner", "Practice manager", "Cluster lead GP", "Commissioning manager",
                                            "Nurse practitioner", "Pharmacist"])
            path = "/directory/me/"
        elif kind == "stage change" and self.movers:
            session = rng.choice(self.movers)
            entry, stage = rng.choice(self.catalogue["movers"][session["email"]])
            stage = self.stages.get(entry, stage)
            allowed = [s for s in self.catalogue["transitions"].get(stage, []) if s != "stopped"]
            if not allowed:
                return None
            target = rng.choice(allowed)
            self.stages[entry] = target
            path, form = f"/redesign/entries/{entry}/stage/", {"to_stage": target, "reason": ""}
        else:
            return None
        return {"kind": kind, "method": "POST", "path": path, "session": session, "form": form, "write": True}


# --- driving the load (run as a process of its own: Locust's client is gevent's) ---------------------------------------
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def encoded(form: dict) -> str:
    return urllib.parse.urlencode(form, doseq=True)


def unexpected(response, status: int) -> str:
    """What an unexpected answer was, for the error table: its status and, for a page, its title."""
    if not status:
        return f"no answer ({type(getattr(response, 'error', None)).__name__})"
    title = re.search(r"<title>\s*([^<]{0,80})", response.text or "") if status == 200 else None
    return f"HTTP {status}" + (f" ({' '.join(title.group(1).split())})" if title else "")


def drive(plan_file: str, host: str, rate: float, duration: float, timeout: float, seed: int) -> dict:
    from gevent import monkey

    monkey.patch_all()
    from bench.load import open_loop

    plan = json.loads(Path(plan_file).read_text())
    mix = Mix(plan, seed)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, Counter] = defaultdict(Counter)
    cache: dict[str, Counter] = defaultdict(Counter)
    posted: dict[int, list[int]] = defaultdict(list)  # thread -> replies this run posted there
    timeline: list[tuple[float, float, str]] = []  # (seconds into the run, ms, kind): where in the run the slow ones were
    began = time.perf_counter()

    def cookie_header(session: dict | None) -> dict:
        if not session:
            return {}
        return {"Cookie": f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}"}

    def one(client) -> None:
        request = mix.next()
        kind, session = request["kind"], request["session"]
        headers = cookie_header(session)
        started = time.perf_counter()
        try:
            if request["method"] == "CANCEL":  # the member's event page shows the booking and its cancel button
                response = client.get(request["path"], headers=headers, allow_redirects=False, name="event")
                found = re.search(r'action="(/events/bookings/\d+/cancel/)"', response.text or "")
                if not found:
                    return
                started = time.perf_counter()
                response = client.post(found.group(1), data=encoded({"csrfmiddlewaretoken": session["csrftoken"]}),
                                       headers={**headers, **FORM, "Referer": host + request["path"]}, allow_redirects=False, name=kind)
            elif request["method"] == "POST":
                form = {**request["form"], "csrfmiddlewaretoken": session["csrftoken"]}
                response = client.post(request["path"], data=encoded(form), headers={**headers, **FORM, "Referer": host + request["path"]},
                                       allow_redirects=False, name=kind)
            else:
                response = client.get(request["path"], headers=headers, allow_redirects=False, name=kind)
        except Exception as error:  # noqa: BLE001 - a load generator counts every failure
            latencies[kind].append((time.perf_counter() - started) * 1000)
            errors[kind][f"{type(error).__name__}: {str(error)[:80]}"] += 1
            return
        elapsed = (time.perf_counter() - started) * 1000
        latencies[kind].append(elapsed)
        timeline.append((round(started - began, 3), round(elapsed, 1), kind))
        status = response.status_code or 0
        expected = 302 if request.get("write") or request["method"] == "CANCEL" else 200
        if status != expected:
            errors[kind][unexpected(response, status)] += 1
            return
        location = response.headers.get("Location", "") if expected == 302 else ""
        if kind == "reply":
            reply = re.search(r"#post-(\d+)", location)
            if not reply:
                errors[kind]["reply refused"] += 1
            else:
                posted[int(request["path"].split("/")[3])].append(int(reply.group(1)))
        elif kind == "new thread" and "/forum/threads/" not in location:
            errors[kind]["thread refused"] += 1
        status_header = response.headers.get("X-Cache-Status", "")
        if status_header:
            for part in status_header.split():
                name, _, value = part.partition("=")
                if value.isdigit():
                    cache[kind][name] += int(value)

    timetable = open_loop(host, rate, duration, timeout, one)
    return {"rate": rate, "duration": duration, "issued": timetable.get("issued", 0),
            "achieved_rate": round(timetable.get("issued", 0) / max(timetable.get("issue_seconds", 1e-9), 1e-9), 1),
            "latencies": latencies, "errors": {k: dict(v) for k, v in errors.items()},
            "cache": {k: dict(v) for k, v in cache.items()}, "posted": posted, "timeline": timeline}


# --- live updates: sockets held open in a process of their own --------------------------------------------------------
def hold_sockets(plan_file: str, host: str, seconds: float) -> dict:
    """Open the plan's sockets, keep them ``seconds`` (or until stdin closes), and report what each received."""
    import asyncio

    from websockets.asyncio.client import connect

    plan = json.loads(Path(plan_file).read_text())
    port = urllib.parse.urlsplit(host).port
    received: dict[int, Counter] = {}
    refused = Counter()

    async def hold(index: int, socket: dict) -> None:
        counts = received.setdefault(index, Counter())
        try:
            async with connect(f"ws://127.0.0.1:{port}{socket['path']}", origin=f"http://127.0.0.1:{port}",
                               additional_headers={"Cookie": f"sessionid={socket['sessionid']}"},
                               open_timeout=60, ping_interval=None, max_queue=None) as ws:
                async for frame in ws:
                    if '"reply.posted"' in frame:
                        for reply in set(re.findall(r"post-(\d+)", frame)):
                            counts[int(reply)] += 1
        except Exception as error:  # noqa: BLE001
            refused[type(error).__name__] += 1

    async def main() -> None:
        tasks = [asyncio.create_task(hold(i, s)) for i, s in enumerate(plan["sockets"])]
        await asyncio.sleep(seconds)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())
    return {"received": {i: dict(c) for i, c in received.items()}, "refused": dict(refused)}


def check_live_updates(sockets: list[dict], received: dict, posted: dict[int, list[int]]) -> dict:
    """Each reply posted to a thread must reach every socket open on that thread exactly once."""
    lost = duplicated = expected = 0
    for index, socket in enumerate(sockets):
        thread = socket.get("thread")
        if thread is None:
            continue
        counts = {int(k): v for k, v in received.get(str(index), received.get(index, {})).items()}
        for reply in posted.get(str(thread), posted.get(thread, [])):
            expected += 1
            got = counts.get(reply, 0)
            lost += got == 0
            duplicated += got > 1
    return {"expected": expected, "lost": lost, "duplicated": duplicated}


# --- measuring the server --------------------------------------------------------------------------------------------------
class CpuMeter:
    """CPU seconds of the web workers, the task workers and the benchmark database's PostgreSQL backends.

    PostgreSQL backends come and go with the pools, so they are sampled every
    second from ``pg_stat_activity`` and ``/proc`` while the meter runs; a
    backend that ends between two samples takes its last second with it.
    """

    def __init__(self, server_pid: int, database_url: str):
        self.server_pid, self.database_url = server_pid, database_url
        self.database = run.database_name(database_url)
        self._stop = threading.Event()
        self.backends: dict[int, list[float]] = {}

    def _pg_pids(self, connection) -> list[int]:
        rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                                  [self.database]).fetchall()
        return [row[0] for row in rows]

    def _sample(self, connection, first: bool) -> None:
        for pid, seconds in run.cpu_seconds_by_pid(self._pg_pids(connection)).items():
            if pid in self.backends:
                self.backends[pid][1] = seconds
            else:
                self.backends[pid] = [seconds if first else 0.0, seconds]

    def __enter__(self):
        import psycopg

        self.web_before = run.cpu_seconds_by_pid(run.web_worker_pids(self.server_pid))
        self.all_before = run.cpu_seconds_by_pid(run.process_tree(self.server_pid))
        self.connection = psycopg.connect(self.database_url, autocommit=True)
        self._sample(self.connection, first=True)
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self._sample(self.connection, first=False)
            except Exception:  # noqa: BLE001 - a missed sample loses a second of one backend, no more
                pass

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        self._sample(self.connection, first=False)
        self.connection.close()
        web_now = run.cpu_seconds_by_pid(run.web_worker_pids(self.server_pid))
        all_now = run.cpu_seconds_by_pid(run.process_tree(self.server_pid))
        self.web = sum(s - self.web_before.get(p, 0.0) for p, s in web_now.items())
        everything = sum(s - self.all_before.get(p, 0.0) for p, s in all_now.items())
        self.tasks = max(0.0, everything - self.web - (all_now.get(self.server_pid, 0) - self.all_before.get(self.server_pid, 0)))
        self.postgres = sum(last - first for first, last in self.backends.values())
        return False


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def p95_by_slice(timeline: list, seconds: float) -> list[float]:
    """p95 of the answers to the requests issued in each ``seconds`` of the run: a slow start (empty caches),
    a stall or a steady queue look different here, and alike in one p95."""
    slices: dict[int, list[float]] = defaultdict(list)
    for at, elapsed, _kind in timeline:
        slices[int(at // seconds)].append(elapsed)
    return [round(percentile(slices[n], 95), 1) for n in sorted(slices)]


def summarise(result: dict, cpu: CpuMeter | None, live: dict | None) -> dict:
    latencies, errors, cache = result["latencies"], result["errors"], result["cache"]
    requests = sum(len(v) for v in latencies.values())
    write_kinds = [k for k in latencies if k in WRITES]
    everything = [x for v in latencies.values() for x in v]
    writes = [x for k in write_kinds for x in latencies[k]]
    kinds = {}
    for kind in sorted(latencies, key=lambda k: (k in WRITES, -len(latencies[k]))):
        values = latencies[kind]
        hits, misses = cache.get(kind, {}).get("hit", 0), cache.get(kind, {}).get("miss", 0)
        kinds[kind] = {"requests": len(values), "p50_ms": round(percentile(values, 50), 1),
                       "p95_ms": round(percentile(values, 95), 1), "p99_ms": round(percentile(values, 99), 1),
                       "errors": sum(errors.get(kind, {}).values()), "error_kinds": errors.get(kind, {}),
                       "cache_hit_rate": round(hits / (hits + misses), 2) if hits + misses else None}
    error_count = sum(sum(v.values()) for v in errors.values())
    summary = {
        "rate": result["rate"], "achieved_rate": result["achieved_rate"], "duration": result["duration"],
        "requests": requests, "errors": error_count,
        "p50_ms": round(percentile(everything, 50), 1), "p95_ms": round(percentile(everything, 95), 1),
        "p99_ms": round(percentile(everything, 99), 1),
        "writes": {"requests": len(writes), "p50_ms": round(percentile(writes, 50), 1), "p95_ms": round(percentile(writes, 95), 1),
                   "p99_ms": round(percentile(writes, 99), 1), "errors": sum(sum(errors.get(k, {}).values()) for k in write_kinds)},
        "kinds": kinds,
        "p95_ms_by_10_s": p95_by_slice(result.get("timeline", []), 10.0),
        "load_average": run.load_average(),
    }
    hits = sum(c.get("hit", 0) for c in cache.values())
    misses = sum(c.get("miss", 0) for c in cache.values())
    summary["cache_hit_rate"] = round(hits / (hits + misses), 2) if hits + misses else None
    if cpu is not None:
        summary["cpu_ms_per_request"] = {"web": round(cpu.web * 1000 / max(requests, 1), 1),
                                         "postgres": round(cpu.postgres * 1000 / max(requests, 1), 1),
                                         "task_workers": round(cpu.tasks * 1000 / max(requests, 1), 1)}
    if live is not None:
        summary["live_updates"] = live
    summary["held"] = summary["p95_ms"] <= HELD_P95_MS and error_count == 0
    return summary


# --- the run ---------------------------------------------------------------------------------------------------------------
def plan_sockets(sessions: list[dict], catalogue: dict, share: float, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    threads = Zipf(catalogue["reply_threads"][:50]) if catalogue["reply_threads"] else None
    boards = catalogue["pages"]["board"]
    sockets = []
    for session in sessions[: round(len(sessions) * share)]:
        if threads and rng.random() < 0.7:
            path = threads.pick(rng)
            thread = int(path.split("/")[3])
            sockets.append({"path": f"/ws{path}", "thread": thread, "sessionid": session["sessionid"]})
        elif boards:
            sockets.append({"path": f"/ws{rng.choice(boards)}", "sessionid": session["sessionid"]})
    return sockets


def run_rates(host: str, plan_file: Path, plan: dict, server, database_url: str, rates: list[float], duration: float,
              timeout: float, idle_timeout: float, warm_up: float = 0.0) -> list[dict]:
    """Each rate for ``duration`` seconds; first, with ``warm_up``, the first rate for that long, reported apart
    (``"warm_up": True``) and never counted as held: a server just started has cold processes, connection pools and
    database buffers, which the first seconds of every run would otherwise measure again."""
    summaries = []
    runs = ([(rates[0], warm_up, True)] if warm_up > 0 and rates else []) + [(rate, duration, False) for rate in rates]
    for number, (rate, duration, warming) in enumerate(runs):
        waited, idle = run.wait_until_idle(f"{host}/health/", timeout=idle_timeout)
        run.log(f"rate {rate:g}/s for {duration:g} s (server idle after {waited:.1f} s{'' if idle else ', still busy'}); "
                f"load average {run.load_average()}")
        sockets = None
        if plan["sockets"]:
            sockets = subprocess.Popen([run.PYTHON, __file__, "sockets", "--plan", str(plan_file), "--host", host,
                                        "--seconds", str(duration + timeout + 15)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
            time.sleep(min(10.0, 2 + len(plan["sockets"]) / 50))  # let them connect before the first reply
        with CpuMeter(server.pid, database_url) as cpu:
            output = subprocess.run([run.PYTHON, __file__, "drive", "--plan", str(plan_file), "--host", host, "--rate", str(rate),
                                     "--duration", str(duration), "--timeout", str(timeout), "--seed", str(number + 1)],
                                    cwd=ROOT, capture_output=True, text=True, timeout=duration + timeout + 300)
            if output.returncode:
                raise SystemExit(f"the load generator failed: {output.stderr[-2000:]}")
            result = run.last_json_line(output.stdout)
            run.wait_until_idle(f"{host}/health/", timeout=idle_timeout)  # the backlog's CPU counts to this rate
        live = None
        if sockets is not None:
            held = run.last_json_line(sockets.communicate(timeout=duration + timeout + 120)[0])
            live = {**check_live_updates(plan["sockets"], held["received"], result["posted"]),
                    "sockets": len(plan["sockets"]), "refused": held["refused"]}
        summary = summarise(result, cpu, live)
        if warming:
            summary["warm_up"], summary["held"] = True, False
        run.log(f"  p50 {summary['p50_ms']} / p95 {summary['p95_ms']} / p99 {summary['p99_ms']} ms, "
                f"{summary['errors']} errors of {summary['requests']}; CPU per request {summary.get('cpu_ms_per_request')}; "
                f"p95 by 10 s {summary['p95_ms_by_10_s']}")
        summaries.append(summary)
    return summaries


def warm_up_label(summary: dict) -> str:
    return f" warm-up, {summary['duration']:g} s, not counted" if summary.get("warm_up") else ""


def format_report(summaries: list[dict], command: str, sizes: dict, members: int, sockets: int, began: float) -> str:
    held = [s["rate"] for s in summaries if s["held"] and not s.get("warm_up")]
    lines = [
        f"Run {datetime.now(timezone.utc).strftime('%-d %B %Y, %H:%M UTC')} on {run.machine()}; "
        f"{time.perf_counter() - began:.0f} s in all. Data: {sizes}; {members} signed-in members "
        f"(signed in through the form), anonymous visitors {ANONYMOUS_SHARE:.0%} of requests, writes {WRITE_SHARE:.0%} "
        f"of members' requests, {sockets} sockets open.",
        "",
        f"    {command}",
        "",
        "| rate (load average during) | requests | p50 / p95 / p99 ms | writes p95 ms | errors | cache hit rate "
        "| CPU ms per request: web / PostgreSQL / task worker | live updates lost / duplicated | held (p95 ≤ 250 ms, 0 errors) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        cpu = s.get("cpu_ms_per_request", {})
        live = s.get("live_updates") or {}
        lines.append(
            f"| {s['rate']:g}/s{warm_up_label(s)} ({s['load_average']}) | {s['requests']:,} | {s['p50_ms']:.0f} / {s['p95_ms']:.0f} / {s['p99_ms']:.0f} "
            f"| {s['writes']['p95_ms']:.0f} | {s['errors']} | {s['cache_hit_rate'] if s['cache_hit_rate'] is not None else '–'} "
            f"| {cpu.get('web', '–')} / {cpu.get('postgres', '–')} / {cpu.get('task_workers', '–')} "
            f"| {live.get('lost', '–')} / {live.get('duplicated', '–')} of {live.get('expected', '–')} | {'yes' if s['held'] else 'no'} |")
    lines += ["", f"Highest rate held: {max(held):g}/s" if held else "Highest rate held: none of the rates run", "",
              "p95 in each 10 s of each run, ms (a slow start, a stall and a steady queue look alike in one p95): "
              + "; ".join(f"{s['rate']:g}/s{' warm-up' if s.get('warm_up') else ''} {s.get('p95_ms_by_10_s')}" for s in summaries), ""]
    for s in summaries:
        if s.get("warm_up"):
            continue
        lines += [f"Per kind at {s['rate']:g}/s:", "", "| kind | requests | p50 | p95 | p99 | errors | cache hit rate |",
                  "|---|---|---|---|---|---|---|"]
        for kind, k in s["kinds"].items():
            detail = ", ".join(f"{name} × {n}" for name, n in k["error_kinds"].items())
            lines.append(f"| {'write: ' if kind in WRITES else ''}{kind} | {k['requests']} | {k['p50_ms']:.0f} | {k['p95_ms']:.0f} "
                         f"| {k['p99_ms']:.0f} | {k['errors']}{f' ({detail})' if detail else ''} "
                         f"| {k['cache_hit_rate'] if k['cache_hit_rate'] is not None else '–'} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("drive", "sockets", "prepare"):
        return helper(argv)
    parser = argparse.ArgumentParser(prog="python -m bench.workload", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="development size: quick data, 50 members, 15 s per rate")
    parser.add_argument("--rates", default="25,50,100", help="arrival rates in requests per second (default 25,50,100)")
    parser.add_argument("--duration", type=float, help="seconds per rate (default 60; 15 with --quick)")
    parser.add_argument("--members", type=int, help="signed-in members (default 500; 50 with --quick)")
    parser.add_argument("--sockets", type=float, default=0.1, help="share of members with a thread or board open (default 0.1)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a request counts as failed")
    parser.add_argument("--idle-timeout", type=float, default=120.0)
    parser.add_argument("--warm-up", type=float, default=None,
                        help="seconds at the first rate before the measured runs, reported apart (default 30; 0 with --quick)")
    parser.add_argument("--database-url", help="use this database as it is (no bench_data step): tests and tiny runs")
    parser.add_argument("--reuse-static", action="store_true", help="keep the static files the last run collected")
    parser.add_argument("--write-results", action="store_true", help="put the report at the top of bench/RESULTS.md")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    command = "python -m bench.workload " + shlex.join(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the workload measures the production shape.")
    if not os.environ.get("SECRET_KEY"):  # one key kept from run to run, so the members' sessions outlive a run
        key_file = ROOT / "var" / "workload-secret-key"
        if not key_file.exists():
            key_file.parent.mkdir(exist_ok=True)
            key_file.write_text(os.urandom(40).hex())
        os.environ["SECRET_KEY"] = key_file.read_text().strip()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sizes = run.QUICK if args.quick else run.FULL
    members = args.members or (50 if args.quick else 500)
    duration = args.duration or (15.0 if args.quick else 60.0)
    if args.warm_up is None:
        args.warm_up = 0.0 if args.quick else 30.0
    if args.database_url:
        url, sizes = args.database_url, {"as found": run.database_name(args.database_url)}
    else:
        url = run.bench_database_url(database_url, "_bench_quick" if args.quick else "_bench")
        run.log(f"database {run.database_name(url)}: bringing it to {sizes}")
        run.log(f"  ready in {run.prepare_database(url, sizes):.0f} s")
    env = {**run.production_env(url), "CACHE_STATUS_HEADER": "true"}
    run.log(f"choosing {members} members and reading the catalogue")
    prepared = run.last_json_line(subprocess.run([run.PYTHON, __file__, "prepare", "--members", str(members)], cwd=ROOT,
                                                 env=env, check=True, capture_output=True, text=True).stdout)
    if not (args.reuse_static and (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists()):
        run.log("collecting static files for production mode")
        run.manage("collectstatic", "--noinput", "-v0", env=env)
    server, port, seconds = run.start_server(env, workers=2, task_workers=1, log_name="workload")
    host = f"http://127.0.0.1:{port}"
    plan_file = ROOT / "var" / f"workload-plan-{port}.json"
    try:
        run.log(f"portal answering on port {port} after {seconds:.1f} s; signing {members} members in through the form")
        started = time.perf_counter()
        sessions = sign_in_all(host, prepared["members"], saved=ROOT / "var" / f"workload-sessions-{run.database_name(url)}.json")
        run.log(f"  signed in after {time.perf_counter() - started:.1f} s "
                f"({Counter(m['role'] for m in sessions).most_common()})")
        plan = {"sessions": sessions, "catalogue": prepared["catalogue"]}
        plan["sockets"] = plan_sockets(sessions, plan["catalogue"], args.sockets)
        plan_file.parent.mkdir(exist_ok=True)
        plan_file.write_text(json.dumps(plan))
        rates = [float(r) for r in args.rates.split(",") if r.strip()]
        summaries = run_rates(host, plan_file, plan, server, url, rates, duration, args.timeout, args.idle_timeout, args.warm_up)
    finally:
        run.stop(server)
        plan_file.unlink(missing_ok=True)
    report = format_report(summaries, command, sizes, members, len(plan["sockets"]), began)
    print()
    print(report)
    if args.write_results:
        write_results(report)
    print(json.dumps({"summaries": summaries}))


def write_results(report: str) -> None:
    start, end = "<!-- workload: written by python -m bench.workload --write-results -->", "<!-- end of workload -->"
    text = run.RESULTS.read_text() if run.RESULTS.exists() else "# Benchmark results\n\n"
    block = f"{start}\n{report}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        head, _, tail = text.partition("\n\n")
        text = f"{head}\n\n{block}\n\n{tail}"
    run.RESULTS.write_text(text)


def helper(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part")
    parser.add_argument("--plan")
    parser.add_argument("--host")
    parser.add_argument("--rate", type=float)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--members", type=int, default=500)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if args.part == "prepare":
        print(json.dumps(prepare(args.members)))
    elif args.part == "drive":
        print(json.dumps(drive(args.plan, args.host, args.rate, args.duration, args.timeout, args.seed)))
    else:
        print(json.dumps(hold_sockets(args.plan, args.host, args.seconds)))


if __name__ == "__main__":
    main()
