"""The dashboard's entrypoint: page config, language, and the pages (st.navigation once).

Run it with `vaikuttavuus serve`, which sets $VAIKUTTAVUUS_DB to the database to show.
"""

from pathlib import Path

import streamlit as st

from dashboard import warm

# First, before anything of ours is imported: sessions run this script concurrently, and the
# first visits after a restart would import the pages' modules at the same time.
warm.up()

from dashboard import auth, health, i18n, ui  # noqa: E402
from etl import access  # noqa: E402
from etl.access import Permission  # noqa: E402

# One file per page, named after its Finnish URL path (so that none shadows a package), with
# the permission it needs: the menu lists only the pages the user may open, and each page
# checks the same permission itself (auth.page) when its URL is opened directly.
VIEWS = Path(__file__).resolve().parent / "views"
PAGES: tuple[tuple[str, str, str, str, Permission], ...] = (
    ("sopimukset.py", "page.contracts", "sopimukset", ":material/assignment:", "view-contracts"),
    ("sopimus.py", "page.contract", "sopimus", ":material/show_chart:", "view-contracts"),
    ("maksut.py", "page.payments", "maksut", ":material/euro:", "view-settlements"),
    ("maksuajo.py", "page.payment_run", "maksuajo", ":material/payments:", "prepare"),
    ("johto.py", "page.leadership", "johto", ":material/insights:", "view-leadership"),
    ("strategia.py", "page.strategy", "strategia", ":material/flag:", "view-strategy"),
    (
        "kilpailutuskalenteri.py",
        "page.calendar",
        "kilpailutuskalenteri",
        ":material/event:",
        "view-calendar",
    ),
    (
        "toimitukset.py",
        "page.deliveries",
        "toimitukset",
        ":material/upload_file:",
        "view-deliveries",
    ),
    ("tapahtumaloki.py", "page.audit", "tapahtumaloki", ":material/history:", "view-audit"),
)

# The tab's icon is our own SVG, sent inline as a data: URL. A `:material/...:` page icon
# would make every browser fetch it from fonts.gstatic.com (Streamlit's frontend builds that
# URL for a favicon; the menu's material icons come from the font Streamlit serves itself).
FAVICON = Path(__file__).resolve().parent / "favicon.svg"
st.set_page_config(page_title="Vaikuttavuus", page_icon=FAVICON, layout="wide")
if ui.LANG_KEY not in st.session_state:
    st.session_state[ui.LANG_KEY] = i18n.DEFAULT
st.sidebar.selectbox(
    ui.LANGUAGE_LABEL,
    i18n.LANGUAGES,
    format_func=lambda code: i18n.LANGUAGE_NAMES[code],
    key=ui.LANG_KEY,
)
# a missing or unreadable database: a plain page on every address, no traceback
health.stop_unless_database_readable()
# nothing of the app before sign-in, and nothing but a notice without a role
auth.banner()
actor = auth.signed_in()
auth.sidebar(actor)
allowed = [page for page in PAGES if access.can(actor, page[4]) and (VIEWS / page[0]).exists()]
if not allowed:
    st.info(ui.t("auth.no_pages"))
    st.stop()
pages = [
    st.Page(VIEWS / file, title=ui.t(key), url_path=path, icon=icon)
    for file, key, path, icon, _ in allowed
]


def start() -> None:
    """The root address opens the first page this user may see (each page keeps its own
    address: a default page would answer only at the root)."""
    st.switch_page(pages[0])


st.navigation(
    [st.Page(start, title="Vaikuttavuus", default=True, visibility="hidden"), *pages]
).run()
