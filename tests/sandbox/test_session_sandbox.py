"""The test session's sandbox fixture: a stuck sandbox fails one test fast and is restarted."""

from __future__ import annotations

import signal

import pytest


def test_a_stuck_sandbox_fails_fast_with_its_stacks_and_comes_back(sandbox):
    old_pid = sandbox.process.pid
    sandbox.process.send_signal(signal.SIGSTOP)  # accepts connections, answers nothing

    with pytest.raises(pytest.fail.Exception, match="stopped answering") as failure:
        sandbox.ensure_answering(timeout=1)

    assert "Thread" in str(failure.value)  # the faulthandler dump from SIGUSR1
    assert sandbox.process.pid != old_pid
    assert sandbox.control.health()["status"] == "ok"


def test_an_answering_sandbox_passes_the_check(sandbox):
    pid = sandbox.process.pid
    sandbox.ensure_answering(timeout=5)
    assert sandbox.process.pid == pid
