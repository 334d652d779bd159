"""`dealer quote`: a quote as the customer receives it, printed or as text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dealer_tui.catalog.documents import email_text, print_quote
from dealer_tui.catalog.quotes import find_quote
from dealer_tui.cli.common import context, fail, out, user_errors

app = typer.Typer(help="Quotes: the printed quote and its text for e-mail.")

Number = Annotated[str, typer.Argument(help="The quote number, e.g. Q2026-000012.")]
Revision = Annotated[
    int | None,
    typer.Option("--revision", min=1, help="Which version; default the latest."),
]


@app.command()
def pdf(
    ctx: typer.Context,
    number: Number,
    revision: Revision = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--out",
            dir_okay=False,
            help="The PDF file to write; default NUMBER-vN.pdf in the documents "
            "folder of the data directory.",
        ),
    ] = None,
) -> None:
    """Print the quote to a PDF file and say where it is."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        quote_id = find_quote(db, actor, number, revision)
        try:
            path = print_quote(db, actor, quote_id, output)
        except OSError as problem:
            raise fail(f"cannot write {output}: {problem.strerror}") from None
    out.print(f"Wrote {path}", markup=False, soft_wrap=True)


@app.command()
def text(
    ctx: typer.Context,
    number: Number,
    revision: Revision = None,
    output: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write to this file, not stdout."),
    ] = None,
) -> None:
    """The quote as plain text (78 columns), ready to paste into an e-mail."""
    with user_errors():
        options = context(ctx)
        db = options.open()
        actor = options.actor(db)
        quote_id = find_quote(db, actor, number, revision)
        body = email_text(db, actor, quote_id)
    if output is None:
        out.print(body, markup=False, highlight=False, end="", soft_wrap=True)
        return
    try:
        output.write_text(body, encoding="utf-8")
    except OSError as problem:
        raise fail(f"cannot write {output}: {problem.strerror}") from None
    out.print(f"Wrote {output}", markup=False, soft_wrap=True)
