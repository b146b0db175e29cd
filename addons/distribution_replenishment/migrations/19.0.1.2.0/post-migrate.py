"""19.0.1.2.0: the activity telling a buyer of a demand spike is found again by its warehouse
(`mail_activity.distribution_spike_warehouse_id`), no longer by matching its English summary.

The open spike activities made before ("Demand spike at <warehouse code>") get their warehouse when the code
names one warehouse only; where several companies share the code, the activity is left as it was (the next
spike there adds one activity, once)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE mail_activity activity
           SET distribution_spike_warehouse_id = warehouse.id
          FROM stock_warehouse warehouse
         WHERE activity.res_model = 'product.template'
           AND activity.distribution_spike_warehouse_id IS NULL
           AND activity.summary = 'Demand spike at ' || warehouse.code
           AND (SELECT count(*) FROM stock_warehouse same_code WHERE same_code.code = warehouse.code) = 1
        """
    )
