"""The command line: parses options, calls the application layer, prints. The only layer
that imports Click."""

from outreach.cli import agenda, daily, outcomes, publishing, quarterly, starting  # noqa: F401  (each registers its commands)
from outreach.cli.group import cli, main

__all__ = ["cli", "main"]
