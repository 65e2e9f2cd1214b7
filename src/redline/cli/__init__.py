"""The `redline` command: parse the arguments, call `redline.app.Redline`, render the answer.

A user's mistake (`redline.errors.UserError`: an unknown country, a file that is not what the
option takes, ...) is rendered once, by `common.Commands`: one line `error: ...`, exit code 2.
The commands live by kind: `ingest`, `read` (lists and shows), `analysis` (dyads, watch rules,
outlets, briefings, the web app), `evaluate`.
"""

import typer

from redline.cli import analysis, evaluate, ingest, read
from redline.cli.common import Commands

app = typer.Typer(
    cls=Commands,
    help="Redline: who did what to whom, from news text, with the evidence sentence for each.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(ingest.commands)
app.add_typer(read.commands)
app.add_typer(analysis.commands)
app.add_typer(evaluate.eval_app, name="eval")


def main() -> None:
    app(prog_name="redline")
