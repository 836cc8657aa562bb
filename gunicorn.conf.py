"""gunicorn settings for `make serve` (read automatically from the working folder).

Every value can be changed from the environment without editing this file:
GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_ACCESS_LOG ("-" = standard output, "" = off), GUNICORN_LOG_LEVEL.
"""

import multiprocessing
import os

# Behind a reverse proxy on the same machine: listen on loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# One process per core, each with threads (gthread): a request spends much of
# its time waiting for PostgreSQL and the cache, and threads overlap those
# waits; processes give each core its own interpreter (one GIL per process).
# gthread also keeps connections alive between requests (sync workers close
# each one). Measured on 2 cores with 16 users and cached pages
# (docs/performance-history.md): 2 workers x 8 threads answered about twice
# the requests per second of 4 sync workers. GUNICORN_THREADS=1 gives sync workers.
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is a bug or a stuck database: the
# worker is killed and replaced. Imports run as a command, not in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so that a slow leak never grows unbounded;
# the jitter keeps them from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The proxy in front sets X-Forwarded-For/Proto; trust it only from loopback.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

wsgi_app = "aidtracker.wsgi:application"

# No control socket ($HOME/.gunicorn/gunicorn.ctl): nothing here uses it, a
# service user may have no writable home, and instances of one user would
# share the path.
control_socket_disable = True
