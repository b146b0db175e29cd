"""Demand forecasting for the replenishment planner, in pure Python (no Odoo import, no NumPy).

Series are weekly demand quantities, **oldest first**. The planner and ``benchmarks/forecast_accuracy.py``
use the same functions:

- ``classify(series)``: smooth, erratic, intermittent or lumpy from the average demand interval (ADI) and
  the squared coefficient of variation of the non-zero demand sizes (CV²), Syntetos-Boylan cut-offs
  ADI 1.32 and CV² 0.49; ``detect_season(series)``: a yearly (52-week) season, from at least 78 weeks.
- ``stockout_releases(series)``: which weeks look like stock-outs (censored, skipped by every method), decided
  causally, i.e. only from weeks already seen (see the function).
- Methods (``METHODS``), each one pass over the series giving the one-step-ahead forecast of every week
  (rolling origin: the forecast of week t uses weeks before t only) and the path of the next weeks:
  moving average, simple exponential smoothing, Croston, SBA (Syntetos-Boylan approximation), TSB
  (Teunter-Syntetos-Babai), Holt's damped trend, Holt-Winters multiplicative (52-week season).
- ``evaluate(...)``: MASE, bias and RMSE of the one-step errors over a window; ``choose_variants(...)``:
  the variant with the best mean back-tested MASE per group (class, or 'seasonal').
"""

import math

SMOOTH = "smooth"
ERRATIC = "erratic"
INTERMITTENT = "intermittent"
LUMPY = "lumpy"
SEASONAL = "seasonal"
TREND = "trend"
CLASSES = (SMOOTH, ERRATIC, INTERMITTENT, LUMPY)
GROUPS = CLASSES + (SEASONAL, TREND)

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
SEASON_WEEKS = 52
MIN_SEASON_HISTORY = SEASON_WEEKS + SEASON_WEEKS // 2
SEASON_MIN_CORRELATION = 0.6
# A trend: the straight line through the history explains half its variance at least (R²) and moves by
# 40 % of the mean demand at least from the first week to the last, over 26 weeks at least.
TREND_MIN_R2 = 0.5
TREND_MIN_CHANGE = 0.4
TREND_MIN_HISTORY = 26
# A series with demand in at least this share of its weeks is expected to sell every week: a run of two
# or more zero weeks in it is taken for a stock-out rather than for no demand.
STOCKOUT_MIN_DEMAND_SHARE = 0.8


# ------------------------------------------------------------------------------------------------------
# Classification
# ------------------------------------------------------------------------------------------------------
def demand_profile(series, censored=None):
    """(ADI, CV²) of a series: weeks (not censored) per week with demand, and the squared coefficient of
    variation of the non-zero quantities. (inf, 0.0) without demand."""
    weeks = [value for index, value in enumerate(series) if not (censored and censored[index])]
    sizes = [value for value in weeks if value > 0]
    if not sizes:
        return math.inf, 0.0
    adi = len(weeks) / len(sizes)
    mean = sum(sizes) / len(sizes)
    variance = sum((size - mean) ** 2 for size in sizes) / len(sizes)
    return adi, variance / (mean * mean)


def classify(series, censored=None):
    """Syntetos-Boylan class of a series: 'smooth' (ADI < 1.32, CV² < 0.49), 'erratic' (ADI < 1.32),
    'intermittent' (CV² < 0.49) or 'lumpy'. A series without demand is intermittent."""
    adi, cv2 = demand_profile(series, censored)
    if adi < ADI_CUTOFF:
        return SMOOTH if cv2 < CV2_CUTOFF else ERRATIC
    return INTERMITTENT if cv2 < CV2_CUTOFF else LUMPY


def _centered_mean(series, half_width):
    """Centered moving average (window 2 x half_width + 1, shortened at both ends)."""
    count = len(series)
    result = []
    for index in range(count):
        window = series[max(index - half_width, 0): index + half_width + 1]
        result.append(sum(window) / len(window))
    return result


