"""Links from explanatory text to the network's glossary (`{% glossary text %}`): the first
mention of each agreed term becomes a link to its entry, on the pages that explain things."""

from __future__ import annotations

import re
from typing import Any
from unittest.mock import ANY

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from casework.core.access import principal_of
from casework.network import services
from casework.network.models import Term
from casework.testing.personas import World

GLOSSARY = "/network/glossary/"


def render(text: str, user: Any, tag: str = "{% glossary text %}", **context: Any) -> str:
    """`text` through the tag, as a page rendered for `user` would show it."""
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load glossary %}" + tag)
    return template.render(Context({"request": request, "text": text, **context}))


def links(html: str) -> list[tuple[str, str]]:
    """Each link the tag made: (the slug it points to, the words linked)."""
    found = re.findall(r'<a href="/network/glossary/(?:\?lang=\w+)?#([\w-]+)"[^>]*>(.*?)</a>', html)
    return [(slug, words) for slug, words in found]


def add_term(world: World, slug: str, term: str, definition: str, **fields: Any) -> Term:
    return services.save_term(world.nora, slug=slug, term=term, definition=definition, **fields)


def test_a_term_in_a_definition_links_to_its_glossary_entry(world: World) -> None:
    html = render("Cases engaged with case management, until case resolution.", world.amina)
    assert links(html) == [
        ("case-management", "case management"),
        ("case-resolution", "case resolution"),
    ]
    assert reverse("network:glossary") == GLOSSARY
    assert 'class="term" title="A case manager follows a person or family' in html


def test_only_the_first_mention_of_a_term_is_a_link(world: World) -> None:
    html = render("Engagement counts; engagement at closure counts too. ENGAGEMENT.", world.amina)
    assert links(html) == [("engagement", "Engagement")]
    assert html.endswith("engagement at closure counts too. ENGAGEMENT.")


def test_only_whole_words_are_terms(world: World) -> None:
    html = render("Autopilots and pilots; co-pilot ran the pilot.", world.amina)
    assert links(html) == [("pilot", "pilot")]  # "co-pilot": a hyphen ends a word
    assert "Autopilots and pilots; co-" in html
    # "Disengagement (absconding)" is named without its gloss too, and is not "engagement".
    assert links(render("Disengagement, not engagement.", world.amina)) == [
        ("disengagement", "Disengagement"),
        ("engagement", "engagement"),
    ]


def test_the_longest_term_wins_and_no_link_goes_inside_another(world: World) -> None:
    add_term(world, "case", "Case", "A person's or a family's file with a pilot.")
    html = render("Case management of a case, then case management again.", world.amina)
    assert links(html) == [("case-management", "Case management"), ("case", "case")]
    assert html.count("<a ") == 2


def test_a_term_is_never_a_link_on_its_own_entry(world: World, client: Any) -> None:
    add_term(world, "case", "Case", "A case is one case: its case management is a term.")
    html = render("Engagement is engagement.", world.amina, "{% glossary text skip='engagement' %}")
    assert links(html) == []
    client.force_login(world.amina)
    page = client.get(reverse("network:glossary")).content.decode()
    entry = page.split('<dt id="case">')[1].split("</dd>")[0]
    assert links(entry) == [("case-management", "case management")]
    for slug in ("case-management", "case-resolution", "engagement", "firewall"):
        assert f'<dt id="{slug}">' in page  # where the links land
    atd = page.split('<dt id="alternatives-to-detention">')[1].split("</dd>")[0]
    assert links(atd) == [("engagement", "engagement"), ("case-management", "case management")]


def test_a_translated_term_links_in_the_active_language(world: World, client: Any) -> None:
    firewall = Term.objects.get(slug="firewall")
    french = {"term": "Pare-feu", "definition": "Aucune donnée à l'éloignement."}
    services.save_term(world.nora, firewall, translations={"fr": french})
    text = "Le pare-feu protège les données; the firewall too."
    with translation.override("fr"):
        html = render(text, world.amina)
    assert links(html) == [("firewall", "pare-feu")]
    assert 'title="Aucune donnée à l&#x27;éloignement."' in html
    with translation.override("en"):
        assert links(render(text, world.amina)) == [("firewall", "firewall")]
    # The glossary page shown in French links French terms, and keeps to French.
    services.save_term(
        world.nora,
        Term.objects.get(slug="mel"),
        translations={"fr": {"term": "SEA", "definition": "Le pare-feu du suivi."}},
    )
    client.force_login(world.amina)
    page = client.get(reverse("network:glossary"), {"lang": "fr"}).content.decode()
    assert '<a href="/network/glossary/?lang=fr#firewall" class="term"' in page


def test_text_and_terms_are_escaped(world: World) -> None:
    add_term(world, "xss", "<script>x</script>", '"><script>alert(1)</script>')
    html = render("<b>pilot</b> <script>x</script> & <img src=x onerror=alert(1)>", world.amina)
    assert "<script>" not in html and "<b>" not in html and "<img" not in html
    assert html.startswith("&lt;b&gt;<a href=")
    assert links(html) == [("pilot", "pilot"), ("xss", "&lt;script&gt;x&lt;/script&gt;")]
    assert 'title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    # A text already marked safe is still taken as plain text.
    assert "<i>" not in render("x", world.amina, "{% glossary '<i>pilot</i>' %}")


def test_a_page_reads_the_terms_once_and_anonymous_pages_never(
    world: World, django_assert_num_queries: Any
) -> None:
    principal_of(world.amina)  # the request's principal, computed before the page renders
    texts = {f"t{n}": f"Text {n} on engagement and case management." for n in range(30)}
    tags = "".join(f"{{% glossary t{n} %}}" for n in range(30))
    with django_assert_num_queries(1):
        html = render("", world.amina, tags, **texts)
    assert html.count('href="/network/glossary/#engagement"') == 30
    with django_assert_num_queries(0):
        anonymous = render("", AnonymousUser(), tags, **texts)
    assert "<a" not in anonymous and "Text 29 on engagement" in anonymous
    request = RequestFactory().get("/")
    request.user = world.amina
    with django_assert_num_queries(1):  # templates included in the page share the request's
        for _ in range(2):
            Template("{% load glossary %}{% glossary 'pilot' %}").render(
                Context({"request": request})
            )


@pytest.mark.parametrize("user", ["otto", "amina", "nora"])
def test_the_indicator_definitions_link_to_the_glossary(
    world: World, client: Any, user: str
) -> None:
    client.force_login(getattr(world, user))
    url = reverse("indicators:definitions")
    client.get(url)  # the first request after signing in stamps the session's last activity
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    # Four texts of each indicator go through the tag; the glossary is read once for them all.
    assert [q["sql"] for q in queries if '"network_term"' in q["sql"]] == [ANY]
    assert f'<a href="{GLOSSARY}#case-management" class="term"' in page
    assert f'<a href="{GLOSSARY}#case-resolution" class="term"' in page
