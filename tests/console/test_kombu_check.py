"""An unchecked kombu release stops every management command (migrate before the web starts,
`check --deploy`) with a message saying what to run: the broker workarounds are never silently
off."""

from __future__ import annotations

from django.core import checks

from console.checks import kombu_release_checked


def test_the_installed_kombu_release_passes():
    assert kombu_release_checked in checks.registry.registry.get_checks()
    assert kombu_release_checked() == []
    assert not [m for m in checks.run_checks() if m.id == "console.E001"]


def test_another_release_is_an_error_that_says_what_to_check():
    (error,) = kombu_release_checked(version=(6, 0, 1))

    assert error.level == checks.ERROR and error.id == "console.E001"
    assert "kombu 6.0.1" in error.msg and "test_fault_delivery.py" in error.hint
