"""The ``report`` command group: verify a frozen report or an exported workbook."""

from __future__ import annotations

from pathlib import Path

import click

from impactkit.reports.hashing import verify_file


@click.group("report")
def report() -> None:
    """Social reports: verify frozen reports, exported workbooks and report PDFs."""


@report.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify(file: Path) -> None:
    """Check that FILE (a frozen .json report, an exported .xlsx or a report .pdf) is unchanged since
    validation.

    Prints "verified: sha256 …" and exits 0, or prints the reason and exits 1.
    """
    result = verify_file(file)
    if result.ok:
        click.echo(result.message)
        return
    click.echo(result.message, err=True)
    raise SystemExit(1)
