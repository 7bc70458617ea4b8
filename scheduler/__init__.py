"""The scheduled side of cbecwatch, following the data out of ``storage``.

* ``daemon``: APScheduler 3.x in one process per database (``lock``), starting one child process
  per crawl run (``cbecwatch crawl --source NAME``), so that Twisted's reactor is never restarted;
* ``dispatch``: the outbox dispatcher that sends stored deliveries with retries and back-off;
* ``messages``: the versioned webhook payload and the mail built from stored events;
* ``channels``: email (SMTP), signed webhooks and optional chat channels (Apprise), one module each.
"""
