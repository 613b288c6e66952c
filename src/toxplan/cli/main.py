"""The ``toxplan`` command: plan, check, dilution math, the knowledge base and the records.

Exit status: 0 success (for ``check``: no critical finding), 1 a critical finding (``check``)
or a broken knowledge base (``kb validate``), 2 invalid input, 3 the knowledge base or a
policy file failed to load.

Each command's module is imported only when that command runs (or ``--help`` lists it):
``toxplan check`` loads the knowledge base and the engine, never the database, the web app or
the document code. Register a command by its name, module and attribute in ``COMMANDS``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("toxplan.cli.plan_commands", "plan"),
    "check": ("toxplan.cli.plan_commands", "check"),
    "dilution": ("toxplan.cli.plan_commands", "dilution"),
    "kb": ("toxplan.cli.kb_commands", "app"),
    "db": ("toxplan.cli.db_commands", "db_app"),
    "backup": ("toxplan.cli.db_commands", "backup"),
    "restore": ("toxplan.cli.db_commands", "restore"),
    "recall": ("toxplan.cli.db_commands", "recall"),
    "serve": ("toxplan.cli.serve_commands", "serve"),
    "user": ("toxplan.cli.serve_commands", "user_app"),
    "report": ("toxplan.cli.report_commands", "report_app"),
    "export": ("toxplan.cli.report_commands", "export_app"),
    "clinic": ("toxplan.cli.clinic_commands", "clinic_app"),
    "advise": ("toxplan.cli.advise_command", "advise"),
    "audit": ("toxplan.cli.audit_commands", "audit_app"),
    "photo": ("toxplan.cli.photo_commands", "app"),
}
"""Command name -> (module, attribute): a Typer app (a group of commands) or a command function."""
HELP_ASKED = "toxplan.help_asked"


def _command(name: str) -> Any:
    module, attribute = COMMANDS[name]
    found = getattr(import_module(module), attribute)
    command: Any
    if isinstance(found, typer.Typer):
        command = typer.main.get_group(found)
    else:
        single = typer.Typer()
        single.command(name=name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyCommands(TyperGroup):
    """A command group that imports a command's module the first time the command is needed."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[HELP_ASKED] = any(arg in ctx.help_option_names for arg in args)
        parsed: list[str] = super().parse_args(ctx, args)
        return parsed

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=LazyCommands,
    help=(
        "ToxPlan: plan botulinum toxin type A treatments, do the dilution math and check "
        "plans against the US labels. It supports a clinician's judgement; it does not "
        "replace the label."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def toxplan(ctx: typer.Context) -> None:
    """ToxPlan's commands (see ``toxplan COMMAND --help``). Settings come from the environment
    (``TOXPLAN_*`` variables, listed in the README); a bad value stops every command but --help."""
    if ctx.meta.get(HELP_ASKED):
        return  # help needs no settings: it tells how to set them
    from toxplan.cli.common import clean_errors, read_settings  # noqa: PLC0415

    with clean_errors():
        read_settings()


def main() -> None:
    """Console entry point."""
    entry: Callable[[], Any] = app
    sys.exit(entry())
