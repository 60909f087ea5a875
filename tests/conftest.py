"""Suite-wide set-up: the database under test (SQLite or PostgreSQL) and test keys.

``make test`` runs the suite twice: on the embedded SQLite, then with
``PEERLOG_DB=postgres`` on the PostgreSQL at 127.0.0.1:5432. The PostgreSQL pass runs only
the tests that touch the database (the rest do not depend on it and already ran). When
PostgreSQL is required (``CI=true`` or ``PEERLOG_REQUIRE_POSTGRES=1``), an unreachable server
fails the run instead of skipping it.
"""

from __future__ import annotations

import os

import pytest
from cryptography.fernet import Fernet

# Property tests explore new examples on developers' machines; in CI they replay a fixed
# sequence, so a submission lands or fails on its own merits, not on the draw.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() == "true":
    hypothesis_settings.load_profile("ci")

# A fixed key for the suite: contact details written by tests are encrypted with it.
os.environ.setdefault("PEERLOG_CONTACT_KEYS", Fernet.generate_key().decode())

ON_POSTGRES = os.environ.get("PEERLOG_DB") == "postgres"
POSTGRES_REQUIRED = (
    os.environ.get("CI", "").lower() == "true" or os.environ.get("PEERLOG_REQUIRE_POSTGRES") == "1"
)
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
               "live_server", "client", "admin_client", "django_user_model"}


def uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: runs on the SQLite pass only")
    if not ON_POSTGRES:
        return
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"],
            password=db["PASSWORD"], connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL at {db['HOST']}:{db['PORT']} is not reachable: {exc}"
        if POSTGRES_REQUIRED:
            pytest.exit(message, returncode=3)
        config.issue_config_time_warning(pytest.PytestWarning(message + " (skipping)"), 2)
        config._peerlog_pg_missing = True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRES:
        return
    keep, drop = [], []
    for item in items:
        wanted = uses_database(item) and item.get_closest_marker("sqlite_only") is None
        (keep if wanted else drop).append(item)
    if getattr(config, "_peerlog_pg_missing", False):
        drop, keep = drop + keep, []
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return f"peerlog database: {settings.DATABASES['default']['ENGINE']}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A local machine without PostgreSQL: every test was deselected on purpose, not lost.
    if getattr(session.config, "_peerlog_pg_missing", False) and exitstatus == 5:
        session.exitstatus = 0


@pytest.fixture
def project_factory(db):
    """Make a project (and its region) with sensible defaults."""
    from peerlog.capture.models import Project, Region

    counter = iter(range(1, 10_000))

    def make(region: str = "Leeds", **fields):
        region_obj, _ = Region.objects.get_or_create(
            code=region.lower().replace(" ", "_").replace("&", "and"), defaults={"name": region}
        )
        n = next(counter)
        defaults = {
            "code": f"{region_obj.code}-project-{n}", "name": f"{region} project {n}",
            "approach": "group", "funding": "grant_funded",
        }
        defaults.update(fields)
        return Project.objects.create(region=region_obj, **defaults)

    return make


@pytest.fixture
def participant_factory(db, project_factory):
    """Make a registered, consenting participant with a freshly issued personal ID."""
    from django.utils import timezone

    from peerlog.capture import personal_ids
    from peerlog.capture.models import Participant, PersonalId, PersonalIdBatch

    taken: set[str] = set()

    def make(project=None, code: str | None = None, **fields):
        project = project or project_factory()
        batch = PersonalIdBatch.objects.create(project=project)
        code = code or personal_ids.new_id(5, taken)
        taken.add(code)
        pid = PersonalId.objects.create(code=code, batch=batch)
        now = timezone.now()
        defaults = {
            "consent_information": True, "consent_reminders": True, "consent_data_use": True,
            "consent_form_version": "test", "consented_at": now,
        }
        defaults.update(fields)
        return Participant.objects.create(personal_id=pid, project=project, **defaults)

    return make


# --- A real browser: Debian's Chromium driven by Playwright, with axe-core -----------------

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_JS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "node_modules", "axe-core",
                      "axe.min.js")
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (``make browser`` installs it)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must still allow ORM calls in tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    """``axe(page)``: the WCAG 2.2 A/AA violations axe-core finds on the page as it is now."""

    with open(AXE_JS, encoding="utf-8") as handle:
        source = handle.read()

    def violations(page) -> list[dict]:
        # Evaluated through the DevTools protocol, which the pages' CSP does not block (a
        # <script> tag added to the page would be: PeerLog allows no inline script).
        page.evaluate(source)
        return page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' '))}))",
            WCAG_AA_TAGS,
        )

    return violations


# --- Participant pages (issue 6) -----------------------------------------------------------

@pytest.fixture
def issued_id(project_factory):
    """``issued_id(project=None)``: a personal ID issued to a project and not yet registered."""
    from peerlog.capture import personal_ids
    from peerlog.capture.models import PersonalId, PersonalIdBatch

    def make(project=None) -> str:
        project = project or project_factory()
        batch = PersonalIdBatch.objects.create(project=project)
        taken = set(PersonalId.objects.values_list("code", flat=True))
        code = personal_ids.new_id(5, taken)
        PersonalId.objects.create(code=code, batch=batch)
        return code

    return make


