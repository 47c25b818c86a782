"""Plan win-back calls for upset and lapsed accounts, following the recovery playbook."""


def version() -> str:
    """The installed version; read only when asked (`--version`), as its import is slow."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("outreach")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"
