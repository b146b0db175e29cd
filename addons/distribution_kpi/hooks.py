from odoo.tools import SQL

# Flow states an order reaches once confirmed, once fully shipped, once invoiced (ARCHITECTURE.md).
CONFIRMED_STATES = ("confirmed", "partially_reserved", "reserved", "partially_shipped", "shipped", "invoiced",
                    "closed", "on_hold")
SHIPPED_STATES = ("shipped", "invoiced", "closed")
INVOICED_STATES = ("invoiced", "closed")


def pre_init_hook(env):
    """Create the module's columns on big tables in SQL, with the values they must have, instead of a
    computation over every row at install: the at-risk fields of sale_order at rest, the confirmed orders
    marked to be checked (the at-risk cron checks them within minutes), and the KPI milestones and first
    deliveries from the history already recorded."""
    env.cr.execute(
        """
        ALTER TABLE sale_order
            ADD COLUMN IF NOT EXISTS at_risk boolean NOT NULL DEFAULT false,
            ADD COLUMN IF NOT EXISTS risk_score integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS risk_codes varchar,
            ADD COLUMN IF NOT EXISTS risk_reasons text,
            ADD COLUMN IF NOT EXISTS risk_promise_date timestamp,
            ADD COLUMN IF NOT EXISTS risk_first_flagged_at timestamp,
            ADD COLUMN IF NOT EXISTS risk_checked_at timestamp,
            ADD COLUMN IF NOT EXISTS risk_stale boolean,
            ADD COLUMN IF NOT EXISTS kpi_date_created timestamp,
            ADD COLUMN IF NOT EXISTS kpi_date_confirmed timestamp,
            ADD COLUMN IF NOT EXISTS kpi_date_shipped timestamp,
            ADD COLUMN IF NOT EXISTS kpi_date_invoiced timestamp;
        ALTER TABLE sale_order ALTER COLUMN at_risk DROP DEFAULT, ALTER COLUMN risk_score DROP DEFAULT;
        UPDATE sale_order SET risk_stale = TRUE
         WHERE state = 'sale' AND flow_state NOT IN ('shipped', 'invoiced', 'closed', 'cancelled');
        ALTER TABLE sale_order_line
            ADD COLUMN IF NOT EXISTS kpi_first_delivery_date timestamp,
            ADD COLUMN IF NOT EXISTS kpi_first_delivery_qty double precision;
        """
    )
    backfill_kpi_facts(env.cr)


def backfill_kpi_facts(cr):
    """Fill the stored KPI facts from the recorded history, where they are empty: each order's
    milestones from its flow events, each goods line's quantity in its order's first delivery (the
    first done transfer to a customer). Also used by benchmarks/kpi_views.py after writing its data."""
    record_order_milestones(cr)
    cr.execute(
        """
        WITH first_delivery AS (
            SELECT DISTINCT ON (line.order_id) line.order_id, picking.id AS picking_id, picking.date_done
              FROM stock_move move
              JOIN stock_location dest ON dest.id = move.location_dest_id AND dest.usage = 'customer'
              JOIN stock_picking picking ON picking.id = move.picking_id
              JOIN sale_order_line line ON line.id = move.sale_line_id
             WHERE move.state = 'done'
             ORDER BY line.order_id, picking.date_done, picking.id
        )
        UPDATE sale_order_line line
           SET kpi_first_delivery_date = fd.date_done,
               kpi_first_delivery_qty = COALESCE((
                   SELECT SUM(move.quantity) FROM stock_move move
                    WHERE move.sale_line_id = line.id AND move.picking_id = fd.picking_id AND move.state = 'done'
               ), 0)
          FROM first_delivery fd, product_product product, product_template template
         WHERE line.order_id = fd.order_id AND line.kpi_first_delivery_date IS NULL
           AND line.display_type IS NULL AND product.id = line.product_id
           AND template.id = product.product_tmpl_id AND template.type = 'consu'
        """
    )


def record_order_milestones(cr, event_ids=None):
    """Keep on each order the first time it reached each milestone (created, confirmed, fully shipped,
    invoiced), from its flow events (only ``event_ids`` when given), where still empty: events are
    never edited. One query."""
    events = SQL("WHERE id = ANY(%s)", list(event_ids)) if event_ids is not None else SQL()
    cr.execute(SQL(
        """
        UPDATE sale_order so
           SET kpi_date_created = COALESCE(so.kpi_date_created, ms.created),
               kpi_date_confirmed = COALESCE(so.kpi_date_confirmed, ms.confirmed),
               kpi_date_shipped = COALESCE(so.kpi_date_shipped, ms.shipped),
               kpi_date_invoiced = COALESCE(so.kpi_date_invoiced, ms.invoiced)
          FROM (SELECT order_id,
                       MIN(date) AS created,
                       MIN(date) FILTER (WHERE state_to IN %(confirmed)s) AS confirmed,
                       MIN(date) FILTER (WHERE state_to IN %(shipped)s) AS shipped,
                       MIN(date) FILTER (WHERE state_to IN %(invoiced)s) AS invoiced
                  FROM sale_order_flow_event %(events)s GROUP BY order_id) ms
         WHERE ms.order_id = so.id
           AND (so.kpi_date_created IS NULL
                OR (so.kpi_date_confirmed IS NULL AND ms.confirmed IS NOT NULL)
                OR (so.kpi_date_shipped IS NULL AND ms.shipped IS NOT NULL)
                OR (so.kpi_date_invoiced IS NULL AND ms.invoiced IS NOT NULL))
        """,
        confirmed=CONFIRMED_STATES, shipped=SHIPPED_STATES, invoiced=INVOICED_STATES, events=events,
    ))
