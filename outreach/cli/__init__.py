"""The command line: parses options, calls the application layer, prints. The only layer
that imports Click."""

from outreach.cli.group import cli, main

__all__ = ["cli", "main"]
