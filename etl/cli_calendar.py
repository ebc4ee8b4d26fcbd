"""`vaikuttavuus calendar [--months N]`: the subcommands, registered by etl.cli.

Like etl.cli, this module imports only the standard library at module level: each command
imports what it uses when it runs (tests/test_cli_start_imports.py).
"""

import argparse


def register(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", common: argparse.ArgumentParser
) -> None:
    """Add the subcommands to the `vaikuttavuus` parser."""
