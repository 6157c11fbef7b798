"""The implementation plan's MEL table (4.3) as the network's plan starts: its six outcomes
and their indicators in the plan's words, each linked to the registry indicator that
computes it. Two are linked to nothing: nothing in Casework measures "the development of a
shared database" or "new groups" as the plan words them as a number, so the evaluations'
findings are typed (baselines and targets are left to the coordinators: the plan gives none).
"""

from __future__ import annotations

import uuid

from django.db import migrations

PLAN = [
    (
        "Geographical expansion to more cities and countries",
        [
            (
                "Number of new stakeholders working on and talking about community-based "
                "solutions and case management-based ATD in target countries, as evidenced "
                "through statements, policies, advocacy plans, presentations, articles",
                "new_stakeholders_engaged",
            ),
            ("Number of new pilots set up in European countries", "new_pilot_countries"),
            ("Number of new pilots set up in European cities", "new_pilot_cities"),
        ],
    ),
    (
        "Increasing embeddedness of case management in government systems, i.e. partnerships "
        "with government actors including local authorities",
        [
            (
                "Number of CSOs, governments and cities exploring or implementing pilot "
                "projects in target countries",
                "places_exploring",
            ),
            ("Number of concept notes developed and submitted", "concept_notes"),
            (
                "Number of CSOs approaching government, local authorities or other potential "
                "funders (or vice versa) on community-based solutions and case management-based "
                "ATD",
                "approaches",
            ),
            ("Number of pilot projects with sustainable funding sources", "sustainable_pilots"),
        ],
    ),
    (
        "Increase in number of pilot beneficiaries",
        [("Number of beneficiaries", "beneficiaries")],
    ),
    (
        "Expansion beyond vulnerable groups (widening profiles of beneficiaries beyond families "
        "and those at risk of detention, to those already in detention and without specific "
        "vulnerabilities)",
        [
            ("New groups that were not previously benefiting from pilots", ""),
            ("Number of beneficiaries among additional groups of people", "new_groups"),
        ],
    ),
    (
        "Strengthening of networks among organisations working on case management and ATD at "
        "local, regional, national and international levels",
        [
            (
                "Feedback from network members, e.g. through a qualitative confidence test and "
                "feedback questionnaires",
                "network_feedback_score",
            ),
            (
                "Number of invitations to speak and presentations by network members",
                "presentations",
            ),
            (
                "Of which at high-profile events",
                "high_profile_presentations",
            ),
            (
                "Number of network members articulately presenting the network's learning and "
                "messaging",
                "members_presenting",
            ),
            (
                "Development of a shared database for joint data collection on key data, with "
                "standardised forms",
                "",
            ),
        ],
    ),
    (
        "Increase in the active involvement of those with lived experience of detention or at "
        "risk of detention",
        [
            (
                "Number of people with lived experience of detention involved in case "
                "management",
                "lived_experience_involved",
            ),
            (
                "Number of trainings conducted with people with lived experience of detention, "
                "aimed at increasing their knowledge of detention as a broader issue",
                "lived_experience_trainings",
            ),
            (
                "Number of initiatives or projects spearheaded by people with lived experience "
                "of detention or at risk of detention",
                "lived_experience_initiatives",
            ),
        ],
    ),
]


def seed(apps, schema_editor):
    Outcome = apps.get_model("indicators", "Outcome")
    PlanIndicator = apps.get_model("indicators", "PlanIndicator")
    for position, (title, indicators) in enumerate(PLAN, start=1):
        outcome = Outcome.objects.create(uid=uuid.uuid4(), position=position, title=title)
        for place, (wording, code) in enumerate(indicators, start=1):
            PlanIndicator.objects.create(
                uid=uuid.uuid4(), outcome=outcome, position=place, wording=wording, indicator=code
            )


def unseed(apps, schema_editor):
    apps.get_model("indicators", "Outcome").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_mel_plan_and_reflections")]

    operations = [migrations.RunPython(seed, unseed)]
