"""Two transactions at once on real separate connections, for the suite's race tests (reservation,
re-allocation, counts, scanner claims): what a second worker's request does while the first has not
committed yet."""

import threading

import odoo
from odoo.service.model import retrying
from odoo.sql_db import db_connect


def current_database():
    """The database the tests run on."""
    dbname = odoo.tools.config["db_name"]
    return dbname[0] if isinstance(dbname, list) else dbname


def run_while_uncommitted(first, second, uids=(odoo.SUPERUSER_ID, odoo.SUPERUSER_ID), wait=2.0):
    """``first(env1)`` runs on connection 1 and stays uncommitted while ``second(env2)`` runs on connection 2
    as a request does (retried when it cannot serialize) and commits; after ``wait`` seconds connection 1
    commits. Returns {"first": its result, "second": its result, "waited": whether the second was still
    waiting when the first committed, "finished": whether the second ended, "error": the second's exception
    (absent when it succeeded)}. Both connections are rolled back and closed whatever happens."""
    dbname = current_database()
    cr1, cr2 = db_connect(dbname).cursor(), db_connect(dbname).cursor()
    outcome = {}
    try:
        env1 = odoo.api.Environment(cr1, uids[0], {})
        env2 = odoo.api.Environment(cr2, uids[1], {})
        outcome["first"] = first(env1)
        env1.flush_all()

        def run_second():
            try:
                outcome["second"] = retrying(lambda: second(env2), env2)
                cr2.commit()
            except Exception as error:  # noqa: BLE001 - returned to the test, which asserts it
                outcome["error"] = error
                cr2.rollback()

        thread = threading.Thread(target=run_second)
        thread.start()
        thread.join(wait)
        outcome["waited"] = thread.is_alive()
        cr1.commit()
        thread.join(30)
        outcome["finished"] = not thread.is_alive()
    finally:
        cr1.rollback()
        cr2.rollback()
        cr1.close()
        cr2.close()
    return outcome
