"""Citizen error reports (我为政府网站找错) and online consultations (网上咨询).

The provincial office receives messages from the national 找错 platform and its own consultation channel,
forwards each to the site that must answer (转办), and reports per quarter how many were received, how
many were handled, how many within the deadline (按期办结率) and how fast.

The deadline rule (:class:`govinspect.tickets.service.DeadlineRule`):

- A message is due at the end (the cut-off time, 24:00 by default) of the ``working_days``-th working
  day *after* the day it was forwarded; ``working_days`` is 1 by default ("在1个工作日内处理完成").
- Working days are the official calendar's (国务院办公厅 holiday notices, via ``chinesecalendar``): a
  make-up Saturday or Sunday (调休上班) is a working day, a weekday inside a holiday is not.
- So a message forwarded on Friday 2021-06-11, before the Dragon Boat holiday (06-12..06-14), is due at
  the end of Tuesday 06-15; one forwarded on the make-up Saturday 2021-10-09 is due at the end of Monday
  10-11; one forwarded on Friday 2021-09-24 is due on the make-up Sunday 09-26.
- A message forwarded on a rest day is due at the end of the next working day.
- On time (按期) means ``replied_at <= deadline_at``.

Modules: ``model`` (records, states, masking), ``calendar`` (working days), ``service`` (pure rules and
statistics), ``tables``/``store`` (persistence in the findings database), ``importer`` (the platform's
XLSX/CSV export).
"""
