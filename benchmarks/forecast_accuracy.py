#!/usr/bin/env python3
"""Forecast accuracy benchmark: the replenishment planner's forecasting (distribution_replenishment's
models/forecasting.py) on generated weekly demand whose process is known, against the moving average
the planner used by default before (the mean of the last 13 weeks of sales, i.e. 90 days of history).

    forecast_accuracy.py [--series 5000] [--seed 20261207] [--history 104] [--evaluate 52] [--steps 4]
                         [--median-oracle 301]

Pure Python, no database: the forecasting module is loaded from its file. Each series has ``--history``
weeks of history (2 years) and ``--evaluate`` weeks after it; the processes (equal shares):

- smooth: a level of 20-200 a week drifting as a slow random walk, normal noise (CV 0.1-0.35);
- intermittent: demand in 15-60 % of the weeks, sizes of low variability (CV² < 0.49); a third stationary,
  a third with the demand probability changing once (x0.4 to x2.5), a third fading to a fifth (obsolescence);
- lumpy: the same occurrence patterns, sizes of high variability (lognormal, CV² 0.6-2.5);
- seasonal: a yearly sine (amplitude 30-80 %, random phase) on a level of 20-200, noise CV 0.1-0.25;
- trend: a level of 20-200 growing or shrinking 0.4-1.2 % a week, noise CV 0.1-0.25;
- stockout: smooth demand whose sales are zero during stock-out episodes of 2-6 weeks (about 10 % of the
  weeks, history and evaluation alike).

What the planner does (as ``distribution.replenishment.run`` in 'auto'): on the history only, each series
is classified (ADI/CV², stock-out weeks detected and skipped), its group is 'seasonal' when a season is
detected, else its class; per group the candidate with the best mean MASE over the last 26 weeks of
history (one-step, rolling origin) is chosen. Then every method is evaluated by rolling origin over the
evaluation weeks: at each week the forecast made from the sales up to the week before (the methods see
sales, stock-outs included), scored against the true demand of the week. Per process it prints the mean
MASE (scaled by the history's mean absolute week-to-week change) and the bias (sum of errors / sum of
demand, %) of the moving average, of each method with its default parameters, and of the planner's choice,
and whether the goals are met (a row also shows the choice made per series instead of per class on
intermittent and lumpy series: each one's best candidate back-tested on its own last 26 weeks of history):
the choice at least 15 % better than the moving average in MASE on
intermittent and lumpy series, 25 % on seasonal ones, and worse on none. Exits 0 either way.

The ceiling: an **oracle** row forecasts each total with the true expected demand of the generating process
over the same weeks (the generator knows it: the level, season or trend, the probability of a demand times
the expected size), scored the same way. Its gain over the moving average is the most an unbiased forecast
can gain on these series; where it is below a goal, the goal cannot be reached and the report says so.
With ``--median-oracle N`` a second oracle forecasts the median of the true process's total (N simulations
per origin; intermittent and lumpy series only): the lowest expected absolute error, reached by
under-forecasting the mean, which is what a mean-absolute-error measure rewards on skewed demand.
"""

import argparse
import importlib.util
import math
import pathlib
import random
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODULE = ROOT / "addons" / "distribution_replenishment" / "models" / "forecasting.py"
PROCESSES = ("smooth", "intermittent", "lumpy", "seasonal", "trend", "stockout")
GOALS = {"intermittent": 0.15, "lumpy": 0.15, "seasonal": 0.25}
BASELINE = ("moving_average", ())
BACKTEST_WEEKS = 26
WINDOW = 13
ORACLE = "oracle (true expected demand)"
MEDIAN_ORACLE = "median oracle (true process)"


