import math

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.distribution_replenishment.models import forecasting as fc


def _seasonal(weeks, level=100.0, amplitude=0.5, trend=0.0):
    """An exact multiplicative yearly sine, no noise."""
    return [
        (level + trend * week) * (1 + amplitude * math.sin(2 * math.pi * week / 52)) for week in range(weeks)
    ]


@tagged("post_install", "-at_install")
class TestForecastingLibrary(BaseCase):
    """Each method, the classification and the accuracy measures on series whose answer is known."""

    def test_demand_profile_and_classes(self):
        adi, cv2 = fc.demand_profile([0, 4, 0, 8])
        self.assertEqual(adi, 2.0)
        self.assertAlmostEqual(cv2, 4 / 36)  # sizes 4 and 8: mean 6, variance 4
        self.assertEqual(fc.classify([10.0] * 20), fc.SMOOTH)
        self.assertEqual(fc.classify([1.0, 50.0] * 10), fc.ERRATIC)  # every week, CV² 0.92
        self.assertEqual(fc.classify([0.0, 10.0] * 10), fc.INTERMITTENT)  # ADI 2, CV² 0
        self.assertEqual(fc.classify([0, 0, 1, 0, 0, 40] * 5), fc.LUMPY)  # ADI 3, CV² 0.90
        self.assertEqual(fc.classify([0.0] * 10), fc.INTERMITTENT, "no demand at all")
        # Cut-off ADI 1.32: 1.33 is intermittent, 1.30 smooth.
        self.assertEqual(fc.classify([0.0] * 33 + [10.0] * 100), fc.INTERMITTENT)
        self.assertEqual(fc.classify([0.0] * 30 + [10.0] * 100), fc.SMOOTH)
        # Stock-out weeks do not count: the same series is smooth once they are censored.
        censored = [True] * 33 + [False] * 100
        self.assertEqual(fc.classify([0.0] * 33 + [10.0] * 100, censored), fc.SMOOTH)

    def test_season_detection(self):
        self.assertTrue(fc.detect_season(_seasonal(104)))
        self.assertTrue(fc.detect_season(_seasonal(104, amplitude=0.3, trend=0.5)), "season on a trend")
        self.assertFalse(fc.detect_season([10.0 + week for week in range(104)]), "a trend alone is no season")
        self.assertFalse(fc.detect_season([10.0] * 104))
        self.assertFalse(fc.detect_season(_seasonal(77)), "less than 1.5 years")
        self.assertEqual(fc.group_of(_seasonal(104)), (fc.SMOOTH, fc.SEASONAL))
        self.assertEqual(fc.group_of([0.0, 10.0] * 52), (fc.INTERMITTENT, fc.INTERMITTENT))

    def test_stockout_weeks_are_censored_causally(self):
        series = [10.0] * 10 + [0.0, 0.0, 0.0, 10.0, 0.0] + [10.0] * 10
        self.assertTrue(fc.stockout_candidate(series), "sells in 21 weeks out of 25")
        releases = fc.stockout_releases(series)
        censored = fc.censored_weeks(releases)
        self.assertEqual([index for index, flag in enumerate(censored) if flag], [10, 11, 12])
        # Causal: what is learnt after week t only contains weeks up to t.
        for index, released in enumerate(releases):
            self.assertTrue(all(week <= index for week, _value in released))
        # The lone zero of week 14 was a real week without demand: released (as 0) with week 15.
        self.assertEqual(releases[15], [(14, 0.0), (15, 10.0)])
        # The moving average skips the stock-out, not the real zero.
        ahead, path = fc.moving_average(series, releases, window=13)
        self.assertEqual(ahead[13], 10.0)
        self.assertAlmostEqual(path(1)[0], 120 / 13)
        plain = fc.stockout_releases(series, detect=False)
        self.assertAlmostEqual(fc.moving_average(series, plain)[1](1)[0], 110 / 13)
        intermittent = [0.0, 10.0] * 5
        self.assertFalse(fc.stockout_candidate(intermittent), "intermittent: zeros are ordinary")
        self.assertFalse(any(fc.censored_weeks(fc.stockout_releases(intermittent))))

    def test_simple_exponential_smoothing(self):
        series = [7.0, 0.0, 7.0, 14.0]
        ahead, path = fc.ses(series, fc.stockout_releases(series, False), alpha=0.5)
        # level 7 -> 3.5 -> 5.25 -> 9.625
        self.assertEqual(ahead, [None, 7.0, 3.5, 5.25])
        self.assertAlmostEqual(path(2)[1], 9.625)

    def test_croston_and_sba_on_regular_intermittent_demand(self):
        series = [0.0, 0.0, 6.0] * 10  # 6 every third week: 2 a week
        releases = fc.stockout_releases(series)
        self.assertAlmostEqual(fc.croston(series, releases, alpha=0.1, debias=False)[1](1)[0], 2.0)
        self.assertAlmostEqual(fc.sba(series, releases, alpha=0.1)[1](1)[0], 2.0 * 0.95)
        ahead = fc.sba(series, releases, alpha=0.2, steps=3)[0]
        self.assertAlmostEqual(ahead[-1], 3 * 2.0 * 0.9, msg="totals of 3 weeks")
        self.assertIsNone(ahead[2], "nothing to say before the first demand")

    def test_tsb_decays_when_demand_stops(self):
        series = [5.0] * 10 + [0.0] * 20
        releases = fc.stockout_releases(series, False)
        self.assertAlmostEqual(fc.tsb(series[:10], releases[:10], alpha=0.1, beta=0.05)[1](1)[0], 5.0)
        self.assertAlmostEqual(fc.tsb(series, releases, alpha=0.1, beta=0.05)[1](1)[0], 5.0 * 0.95**20)
        self.assertAlmostEqual(fc.croston(series, releases, debias=False)[1](1)[0], 5.0, msg="Croston does not")

    def test_holt_follows_a_trend(self):
        series = [10.0 + 2 * week for week in range(60)]
        _ahead, path = fc.holt(series, fc.stockout_releases(series, False), alpha=0.5, beta=0.3, phi=1.0)
        self.assertAlmostEqual(path(1)[0], 130.0, delta=0.5)
        self.assertAlmostEqual(path(5)[4], 138.0, delta=1.0)

    def test_holt_winters_learns_the_season(self):
        series = _seasonal(156)
        ahead, path = fc.holt_winters(series, fc.stockout_releases(series, False), alpha=0.2, gamma=0.3, beta=0.0)
        self.assertIsNone(ahead[51], "the first year initialises")
        third_year = [abs(ahead[week] - series[week]) / series[week] for week in range(104, 156)]
        self.assertLess(max(third_year), 0.03)
        truth = _seasonal(160)[156:]
        for forecast, actual in zip(path(4), truth, strict=True):
            self.assertAlmostEqual(forecast, actual, delta=0.03 * actual)
        moving = fc.moving_average(series, fc.stockout_releases(series, False))[0]
        scale = fc.naive_scale(series, end=104)
        self.assertLess(
            fc.evaluate(ahead, series, 104, scale=scale)["mase"],
            0.25 * fc.evaluate(moving, series, 104, scale=scale)["mase"],
        )

    def test_mase_and_bias(self):
        actual = [10.0, 12.0, 9.0, 11.0, 10.0]
        naive = [None] + actual[:-1]
        scale = fc.naive_scale(actual)
        self.assertAlmostEqual(scale, (2 + 3 + 2 + 1) / 4)
        self.assertAlmostEqual(fc.evaluate(naive, actual, 1, scale=scale)["mase"], 1.0)
        scored = fc.evaluate([12.0] * 5, actual, 0, scale=scale)
        self.assertAlmostEqual(scored["bias"], 12 - 52 / 5)
        self.assertEqual(scored["n"], 5)
        self.assertAlmostEqual(scored["rmse"], math.sqrt((4 + 0 + 9 + 1 + 4) / 5))
        # Totals of 2 weeks: origins 0 .. 3, bias per week.
        scored = fc.evaluate([24.0] * 5, actual, 0, scale=scale, steps=2)
        self.assertEqual(scored["n"], 4)
        self.assertAlmostEqual(scored["bias"], (4 * 24 - (22 + 21 + 20 + 21)) / 4 / 2)
        self.assertIsNone(fc.evaluate([None] * 5, actual, 0))
        self.assertEqual(fc.naive_scale([5.0] * 4), 5.0, "no change: the mean")

    def test_choice_per_group_and_forecast_of_a_series(self):
        seasonal = [_seasonal(104, level=50.0 + 10 * index) for index in range(5)]
        chosen = fc.choose_variants({fc.SEASONAL: seasonal}, 26, steps=4)
        self.assertEqual(chosen[fc.SEASONAL][0][0], "holt_winters")
        self.assertLess(chosen[fc.SEASONAL][1], 0.2, "the mean back-tested MASE of the choice")
        # Demand that stopped: TSB forecasts less and less, SBA keeps its rate, so TSB is more accurate.
        fading = [8.0, 0.0, 0.0] * 20 + [0.0] * 20
        releases = fc.stockout_releases(fading)
        scale = fc.naive_scale(fading, end=60)
        self.assertLess(
            fc.evaluate(fc.tsb(fading, releases)[0], fading, 60, scale=scale)["mase"],
            0.7 * fc.evaluate(fc.sba(fading, releases)[0], fading, 60, scale=scale)["mase"],
        )
        result = fc.forecast_series([7.0] * 20, ("exponential_smoothing", (("alpha", 0.2),)), 2.5, 8)
        self.assertAlmostEqual(result["total"], 17.5)
        self.assertAlmostEqual(result["rate"], 7.0)
        self.assertEqual(result["mase"], 0.0)
        self.assertEqual(result["n"], 8)
        self.assertEqual(fc.variant_label(("sba", (("alpha", 0.1),))), "sba(alpha=0.1)")
        self.assertEqual(fc.trim_leading_zeros([0.0, 0.0, 3.0, 0.0]), [3.0, 0.0])

    def test_spike_score_both_ways_against_the_error_band(self):
        base = [10.0, 12.0, 8.0, 11.0, 9.0, 10.0] * 4
        variant = ("moving_average", ())
        up = fc.spike_score(base + [40.0], fc.stockout_releases(base + [40.0]), variant)
        down = fc.spike_score(base + [1.0], fc.stockout_releases(base + [1.0]), variant)
        usual = fc.spike_score(base + [11.0], fc.stockout_releases(base + [11.0]), variant)
        self.assertGreater(up, 10)
        self.assertLess(down, -3)
        self.assertLess(abs(usual), 1)
        # Over 2 weeks: the total of the last two weeks against the forecast of 2-week totals.
        two = base + [25.0, 25.0]
        self.assertGreater(fc.spike_score(two, fc.stockout_releases(two), variant, weeks=2), 3)
        self.assertIsNone(fc.spike_score(base[:4], fc.stockout_releases(base[:4]), variant), "too short")
        flat = [10.0] * 10
        self.assertEqual(fc.spike_score(flat + [12.0], fc.stockout_releases(flat + [12.0]), variant), math.inf)
        self.assertEqual(fc.spike_score(flat + [10.0], fc.stockout_releases(flat + [10.0]), variant), 0.0)

    def test_adida_aggregates_to_four_week_buckets(self):
        # One demand of 8 every 4 weeks: every 4-week bucket holds 8, whatever its offset: 2 a week exactly.
        series = [0.0, 0.0, 0.0, 8.0] * 10
        releases = fc.stockout_releases(series, detect=False)
        ahead, path = fc.adida(series, releases, steps=4)
        self.assertEqual(ahead[:4], [None] * 4, "no bucket is complete before week 4")
        self.assertEqual(set(ahead[4:]), {8.0}, "the next 4 weeks' total, from every origin")
        self.assertEqual(path(3), [2.0, 2.0, 2.0])
        # Causal: the forecast of week t does not move when the weeks from t on change.
        changed = series[:21] + [50.0] * 19
        self.assertEqual(fc.adida(changed, fc.stockout_releases(changed, detect=False), steps=4)[0][:22],
                         ahead[:22])
        # A stock-out week in a bucket: the bucket is scaled up from its known weeks (3 weeks of 4 -> x4/3).
        flat = [4.0] * 12
        releases = [[(week, value)] for week, value in enumerate(flat)]
        releases[5] = [(5, None)]
        self.assertEqual(fc.adida(flat, releases)[1](1), [4.0])

    def test_imapa_averages_the_aggregation_levels(self):
        # Demand of 6 every other week: SBA on weeks (size 6, interval 2) and on 2-week buckets (6 every
        # bucket, then / 2) both give 0.95 x 3 a week.
        series = [0.0, 6.0] * 20
        releases = fc.stockout_releases(series, detect=False)
        _ahead, path = fc.imapa(series, releases, levels=(1, 2), base="sba", alpha=0.1)
        self.assertAlmostEqual(path(1)[0], 0.95 * 3)
        ahead = fc.imapa(series, releases, levels=(1, 2), base="sba", alpha=0.1, steps=4)[0]
        self.assertAlmostEqual(ahead[-1], 4 * 0.95 * 3)

    def test_combination_is_the_mean_of_its_members(self):
        series = [5.0] * 30
        releases = fc.stockout_releases(series, detect=False)
        # SBA debiases a steady 5 to 4.75; TSB, ADIDA and the moving average forecast 5.
        _ahead, path = fc.combination(series, releases)
        self.assertAlmostEqual(path(1)[0], (4.75 + 5 + 5 + 5) / 4)
        self.assertEqual(fc.variant_label(("adida", (("bucket", 4), ("base", "ses"), ("alpha", 0.1)))),
                         "adida(bucket=4, base=ses, alpha=0.1)")

    def test_choice_per_series_by_its_own_back_test(self):
        # Demand that stopped 20 weeks ago: TSB decays, SBA keeps its rate; the series' own back-test says so.
        fading = [8.0, 0.0, 0.0] * 20 + [0.0] * 20
        sba, tsb = ("sba", (("alpha", 0.1),)), ("tsb", (("alpha", 0.1), ("beta", 0.05)))
        variant, mase = fc.choose_series_variant(fading, (sba, tsb), 20, steps=4)
        self.assertEqual(variant, tsb)
        releases = fc.stockout_releases(fading)
        expected = fc.evaluate(fc.tsb(fading, releases, steps=4)[0], fading, 60,
                               scale=fc.naive_scale(fading, end=60), steps=4)["mase"]
        self.assertAlmostEqual(mase, expected)
        self.assertIsNone(fc.choose_series_variant([3.0], (sba, tsb), 20, steps=4), "nothing to score")