@pytest.fixture
def registration_posts():
    """``registration_posts(personal_id, project)``: (step, POST data) to register in full."""

    def make(personal_id: str, project, **overrides) -> list[tuple[str, dict]]:
        steps = [
            ("consent", {"consent_information": "yes", "consent_reminders": "yes",
                         "consent_data_use": "yes"}),
            ("id", {"personal_id": personal_id}),
            ("contact", {"contact_channels": ["email", "sms"], "contact_email": "a@example.org",
                         "contact_phone": "07700 900123"}),
            ("region", {"region": project.region.code}),
            ("project", {"project": project.code}),
            ("about-you", {"age_band": "25-34", "gender": "female", "uses_mh_services": "yes",
                           "mh_services_years": "3", "ethnicity": "prefer_not_to_answer"}),
            ("interviews", {"interview_interest": "no"}),
            ("prize-draw", {"prize_draw": "enter"}),
        ]
        return [(name, {**data, **overrides.get(name, {})}) for name, data in steps]

    return make


# --- Staff console (shared by tests/staff and tests/security) -------------------------

import datetime as dt  # noqa: E402
import uuid  # noqa: E402

DAY = dt.date(2016, 3, 1)


@pytest.fixture
def make_staff(db, django_user_model):
    from peerlog.staff.models import StaffProfile

    def make(role: str, name: str | None = None, projects=(), regions=()):
        user = django_user_model.objects.create_user(name or f"{role}-{uuid.uuid4().hex[:6]}",
                                                     password="correct horse battery")
        profile = StaffProfile.objects.create(user=user, role=role)
        profile.projects.set(projects)
        profile.regions.set(regions)
        return user

    return make


def monthly_answers(**extra):
    return {f"swemwbs_{i}": 4 for i in range(1, 8)} | {"ps_informal_given": 2} | extra


@pytest.fixture
def world(db, project_factory, participant_factory, make_staff):
    """Project A (Leeds) and B (Plymouth); staff of every role; logs in every state."""
    from peerlog.capture.models import ContactDetails, Log
    from peerlog.capture.services import store_log
    from peerlog.staff.models import PaperEntry

    a = project_factory(region="Leeds", name="Alpha")
    b = project_factory(region="Plymouth", name="Beta")
    pa = participant_factory(project=a)
    pb = participant_factory(project=b)
    ContactDetails.objects.create(participant=pa, channels=["email"], email="a@example.org")
    w = type("World", (), {})()
    w.a, w.b, w.pa, w.pb = a, b, pa, pb
    w.staff = {
        "coordinator": make_staff("coordinator", "coord-a", projects=[a]),
        "other_coordinator": make_staff("coordinator", "coord-b", projects=[b]),
        "regional_researcher": make_staff("regional_researcher", "reg-leeds",
                                          regions=[a.region]),
        "other_regional_researcher": make_staff("regional_researcher", "reg-plymouth",
                                                regions=[b.region]),
        "central_researcher": make_staff("central_researcher", "central"),
        "commissioner": make_staff("commissioner", "commissioner"),
        "administrator": make_staff("administrator", "admin"),
    }
    clerk1 = make_staff("coordinator", "clerk1", projects=[a])
    clerk2 = make_staff("coordinator", "clerk2", projects=[a])
    w.log, _ = store_log(scope=None, instrument="monthly", answers=monthly_answers(),
                         typed_personal_id=pa.personal_id.code, completed_on=DAY,
                         mode="online", submission_key="w-online",
                         # sent online on the day it is dated (due periods count from receipt)
                         received_at=dt.datetime.combine(DAY, dt.time(12), dt.UTC))
    # An unregistered paper log with a tick, entered for project A.
    w.unregistered, _ = store_log(scope=None, instrument="monthly",
                                  answers=monthly_answers(ps_groups_given="ticked"),
                                  typed_personal_id="999999", completed_on=DAY, mode="paper",
                                  submission_key="w-unreg", entered_by=clerk1)
    PaperEntry.objects.create(log=w.unregistered, project=a, kind="first", entered_by=clerk1,
                              values={"personal_id": "999999"})
    # Held logs: one awaiting a second entry, one whose entries differ.
    w.held, _ = store_log(scope=None, instrument="monthly", answers=monthly_answers(),
                          typed_personal_id=pa.personal_id.code, completed_on=DAY,
                          mode="paper", submission_key="w-held", status=Log.Status.HELD)
    PaperEntry.objects.create(log=w.held, project=a, kind="first", entered_by=clerk1,
                              values={"personal_id": pa.personal_id.code})
    w.differing, _ = store_log(scope=None, instrument="monthly", answers=monthly_answers(),
                               typed_personal_id=pa.personal_id.code,
                               completed_on=DAY + dt.timedelta(days=1), mode="paper",
                               submission_key="w-diff", status=Log.Status.HELD)
    PaperEntry.objects.create(log=w.differing, project=a, kind="first", entered_by=clerk1,
                              values={"personal_id": pa.personal_id.code, "swemwbs_1": 4})
    PaperEntry.objects.create(log=w.differing, project=a, kind="second", entered_by=clerk2,
                              values={"personal_id": pa.personal_id.code, "swemwbs_1": 5})
    return w
