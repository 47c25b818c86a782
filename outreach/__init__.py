"""Plan win-back calls for upset and lapsed accounts, following the recovery playbook."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("outreach")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
