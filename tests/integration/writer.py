"""Failover-test writer: inserts 1, 2, 3, ... in autocommit through whatever address the fake
EndpointSlice lists right now, retrying on every error, and records each acknowledged id.

Run with Debian's /usr/bin/python3 (python3-psycopg2). The password comes from PGPASSWORD in the
environment (libpq reads it), never from the command line.

Env: SLICE_FILE, PG_PORT, ACKED_FILE, STOP_FILE, WRITER_MAX_SECONDS (default 180).
"""
import os
import signal
import sys
import time

import psycopg2

slice_file = os.environ["SLICE_FILE"]
port = int(os.environ["PG_PORT"])
acked_path = os.environ["ACKED_FILE"]
stop_path = os.environ["STOP_FILE"]
deadline = time.monotonic() + float(os.environ.get("WRITER_MAX_SECONDS", "180"))

stopping = False


def on_term(_signum, _frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_term)


def current_address():
    try:
        with open(slice_file) as f:
            parts = f.read().split()
    except OSError:
        return None
    return parts[0] if parts else None


conn = None
conn_ip = None
next_id = 0
errors = 0
acked = 0
with open(acked_path, "a", buffering=1) as out:
    while not stopping and not os.path.exists(stop_path) and time.monotonic() < deadline:
        ip = current_address()
        if ip is None:
            time.sleep(0.02)
            continue
        if conn is None or ip != conn_ip:
            if conn is not None:
                conn.close()
            conn = None
            try:
                conn = psycopg2.connect(host=ip, port=port, user="postgres", dbname="postgres", connect_timeout=1)
                conn.autocommit = True
                conn_ip = ip
            except psycopg2.Error:
                errors += 1
                time.sleep(0.05)
                continue
        next_id += 1
        try:
            with conn.cursor() as cur:
                cur.execute("INSERT INTO failover_probe (id) VALUES (%s)", (next_id,))
        except psycopg2.Error:
            # Outcome unknown (the commit may have happened): not acknowledged, never retried with the same id.
            errors += 1
            try:
                conn.close()
            except psycopg2.Error:
                pass
            conn = None
            time.sleep(0.02)
            continue
        out.write("%d\n" % next_id)
        acked += 1
print("writer: acked=%d attempts=%d errors=%d" % (acked, next_id, errors), file=sys.stderr)
