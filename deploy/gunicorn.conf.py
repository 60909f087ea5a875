"""gunicorn for PeerLog behind nginx (deploy/README.md).

nginx buffers whole requests and responses, so gunicorn only ever talks to nginx over a
local socket; threads let one worker wait on PostgreSQL for one request while serving
another. Two cores: two workers of four threads (``PEERLOG_GUNICORN_WORKERS`` /
``PEERLOG_GUNICORN_THREADS`` change it). Under systemd the socket comes from peerlog.socket.
"""

import os

bind = os.environ.get("PEERLOG_GUNICORN_BIND", "unix:/run/peerlog.sock")
worker_class = "gthread"
workers = int(os.environ.get("PEERLOG_GUNICORN_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("PEERLOG_GUNICORN_THREADS", "4"))
# A request that takes longer than this is a bug or a stuck database: the worker restarts.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Restarting workers now and then bounds the cost of any slow leak.
max_requests = 5000
max_requests_jitter = 500
worker_tmp_dir = "/dev/shm"
# nginx keeps the access log, with personal-link tokens masked; gunicorn's would not be.
accesslog = None
errorlog = "-"
loglevel = "warning"
wsgi_app = "peerlog.web.wsgi:application"
