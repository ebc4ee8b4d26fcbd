"""The dashboard's entrypoint: page config, language, and the pages (st.navigation once).

Run it with `vaikuttavuus serve`, which sets $VAIKUTTAVUUS_DB to the database to show.
"""

from pathlib import Path

import streamlit as st

from dashboard import warm

# First, before anything of ours is imported: sessions run this script concurrently, and the
# first visits after a restart would import the pages' modules at the same time.
warm.up()

from dashboard import i18n, ui  # noqa: E402

# One file per page, named after its Finnish URL path (so that none shadows a package).
VIEWS = Path(__file__).resolve().parent / "views"
PAGES = (
    ("sopimukset.py", "page.contracts", "sopimukset", ":material/assignment:"),
    ("sopimus.py", "page.contract", "sopimus", ":material/show_chart:"),
    ("maksut.py", "page.payments", "maksut", ":material/euro:"),
    ("johto.py", "page.leadership", "johto", ":material/insights:"),
    ("toimitukset.py", "page.deliveries", "toimitukset", ":material/upload_file:"),
)

st.set_page_config(page_title="Vaikuttavuus", page_icon=":material/monitoring:", layout="wide")
if ui.LANG_KEY not in st.session_state:
    st.session_state[ui.LANG_KEY] = i18n.DEFAULT
st.sidebar.selectbox(
    "Kieli · Språk · Language",
    i18n.LANGUAGES,
    format_func=lambda code: i18n.LANGUAGE_NAMES[code],
    key=ui.LANG_KEY,
)
pages = [
    st.Page(VIEWS / file, title=ui.t(key), url_path=path, icon=icon, default=index == 0)
    for index, (file, key, path, icon) in enumerate(PAGES)
]
st.navigation(pages).run()
