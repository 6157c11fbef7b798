"""Links from explanatory text to the network's glossary: `{% glossary text %}`.

The first mention of each agreed term (in English, or as translated into the page's language)
becomes a link to its entry, with its definition as hover text, so that every page means the
same by "engagement" or "case resolution" as the glossary does.

A tag rather than a filter because it needs the request: the terms are read once per request
(one query, however many texts use the tag) and only for a signed-in user, so anonymous pages
never query. The text is always taken as plain text and escaped (even if already marked safe);
only the links built here are HTML.

    {% load glossary %}
    {% glossary indicator.definition %}
    {% glossary definition skip=term.slug language=language %}   (a term's own entry)
    {% glossary text as linked %}{{ linked|linebreaksbr }}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language

from casework.network.models import Term

register = template.Library()

_MEMO_ATTR = "_casework_glossary"
TITLE_CHARS = 120
# "Disengagement (absconding)" is also mentioned as plain "disengagement".
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass
class _Entry:
    slug: str
    title: str


@dataclass
class Linker:
    """The glossary's terms in one language, compiled into one pattern, longest first."""

    entries: dict[str, _Entry] = field(default_factory=dict)  # a mention, lower-cased → entry
    pattern: re.Pattern[str] | None = None

    @classmethod
    def build(cls, terms: list[Term], language: str) -> Linker:
        entries: dict[str, _Entry] = {}
        for term in terms:
            found = term.translations.get(language) or {}
            _name, definition = term.in_language(language)
            entry = _Entry(term.slug, Truncator(definition).chars(TITLE_CHARS))
            for name in (term.term, found.get("term") or ""):
                for mention in (name.strip(), _QUALIFIER.sub("", name)):
                    if mention:
                        entries.setdefault(mention.lower(), entry)
        if not entries:
            return cls()
        mentions = sorted(entries, key=len, reverse=True)
        alternatives = "|".join(re.escape(mention) for mention in mentions)
        return cls(entries, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))

    def entry(self, mention: str) -> _Entry:
        found = self.entries.get(mention.lower())
        if found is not None:
            return found
        # Case folding that lower() does not mirror (rare): find the mention it matched.
        return next(e for m, e in self.entries.items() if re.fullmatch(re.escape(m), mention, re.I))

    def link(self, text: str, *, skip: str = "", query: str = "") -> SafeString:
        """`text`, escaped, with the first mention of each term (but `skip`) a link."""
        if self.pattern is None:
            return escape(text)
        url = reverse("network:glossary") + query
        linked = {skip}
        parts: list[SafeString] = []
        end = 0
        for match in self.pattern.finditer(text):
            entry = self.entry(match.group())
            if entry.slug in linked:
                continue  # a later mention, or the entry's own term: stays plain text
            linked.add(entry.slug)
            parts.append(escape(text[end : match.start()]))
            parts.append(
                format_html(
                    '<a href="{}#{}" class="term" title="{}">{}</a>',
                    url,
                    entry.slug,
                    entry.title,
                    match.group(),
                )
            )
            end = match.end()
        parts.append(escape(text[end:]))
        return format_html_join("", "{}", ((part,) for part in parts))  # each already safe


@dataclass
class _Memo:
    """What one request read of the glossary, and its patterns by language."""

    terms: list[Term] | None = None
    linkers: dict[str, Linker] = field(default_factory=dict)


def _language(code: str | None) -> str:
    return (code or get_language() or "en").split("-")[0].lower()


def linker_for(request: HttpRequest | None, language: str) -> Linker:
    """The glossary in `language` for this request: the terms are read once per request, and
    never for an anonymous visitor."""
    if request is None:
        return Linker()
    memo: _Memo = request.__dict__.setdefault(_MEMO_ATTR, _Memo())
    if memo.terms is None:
        # Nobody signed in: an empty queryset, which asks the database nothing.
        visible = Term.objects.visible_to(getattr(request, "user", None))
        memo.terms = list(visible.only("slug", "term", "definition", "translations"))
    if language not in memo.linkers:
        memo.linkers[language] = Linker.build(memo.terms, language)
    return memo.linkers[language]


@register.simple_tag(takes_context=True)
def glossary(
    context: template.Context, text: Any, skip: str = "", language: str | None = None
) -> SafeString:
    """`text` with its glossary terms linked; `skip` a term's slug (on its own entry),
    `language` the glossary page's language where it differs from the active one."""
    if text is None or text == "":
        return SafeString("")
    code = _language(language)
    query = f"?lang={code}" if language and code != _language(None) else ""
    return linker_for(context.get("request"), code).link(str(text), skip=skip, query=query)
