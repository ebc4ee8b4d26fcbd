"""Small helpers every page uses: the chosen language, its strings, the database reference."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import polars as pl
import streamlit as st

from dashboard import data, i18n
from dashboard.literal import markdown as literal
from etl.messages import MessageError, error_text

Done = TypeVar("Done")

LANG_KEY = "lang"
LANGUAGE_LABEL = "Kieli · Språk · Language"
"""The language picker's label, in all three: whoever cannot read the current one finds it."""
MISSING = "–"
"""What a table shows for a missing value, in every language."""


def lang() -> str:
    """The language chosen in the sidebar (kept in st.session_state['lang']), Finnish first."""
    chosen = st.session_state.get(LANG_KEY, i18n.DEFAULT)
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT


def t(key: str, **values: object) -> str:
    return i18n.t(key, lang(), **values)


def ref() -> data.DbRef:
    return data.db_ref()


def indicator_names(ref_: data.DbRef, contract_id: str | None = None) -> dict[tuple[str, str], str]:
    """(contract, indicator) -> the indicator's name in the chosen language."""
    frame = data.indicators(ref_)
    if contract_id is not None:
        frame = frame.filter(pl.col("contract_id") == contract_id)
    column = f"name_{lang()}"
    return {
        (c, i): n
        for c, i, n in zip(frame["contract_id"], frame["indicator_id"], frame[column], strict=True)
    }


def each(frame: pl.DataFrame, columns: str | Sequence[str], text: Callable[..., str]) -> pl.Series:
    """`text(*values)` of each row's `columns`, computed here in plain Python.

    Never polars' map_elements: it calls Python from polars' thread pool, which waits for the
    GIL; another session's thread holding the GIL while it waits for that pool (its to_pandas
    for a table) then deadlocks the server. Seen with five pages opened at once."""
    names = [columns] if isinstance(columns, str) else list(columns)
    return pl.Series([text(*row) for row in frame.select(names).iter_rows()], dtype=pl.String)


def show_table(
    frame: pl.DataFrame,
    column_config: dict[str, Any] | None = None,
    numbers: Mapping[str, Callable[[Any], str]] | None = None,
) -> None:
    """A read-only table without the row index; an empty cell shows a dash (Streamlit would
    write the English word None). `numbers`: columns that hold numbers (amounts, values,
    counts) and how each is written in the language; the table sorts them as numbers and
    shows them as written (pandas' Styler supplies the display text)."""
    if not numbers:
        st.dataframe(frame, hide_index=True, column_config=column_config, placeholder=MISSING)
        return
    shown = frame.to_pandas().style.format(
        {name: _or_missing(write) for name, write in numbers.items()}
    )
    st.dataframe(shown, hide_index=True, column_config=column_config, placeholder=MISSING)


def _or_missing(write: Callable[[Any], str]) -> Callable[[Any], str]:
    def shown(value: Any) -> str:
        return MISSING if value is None or value != value else write(value)  # NaN != NaN

    return shown


def write(step: Callable[[], Done], done: Callable[[Done], str]) -> None:
    """Do a page's write. Refused (settling, approval, permissions, personal data, the
    database: every such error is a MessageError): the reason in the page's language, and
    nothing else. Done: the caches are cleared, `done(result)` is left for the next run to
    show (`flash`), and the page runs again on the new data."""
    try:
        result = step()
    except MessageError as error:
        st.error(literal(error_text(error, lang())))
        return
    st.cache_data.clear()
    st.session_state["flash"] = done(result)
    st.rerun()


def flash() -> None:
    """Show (once) a message a previous run left for this one."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message)


def from_query(param: str, key: str, valid: list[str]) -> None:
    """Take the widget `key`'s value from ?param= when the URL asks for something this
    session did not write there itself (a link or a typed address)."""
    asked = st.query_params.get(param)
    if asked in valid and asked != st.session_state.get(f"_query_{key}"):
        st.session_state[key] = asked


def to_query(param: str, key: str, value: str) -> None:
    """Mirror the widget's value in the URL so that the page can be linked to."""
    st.query_params[param] = value
    st.session_state[f"_query_{key}"] = value
