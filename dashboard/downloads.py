"""The two download buttons of a page's file (.xlsx and Finnish CSV): the file is made when a
button is pressed (in a thread of its own, not on every run) in the page's language
(`ui.lang()`), and its export is written to the audit trail by the signed-in actor, through
the journal, before it is handed over."""

from collections.abc import Callable

import streamlit as st

from dashboard import data, ui
from etl import audit, payment_run
from etl.access import Actor
from etl.audit_export import Kind

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MakeFile = Callable[[Kind, str], bytes]
"""`make(kind, lang)`: the file's bytes, headers and words in the language."""
Event = Callable[[Kind, str], audit.Event]
"""`event(kind, file name)`: the trail's row of the export."""


def localized_buttons(
    actor: Actor,
    base_name: str,
    make: MakeFile,
    event: Event,
    key: str,
    labels: tuple[str, str] = ("payments.download_xlsx", "payments.download_csv"),
) -> None:
    """`base_name`.xlsx and `base_name`.fi.csv side by side (widget keys `key`_xlsx and
    `key`_csv); `make(kind, ui.lang())` makes the file when pressed, `event(kind, file name)`
    is its export's row in the trail."""
    lang = ui.lang()

    def pressed(kind: Kind, name: str) -> Callable[[], bytes]:
        def made() -> bytes:
            content = make(kind, lang)
            audit.record_soon(data.db_path(), actor, event(kind, name))
            return content

        return made

    files: tuple[tuple[Kind, str, str, str], ...] = (
        ("xlsx", f"{base_name}.xlsx", labels[0], XLSX_MIME),
        ("csv", f"{base_name}.fi.csv", labels[1], "text/csv"),
    )
    for column, (kind, name, label, mime) in zip(st.columns(2), files, strict=True):
        column.download_button(
            ui.t(label), pressed(kind, name), file_name=name, mime=mime, key=f"{key}_{kind}"
        )


def buttons(
    actor: Actor,
    base_name: str,
    make: Callable[[Kind], bytes],
    event: Event,
    key: str,
    labels: tuple[str, str] = ("payments.download_xlsx", "payments.download_csv"),
) -> None:
    """`localized_buttons` for a file whose maker takes no language (the audit trail's)."""
    localized_buttons(actor, base_name, lambda kind, _lang: make(kind), event, key, labels)


def payment_run_buttons(
    actor: Actor, period: str, run: list[payment_run.RunRow], key: str = "run"
) -> None:
    """Maksuajo's payment file of the run's approved rows, in the page's language."""
    localized_buttons(
        actor, f"maksuajo-{period}", lambda kind, lang: payment_run.file_bytes(run, kind, lang),
        lambda kind, name: payment_run.export_event(period, run, name, kind), key=key,
    )  # fmt: skip