def detect_season(series, censored=None, period=SEASON_WEEKS):
    """Whether a series repeats itself every ``period`` weeks: the correlation between each week and the
    same week a period earlier, on the series smoothed over 5 weeks with its linear trend removed (a trend
    alone would correlate), is at least SEASON_MIN_CORRELATION. Needs 1.5 periods of history (half a
    period of pairs at least); censored weeks are replaced by their neighbours' mean first."""
    count = len(series)
    if count < period + period // 2:
        return False
    values = list(series)
    if censored:
        known = [value for index, value in enumerate(series) if not censored[index]]
        fill = sum(known) / len(known) if known else 0.0
        values = [fill if censored[index] else value for index, value in enumerate(series)]
    smoothed = _centered_mean(values, 2)
    mean_x = (count - 1) / 2.0
    mean_y = sum(smoothed) / count
    sxx = sum((index - mean_x) ** 2 for index in range(count))
    slope = sum((index - mean_x) * (value - mean_y) for index, value in enumerate(smoothed)) / sxx
    residuals = [value - mean_y - slope * (index - mean_x) for index, value in enumerate(smoothed)]
    current, previous = residuals[period:], residuals[:-period]
    mean_c, mean_p = sum(current) / len(current), sum(previous) / len(previous)
    cov = sum((c - mean_c) * (p - mean_p) for c, p in zip(current, previous, strict=True))
    var_c = sum((c - mean_c) ** 2 for c in current)
    var_p = sum((p - mean_p) ** 2 for p in previous)
    if var_c <= 0 or var_p <= 0:
        return False
    return cov / math.sqrt(var_c * var_p) >= SEASON_MIN_CORRELATION


def detect_trend(series, censored=None):
    """Whether a series follows a trend (TREND_MIN_R2, TREND_MIN_CHANGE, TREND_MIN_HISTORY); censored weeks
    are left out of the fit."""
    points = [(index, value) for index, value in enumerate(series) if not (censored and censored[index])]
    count = len(points)
    if count < TREND_MIN_HISTORY:
        return False
    mean_x = sum(index for index, _value in points) / count
    mean_y = sum(value for _index, value in points) / count
    sxx = sum((index - mean_x) ** 2 for index, _value in points)
    syy = sum((value - mean_y) ** 2 for _index, value in points)
    if mean_y <= 0 or sxx <= 0 or syy <= 0:
        return False
    slope = sum((index - mean_x) * (value - mean_y) for index, value in points) / sxx
    r2 = slope * slope * sxx / syy
    return r2 >= TREND_MIN_R2 and abs(slope) * (len(series) - 1) >= TREND_MIN_CHANGE * mean_y


# ------------------------------------------------------------------------------------------------------
# Stock-outs
# ------------------------------------------------------------------------------------------------------
def stockout_candidate(series):
    """Whether zero weeks of this series may be stock-outs: it has demand in most weeks
    (STOCKOUT_MIN_DEMAND_SHARE). In an intermittent series a zero week is ordinary; telling a stock-out
    there needs the stock levels, which the weekly history does not have."""
    if not series:
        return False
    return sum(1 for value in series if value > 0) >= STOCKOUT_MIN_DEMAND_SHARE * len(series)


def stockout_releases(series, detect=None):
    """The observations each method takes in after forecasting week t: ``releases[t]`` is a list of
    (week, quantity or None), None for a week taken for a stock-out (time passes, nothing is learnt).

    Causal: a zero week of a candidate series (``stockout_candidate``) is held back one week; when the next
    week is zero too, both are stock-out weeks (and so are the zeros that follow); when it sells, the zero
    was a real week without demand and is released with it. The forecast of week t therefore never uses
    week t. ``detect`` None: for candidate series only; False: every week is released as it comes."""
    count = len(series)
    if detect is None:
        detect = stockout_candidate(series)
    if not detect:
        return [[(index, series[index])] for index in range(count)]
    releases = [[] for _index in range(count)]
    pending = None
    for index, value in enumerate(series):
        if value > 0:
            if pending is not None:
                releases[index].append((pending, 0.0))
                pending = None
            releases[index].append((index, value))
        elif pending is not None:
            releases[index] += [(pending, None), (index, None)]
            pending = None
        elif index and releases[index - 1] and releases[index - 1][-1][1] is None:
            releases[index].append((index, None))  # the stock-out goes on
        else:
            pending = index
    if pending is not None:
        releases[-1].append((pending, 0.0))
    return releases


