"""The two download buttons of a page's file (.xlsx and Finnish CSV): the file is made when a
button is pressed (in a thread of its own, not on every run), and its export is written to the
audit trail by the signed-in actor, through the journal, before it is handed over."""

from collections.abc import Callable

import streamlit as st

from dashboard import data, ui
from etl import audit
from etl.access import Actor
from etl.audit_export import Kind

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def buttons(
    actor: Actor,
    base_name: str,
    make: Callable[[Kind], bytes],
    event: Callable[[Kind, str], audit.Event],
    key: str,
    labels: tuple[str, str] = ("payments.download_xlsx", "payments.download_csv"),
) -> None:
    """`base_name`.xlsx and `base_name`.fi.csv side by side (widget keys `key`_xlsx and
    `key`_csv); `make(kind)` makes the file, `event(kind, file name)` is its export's row."""

    def pressed(kind: Kind, name: str) -> Callable[[], bytes]:
        def made() -> bytes:
            content = make(kind)
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
