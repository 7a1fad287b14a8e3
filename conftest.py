"""Root conftest: load the shared fixtures so every test directory sees them."""

pytest_plugins = ["tests.fixtures"]