def censored_weeks(releases):
    """[bool per week]: the weeks ``stockout_releases`` took for stock-outs."""
    flags = [False] * len(releases)
    for released in releases:
        for index, value in released:
            if value is None:
                flags[index] = True
    return flags


# ------------------------------------------------------------------------------------------------------
# Methods: each returns (ahead, path). ahead[t] is the forecast of the total of weeks t .. t + steps - 1
# made after week t - 1 (rolling origin; None while the method has nothing to say); path(h) the forecasts
# of each of the h weeks after the series.
# ------------------------------------------------------------------------------------------------------
def moving_average(series, releases, window=13, steps=1):
    """Mean of the last ``window`` weeks (stock-out weeks skipped when detected)."""
    ahead = []
    seen = []
    for index in range(len(series)):
        ahead.append(steps * sum(seen[-window:]) / len(seen[-window:]) if seen else None)
        seen.extend(value for _week, value in releases[index] if value is not None)
    level = sum(seen[-window:]) / len(seen[-window:]) if seen else 0.0
    return ahead, lambda horizon: [level] * horizon


def ses(series, releases, alpha=0.2, steps=1):
    """Simple exponential smoothing; the level starts at the first week."""
    ahead = []
    level = None
    for index in range(len(series)):
        ahead.append(steps * level if level is not None else None)
        for _week, value in releases[index]:
            if value is None:
                continue
            level = value if level is None else level + alpha * (value - level)
    final = level or 0.0
    return ahead, lambda horizon: [final] * horizon


def croston(series, releases, alpha=0.1, debias=True, steps=1):
    """Croston's method: sizes and intervals between demands smoothed separately, forecast size / interval;
    with ``debias`` the Syntetos-Boylan approximation (SBA) multiplies it by 1 - alpha / 2. Stock-out weeks
    do not count in the intervals."""
    factor = steps * (1.0 - alpha / 2.0 if debias else 1.0)
    ahead = []
    size = interval = None
    since = 0
    for index in range(len(series)):
        ahead.append(factor * size / interval if size is not None else None)
        for _week, value in releases[index]:
            if value is None:
                continue
            since += 1
            if value > 0:
                if size is None:
                    size, interval = value, float(since)
                else:
                    size += alpha * (value - size)
                    interval += alpha * (since - interval)
                since = 0
    rate = factor / steps * size / interval if size is not None else 0.0
    return ahead, lambda horizon: [rate] * horizon


def sba(series, releases, alpha=0.1, steps=1):
    """Syntetos-Boylan approximation: Croston debiased."""
    return croston(series, releases, alpha=alpha, debias=True, steps=steps)


def tsb(series, releases, alpha=0.1, beta=0.05, steps=1):
    """Teunter-Syntetos-Babai: the demand size smoothed at demands (alpha), the probability of a demand
    smoothed every week (beta), so the forecast decays while nothing sells (obsolescence)."""
    ahead = []
    size = None
    probability = 0.0
    for index in range(len(series)):
        ahead.append(steps * probability * size if size is not None else None)
        for _week, value in releases[index]:
            if value is None:
                continue
            if size is None:
                if value > 0:
                    size, probability = value, 1.0 / (index + 1)
                continue
            probability += beta * ((1.0 if value > 0 else 0.0) - probability)
            if value > 0:
                size += alpha * (value - size)
    rate = probability * size if size is not None else 0.0
    return ahead, lambda horizon: [rate] * horizon


def _damped_sum(phi, steps):
    """phi + phi^2 + ... + phi^steps."""
    if phi == 1.0:
        return float(steps)
    return phi * (1 - phi**steps) / (1 - phi)


