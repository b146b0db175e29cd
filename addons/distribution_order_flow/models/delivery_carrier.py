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
        if not self.distribution_cutoff_time:
            return None
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        now = now or fields.Datetime.now()
        local_now = pytz.utc.localize(now).astimezone(tz)
        hours = int(self.distribution_cutoff_time)
        minutes = round((self.distribution_cutoff_time - hours) * 60)
        local_cutoff = tz.localize(datetime.combine(local_now.date(), time(hours, min(minutes, 59))))
        return local_cutoff.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _next_working_day_start(self, company, now=None):
        """Start of the company's next working day (its working-time calendar), naive UTC."""
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        now = now or fields.Datetime.now()
        local_day = pytz.utc.localize(now).astimezone(tz).date()
        calendar = company.resource_calendar_id
        attendances = calendar.attendance_ids.filtered(lambda a: a.day_period != "lunch") if calendar else []
        working_days = {int(a.dayofweek) for a in attendances} or {0, 1, 2, 3, 4}
        for offset in range(1, 15):
            day = local_day + timedelta(days=offset)
            if day.weekday() in working_days:
                day_attendances = [a.hour_from for a in attendances if int(a.dayofweek) == day.weekday()]
                start = min(day_attendances, default=8.0)
                hours = int(start)
                local_start = tz.localize(datetime.combine(day, time(hours, round((start - hours) * 60))))
                return local_start.astimezone(pytz.utc).replace(tzinfo=None)
        return now + timedelta(days=1)
