import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The lead registers the plugin from the root conftest; until then (or when this directory is
    # run alone) register it here. import_plugin is a no-op if it is already registered.
    config.pluginmanager.import_plugin("tests.fixtures.sandbox")