def holt(series, releases, alpha=0.2, beta=0.05, phi=0.9, steps=1):
    """Holt's linear method with a damped trend (phi): level and trend smoothed; never below zero."""
    damping = [_damped_sum(phi, step) for step in range(1, steps + 1)]
    ahead = []
    level = trend = None
    for index in range(len(series)):
        ahead.append(sum(max(level + damped * trend, 0.0) for damped in damping) if level is not None else None)
        for _week, value in releases[index]:
            if value is None:
                continue
            if level is None:
                level, trend = value, 0.0
                continue
            previous = level
            level = alpha * value + (1 - alpha) * (level + phi * trend)
            trend = beta * (level - previous) + (1 - beta) * phi * trend

    def path(horizon):
        if level is None:
            return [0.0] * horizon
        return [max(level + _damped_sum(phi, step) * trend, 0.0) for step in range(1, horizon + 1)]

    return ahead, path


def holt_winters(series, releases, alpha=0.2, beta=0.0, gamma=0.1, phi=0.9, period=SEASON_WEEKS, steps=1):
    """Holt-Winters with multiplicative season of ``period`` weeks and a damped trend (beta 0: none).
    Initialised on the first period: level its mean, seasonal indices each week over that mean, smoothed
    over 5 weeks (a single year's week is noisy) and normalised to a mean of 1. Forecasts start after it;
    a series shorter than a period gets simple exponential smoothing."""
    count = len(series)
    if count < period:
        return ses(series, releases, alpha, steps=steps)
    ahead = [None] * period
    first = [value for index in range(period) for week, value in releases[index] if week < period]
    known = [value for value in first if value is not None]
    level = sum(known) / len(known) if known else 0.0
    censored = {week for index in range(period) for week, value in releases[index] if value is None}
    raw = [1.0 if week in censored or level <= 0 else series[week] / level for week in range(period)]
    seasonal = [sum(raw[(week + shift) % period] for shift in range(-2, 3)) / 5.0 for week in range(period)]
    norm = sum(seasonal) / period or 1.0
    seasonal = [max(index / norm, 0.05) for index in seasonal]
    trend = 0.0
    damping = [_damped_sum(phi, step) for step in range(1, steps + 1)]
    for index in range(period, count):
        ahead.append(sum(max((level + damped * trend) * seasonal[(index + step) % period], 0.0)
                         for step, damped in enumerate(damping)))
        for week, value in releases[index]:
            if value is None:
                continue
            season = seasonal[week % period]
            previous = level
            level = max(alpha * value / season + (1 - alpha) * (level + phi * trend), 1e-9)
            if beta:
                trend = beta * (level - previous) + (1 - beta) * phi * trend
            seasonal[week % period] = max(gamma * value / level + (1 - gamma) * season, 0.05)

    def path(horizon):
        return [
            max((level + _damped_sum(phi, step) * trend) * seasonal[(count + step - 1) % period], 0.0)
            for step in range(1, horizon + 1)
        ]

    return ahead, path


def _bucket_forecaster(base, alpha):
    """(update(total), rate()) of a forecaster of bucket totals: simple exponential smoothing ('ses') or the
    Syntetos-Boylan approximation ('sba', for aggregated series that are still intermittent)."""
    state = {"level": None, "size": None, "interval": None, "since": 0}
    if base == "ses":
        def update(total):
            state["level"] = total if state["level"] is None else state["level"] + alpha * (total - state["level"])

        return update, lambda: state["level"]

    def update_sba(total):
        state["since"] += 1
        if total > 0:
            if state["size"] is None:
                state["size"], state["interval"] = total, float(state["since"])
            else:
                state["size"] += alpha * (total - state["size"])
                state["interval"] += alpha * (state["since"] - state["interval"])
            state["since"] = 0

    def rate_sba():
        if state["size"] is None:
            return None
        return (1.0 - alpha / 2.0) * state["size"] / state["interval"]

    return update_sba, rate_sba


