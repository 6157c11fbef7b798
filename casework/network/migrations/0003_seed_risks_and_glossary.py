"""The implementation plan's risk matrix (table 4.4) and the network's agreed terms (DOMAIN.md's
glossary and the plan's common terminology), as the register and the glossary start.

Likelihood and impact are not in the plan: they are left to assess at the first review.
"""

from __future__ import annotations

import uuid

from django.db import migrations

RISKS = [
    (
        "goal",
        "Lack of resources, an overworked system and lack of capacity; lack of funding and the "
        "challenges to sustainability that follow. Pilot implementers with many priorities, "
        "and a potential loss of momentum and enthusiasm if changes do not happen quickly.",
        "Streamline processes, increase funding, resources and personnel, and engage "
        "strategically and collectively with funders. Look at diverse sources of funding and "
        "explore partnerships. Seek grants from sources with higher funding (e.g. the European "
        "Commission). Think creatively about resources.",
    ),
    (
        "goal",
        "Lack of interest or differences in opinion; lack of credibility; unwillingness to "
        "change the current system. If a pilot is unsuccessful, governments could use it as an "
        "argument for detention (or abandon alternatives).",
        "Showcase how pilots have expanded successfully in other contexts and increase the "
        "evidence base behind the arguments. Gain support from credible local and national "
        "experts. Take a holistic approach.",
    ),
    (
        "network_building",
        "The bigger the network grows and the more people get involved, the bigger the risk that "
        "definitions change, are misinterpreted or fail to get the message across; potential "
        "co-option of terms.",
        "Set clear definitions from the beginning and define key concepts collectively. Collect "
        "and systematise evidence and data showing the efficiency of ATD. Adapt to changes of "
        "context and review collective positions and assumptions regularly.",
    ),
    (
        "network_building",
        "Different priorities in each group's respective fields.",
        "Work together to show how one group's cause can directly benefit another's.",
    ),
    (
        "network_building",
        "Confusion over roles and responsibilities.",
        "Strengthen the network with clear leadership, clear roles and responsibilities, and "
        "sub-divisions based on tasks.",
    ),
    (
        "campaigning",
        "A campaign is not received well and leads to backlash and more anti-migrant rhetoric; "
        "campaigners stay on the defensive (stopping detention from expanding rather than "
        "shrinking it); campaigning groups with different messages do not collaborate.",
        "Have various reputable and credible stakeholders in the campaign. Ensure a solid "
        "communications strategy with communications professionals. Ensure strong networking "
        "and a collective approach.",
    ),
    (
        "advocacy",
        "Push-backs and regressive changes in the political context; hidden or contradictory "
        "agendas of political actors; lack of follow-through for lack of resources and "
        "political will.",
        "Show effectively how community-based solutions and case management-based ATD are a "
        "cheaper and more effective way of managing migration and ensuring migrants' "
        "wellbeing, linked with the rates of engagement with the projects.",
    ),
    (
        "advocacy",
        "Scepticism, claims of bureaucracy.",
        "Flexibility to adapt and respond to a changing political context. Develop "
        "user-friendly, harmonised databases and forms, and show how they aid efficiency.",
    ),
    (
        "advocacy",
        "Advocacy with governments and authorities, and closer collaboration with them on pilots, "
        "may lead to unconscionable demands on members (e.g. sharing information when "
        "participants disengage, a focus on returns).",
        "Ensure that any discussion with governments and authorities sets out clear firewalls "
        "and allows independent case management and case resolution by CSOs and NGOs.",
    ),
    (
        "grounding",
        "A top-down and unrealistic implementation plan; non-collaborative development and "
        "implementation; lack of buy-in from pilots; lack of involvement of leaders with lived "
        "experience and people affected by immigration detention.",
        "Co-produce the implementation plan and implement it jointly. Involve leaders with lived "
        "experience and migrant-led organisations at every stage, noting that people with lived "
        "experience are not a homogeneous group.",
    ),
]

TERMS = [
    (
        "alternatives-to-detention",
        "Alternatives to detention (ATD)",
        "Here: engagement-based alternatives to immigration detention, built on case management "
        "in the community, not enforcement-based ones (tagging, reporting duties, bail).",
    ),
    (
        "case-management",
        "Case management",
        "A case manager follows a person or family through their case in the community, "
        "working with them towards case resolution.",
    ),
    (
        "case-resolution",
        "Case resolution",
        "A temporary or permanent migration outcome: regularisation, protection, a permit, a "
        "move to a third country, or voluntary return.",
    ),
    (
        "community-based-solution",
        "Community-based solution",
        "A person lives in the community, not in detention, with the support they need to take "
        "part in their immigration procedure.",
    ),
    (
        "engagement",
        "Engagement",
        "The person stays in contact with the case manager and with the immigration procedure.",
    ),
    (
        "disengagement",
        "Disengagement (absconding)",
        "Contact is lost and the person's whereabouts are unknown.",
    ),
    (
        "firewall",
        "Firewall",
        "Service providers never share a person's data with immigration enforcement; the network "
        "sees pseudonymised or aggregated data only.",
    ),
    (
        "pilot",
        "Pilot (project)",
        "One organisation's ATD programme in one country, sometimes in several cities.",
    ),
    ("mel", "MEL", "Monitoring, evaluation and learning."),
]


def seed(apps, schema_editor):
    Risk = apps.get_model("network", "Risk")
    Term = apps.get_model("network", "Term")
    for area, risk, mitigation in RISKS:
        Risk.objects.create(uid=uuid.uuid4(), area=area, risk=risk, mitigation=mitigation)
    for slug, term, definition in TERMS:
        Term.objects.get_or_create(
            slug=slug, defaults={"uid": uuid.uuid4(), "term": term, "definition": definition}
        )


def unseed(apps, schema_editor):
    apps.get_model("network", "Risk").objects.all().delete()
    apps.get_model("network", "Term").objects.filter(slug__in=[t[0] for t in TERMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0002_risks_and_glossary")]

    operations = [migrations.RunPython(seed, unseed)]
