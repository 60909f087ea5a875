"""`peerlog remind` killed (SIGKILL, by PID) in the middle of a batch, then run again.

The command runs as a subprocess on its own database (a SQLite file in a temporary
PEERLOG_HOME, or a fresh PostgreSQL database on the PostgreSQL pass), against a real SMTP
server and a local SMS provider that hold their answer to a chosen message, so the kill
lands exactly while a message is handed over but not yet acknowledged:

- run 1 is killed during an SMS (the provider has it; PeerLog does not know);
- run 2 retries that SMS under the same key (the provider sends nothing twice), and is
  killed during an email (the SMTP server has it; PeerLog does not know);
- run 3 puts that email "in doubt" for staff and sends everything else;
- run 4 has nothing left to do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

HELPER = Path(__file__).with_name("kill_helper.py")
PARTICIPANTS = 6  # email and SMS each: 12 messages


@pytest.fixture
def database_env(tmp_path):
    """Environment for the subprocesses: their own, shared database."""
    env = {**os.environ, "PEERLOG_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    if os.environ.get("PEERLOG_DB") != "postgres":
        yield env
        return
    import psycopg

    name = f"peerlog_kill_{uuid.uuid4().hex[:10]}"
    params = {"host": os.environ.get("PEERLOG_PG_HOST", "127.0.0.1"),
              "port": os.environ.get("PEERLOG_PG_PORT", "5432"),
              "user": os.environ.get("PEERLOG_PG_USER", "postgres"),
              "dbname": os.environ.get("PEERLOG_PG_NAME", "test"), "autocommit": True}
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**env, "PEERLOG_PG_NAME": name}
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def peerlog(env, *args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "peerlog.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def helper(env, *args) -> str:
    done = subprocess.run([sys.executable, str(HELPER), *args], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def kill_when_held(proc: subprocess.Popen, gate) -> None:
    """Wait until the server holds the chosen message, then SIGKILL the run by its PID."""
    if not gate.arrived.wait(60):
        proc.kill()
        pytest.fail("the run never reached the chosen message:\n" + proc.communicate()[0])
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    gate.open()


def finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    return out


@pytest.mark.django_db  # a database test: it also runs on the PostgreSQL pass
def test_a_killed_run_loses_nothing_and_sends_nothing_twice(database_env, smtp, sms):
    env = {**database_env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port),
           "EMAIL_TIMEOUT": "10", "PEERLOG_SMS_URL": sms.url,
           "PEERLOG_SMS_TOKEN": sms.TOKEN, "PEERLOG_SMS_TIMEOUT": "10"}
    helper(env, "prepare", str(PARTICIPANTS))

    # Run 1: killed while the provider holds the 2nd SMS (already sent by the provider).
    sms.gate.arm(2)
    kill_when_held(peerlog(env, "remind"), sms.gate)
    interrupted_sms = sms.sent[1]["key"]
    after_run1 = {m["key"]: m["state"] for m in json.loads(helper(env, "dump"))}
    assert len(after_run1) == 2 * PARTICIPANTS, "every message recorded before any was sent"
    assert after_run1[interrupted_sms] == "sending"
    assert sorted(after_run1.values()).count("sent") == 3  # email, SMS, email

    # Run 2: killed while the SMTP server holds the 2nd email of this run.
    smtp.gate.arm(len(smtp.messages) + 2)
    kill_when_held(peerlog(env, "remind"), smtp.gate)
    interrupted_email = smtp.messages[-1]["message_id"].strip("<>").split("@")[0]

    # Run 3 finishes the batch; run 4 finds nothing to do.
    out3 = finish(peerlog(env, "remind"))
    assert "recovered_in_doubt 1" in out3, out3
    emails, texts = len(smtp.messages), len(sms.sent)
    out4 = finish(peerlog(env, "remind"))
    assert "planned 0, sent 0" in out4, out4
    assert (len(smtp.messages), len(sms.sent)) == (emails, texts)

    outbox = {m["key"]: m for m in json.loads(helper(env, "dump"))}
    assert len(outbox) == 2 * PARTICIPANTS
    email_ids = smtp.by_message_id()
    delivered = sms.delivered()
    requested = {key: sms.requests.count(key) for key in set(sms.requests)}
    # Nothing reached a server that the outbox does not know.
    assert {mid.strip("<>").split("@")[0] for mid in email_ids} <= set(outbox)
    assert set(delivered) <= set(outbox)
    fates = {}
    for key, m in outbox.items():
        if m["channel"] == "email":
            assert email_ids.get(f"<{key}@peerlog>") == 1, f"email {key} not exactly once"
            if key == interrupted_email:
                assert m["state"] == "in_doubt" and "interrupted" in m["events"]
                fates[key] = "in doubt"
            else:
                assert m["state"] == "sent" and m["attempts"] == 1
                fates[key] = "sent once"
        else:
            assert m["state"] == "sent" and delivered.get(key) == 1, f"SMS {key}: {m}"
            if key == interrupted_sms:
                assert requested[key] == 2 and m["attempts"] == 2
                assert "interrupted" in m["events"]
                fates[key] = "retried under the same key"
            else:
                assert requested[key] == 1 and m["attempts"] == 1
                fates[key] = "sent once"
    summary = sorted(fates.values())
    assert summary.count("in doubt") == 1
    assert summary.count("retried under the same key") == 1
    assert summary.count("sent once") == 2 * PARTICIPANTS - 2