def _aggregated_rates(series, releases, bucket, base="ses", alpha=0.1):
    """Temporal aggregation (the core of ADIDA and IMAPA): [rate per week or None] for each origin t, from
    the totals of ``bucket``-week buckets ending at t - 1 (non-overlapping, so one bucket series per offset,
    each forecast by ``base``; the forecast of week t uses the series whose last bucket ended just before
    it), divided by ``bucket`` (disaggregation: equal weights). A bucket enters its series once all its weeks
    are known; a bucket with stock-out weeks is scaled up from its known weeks (skipped when most of it is
    censored). Also the rate after the last week."""
    count = len(series)
    forecasters = [_bucket_forecaster(base, alpha) for _offset in range(bucket)]
    known = [None] * count
    released = [False] * count
    cumulative = [0.0]
    censored = [0]
    frontier = -1  # every week up to here is known
    rates = []
    for index in range(count + 1):
        offset = index % bucket
        rate = forecasters[offset][1]()
        rates.append(rate / bucket if rate is not None else None)
        if index == count:
            break
        for week, value in releases[index]:
            released[week] = True
            known[week] = value
        while frontier + 1 < count and released[frontier + 1]:
            frontier += 1
            value = known[frontier]
            cumulative.append(cumulative[-1] + (value or 0.0))
            censored.append(censored[-1] + (value is None))
            start = frontier - bucket + 1
            if start < 0:
                continue
            missing = censored[-1] - censored[start]
            if 2 * missing > bucket:
                continue
            total = (cumulative[-1] - cumulative[start]) * bucket / (bucket - missing)
            forecasters[(frontier + 1) % bucket][0](total)
    return rates


def adida(series, releases, bucket=4, base="ses", alpha=0.1, steps=1):
    """ADIDA (Nikolopoulos et al. 2011): the weeks aggregated into ``bucket``-week totals, which are far less
    intermittent, forecast by ``base`` (SES or SBA), the forecast disaggregated back to weeks in equal parts.
    Buckets of 4 weeks: the quantity a purchase covers."""
    rates = _aggregated_rates(series, releases, bucket, base, alpha)
    ahead = [steps * rate if rate is not None else None for rate in rates[:-1]]
    final = rates[-1] or 0.0
    return ahead, lambda horizon: [final] * horizon


def imapa(series, releases, levels=(1, 2, 3, 4, 5, 6), base="sba", alpha=0.1, steps=1):
    """IMAPA (Petropoulos and Kourentzes 2015): the series aggregated at each of ``levels`` weeks, each
    forecast by ``base`` and disaggregated to a weekly rate, the rates averaged (equal weights): no single
    aggregation level to choose, and the high-frequency and the low-frequency components both kept."""
    per_level = [_aggregated_rates(series, releases, level, base, alpha) for level in levels]
    rates = []
    for index in range(len(series) + 1):
        known = [level_rates[index] for level_rates in per_level if level_rates[index] is not None]
        rates.append(sum(known) / len(known) if known else None)
    ahead = [steps * rate if rate is not None else None for rate in rates[:-1]]
    final = rates[-1] or 0.0
    return ahead, lambda horizon: [final] * horizon


# The members of the combination: each one of the better-known intermittent-demand methods with its usual
# parameters (Petropoulos et al. 2014: combining them is more robust than choosing one).
COMBINATION_MEMBERS = (
    ("sba", (("alpha", 0.1),)),
    ("tsb", (("alpha", 0.1), ("beta", 0.05))),
    ("adida", (("bucket", 4), ("base", "ses"), ("alpha", 0.1))),
    ("moving_average", ()),
)


def combination(series, releases, window=13, steps=1):
    """The mean of the forecasts of COMBINATION_MEMBERS (each origin: the members that have a forecast)."""
    members = [run_variant(series, releases, variant, window, steps) for variant in COMBINATION_MEMBERS]
    ahead = []
    for index in range(len(series)):
        known = [member[0][index] for member in members if member[0][index] is not None]
        ahead.append(sum(known) / len(known) if known else None)

    def path(horizon):
        paths = [member[1](horizon) for member in members]
        return [sum(values) / len(values) for values in zip(*paths, strict=True)]

    return ahead, path


METHODS = {
    "moving_average": moving_average,
    "exponential_smoothing": ses,
    "croston": lambda series, releases, alpha=0.1, steps=1: croston(series, releases, alpha, False, steps),
    "sba": sba,
    "tsb": tsb,
    "holt": holt,
    "holt_winters": holt_winters,
    "adida": adida,
    "imapa": imapa,
    "combination": combination,
}

