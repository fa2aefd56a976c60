import pytest
from django.core.cache import cache
from django.core.management import call_command

from cases.derived import process_memo
from cases.models import CaseStudy, LibraryVersion


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The shipped case library, loaded once into the test database for every test."""
    with django_db_blocker.unblock():
        call_command("load_cases", verbosity=0)


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # Hashed (manifest) static storage needs collectstatic first; CI checks that separately.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing derived cached (the tests' cache is in memory, see
    pyproject.toml), as a test database does not keep the library's version between tests."""
    forget_derived()
    yield
    forget_derived()


def forget_derived() -> None:
    """Nothing derived cached: neither in the shared cache nor in this process's memo."""
    cache.clear()
    process_memo.clear()


def record_library_change(what: str = "a test wrote library rows") -> None:
    """Tests write library rows through the ORM; like every writer of library data (the loader,
    the admin) they move the data version, so nothing derived from the old rows is served."""
    LibraryVersion.objects.record_change(what)


CITED = {
    "line_from": 159,
    "line_to": 160,
    "passage": "In 1992 Brazil ranked as the world's third biggest exporter of leather shoes.",
    "citation": "",
    "confidence": "certain",
    "note": "",
}


def make_case(slug="test-case", position=9, **fields) -> CaseStudy:
    values = {
        "title": "A test case",
        "short_title": "Test case",
        "country": "Nowhere",
        "world_region": "Test",
        "sector": "Testing",
        "kind": "cluster",
        "summary": "A case made by a test.",
        "studies": "None",
        **CITED,
        **fields,
    }
    case = CaseStudy.objects.create(slug=slug, position=position, **values)
    record_library_change(f"make_case {slug}")
    return case


def make_full_case(slug: str, rows: int) -> CaseStudy:
    """A case with `rows` rows of every kind, to show that page and API queries do not grow."""
    from cases.models import (
        ActorGroup,
        Cluster,
        Conclusion,
        Figure,
        Firm,
        HistoryEvent,
        Institution,
        Linkage,
        Market,
        SizeClass,
    )

    case = make_case(slug=slug)
    cluster = Cluster.objects.create(
        case=case,
        key="c",
        name="C",
        kind="cluster",
        location="L",
        sector="S",
        description="D",
        **CITED,
    )
    for n in range(rows):
        size = SizeClass.objects.create(
            case=case, cluster=cluster, key=f"s{n}", name=f"S{n}", definition="d", **CITED
        )
        group = ActorGroup.objects.create(
            case=case,
            cluster=cluster,
            key=f"g{n}",
            name=f"G{n}",
            role="producer",
            size_class=size,
            description="d",
            **CITED,
        )
        market = Market.objects.create(
            case=case,
            cluster=cluster,
            key=f"m{n}",
            name=f"M{n}",
            kind="export",
            description="d",
            **CITED,
        )
        Firm.objects.create(
            case=case,
            cluster=cluster,
            group=group,
            market=market,
            key=f"f{n}",
            name=f"F{n}",
            role="buyer",
            description="d",
            **CITED,
        )
        institution = Institution.objects.create(
            case=case, cluster=cluster, key=f"i{n}", name=f"I{n}", kind="trade_fair", **CITED
        )
        Linkage.objects.create(
            case=case,
            cluster=cluster,
            key=f"l{n}",
            direction="institutional",
            nature="services",
            from_institution=institution,
            to_group=group,
            description="d",
            **CITED,
        )
        HistoryEvent.objects.create(
            case=case,
            cluster=cluster,
            key=f"h{n}",
            kind="event",
            year_from=1990,
            title="t",
            description="d",
            **CITED,
        )
        Figure.objects.create(
            case=case,
            cluster=cluster,
            key=f"x{n}",
            metric="count",
            label="l",
            value=n,
            unit="firms",
            headline=True,
            actor_group=group,
            size_class=size,
            institution=institution,
            market=market,
            **CITED,
        )
    for row in Conclusion.Row.values:
        Conclusion.objects.create(case=case, key=row, row=row, value="Yes", **CITED)
    record_library_change(f"make_full_case {slug}")
    return case


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's chromium; its own browser download does not work here."""
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CLUSTERDX_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and CLUSTERDX_REQUIRE_BROWSER is set")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
