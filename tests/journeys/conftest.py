"""The journey harness: one person's whole day in Debian's Chromium.

Each journey opens a `Journey` for its person (viewport, zh-CN, Shanghai time).
Every response of every page is watched for a 5xx; every page the person reaches
through `journey.step()` gets a screenshot under var/journeys/<journey>/ and an
axe-core audit, and a serious or critical violation fails the journey with the
rule, the page and the elements it found.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response

# The browser fixture drives Debian's Chromium, as the other browser tests do.
from tests.browser.conftest import browser  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "var" / "journeys"
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class Persona:
    name: str
    viewport: dict[str, int]
    slow_network: bool = False
    # A browser of its own (WeChat's, inside the app); Chromium's when empty.
    user_agent: str = ""


COURIER = Persona("courier", {"width": 390, "height": 844}, slow_network=True)
NURSE = Persona("nurse", {"width": 1280, "height": 800})
UNION_OFFICER = Persona("union-officer", {"width": 1280, "height": 800})
ADMIN = Persona("admin", {"width": 1366, "height": 900})

# A busy 3G link: what a courier has between two deliveries.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1024 // 8,
    "uploadThroughput": 400 * 1024 // 8,
}


@dataclass
class Journey:
    page: Page
    context: BrowserContext
    folder: Path
    base_url: str
    # Pages whose axe findings are owned by a fix on its way: reported, not failed
    # here; a test of their own, marked xfail(strict), fails once they are clean.
    axe_excused: tuple[str, ...] = ()
    server_errors: list[str] = field(default_factory=list)
    axe_report: dict[str, list[dict]] = field(default_factory=dict)
    steps: int = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))

    def step(self, name: str) -> list[dict]:
        """Screenshot and audit the page she is looking at now."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(self.folder / f"{self.steps:02d}-{name}.png"), full_page=True
        )
        blocking = audit(self.page)
        path = urlparse(self.page.url).path
        self.axe_report.setdefault(f"{self.steps:02d}-{name} {path}", blocking)
        if blocking and not path.startswith(self.axe_excused):
            pytest.fail(
                f"axe-core: serious or critical violations on {path} "
                f"(step {name}):\n{describe(blocking)}",
                pytrace=False,
            )
        assert not self.server_errors, f"a page answered 5xx: {self.server_errors}"
        return blocking

    def done(self) -> None:
        """The end of the day: nothing she met on the way answered 5xx."""
        assert not self.server_errors, f"a page answered 5xx: {self.server_errors}"


def audit(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page, as axe reports them."""
    # axe-core is in every page from its first byte (an init script, which the
    # pages' Content-Security-Policy cannot refuse as it would a script tag).
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']}))"
        ".violations"
    )
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"]][:5]
        lines.append(
            f"  {violation['impact']:8} {violation['id']}: {violation['help']} "
            f"({len(violation['nodes'])} elements, e.g. {targets})"
        )
    return "\n".join(lines)


def count_nodes(violations: list[dict]) -> int:
    return sum(len(violation["nodes"]) for violation in violations)


@pytest.fixture
def open_journey(
    browser: Browser,  # noqa: F811
    live_server,  # type: ignore[no-untyped-def]
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., Journey]]:
    if not AXE_JS.exists():
        pytest.fail("axe-core is missing: run scripts/ensure-axe.sh (make test does).")
    opened: list[Journey] = []

    def open_for(persona: Persona, *, axe_excused: tuple[str, ...] = ()) -> Journey:
        context = browser.new_context(
            viewport=persona.viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            **({"user_agent": persona.user_agent} if persona.user_agent else {}),
        )
        context.add_init_script(path=str(AXE_JS))
        page = context.new_page()
        page.set_default_timeout(15_000)
        if persona.slow_network:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        journey = Journey(
            page=page,
            context=context,
            folder=ARTEFACTS / request.node.name,
            base_url=live_server.url,
            axe_excused=axe_excused,
        )

        def watch(response: Response) -> None:
            if response.status >= 500:
                journey.server_errors.append(f"{response.status} {response.url}")

        page.on("response", watch)
        opened.append(journey)
        return journey

    yield open_for
    for journey in opened:
        journey.folder.mkdir(parents=True, exist_ok=True)
        (journey.folder / "axe.json").write_text(
            json.dumps(journey.axe_report, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        journey.context.close()


@pytest.fixture
def result_rules(transactional_db: None) -> None:
    """The seeded result codes and summary rules, which a transactional test's
    flush removes."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module(
        "screening.migrations.0006_seed_result_codes_and_rules"
    ).seed
    seed(apps, None)