# Candidate variants (method, parameters) back-tested per group; the planner picks the best of each group.
_SMOOTH_CANDIDATES = (
    ("moving_average", ()),
    ("exponential_smoothing", (("alpha", 0.1),)),
    ("exponential_smoothing", (("alpha", 0.2),)),
    ("exponential_smoothing", (("alpha", 0.4),)),
    ("holt", (("alpha", 0.2), ("beta", 0.05), ("phi", 0.9))),
)
_INTERMITTENT_CANDIDATES = (
    ("moving_average", ()),
    ("exponential_smoothing", (("alpha", 0.1),)),
    ("sba", (("alpha", 0.05),)),
    ("sba", (("alpha", 0.1),)),
    ("sba", (("alpha", 0.2),)),
    ("tsb", (("alpha", 0.1), ("beta", 0.05))),
    ("tsb", (("alpha", 0.2), ("beta", 0.1))),
    # Slower sizes: the one point of the alpha x beta grid (0.05-0.3 x 0.02-0.2) that the rolling-origin
    # benchmark found better than the two above (lumpy series); ADIDA, IMAPA, their combination and a choice
    # per series all did worse there than the choice per class, so they are pinnable methods, not candidates.
    ("tsb", (("alpha", 0.05), ("beta", 0.05))),
)
CANDIDATES = {
    SMOOTH: _SMOOTH_CANDIDATES,
    ERRATIC: _SMOOTH_CANDIDATES,
    INTERMITTENT: _INTERMITTENT_CANDIDATES,
    LUMPY: _INTERMITTENT_CANDIDATES,
    TREND: _SMOOTH_CANDIDATES + (("holt", (("alpha", 0.3), ("beta", 0.1), ("phi", 0.95))),),
    SEASONAL: _SMOOTH_CANDIDATES + (
        ("holt_winters", (("alpha", 0.2), ("beta", 0.0), ("gamma", 0.1))),
        ("holt_winters", (("alpha", 0.1), ("beta", 0.0), ("gamma", 0.05))),
        ("holt_winters", (("alpha", 0.2), ("beta", 0.05), ("gamma", 0.1), ("phi", 0.9))),
    ),
}
# The variant a pinned method runs with.
DEFAULT_VARIANTS = {
    "moving_average": ("moving_average", ()),
    "exponential_smoothing": ("exponential_smoothing", (("alpha", 0.2),)),
    "croston": ("croston", (("alpha", 0.1),)),
    "sba": ("sba", (("alpha", 0.1),)),
    "tsb": ("tsb", (("alpha", 0.1), ("beta", 0.05))),
    "holt": ("holt", (("alpha", 0.2), ("beta", 0.05), ("phi", 0.9))),
    "holt_winters": ("holt_winters", (("alpha", 0.2), ("beta", 0.0), ("gamma", 0.1))),
    "adida": ("adida", (("bucket", 4), ("base", "ses"), ("alpha", 0.1))),
    "imapa": ("imapa", (("base", "sba"), ("alpha", 0.1))),
    "combination": ("combination", ()),
}


def variant_label(variant):
    """'sba(alpha=0.1)' for people and logs."""
    method, params = variant
    if not params:
        return method
    return "{}({})".format(
        method, ", ".join(f"{key}={value:g}" if isinstance(value, float | int) else f"{key}={value}"
                          for key, value in params)
    )


def run_variant(series, releases, variant, window=13, steps=1):
    """(ahead, path) of a variant (see the methods); the moving average over ``window`` weeks."""
    method, params = variant
    kwargs = dict(params, steps=steps)
    if method in ("moving_average", "combination"):
        kwargs.setdefault("window", window)
    return METHODS[method](series, releases, **kwargs)


