"""The scheduled side of cbecwatch (to come).

What will live here, following the data out of ``storage``:

* ``daemon``: APScheduler 3.x in one process per database, starting one child process per crawl run
  (``cbecwatch crawl --source NAME``), so that Twisted's reactor is never restarted in the daemon;
* ``dispatch``: the outbox dispatcher that sends stored deliveries with retries and back-off;
* ``channels``: email (SMTP), signed webhooks and optional chat channels, one module each.
"""
