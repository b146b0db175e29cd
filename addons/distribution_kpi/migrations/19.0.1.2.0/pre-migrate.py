"""19.0.1.2.0: the at-risk score is no longer computed in the users' transactions. The risk fields keep their
columns and meaning; they are written by the crons (`sale.order._refresh_delivery_risk`), which check the orders
marked `risk_stale` every 5 minutes and every order that can be at risk hourly.

The two new columns are made here, in SQL, so that the upgrade does not compute the risk of every order ever
taken: `risk_checked_at` (empty: never checked by the new crons; the hourly pass takes these first) and
`risk_stale`, set on the open orders and those that still show a reason, which the 5-minute cron then checks."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        ALTER TABLE sale_order
            ADD COLUMN IF NOT EXISTS risk_checked_at timestamp,
            ADD COLUMN IF NOT EXISTS risk_stale boolean;
        UPDATE sale_order SET risk_stale = TRUE
         WHERE (state = 'sale' AND flow_state NOT IN ('shipped', 'invoiced', 'closed', 'cancelled'))
            OR risk_codes IS NOT NULL;
        """
    )
