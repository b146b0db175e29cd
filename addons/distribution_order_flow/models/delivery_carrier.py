from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    distribution_cutoff_time = fields.Float(
        string="Cut-off Time",
        help="Latest time of the day (company time zone) a delivery can be handed to this carrier; a "
        "delivery scheduled today after it is scheduled for the next working day. 0: no cut-off.",
    )

    @api.constrains("distribution_cutoff_time")
    def _check_distribution_cutoff_time(self):
        for carrier in self:
            if not 0 <= carrier.distribution_cutoff_time < 24:
                raise ValidationError(
                    self.env._(
                        "Carrier %(carrier)s: the cut-off time must be within the day (00:00 to 23:59).",
                        carrier=carrier.name,
                    )
                )

    def _get_cutoff_today(self, company, now=None):
        """Today's cut-off of this carrier as a naive UTC datetime (None without a cut-off)."""
        self.ensure_one()
        return self._get_cutoff_on(company, now or fields.Datetime.now())

    def _get_cutoff_on(self, company, moment):
        """This carrier's cut-off on the day of ``moment`` (naive UTC) in the company's time zone, as a naive
        UTC datetime: when it leaves that day. None without a cut-off."""
        self.ensure_one()
        if not self.distribution_cutoff_time:
            return None
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        local_day = pytz.utc.localize(moment).astimezone(tz).date()
        hours = int(self.distribution_cutoff_time)
        minutes = round((self.distribution_cutoff_time - hours) * 60)
        local_cutoff = tz.localize(datetime.combine(local_day, time(hours, min(minutes, 59))))
        return local_cutoff.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _next_working_day_start(self, company, now=None, calendar=None):
        """Start of the next working day after ``now``, naive UTC: the first working hours of ``calendar``
        (the warehouse's, else the company's) after today, its time off (public holidays) excluded; Monday
        to Friday from 08:00 without a calendar. Days in the company's time zone."""
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        now = now or fields.Datetime.now()
        local_day = pytz.utc.localize(now).astimezone(tz).date()
        calendar = calendar or company.resource_calendar_id
        if calendar:
            start = tz.localize(datetime.combine(local_day + timedelta(days=1), time.min))
            intervals = calendar._work_intervals_batch(start, start + timedelta(days=45), tz=tz)[False]
            for interval_start, _stop, _records in intervals:
                return interval_start.astimezone(pytz.utc).replace(tzinfo=None)
        for offset in range(1, 8):
            day = local_day + timedelta(days=offset)
            if day.weekday() < 5:
                return tz.localize(datetime.combine(day, time(8, 0))).astimezone(pytz.utc).replace(tzinfo=None)
        return now + timedelta(days=1)
