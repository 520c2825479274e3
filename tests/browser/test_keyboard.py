"""Issue 20: what a keyboard user needs beyond what axe-core checks.

- Where the focus is shows (WCAG 2.4.7), as a ring that stands out from what surrounds it
  (3:1, WCAG 1.4.11): Bootstrap's own ring is a pale shadow, invisible on the blue navigation
  bar and faint around the « Voir » buttons.
- The first Tab offers to skip the navigation (2.4.1).
- A form sent back with errors lists them at its top, each a link that takes the focus to its
  field (3.3.1).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from grievances.services.intake import grievance_register
from pmpp.models import Channel, ComplaintCategory, Programme
from tests.browser.test_grievance_paths import login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NON_TEXT_CONTRAST = 3.0
# One shadow of a computed box-shadow: colour, x, y, blur, spread.
SHADOW = re.compile(r"(rgba?\([^)]*\))\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+([\d.]+)px\s+([\d.]+)px")


@pytest.fixture
def overdue(salma):
    """A complaint received online two months ago: the home page's « En retard » alert and its « Voir »."""
    tayssir = Programme.objects.get(code="tayssir")
    return grievance_register(
        actor=salma,
        programme=tayssir,
        channel=Channel.objects.get(code="web-portal"),
        category=ComplaintCategory.objects.filter(programme=tayssir, needs_partner=False).order_by("pk").first(),
        received_at=timezone.now() - timedelta(days=60),
        description="Aucune réponse depuis deux mois.",
        cnie="CD200000",
        phone="0623000000",
        name="Khadija Tahiri",
    ).grievance


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Press Tab until the target has the focus, as a keyboard user would reach it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def parse_colour(css: str) -> tuple[tuple[float, float, float], float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (values[0], values[1], values[2]), values[3] if len(values) > 3 else 1.0


def over(colour: str, background: tuple[float, float, float]) -> tuple[float, float, float]:
    """A possibly translucent colour as painted over an opaque background."""
    rgb, alpha = parse_colour(colour)
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(rgb, background, strict=True))


def focus_ring_contrast(target: Locator) -> float:
    """The best contrast between a part of the focused element's ring (an outline of 2px or
    more, or a sharp box-shadow spreading 2px or more) and the background around it."""
    style = target.evaluate(
        """element => {
            const own = getComputedStyle(element);
            let background = "rgb(255, 255, 255)";
            for (let node = element.parentElement; node; node = node.parentElement) {
                const colour = getComputedStyle(node).backgroundColor;
                if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
            }
            return {outlineStyle: own.outlineStyle, outlineWidth: parseFloat(own.outlineWidth),
                    outlineColor: own.outlineColor, boxShadow: own.boxShadow, background};
        }"""
    )
    background = over(style["background"], (255, 255, 255))
    rings = []
    if style["outlineStyle"] not in ("none", "hidden") and style["outlineWidth"] >= 2:
        rings.append(style["outlineColor"])
    for colour, _x, _y, blur, spread in SHADOW.findall(style["boxShadow"]):
        if float(blur) == 0 and float(spread) >= 2:
            rings.append(colour)
    return max((contrast(over(ring, background), background) for ring in rings), default=1.0)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_keyboard_focus_shows_on_navigation_links_and_voir_buttons(
    watched_page, live_server, salma, overdue, language
):
    page = watched_page
    login_as(page, live_server, salma)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    navigation_link = page.locator("nav .nav-link:not(.active):not(.dropdown-toggle)").first
    voir = page.locator("main .alert").locator('a[href$="/reclamations/files/en-retard/"]')
    for target in (navigation_link, voir):
        tab_to(page, target)
        ring = focus_ring_contrast(target)
        assert ring >= NON_TEXT_CONTRAST, f"{target}: focus ring contrast {ring:.2f}:1"

    # And on the queue the « Voir » leads to: a grievance's reference and the filter's fields.
    voir.press("Enter")
    expect(page).to_have_url(re.compile(r"/reclamations/files/en-retard/$"))
    for target in (page.locator("#queue-table a").first, page.locator("main select").first):
        tab_to(page, target)
        ring = focus_ring_contrast(target)
        assert ring >= NON_TEXT_CONTRAST, f"{target}: focus ring contrast {ring:.2f}:1"
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_first_tab_offers_to_skip_to_the_main_content(watched_page, live_server, salma, language):
    page = watched_page
    login_as(page, live_server, salma)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/reclamations/files/toutes/")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_attribute("href", "#main")
    box = skip.bounding_box()
    assert box["width"] > 20, "the skip link stays invisible when focused"
    assert box["height"] > 10, "the skip link stays invisible when focused"
    assert 0 <= box["y"] < 100, "the skip link is not at the top of the page"

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.locator(":focus").evaluate("element => document.querySelector('main').contains(element)"), (
        "the Tab after the skip link went back to the navigation"
    )


def test_a_form_sent_back_lists_its_errors_at_the_top_linked_to_their_fields(watched_page, live_server):
    page = watched_page
    page.goto(f"{live_server.url}/deposer-une-reclamation/")
    page.get_by_role("button", name="Envoyer la réclamation").click()

    summary = page.locator("#filing-form [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Le formulaire n'a pas été enregistré")
    # Above every field of the form.
    assert summary.bounding_box()["y"] < page.locator("#id_programme").bounding_box()["y"]
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    assert links.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "#id_programme",
        "#id_category",
        "#id_description",
    ]
    expect(page.locator("#id_description")).to_have_attribute("aria-describedby", re.compile(r"id_description_error"))
    expect(page.locator("#id_description_error")).to_be_visible()

    links.filter(has_text="Description").click()
    expect(page.locator("#id_description")).to_be_focused()
    page.keyboard.type("La bourse n'est pas arrivée.")
    expect(page.locator("#id_description")).to_have_value("La bourse n'est pas arrivée.")
    assert page.console_errors == []
