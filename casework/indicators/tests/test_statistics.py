import pytest

from casework.indicators.statistics import kaplan_meier, median_survival, wilson


def test_wilson_matches_textbook_values() -> None:
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)


def test_wilson_refuses_impossible_proportions() -> None:
    with pytest.raises(ValueError):
        wilson(1, 0)
    with pytest.raises(ValueError):
        wilson(11, 10)


# Freireich et al. (1963), 6-MP arm: remission times in weeks (+ = censored). The reference
# values are those of R's survfit(conf.type = "log-log") and of every survival textbook.
SIX_MP = [6, 6, 6, "6+", 7, "9+", 10, "10+", "11+", 13, 16, "17+", "19+", "20+", 22, 23, "25+",
          "32+", "32+", "34+", "35+"]  # fmt: skip


def six_mp_table() -> list[tuple[int, int, int]]:
    return [(int(str(t).rstrip("+")), 0 if str(t).endswith("+") else 1, int(str(t).endswith("+")))
            for t in SIX_MP]  # fmt: skip


def test_kaplan_meier_matches_the_textbook_curve() -> None:
    steps = {s.time: s for s in kaplan_meier(six_mp_table()) if s.events}
    expected = {  # time: (at risk, events, survival)
        6: (21, 3, 0.8571),
        7: (17, 1, 0.8067),
        10: (15, 1, 0.7529),
        13: (12, 1, 0.6902),
        16: (11, 1, 0.6275),
        22: (7, 1, 0.5378),
        23: (6, 1, 0.4482),
    }
    assert sorted(steps) == sorted(expected)
    for time, (at_risk, events, survival) in expected.items():
        step = steps[time]
        assert (step.at_risk, step.events) == (at_risk, events), time
        assert step.survival == pytest.approx(survival, abs=1e-4), time
    intervals = {6: (0.620, 0.952), 7: (0.563, 0.923), 22: (0.268, 0.747), 23: (0.188, 0.680)}
    for time, bounds in intervals.items():
        assert (steps[time].low, steps[time].high) == pytest.approx(bounds, abs=5e-4), time


def test_the_median_and_its_interval() -> None:
    assert median_survival(kaplan_meier(six_mp_table())) == (23, 13, None)
    everyone = kaplan_meier([(10, 4, 0), (20, 4, 0)])
    assert median_survival(everyone)[0] == 10
    assert median_survival(kaplan_meier([(5, 0, 8)])) == (None, None, None)


def test_kaplan_meier_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([(3, -1, 0)])
