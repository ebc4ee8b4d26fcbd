"""Toimitukset: upload supplier files with exactly the command line's checks (load_upload), the
rejection report, and the delivery history with what later deliveries superseded."""

from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import auth, data, i18n, ui
from dashboard.literal import markdown as literal
from etl import access, limits, settle
from etl.load import load_upload
from etl.messages import plain, render

actor = auth.page("view-deliveries")
lang = ui.lang()
st.title(ui.t("deliveries.title"))
ui.flash()

ref = ui.ref()
visible = auth.visible(actor, data.contracts(ref), "view-deliveries")["contract_id"].to_list()

files = []
submitted = False
if access.can(actor, "upload"):
    st.subheader(ui.t("deliveries.upload"))
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            ui.t("deliveries.upload"), type=[s.lstrip(".") for s in limits.UPLOAD_SUFFIXES],
            accept_multiple_files=True, key="uploads",
        )  # fmt: skip
        submitted = st.form_submit_button(ui.t("deliveries.load"), type="primary")

if submitted and files and access.can(actor, "upload"):
    db = data.db_path()
    results = []
    bar = st.progress(0.0)
    for index, upload in enumerate(files):
        name = Path(upload.name).name
        bar.progress(index / len(files), text=ui.t("deliveries.checking", file=literal(name)))

        def rows_read(rows: int, name: str = name, done: float = index / len(files)) -> None:
            bar.progress(
                done,
                text=ui.t(
                    "deliveries.checking_rows", file=literal(name), rows=i18n.count(rows, lang)
                ),
            )

        # the bytes go to a file of our naming beside the database; the browser's name is
        # only recorded; the loader checks the actor may upload for every contract in it
        results.append(load_upload(db, upload.name, upload.getvalue(), actor, rows_read))
    summary = []
    for result in results:
        # the problems and notes stay messages: they are rendered in the page's language
        problems = list(result.problems)
        summary.append(
            {
                "file": result.file, "status": result.status, "delivery": result.delivery_id,
                "rows": result.rows, "count": result.problem_count, "problems": problems,
                "warnings": list(result.warnings),
            }
        )  # fmt: skip
    # settle again only the contracts the accepted files touched
    touched = sorted(
        {c for r in results if r.status == "loaded" and len(r.scope) for c in r.scope["contract"]}
    )
    if touched:
        # one write for all of them: each write copies the database file
        bar.progress(1.0, text=ui.t("deliveries.settling", count=len(touched)))
        report = settle.settle(db, actor, contracts=touched, after_upload=True)
        summary.append({"settled": sum(1 for o in report.outcomes if o.action != "unchanged")})
    bar.empty()
    st.session_state["upload_results"] = summary
    st.cache_data.clear()

for item in st.session_state.get("upload_results", []):
    if "settled" in item:
        st.info(ui.t("deliveries.settled", changed=item["settled"]))
        continue
    name = literal(Path(item["file"]).name)
    if item["status"] == "loaded":
        st.success(
            ui.t("deliveries.loaded", file=name, delivery=item["delivery"],
                 rows=i18n.count(item["rows"], lang))
        )  # fmt: skip
    elif item["status"] == "already-loaded":
        st.info(ui.t("deliveries.already", file=name))
    else:
        st.error(ui.t("deliveries.rejected", file=name, count=i18n.count(item["count"], lang)))
        rendered = [
            (p.row, plain(p.column, lang), plain(p.text, lang), render(p.reason, lang))
            for p in item["problems"]
        ]
        ui.show_table(
            pl.DataFrame(
                rendered,
                schema={
                    ui.t("col.row"): pl.Int64, ui.t("col.column"): pl.String,
                    ui.t("col.text"): pl.String, ui.t("col.reason"): pl.String,
                },
                orient="row",
            )
        )  # fmt: skip
    for warning in item["warnings"]:
        st.caption(literal(render(warning, lang)))

ref = ui.ref()
for contract, period, version, why in data.stale(ref):
    if contract not in visible:
        continue
    st.warning(
        ui.t("deliveries.stale", contract=literal(contract), period=period, version=version,
             why=why)
    )  # fmt: skip

st.subheader(ui.t("deliveries.history"))
history = data.delivery_history(ref)
if not actor.all_roles:  # only deliveries all of whose contracts the actor may see
    history = history.filter(
        pl.col("contracts").str.split(", ").list.eval(pl.element().is_in(visible)).list.all()
    )
if len(history):
    newest = history.row(0, named=True)
    st.caption(
        ui.t("deliveries.newest", delivery=newest["delivery_id"],
             file=literal(newest["file_name"]), when=i18n.moment(newest["loaded_at"], lang),
             by=literal(newest["loaded_by"] or "–"))
    )  # fmt: skip
states = {
    "current": ui.t("delivery.current"), "superseded": ui.t("delivery.superseded"),
    "partly": ui.t("delivery.partly"),
}  # fmt: skip
ui.show_table(
    pl.DataFrame(
        {
            ui.t("col.delivery"): history["delivery_id"],
            ui.t("col.file"): history["file_name"],
            ui.t("col.loaded"): [i18n.moment(d, lang) for d in history["loaded_at"]],
            ui.t("col.loaded_by"): history["loaded_by"],
            ui.t("col.rows"): history["row_count"],
            ui.t("col.contract"): history["contracts"],
            ui.t("col.months"): history["months"],
            ui.t("col.state"): [
                states[s] + (f" ({k}/{n})" if s == "partly" else "")
                for s, k, n in zip(
                    history["state"], history["superseded_keys"], history["keys"], strict=True
                )
            ],
            ui.t("col.superseded_by"): history["superseded_by"],
            ui.t("col.corrects"): history["corrects"],
        }
    )
)
