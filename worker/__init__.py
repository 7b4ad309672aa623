"""Background work: RQ jobs (``jobs.py``), the queue and its connection (``queue.py``),
and the periodic schedule (``schedule.py``)."""