# ------------------------------------------------------------------------------------------------------
# Accuracy
# ------------------------------------------------------------------------------------------------------
def naive_scale(series, censored=None, end=None):
    """In-sample mean absolute one-week change (the MASE denominator) over weeks before ``end``, stock-out
    weeks skipped; the mean demand when the series never changes, 1 when it is empty."""
    end = len(series) if end is None else end
    values = [value for index, value in enumerate(series[:end]) if not (censored and censored[index])]
    changes = [abs(values[index] - values[index - 1]) for index in range(1, len(values))]
    scale = sum(changes) / len(changes) if changes else 0.0
    if scale > 0:
        return scale
    mean = sum(values) / len(values) if values else 0.0
    return mean if mean > 0 else 1.0


def evaluate(ahead, actual, start, end=None, scale=1.0, censored=None, steps=1):
    """Accuracy of rolling-origin forecasts of ``steps``-week totals (``ahead``, see the methods) against
    ``actual`` for the origins in [start, end - steps]: a dict with mase (mean absolute error / (scale x
    steps), so that steps 1 is the usual MASE with the in-sample naive scale), bias (mean error, forecast -
    actual, in units per week), rmse (of the totals), mean (actual per week) and n (origins scored: with a
    forecast and no censored week in the total). None when no origin could be scored."""
    end = len(actual) if end is None else end
    errors = []
    total = 0.0
    for index in range(max(start, 0), end - steps + 1):
        forecast = ahead[index]
        if forecast is None or (censored and any(censored[index:index + steps])):
            continue
        actual_total = sum(actual[index:index + steps])
        errors.append(forecast - actual_total)
        total += actual_total
    if not errors:
        return None
    count = len(errors)
    return {
        "mase": sum(abs(error) for error in errors) / count / (scale * steps),
        "bias": sum(errors) / count / steps,
        "rmse": math.sqrt(sum(error * error for error in errors) / count),
        "mean": total / count / steps,
        "n": count,
    }


def horizon_total(path, horizon_weeks):
    """Forecast over a horizon of (fractional) weeks from a method's path."""
    whole = int(math.floor(horizon_weeks))
    steps = path(whole + 1)
    return sum(steps[:whole]) + (horizon_weeks - whole) * steps[whole]


def trim_leading_zeros(series):
    """The series from its first week with demand (before it, the product was not sold yet)."""
    for index, value in enumerate(series):
        if value > 0:
            return series[index:]
    return []


def group_of(series, censored=None):
    """(class, group): the Syntetos-Boylan class and the group the method is chosen for: 'seasonal' when a
    smooth or erratic series shows a season (an intermittent one has too few demands to tell a season from
    chance, and a multiplicative season on it goes wrong), else 'trend' when it follows a trend, else the
    class."""
    demand_class = classify(series, censored)
    if demand_class in (SMOOTH, ERRATIC):
        if detect_season(series, censored):
            return demand_class, SEASONAL
        if detect_trend(series, censored):
            return demand_class, TREND
    return demand_class, demand_class


def _scale_end(start, minimum=8):
    """Where the in-sample part of a back-tested series ends: before the back-test window when at least
    ``minimum`` weeks precede it, else the whole series (a short history has too few changes to scale by)."""
    return start if start >= minimum else None


def choose_variants(samples, backtest_weeks, window=13, steps=1):
    """{group: (variant, mean MASE)}: per group, the candidate with the lowest mean back-tested MASE of its
    ``steps``-week totals over the last ``backtest_weeks`` weeks of its sample series. ``samples`` is
    {group: [series, ...]} (oldest first, leading zeros trimmed). A group without a scored series gets no
    choice."""
    chosen = {}
    for group, series_list in samples.items():
        totals = {}
        for series in series_list:
            releases = stockout_releases(series, stockout_candidate(series))
            censored = censored_weeks(releases)
            start = len(series) - backtest_weeks
            scale = naive_scale(series, censored, end=_scale_end(start))
            for variant in CANDIDATES[group]:
                ahead = run_variant(series, releases, variant, window, steps)[0]
                scored = evaluate(ahead, series, start, scale=scale, censored=censored, steps=steps)
                if scored:
                    total = totals.setdefault(variant, [0.0, 0])
                    total[0] += scored["mase"]
                    total[1] += 1
        if totals:
            best = min(totals, key=lambda variant: (totals[variant][0] / totals[variant][1],
                                                    CANDIDATES[group].index(variant)))
            chosen[group] = (best, totals[best][0] / totals[best][1])
    return chosen