def load_forecasting():
    spec = importlib.util.spec_from_file_location("forecasting", MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _occurrence_probabilities(rng, weeks):
    """Demand probability per week: stationary, one change, or fading (obsolescence)."""
    base = rng.uniform(0.15, 0.6)
    kind = rng.randrange(3)
    if kind == 0:
        return [base] * weeks
    if kind == 1:
        change = rng.randrange(weeks // 4, weeks)
        factor = rng.uniform(0.4, 2.5)
        return [base if week < change else min(base * factor, 0.7) for week in range(weeks)]
    return [base * (1 - 0.8 * week / (weeks - 1)) for week in range(weeks)]


def _stockouts(rng, weeks):
    """[bool per week]: stock-out episodes of 2-6 weeks, about 10 % of the weeks."""
    out = [False] * weeks
    week = rng.randrange(4, 20)
    while week < weeks:
        length = rng.randint(2, 6)
        for index in range(week, min(week + length, weeks)):
            out[index] = True
        week += length + rng.randint(20, 60)
    return out


def _expected_size(draw, seed, samples=4000):
    """The expected demand size of a size distribution, by simulation on a generator of its own (so the
    series themselves do not change)."""
    own = random.Random(seed)
    return sum(draw(own) for _sample in range(samples)) / samples


def generate(rng, process, weeks):
    """(true demand, sales, expected demand, size) of one series of a process, ``weeks`` long. The expected
    demand of a week is what the process would give on average that week (its level, season or trend, times
    the probability of a demand for intermittent series): what an oracle knowing the process forecasts.
    size: for intermittent and lumpy series, (function drawing a demand size from a random generator,
    expected size), else None."""
    if process in ("smooth", "stockout"):
        level = rng.uniform(20, 200)
        cv = rng.uniform(0.1, 0.35)
        demand, means = [], []
        for _week in range(weeks):
            level = max(level * (1 + rng.gauss(0, 0.02)), 1.0)
            means.append(level)
            demand.append(max(round(rng.gauss(level, cv * level)), 0))
        if process == "stockout":
            out = _stockouts(rng, weeks)
            return demand, [0 if out[week] else value for week, value in enumerate(demand)], means, None
        return demand, list(demand), means, None
    if process in ("intermittent", "lumpy"):
        probabilities = _occurrence_probabilities(rng, weeks)
        mean_size = rng.uniform(3, 40)
        if process == "intermittent":
            cv = rng.uniform(0.1, 0.5)
            draw = lambda source: max(round(source.gauss(mean_size, cv * mean_size)), 1)  # noqa: E731
        else:
            sigma = math.sqrt(math.log(1 + rng.uniform(0.6, 2.5)))
            draw = lambda source: max(  # noqa: E731
                round(source.lognormvariate(math.log(mean_size) - sigma**2 / 2, sigma)), 1
            )
        demand = [draw(rng) if rng.random() < probabilities[week] else 0 for week in range(weeks)]
        expected = _expected_size(draw, int(mean_size * 1e6))
        return demand, list(demand), [probability * expected for probability in probabilities], (draw, expected)
    level = rng.uniform(20, 200)
    cv = rng.uniform(0.1, 0.25)
    if process == "seasonal":
        amplitude, phase = rng.uniform(0.3, 0.8), rng.uniform(0, 2 * math.pi)
        means = [level * (1 + amplitude * math.sin(2 * math.pi * week / 52 + phase)) for week in range(weeks)]
    else:
        growth = rng.choice((-1, 1)) * rng.uniform(0.004, 0.012)
        means = [level * (1 + growth) ** week for week in range(weeks)]
    demand = [max(round(rng.gauss(mean, cv * mean)), 0) for mean in means]
    return demand, list(demand), means, None


def median_oracle(item, args):
    """Rolling-origin forecasts (evaluation weeks only) of an intermittent or lumpy series by the median of
    its true process's total over the next ``steps`` weeks (``--median-oracle`` simulations per origin, from
    the true probabilities of a demand and the true size distribution): the forecast that minimises the
    expected absolute error, hence the MASE, knowing the process. Below the mean for skewed totals."""
    draw, expected = item["size"]
    probabilities = [mean / expected for mean in item["means"]]
    own = random.Random(len(item["means"]) * 7919 + round(expected * 1000))
    ahead = [None] * len(probabilities)
    for index in range(args.history, len(probabilities) - args.steps + 1):
        window = probabilities[index:index + args.steps]
        totals = sorted(
            sum(draw(own) for probability in window if own.random() < probability)
            for _sample in range(args.median_oracle)
        )
        ahead[index] = totals[len(totals) // 2]
    return ahead


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--history", type=int, default=104)
    parser.add_argument("--evaluate", type=int, default=52)
    parser.add_argument("--steps", type=int, default=4,
                        help="weeks summed in each forecast scored (1: one week ahead; 4: the next 4 weeks' total)")
    parser.add_argument("--median-oracle", type=int, default=0, metavar="SIMULATIONS",
                        help="also score the median oracle on intermittent and lumpy series, from this many "
                        "simulations per origin (e.g. 301; about a minute)")
    return parser.parse_args(argv)


def generate_all(fc, args):
    """The series with what the planner finds on their history: class, group, stock-out candidacy, scale."""
    rng = random.Random(args.seed)
    weeks = args.history + args.evaluate
    series = []
    for index in range(args.series):
        process = PROCESSES[index % len(PROCESSES)]
        demand, sales, means, size = generate(rng, process, weeks)
        history = sales[: args.history]
        candidate = fc.stockout_candidate(history)
        censored = fc.censored_weeks(fc.stockout_releases(history, candidate))
        demand_class, group = fc.group_of(history, censored)
        series.append({"process": process, "demand": demand, "sales": sales, "means": means, "size": size,
                       "class": demand_class,
                       "group": group, "candidate": candidate,
                       "scale": fc.naive_scale(history, censored)})
    return series


def score_methods(fc, args, series, methods, chosen):
    """{method name: {process: [sum of MASE, series scored, sum of errors, sum of demand]}}."""
    scores = {name: {process: [0.0, 0, 0.0, 0.0] for process in PROCESSES} for name in methods}
    for item in series:
        releases_detect = fc.stockout_releases(item["sales"], item["candidate"])
        releases_plain = fc.stockout_releases(item["sales"], False)
        for name, variant in methods.items():
            if variant is None:  # the moving average as before: sales as they are
                ahead = fc.run_variant(item["sales"], releases_plain, BASELINE, WINDOW, args.steps)[0]
            elif variant == "oracle":  # the process's expected demand over the same weeks
                means = item["means"]
                ahead = [sum(means[index:index + args.steps]) for index in range(len(means))]
            elif variant == "per series":
                if item["group"] in (fc.INTERMITTENT, fc.LUMPY):
                    history = fc.trim_leading_zeros(item["sales"][: args.history])
                    best = fc.choose_series_variant(history, fc.CANDIDATES[item["group"]], BACKTEST_WEEKS, WINDOW,
                                                    args.steps)
                    variant = best[0] if best else BASELINE
                else:
                    variant = chosen.get(item["group"], (BASELINE, None))[0]
                ahead = fc.run_variant(item["sales"], releases_detect, variant, WINDOW, args.steps)[0]
            elif variant == "median oracle":
                if not item["size"]:
                    continue
                ahead = median_oracle(item, args)
            else:
                if variant == "choice":
                    variant = chosen.get(item["group"], (BASELINE, None))[0]
                ahead = fc.run_variant(item["sales"], releases_detect, variant, WINDOW, args.steps)[0]
            scored = fc.evaluate(ahead, item["demand"], args.history, scale=item["scale"], steps=args.steps)
            if scored is None:
                continue
            score = scores[name][item["process"]]
            score[0] += scored["mase"]
            score[1] += 1
            score[2] += scored["bias"] * scored["n"]
            score[3] += scored["mean"] * scored["n"]
    return scores


def report(fc, series, chosen, methods, scores):
    """Print the classes found, the choice per group, the table and the goals; the processes missed."""
    print("\nClasses found (process -> class / group):")
    for process in PROCESSES:
        counts = {}
        for item in series:
            if item["process"] == process:
                key = item["group"] if item["group"] == item["class"] else f"{item['class']}+{item['group']}"
                counts[key] = counts.get(key, 0) + 1
        print(f"  {process:<13} " + ", ".join(f"{key} {count}" for key, count in sorted(counts.items())))
    print("\nChosen per group (back-tested mean MASE over the last 26 weeks of history):")
    for group in fc.GROUPS:
        if group in chosen:
            variant, mase = chosen[group]
            print(f"  {group:<13} {fc.variant_label(variant):<55} {mase:.3f}")
    print(f"\n{'MASE / bias %':<36}" + "".join(f"{process:>20}" for process in PROCESSES))
    for name in methods:
        cells = []
        for process in PROCESSES:
            total, count, error, demand = scores[name][process]
            cells.append(f"{total / count:>10.3f} {100 * error / demand:>+8.1f}%" if count else f"{'-':>20}")
        print(f"{name:<36}" + "".join(cells))
    baseline = scores["moving average (13 weeks, before)"]
    choice = scores["planner's choice"]
    print("\nChoice against the moving average (MASE):")
    missed = []
    for process in PROCESSES:
        before = baseline[process][0] / baseline[process][1]
        after = choice[process][0] / choice[process][1]
        gain = 1 - after / before
        goal = GOALS.get(process, 0.0)
        ok = gain >= goal - 1e-9
        if not ok:
            missed.append(process)
        print(f"  {process:<13} {before:.3f} -> {after:.3f}  {100 * gain:+.1f} %  (goal >= {100 * goal:.0f} %) "
              f"{'ok' if ok else 'MISSED'}")
    oracle = scores[ORACLE]
    print("\nCeiling: the oracle (the process's true expected demand) against the moving average (MASE):")
    for process in PROCESSES:
        before = baseline[process][0] / baseline[process][1]
        best = oracle[process][0] / oracle[process][1]
        gain = 1 - best / before
        goal = GOALS.get(process)
        note = ""
        if goal is not None:
            note = (f"goal {100 * goal:.0f} % within reach" if gain >= goal else
                    f"below the {100 * goal:.0f} % goal: no unbiased forecast can reach it on these series")
        print(f"  {process:<13} {before:.3f} -> {best:.3f}  {100 * gain:+.1f} %  {note}")
    if MEDIAN_ORACLE in scores:
        print("The median oracle (lowest expected absolute error, knowing the process; it under-forecasts the "
              "mean):")
        for process in PROCESSES:
            total, count, _error, _demand = scores[MEDIAN_ORACLE][process]
            if count:
                before = baseline[process][0] / baseline[process][1]
                after = total / count
                print(f"  {process:<13} {before:.3f} -> {after:.3f}  {100 * (1 - after / before):+.1f} %")
    return missed


def main(argv):
    args = parse_args(argv)
    fc = load_forecasting()
    started = time.perf_counter()
    series = generate_all(fc, args)
    # The planner's choice per group, from the history only.
    samples = {}
    for item in series:
        samples.setdefault(item["group"], []).append(item["sales"][: args.history])
    chosen = fc.choose_variants(samples, BACKTEST_WEEKS, WINDOW, args.steps)
    methods = {"moving average (13 weeks, before)": None}
    methods.update({name: variant for name, variant in fc.DEFAULT_VARIANTS.items() if name != "moving_average"})
    methods["per-series choice (interm./lumpy)"] = "per series"
    methods["planner's choice"] = "choice"
    methods[ORACLE] = "oracle"
    if args.median_oracle:
        methods[MEDIAN_ORACLE] = "median oracle"
    scores = score_methods(fc, args, series, methods, chosen)
    elapsed = time.perf_counter() - started
    print(f"{args.series} series, {args.history} weeks of history, rolling origin over {args.evaluate} weeks "
          f"(seed {args.seed}), {args.steps}-week totals scored, {elapsed:.1f} s")
    missed = report(fc, series, chosen, methods, scores)
    print("GOAL MET" if not missed else f"GOAL MISSED: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
