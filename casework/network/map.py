"""The stakeholder map: the network's members and stakeholders by country and kind, and who
worked with whom, drawn on the server as SVG (no script, no third-party request).

Layout, chosen to be read in a meeting rather than to be pretty: one column per country (the
countries with most bodies first), the network's members at the top of their column as
squares, then the stakeholders as circles grouped by kind, each coloured by its relationship
to the network. A line joins a member and a stakeholder that took part in an activity
together, or a stakeholder that is a partner in an expansion to the member's country. The
same drawing is the page's picture and the downloadable image.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from casework.accounts.models import Organisation
from casework.network.choices import Relationship, StakeholderKind
from casework.network.models import Activity, Expansion

COLUMN = 230  # width of a country's column
MARGIN = 70  # room left of a column for the arcs between its own nodes
ROW = 30  # height of a node's row
TOP = 70  # room for the country names
LABEL = 30  # characters of a name shown (the whole name is the node's title)
COLOURS = {
    "pilot": "#1f5f8b",
    Relationship.MEMBER: "#5c6bc0",
    Relationship.PARTNER: "#2e7d32",
    Relationship.ALLY: "#00838f",
    Relationship.ADVOCACY_TARGET: "#c2571a",
    Relationship.FUNDER: "#6a3d9a",
}
KIND_ORDER = {kind: i for i, kind in enumerate(StakeholderKind.values)}


@dataclass
class Node:
    key: str
    name: str
    detail: str
    colour: str
    square: bool
    x: int = 0
    y: int = 0

    @property
    def label(self) -> str:
        return self.name if len(self.name) <= LABEL else self.name[: LABEL - 1] + "…"


@dataclass
class Map:
    columns: list[tuple[str, int]] = field(default_factory=list)  # (country name, x)
    nodes: list[Node] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)  # SVG path data
    width: int = COLUMN
    height: int = TOP + ROW
    # label, colour, x, whether it is a square (a pilot)
    legend: list[tuple[str, str, int, bool]] = field(default_factory=list)

    @property
    def legend_y(self) -> int:
        return self.height - ROW


def _curve(a: Node, b: Node) -> str:
    """A line from node a to node b: an arc in the margin left of the column when both are in
    one column, else a curve over the columns' first row, below the country names."""
    x1, y1, x2, y2 = a.x + 6, a.y, b.x + 6, b.y
    if x1 == x2:
        bulge = min(60, 12 + abs(y2 - y1) // 6)
        return f"M{x1},{y1} C{x1 - bulge},{y1} {x2 - bulge},{y2} {x2},{y2}"
    lane = TOP - 20  # between the country names and the first row: no label is crossed
    return f"M{x1},{y1} C{x1},{lane} {x2},{lane} {x2},{y2}"


def draw(stakeholders: QuerySet) -> Map:
    """The map of `stakeholders` (already scoped to the viewer) and the network's members:
    four queries whatever their number."""
    people = list(stakeholders.order_by("name"))
    wanted = {s.pk for s in people}
    members = list(Organisation.objects.order_by("name"))
    nodes: dict[str, Node] = {}
    by_country: dict[str, list[Node]] = defaultdict(list)
    for member in members:
        node = Node(f"m{member.pk}", member.name, _("a pilot in Casework"), COLOURS["pilot"], True)
        nodes[node.key] = node
        by_country[member.country.code].append(node)
    for body in sorted(people, key=lambda s: (KIND_ORDER.get(s.kind, 99), s.name)):
        detail = f"{body.get_kind_display()}, {body.get_relationship_display().lower()}"
        node = Node(f"s{body.pk}", body.name, detail, COLOURS[body.relationship], False)
        nodes[node.key] = node
        by_country[body.country.code].append(node)
    links: set[tuple[str, str]] = set()
    together = Activity.members.through.objects.filter(
        activity__stakeholders__in=wanted
    ).values_list("organisation_id", "activity__stakeholders")
    for organisation_id, stakeholder_id in together:
        links.add((f"m{organisation_id}", f"s{stakeholder_id}"))
    member_of = {m.country.code: m for m in members}
    partners = Expansion.partners.through.objects.filter(stakeholder__in=wanted).values_list(
        "expansion__country", "stakeholder_id"
    )
    for country, stakeholder_id in partners:
        if country in member_of:
            links.add((f"m{member_of[country].pk}", f"s{stakeholder_id}"))
    out = Map()
    order = sorted(by_country, key=lambda c: (-len(by_country[c]), c))
    for i, code in enumerate(order):
        x = i * COLUMN + MARGIN
        out.columns.append((str(countries.name(code) or code), x))
        for j, node in enumerate(by_country[code]):
            node.x, node.y = x, TOP + j * ROW
            out.nodes.append(node)
    for a, b in sorted(links):
        if a in nodes and b in nodes:
            out.edges.append(_curve(nodes[a], nodes[b]))
    tallest = max((len(column) for column in by_country.values()), default=1)
    out.width = max(len(order), 1) * COLUMN + MARGIN
    out.height = TOP + tallest * ROW + 2 * ROW
    kinds = [("pilot", _("Pilot in Casework")), *Relationship.choices]
    out.legend = [
        (str(label), COLOURS[value], 20 + i * 170, value == "pilot")
        for i, (value, label) in enumerate(kinds)
    ]
    out.width = max(out.width, 20 + len(out.legend) * 170)
    return out
