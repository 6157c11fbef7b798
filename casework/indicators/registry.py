"""Every indicator, declared once: what it counts, over what, and how it may be broken down.

Dashboards, reports, exports and the API all read these declarations (DOMAIN.md, Indicators).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Breakdown → the case column it groups by (`age_band` is the age at intake and `quarter` the
# quarter of intake, both computed).
DISAGGREGATIONS = {
    "organisation": "organisation__slug",
    "country": "organisation__country",
    "project": "project__name",
    "target_cohort": "project__target_cohort",
    "detention_status": "detention_status",
    "gender": "person__gender",
    "age_band": "age_band_at_intake",
    "vulnerability": "vulnerabilities__flag",
    "quarter": "intake_quarter",
}
DISAGGREGATION_LABELS = {
    "organisation": _("Organisation"),
    "country": _("Country"),
    "project": _("Project"),
    "target_cohort": _("Target cohort"),
    "detention_status": _("Detention status at referral"),
    "gender": _("Gender"),
    "age_band": _("Age band at intake"),
    "vulnerability": _("Vulnerability group"),
    "quarter": _("Quarter of intake"),
}
COHORT_RULE = _(
    "Cohort: cases with intake in the period. Status at the end of the period; a case closed "
    "before then counts with its status at closure (closed while engaged counts as engaged)."
)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    definition: str | Promise
    numerator: str | Promise
    denominator: str | Promise
    unit: str | Promise = "%"
    disaggregations: tuple[str, ...] = tuple(DISAGGREGATIONS)
    time_rule: str | Promise = COHORT_RULE
    # How it is counted: "status" (status at period end), "improvement" (latest outcome
    # rating above the first, for `dimension`), "compliance" (reporting appointments kept),
    # "survival", "count" (people), "cost" (from the finance app's budgets and spending),
    # "network" (the network's building, from casework.network: counts no person).
    kind: str = "status"
    dimension: str = ""


CASES_ENROLLED = _("cases enrolled (intake in the period)")
RATED_TWICE = _("cases enrolled with at least two ratings of this dimension by the period's end")
IMPROVEMENT_RULE = _(
    "Cohort: cases with intake in the period, with their outcome ratings (0 none to 3 huge) up "
    "to the end of the period. Improved: the latest rating is above the first."
)
SURVIVAL_RULE = _(
    "Cohort: cases with intake in the period, followed from intake until the event or the "
    "period's end. Cases closed for another reason are censored at closure, open cases at the "
    "period's end. 95% intervals on the log-log scale; the median's by Brookmeyer-Crowley."
)
SERVED_RULE = _(
    "Cases open at any time in the period: intake on or before its end, not closed before it "
    "starts. A person with two cases counts once."
)
COST_RULE = _(
    "Spending: every spending line of the scope's projects that overlaps the period, spread "
    "evenly over the days of its own period, in euros at the rate typed with it. Enrolled "
    "days: each case from intake to closure (or the period's end) inside the period; "
    "person-days count each member of a case's household."
)
COST_SHOWN = _(
    "Published for a scope only when the people served behind it are: a cost follows the "
    "same rule as the count of people it divides by."
)
NETWORK_RULE = _(
    "Counted from the network's records (casework.network) for the period, as recorded at "
    "the release's cut-off; published for each year and for the current year to date."
)


def _network(code: str, name: Promise, definition: Promise, unit: Promise) -> Indicator:
    return Indicator(
        code,
        name,
        definition,
        definition,
        _("none: a count"),
        unit=unit,
        disaggregations=(),
        time_rule=NETWORK_RULE,
        kind="network",
    )


COMPLIANCE_RULE = _(
    "Events: reporting appointments dated in the period whose outcome is recorded, for every "
    "case in scope whatever its intake date. Cancelled and pending appointments do not count."
)


def _improvement(
    code: str, dimension: str, name: Promise, definition: Promise, numerator: Promise
) -> Indicator:
    return Indicator(
        code,
        name,
        definition,
        numerator,
        RATED_TWICE,
        time_rule=IMPROVEMENT_RULE,
        kind="improvement",
        dimension=dimension,
    )


REGISTRY: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator(
            "engagement_rate",
            _("Engagement rate"),
            _("Share of enrolled people who stayed engaged with case management and procedures."),
            _("cases engaged at the end of the period or closed while engaged (resolved included)"),
            CASES_ENROLLED,
        ),
        Indicator(
            "disengagement_rate",
            _("Disengagement / absconding rate"),
            _("Share of enrolled people whose latest status is disengaged."),
            _("cases whose latest status is disengaged"),
            CASES_ENROLLED,
        ),
        Indicator(
            "removal_rate",
            _("Forced removal rate"),
            _("Share of enrolled people forcibly removed while enrolled."),
            _("cases removed while enrolled"),
            CASES_ENROLLED,
        ),
        Indicator(
            "resolution_rate",
            _("Case resolution rate"),
            _("Share of enrolled people who reached a temporary or permanent migration outcome."),
            _("cases closed with a resolution outcome by the end of the period"),
            CASES_ENROLLED,
        ),
        *(
            Indicator(
                f"resolution_{outcome_type}_rate",
                name,
                format_lazy(_("Share of enrolled people who reached a {type}."), type=label),
                _("cases closed with a resolution of this type by the end of the period"),
                CASES_ENROLLED,
                dimension=outcome_type,
            )
            for outcome_type, name, label in (
                (
                    "permanent",
                    _("Resolution rate: permanent outcome"),
                    _("permanent migration outcome"),
                ),
                (
                    "temporary",
                    _("Resolution rate: temporary outcome"),
                    _("temporary migration outcome"),
                ),
                ("departure", _("Resolution rate: departure"), _("departure (return or move)")),
            )
        ),
        _improvement(
            "improved_informed_decisions",
            "informed_decision_making",
            _("Improved informed decision-making"),
            _("Share of people rated twice or more whose ability to take informed decisions grew."),
            _("cases whose latest informed decision-making rating is above their first"),
        ),
        _improvement(
            "improved_engagement_with_procedures",
            "engagement_with_procedures",
            _("Improved engagement with procedures"),
            _("Share of people rated twice or more whose ability to engage with procedures grew."),
            _("cases whose latest engagement-with-procedures rating is above their first"),
        ),
        _improvement(
            "improved_wellbeing",
            "wellbeing",
            _("Improved wellbeing"),
            _("Share of people rated twice or more whose wellbeing improved."),
            _("cases whose latest wellbeing rating is above their first"),
        ),
        _improvement(
            "improved_basic_needs",
            "basic_needs",
            _("Improved basic needs"),
            _("Share of people rated twice or more whose basic needs are better met."),
            _("cases whose latest basic-needs rating is above their first"),
        ),
        Indicator(
            "retention",
            _("Retention in engagement"),
            _(
                "Kaplan-Meier estimate of the share of people still engaged a given number of "
                "days after intake; the value is the share still engaged one year after intake."
            ),
            _("people who disengaged (the event)"),
            CASES_ENROLLED,
            unit=_("share"),
            time_rule=SURVIVAL_RULE,
            kind="survival",
        ),
        Indicator(
            "time_to_resolution",
            _("Time to resolution"),
            _(
                "Median number of days from intake to case resolution, estimated with "
                "Kaplan-Meier so that cases still open count for the time they have been open."
            ),
            _("cases resolved (the event)"),
            CASES_ENROLLED,
            unit=_("days"),
            time_rule=SURVIVAL_RULE,
            kind="survival",
        ),
        Indicator(
            "beneficiaries",
            _("People served"),
            _("Distinct people with a case open at any time in the period."),
            _("people with a case open during the period"),
            _("none: a count"),
            unit=_("people"),
            time_rule=SERVED_RULE,
            kind="count",
        ),
        Indicator(
            "new_groups",
            _("People in new groups"),
            _(
                "People served in the period from target cohorts that the same scope did not "
                "serve in its baseline period (the baseline of its target for new groups or for "
                "people served; without one, the year before the period)."
            ),
            _("people served from target cohorts new to the scope"),
            _("none: a count"),
            unit=_("people"),
            time_rule=SERVED_RULE,
            kind="count",
        ),
        Indicator(
            "cost_per_person_day",
            _("Cost per person per day"),
            format_lazy(
                "{} {}",
                _(
                    "Spending in the period ÷ person-days enrolled, over the projects with "
                    "spending recorded in the period."
                ),
                COST_SHOWN,
            ),
            _("spending in the period, in euros"),
            _("person-days enrolled in the period"),
            unit="€",
            disaggregations=(),
            time_rule=COST_RULE,
            kind="cost",
        ),
        Indicator(
            "cost_per_case_month",
            _("Cost per case per month"),
            format_lazy(
                "{} {}",
                _(
                    "Spending in the period ÷ case-days enrolled x 30.4375 (days in a month), "
                    "over the projects with spending recorded in the period."
                ),
                COST_SHOWN,
            ),
            _("spending in the period, in euros"),
            _("case-days enrolled in the period"),
            unit="€",
            disaggregations=(),
            time_rule=COST_RULE,
            kind="cost",
        ),
        Indicator(
            "saving_against_detention",
            _("Saving against detention"),
            format_lazy(
                "{} {}",
                _(
                    "Detention cost per day x person-days enrolled - spending, at the country's "
                    "latest detention cost, with the range between its lowest and highest "
                    "recorded cost, over the projects with spending recorded in the period; a "
                    "scope over several countries adds up its countries' savings, for the "
                    "countries with a detention cost."
                ),
                COST_SHOWN,
            ),
            _("detention cost of the same person-days, less spending, in euros"),
            _("none: an amount"),
            unit="€",
            disaggregations=(),
            time_rule=COST_RULE,
            kind="cost",
        ),
        Indicator(
            "sustainable_pilots",
            _("Pilots with sustainable funding"),
            _(
                "Projects with a budget or spending line from multi-year or sustainable "
                "funding that overlaps the period. Counts projects, not people: shown as it is."
            ),
            _("projects with sustainable funding in the period"),
            _("none: a count"),
            unit=_("pilots"),
            disaggregations=(),
            time_rule=_("Budget and spending lines overlapping the period."),
            kind="cost",
        ),
        _network(
            "new_pilot_cities",
            _("New pilots in cities"),
            _("Cities in the expansion pipeline whose pilot was launched in the period."),
            _("cities"),
        ),
        _network(
            "new_pilot_countries",
            _("New pilots in countries"),
            _("Countries in the expansion pipeline whose pilot was launched in the period."),
            _("countries"),
        ),
        _network(
            "places_exploring",
            _("Places exploring or implementing a pilot"),
            _(
                "Cities and countries in dialogue, with a partnership agreed or a pilot "
                "launched at the end of the period."
            ),
            _("places"),
        ),
        _network(
            "new_stakeholders_engaged",
            _("New stakeholders talking about community-based solutions"),
            _(
                "Stakeholders whose first statement, publication or presentation recorded "
                "falls in the period."
            ),
            _("stakeholders"),
        ),
        _network(
            "concept_notes",
            _("Concept notes developed"),
            _("Concept notes dated in the period, whatever their status."),
            _("concept notes"),
        ),
        _network(
            "approaches",
            _("Approaches to authorities and funders"),
            _(
                "Approaches to governments, local authorities or funders, and funding "
                "applications, dated in the period."
            ),
            _("approaches"),
        ),
        _network(
            "joint_activities",
            _("Joint activities of the network"),
            _(
                "Meetings, advocacy events, campaigns, joint projects, trainings and "
                "initiatives dated in the period: the network working together."
            ),
            _("activities"),
        ),
        _network(
            "presentations",
            _("Invitations to speak and presentations"),
            _("Presentations and invitations to speak by network members in the period."),
            _("events"),
        ),
        _network(
            "high_profile_presentations",
            _("Presentations at high-profile events"),
            _("Presentations and invitations to speak at high-profile events in the period."),
            _("events"),
        ),
        _network(
            "members_presenting",
            _("Network members presenting the network's learning"),
            _("Network members involved in a presentation or invitation to speak."),
            _("members"),
        ),
        _network(
            "lived_experience_trainings",
            _("Trainings with people with lived experience"),
            _("Trainings with or led by people with lived experience of detention."),
            _("trainings"),
        ),
        _network(
            "lived_experience_initiatives",
            _("Initiatives led by people with lived experience"),
            _("Initiatives or projects led by people with lived experience of detention."),
            _("initiatives"),
        ),
        Indicator(
            "lived_experience_involved",
            _("People with lived experience involved in case management"),
            _(
                "People with lived experience of detention involved in the members' case "
                "management in the year (as staff, volunteers, peer mentors or advisers), as "
                "each organisation recorded them: a count per organisation, never a flag on "
                "anyone's record."
            ),
            _("people with lived experience involved in the year, summed over the members"),
            _("none: a count"),
            unit=_("people"),
            disaggregations=(),
            time_rule=_(
                "The members' counts for a calendar year, published once the year has ended "
                "(never to date). A count of people: withheld like a case figure when fewer "
                "than k people are counted, or fewer than k once one organisation takes its "
                "own away."
            ),
            kind="network",
        ),
        _network(
            "network_feedback_score",
            _("Network members' confidence (feedback)"),
            _(
                "The mean score of the members' answers to the network's feedback "
                "questionnaire for the year: each answer's mean of five confidence statements, "
                "1 (strongly disagree) to 5 (strongly agree). None where nobody answered."
            ),
            _("of 5"),
        ),
        _network(
            "network_feedback_responses",
            _("Network members giving feedback"),
            _("Member organisations that answered the feedback questionnaire for the year."),
            _("members"),
        ),
        Indicator(
            "reporting_compliance",
            _("Reporting compliance"),
            _("Share of reporting appointments with the authorities that people attended."),
            _("reporting appointments attended"),
            _("reporting appointments attended or missed"),
            time_rule=COMPLIANCE_RULE,
            kind="compliance",
        ),
    )
}
