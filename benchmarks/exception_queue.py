#!/usr/bin/env python3
"""Exception queue benchmark: the grouped queue list over many exceptions, server time.

    exception_queue.py -d DB [--count 100000] [--repeat 7] [odoo options such as --addons-path, --db_user]

DB must have distribution_exceptions installed (bench_suite, see run_exception_queue.sh). Everything runs
in one registry cursor that is rolled back at the end: the database is left unchanged.

Untimed setup: ``--count`` exceptions inserted in one INSERT ... SELECT (generate_series), spread over the
12 shipped types, 4 owners and none, 5 states (60 % open), raised over the last 30 days with each type's
SLA as deadline, aging buckets and overdue flags set by the queue's own hourly refresh
(``_cron_refresh_aging``), then ANALYZE.

Timed, each call as the web client makes it (``web_read_group`` for grouped lists and kanban,
``web_search_read`` for a flat page of 80), with an empty record cache before each call:
- as an exception manager (record rule: everything of the company), a warehouse user (record rule on
  the audience) and a salesperson (record rule through the order's salesperson), the queue's default
  view: open items grouped by type;
- grouped by owner, by aging bucket, by team; "My exceptions" (open, mine) grouped by aging bucket;
- the overdue filter, flat first page of 80 in the queue's order.
It prints the median and worst milliseconds and the SQL queries of each call, and whether the goal
(<= 300 ms server time for the grouped queue list) is met. Exits non-zero only when a measurement could not
be made.
"""

import argparse
import sys
import time

from bench_common import measure, setup_odoo

GOAL_MS = 300.0

