"""What the benchmark scripts share: Odoo's configuration from the command line and the environment, the
set-based data generation helpers (ids from a table's sequence, rows cloned from an ORM-made template row,
VACUUM ANALYZE after a bulk load) and the timing of a call as the web client would cause it."""

import os
import statistics
import time


def setup_odoo(odoo_args):
    """Configure Odoo (no server is started) from the options the script did not know, with the addons
    path exported by bin/bootstrap.sh when none is given."""
    from odoo.tools import config

    # The interface only silences Odoo's warning about a missing setting.
    args = ["--log-level=warn", "--http-interface=127.0.0.1", *odoo_args]
    if "--addons-path" not in " ".join(odoo_args) and os.environ.get("ADDONS_PATH"):
        args.append(f"--addons-path={os.environ['ADDONS_PATH']}")
    config.parse_config(args, setup_logging=True)


def reserve_ids(cr, table, count):
    """The first of ``count`` consecutive ids taken from ``table``'s sequence (nothing else inserts meanwhile)."""
    cr.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    [seq] = cr.fetchone()
    cr.execute("SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM " + table + "))", [seq])
    [base] = cr.fetchone()
    cr.execute("SELECT setval(%s, %s)", [seq, base + count])
    return base


def clone_rows(cr, table, template_id, source, overrides, params):
    """INSERT into ``table`` one row per row of ``source`` (a FROM clause), every column copied from the
    template row ``template_id`` unless ``overrides`` gives its SQL expression."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    columns = [row[0] for row in cr.fetchall()]
    unknown = set(overrides) - set(columns)
    if unknown:
        raise RuntimeError(f"{table} has no column {', '.join(sorted(unknown))}")
    names = ", ".join(f'"{column}"' for column in columns)
    exprs = ", ".join(overrides.get(column, f'tpl."{column}"') for column in columns)
    cr.execute(
        f'INSERT INTO "{table}" ({names}) '
        f'SELECT {exprs} FROM "{table}" tpl CROSS JOIN {source} WHERE tpl.id = %(template)s',
        dict(params, template=template_id),
    )
    return cr.rowcount


def vacuum_analyze(dbname, tables):
    """VACUUM ANALYZE the bulk-loaded tables, as autovacuum would soon after such inserts (visibility map for
    index-only scans, statistics), so that the first run measures what later runs do. VACUUM cannot run in a
    transaction: a connection of its own in autocommit."""
    import psycopg2

    from odoo.sql_db import connection_info_for

    _db, info = connection_info_for(dbname)
    cnx = psycopg2.connect(**info)
    try:
        cnx.autocommit = True
        with cnx.cursor() as vcr:
            for table in tables:
                vcr.execute(f"VACUUM ANALYZE {table}")
    finally:
        cnx.close()
    print(f"  VACUUM ANALYZE: {', '.join(tables)}", flush=True)


def measure(env, label, func, repeat):
    """Median and worst milliseconds and the most SQL queries of ``repeat`` runs of ``func`` after one
    warm-up (ormcaches, lazy imports, plans), each from an empty record cache, as a new request starts."""
    from odoo import sql_db

    samples, queries = [], []
    result = func()
    for _run in range(repeat):
        env.invalidate_all()
        before = sql_db.sql_counter
        start = time.perf_counter()
        result = func()
        samples.append((time.perf_counter() - start) * 1000.0)
        queries.append(sql_db.sql_counter - before)
    return {"label": label, "func": func, "median": statistics.median(samples), "worst": max(samples),
            "queries": max(queries), "result": result}

def slowest_query(env, func):
    """(ms, query, params) of the slowest SQL query ``func`` runs."""
    from odoo.tools import SQL

    cr = env.cr
    captured = []
    original = cr.execute

    def execute(query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return original(query, params, log_exceptions)
        finally:
            captured.append(((time.perf_counter() - start) * 1000.0, query, params))

    env.invalidate_all()
    cr.execute = execute
    try:
        func()
    finally:
        del cr.execute
    ms, query, params = max(captured, key=lambda item: item[0])
    if isinstance(query, SQL):
        query, params = query.code, query.params
    return ms, query, params


def explain_slowest(env, results):
    """Print the EXPLAIN ANALYZE of the slowest query of each measured call in ``results`` (dicts with
    'label' and 'func'); queries other than reads are named, not explained (EXPLAIN ANALYZE would run them)."""
    cr = env.cr
    for res in results:
        ms, query, params = slowest_query(env, res["func"])
        if not query.lstrip().upper().startswith(("SELECT", "WITH")):
            print(f"\nSlowest query of {res['label']} ({ms:.0f} ms), not explained: {query[:200]}")
            continue
        cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
        plan = [line for (line,) in cr.fetchall()]
        print(f"\nSlowest query of {res['label']} ({ms:.0f} ms), EXPLAIN ANALYZE (top 25 lines and timing):")
        print("\n".join(plan[:25] + ["  ..."] + plan[-3:]))