def choose_series_variant(series, candidates, backtest_weeks, window=13, steps=1):
    """(variant, MASE): the candidate with the lowest back-tested MASE on this one series (rolling origin
    over its last ``backtest_weeks`` weeks, as ``choose_variants`` does for a group), or None when nothing
    could be scored. The benchmark's per-series choice: on intermittent demand 26 weeks hold a handful of
    demands, and the choice follows their noise (see benchmarks/README.md)."""
    releases = stockout_releases(series, stockout_candidate(series))
    censored = censored_weeks(releases)
    start = len(series) - backtest_weeks
    scale = naive_scale(series, censored, end=_scale_end(start))
    best = None
    for variant in candidates:
        ahead = run_variant(series, releases, variant, window, steps)[0]
        scored = evaluate(ahead, series, start, scale=scale, censored=censored, steps=steps)
        if scored and (best is None or scored["mase"] < best[1]):
            best = (variant, scored["mase"])
    return best


def spike_score(series, releases, variant, weeks=1, backtest_weeks=26, window=13, min_scored=4):
    """How far the demand of the last ``weeks`` weeks is from what the variant forecast for them, in units
    of the forecast's error band: (actual - forecast) / RMSE of the variant's back-tested forecasts of
    ``weeks``-week totals over the ``backtest_weeks`` before them. Positive: more sold than forecast (a
    spike), negative: less (a drop, or a stock-out starting). None without ``min_scored`` back-tested
    forecasts; +-inf when the band is zero and the demand differs."""
    count = len(series)
    origin = count - weeks
    if origin < 1:
        return None
    ahead = run_variant(series, releases, variant, window, weeks)[0]
    if ahead[origin] is None:
        return None
    censored = censored_weeks(releases)
    band = evaluate(ahead, series, origin - backtest_weeks, end=origin, censored=censored, steps=weeks)
    if not band or band["n"] < min_scored:
        return None
    deviation = sum(series[origin:]) - ahead[origin]
    if band["rmse"] == 0:
        return math.copysign(math.inf, deviation) if deviation else 0.0
    return deviation / band["rmse"]


def forecast_series(series, variant, horizon_weeks, backtest_weeks, window=13, steps=1, detect_stockouts=True,
                    spike_weeks=1):
    """Forecast of one series (oldest first) with a variant: a dict with total (forecast over the horizon
    of fractional weeks), rate (per week), censored (stock-out weeks found) and the back-test of its
    rolling-origin forecasts of ``steps``-week totals over the last ``backtest_weeks`` weeks: mase, bias (per
    week), rmse (of the totals), n (origins scored); mase None when nothing could be scored; spike: the
    ``spike_score`` of the last ``spike_weeks`` weeks (None when it cannot be told); next_total: the forecast
    of the ``steps`` weeks after the series and scale: the MASE scale of the whole series, against which that
    forecast is scored once the weeks have passed (realised accuracy)."""
    releases = stockout_releases(series, detect_stockouts and stockout_candidate(series))
    censored = censored_weeks(releases)
    ahead, path = run_variant(series, releases, variant, window, steps)
    total = horizon_total(path, horizon_weeks) if series else 0.0
    start = len(series) - backtest_weeks
    scored = evaluate(ahead, series, start, scale=naive_scale(series, censored, end=_scale_end(start)),
                      censored=censored, steps=steps) or {}
    return {
        "total": total,
        "rate": total / horizon_weeks if horizon_weeks else (path(1)[0] if series else 0.0),
        "mase": scored.get("mase"),
        "bias": scored.get("bias", 0.0),
        "rmse": scored.get("rmse", 0.0),
        "n": scored.get("n", 0),
        "censored": sum(censored),
        "next_total": horizon_total(path, steps) if series else 0.0,
        "scale": naive_scale(series, censored),
        "spike": spike_score(series, releases, variant, spike_weeks, backtest_weeks, window) if spike_weeks else None,
    }