QUEUE_SPEC = {
    "priority": {},
    "name": {},
    "type_id": {"fields": {"display_name": {}}},
    "source_name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "date_raised": {},
    "date_deadline": {},
    "age_days": {},
    "is_overdue": {},
    "state": {},
}
OPEN = ["state", "in", ["new", "in_progress", "waiting"]]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options not listed here are passed to Odoo's configuration (e.g. --addons-path, --db_host).",
    )
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--count", type=int, default=100_000, help="exceptions to insert (default 100000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each call (default 7)")
    args, odoo_args = parser.parse_known_args(argv)
    if args.count <= 0 or args.repeat <= 0:
        parser.error("--count and --repeat must be positive")
    return args, odoo_args




def insert_exceptions(env, count, owners):
    """``count`` exceptions in one statement, shaped like a live queue, owned by ``owners`` and nobody."""
    cr = env.cr
    company = env.company
    types = env["distribution.exception.type"].search([("company_id", "=", False)], order="id")
    users = owners
    partners = env["res.partner"].search([], limit=200, order="id")
    team = env["crm.team"].search([], limit=1)
    if len(types) < 12 or not users or not partners:
        raise RuntimeError("distribution_exceptions with its 12 shipped types, users and partners are needed")
    env.flush_all()
    cr.execute(
        """
        INSERT INTO distribution_exception
               (name, type_id, code, audience, blocking, severity, priority, company_id, state, is_open,
                user_id, team_id, res_model, res_id, source_name, partner_id, date_raised, date_deadline,
                aging_bucket, is_overdue, create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH/' || g,
               t.id, t.code, t.audience, t.blocking, t.severity,
               CASE WHEN t.severity IN ('high', 'critical') THEN '1' ELSE '0' END,
               %(company)s,
               s.state, s.state IN ('new', 'in_progress', 'waiting'),
               (%(users)s::int[])[1 + g %% (array_length(%(users)s::int[], 1) + 1)],
               CASE WHEN g %% 3 = 0 THEN %(team)s END,
               'res.partner', 1000000000 + g, 'Benchmark document ' || g,
               (%(partners)s::int[])[1 + g %% array_length(%(partners)s::int[], 1)],
               r.raised, r.raised + make_interval(hours => t.sla_hours::int),
               'lt1', FALSE, 1, 1, r.raised, r.raised
          FROM generate_series(1, %(count)s) AS g
          JOIN LATERAL (SELECT (%(types)s::int[])[1 + g %% 12] AS type_id) AS pick ON TRUE
          JOIN distribution_exception_type t ON t.id = pick.type_id
          JOIN LATERAL (SELECT (ARRAY['new', 'new', 'in_progress', 'waiting', 'new', 'in_progress',
                                       'resolved', 'resolved', 'resolved', 'cancelled'])[1 + g %% 10] AS state
                       ) AS s ON TRUE
          JOIN LATERAL (SELECT now() AT TIME ZONE 'UTC' - make_interval(mins => (g * 7919) %% (30 * 24 * 60)) AS raised
                       ) AS r ON TRUE
        """,
        {
            "company": company.id,
            "users": users.ids,
            "team": team.id or None,
            "partners": partners.ids,
            "types": types.ids,
            "count": count,
        },
    )
    env["distribution.exception"]._cron_refresh_aging()
    cr.execute("ANALYZE distribution_exception")


def run(dbname, count, repeat):
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tests import new_test_user

    registry = Registry(dbname)
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "distribution.exception" not in env:
            raise RuntimeError(f"{dbname}: distribution_exceptions is not installed")
        manager = new_test_user(
            env, login="bench_exc_manager", groups="distribution_exceptions.group_exception_manager"
        )
        picker = new_test_user(env, login="bench_exc_picker", groups="stock.group_stock_user")
        rep = new_test_user(env, login="bench_exc_rep", groups="sales_team.group_sale_salesman")
        owners = env["res.users"].search([("share", "=", False), ("company_ids", "in", env.company.id)], limit=3)
        start = time.perf_counter()
        insert_exceptions(env, count, owners | manager)
        setup_seconds = time.perf_counter() - start
        total = env["distribution.exception"].search_count([])
        env.flush_all()

        def queue(user, groupby, domain=(OPEN,)):
            model = env["distribution.exception"].with_user(user).with_context(lang="en_US")
            return lambda: model.web_read_group(list(domain), [groupby], ["__count"], limit=80)

        def flat(user, domain):
            model = env["distribution.exception"].with_user(user).with_context(lang="en_US")
            return lambda: model.web_search_read(list(domain), QUEUE_SPEC, limit=80, order=None, count_limit=10001)

        calls = [
            ("queue grouped by type (manager)", queue(manager, "type_id")),
            ("queue grouped by type (warehouse user)", queue(picker, "type_id")),
            ("queue grouped by type (salesperson)", queue(rep, "type_id")),
            ("queue grouped by owner (manager)", queue(manager, "user_id")),
            ("queue grouped by aging bucket (manager)", queue(manager, "aging_bucket")),
            ("queue grouped by team (manager)", queue(manager, "team_id")),
            (
                "my exceptions grouped by aging (manager)",
                queue(manager, "aging_bucket", (OPEN, ["user_id", "=", manager.id])),
            ),
            ("overdue, first page of 80 (manager)", flat(manager, (OPEN, ["is_overdue", "=", True]))),
        ]
        results = [measure(env, label, func, repeat) for label, func in calls]
        print(
            f"Exception queue benchmark on {dbname}: {total:,} exceptions "
            f"({count:,} inserted in {setup_seconds:.1f} s), "
            f"{repeat} runs per call, server time (ORM + SQL), record rules applied"
        )
        print(f"{'call':<44} {'median ms':>10} {'worst ms':>9} {'queries':>8}  groups/rows")
        for res in results:
            result = res["result"]
            size = result.get("length") if isinstance(result, dict) else None
            print(f"{res['label']:<44} {res['median']:>10.1f} {res['worst']:>9.1f} {res['queries']:>8}  {size}")
        grouped = [res for res in results if res["label"].startswith("queue grouped by type")]
        worst_median = max(res["median"] for res in grouped)
        verdict = "GOAL MET" if worst_median <= GOAL_MS else "GOAL MISSED"
        print(
            f"{verdict}: grouped queue list {worst_median:.1f} ms (median, slowest role) for a goal of {GOAL_MS:.0f} ms"
        )
        cr.execute(
            "EXPLAIN SELECT type_id, count(*) FROM distribution_exception "
            "WHERE company_id = %s AND state IN ('new', 'in_progress', 'waiting') GROUP BY type_id",
            [env.company.id],
        )
        print("Plan of the grouped count: " + " | ".join(row[0].strip() for row in cr.fetchall()[:4]))
    finally:
        cr.rollback()
        cr.close()


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_odoo(odoo_args)
    run(args.database, args.count, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
