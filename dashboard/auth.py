"""Who is using the dashboard, and what they may see: every page calls `page(permission)`
first, on the server, before it reads anything.

With sign-in configured (`[auth]` in Streamlit's secrets, `vaikuttavuus serve`), the actor is
the user the OpenID provider signed in: identified by the ID token's issuer and subject, named
by its name and e-mail, with the roles the role-mapping file gives the groups in its claim.
Nothing else is shown before sign-in, and a user without a role sees only a page saying so.
Without sign-in (`vaikuttavuus serve --no-auth`, bound to 127.0.0.1, a banner on every page)
the actor is the operating-system user who started the server, with every role.
"""

import contextlib
import os
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from dashboard import data, i18n, literal
from etl import access, audit, store
from etl.access import Actor, Permission, RoleMap, RoleMapError

NO_AUTH_ENV = access.NO_AUTH_ENV


def sign_in_off() -> bool:
    return os.environ.get(NO_AUTH_ENV) == "1"


def session_id() -> str | None:
    """This browser session's id (recorded with each action)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:
        return None
    ctx = get_script_run_ctx()
    return None if ctx is None else f"browser {ctx.session_id}"


@st.cache_resource(show_spinner=False, max_entries=4)
def _role_map(path: str, modified: float) -> RoleMap:
    """The role-mapping file, read again whenever it changes on disk; a changed mapping is
    recorded in the audit trail (as the operating-system user running the server, who
    noticed it: the file's editor is not known to us)."""
    role_map = access.load_role_map(Path(path))
    with contextlib.suppress(OSError, store.StoreError, duckdb.Error):
        audit.record_role_map(data.db_path(), access.local_actor(), role_map)
    return role_map


def role_map() -> RoleMap | None:
    """The installation's role mapping; None when there is none (nobody gets a role)."""
    path = access.role_map_path()
    if path is None:
        return None
    try:
        return _role_map(str(path), path.stat().st_mtime)
    except OSError as error:
        raise RoleMapError(str(path), [f"(file): cannot be read: {error.strerror}"]) from error


def current_actor() -> Actor | None:
    """The actor of this browser session; None before sign-in."""
    if sign_in_off():
        return access.local_actor(session=session_id())
    if not st.user.get("is_logged_in"):
        return None
    return access.signed_in_actor(st.user.to_dict(), role_map(), session_id())


def _t(key: str, **values: object) -> str:
    chosen = st.session_state.get("lang", i18n.DEFAULT)
    return i18n.t(key, chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT, **values)


def signed_in() -> Actor:
    """The signed-in actor with at least one role; otherwise this run shows the sign-in page,
    or the page saying the user has no role, and stops. Every sign-in is recorded once per
    browser session in the audit trail."""
    try:
        actor = current_actor()
    except RoleMapError as error:
        st.error(_t("auth.role_map_broken"))
        st.text(str(error))
        st.stop()
        raise
    if actor is None:
        _sign_in_page()
        st.stop()
        raise AssertionError  # st.stop() does not return
    if not sign_in_off() and not st.session_state.get("_sign_in_recorded"):
        st.session_state["_sign_in_recorded"] = True
        _record(actor, audit.Event("sign-in", detail={"roles": list(actor.roles)}))
    if not actor.roles:
        st.title("Vaikuttavuus")
        st.info(_t("auth.no_role", who=literal.markdown(actor.label)))
        _sign_out_button()
        st.stop()
    return actor


def page(permission: Permission) -> Actor:
    """The signed-in actor, if it holds the permission; otherwise a refusal and stop. The
    check is on the server: a page opened by its URL gets the same answer as by the menu."""
    actor = signed_in()
    if not access.can(actor, permission):
        _record(actor, audit.Event("open-page", "refused", detail={"permission": permission}))
        st.error(_t("auth.forbidden"))
        st.stop()
    return actor


def visible(actor: Actor, contracts: pl.DataFrame, permission: Permission) -> pl.DataFrame:
    """The rows of `contracts` (contract_id, service, supplier_business_id) that the actor may
    see with this permission: a supplier its own, a contract manager those of its grant."""
    if actor.all_roles or contracts.is_empty():
        return contracts
    keep = [
        access.can(actor, permission, access.ContractScope(c, s, b))
        for c, s, b in zip(
            contracts["contract_id"], contracts["service"], contracts["supplier_business_id"],
            strict=True,
        )
    ]  # fmt: skip
    return contracts.filter(pl.Series(keep, dtype=pl.Boolean))


def refuse_if_not_visible(actor: Actor, asked: str | None, shown: list[str]) -> None:
    """A contract asked for by URL that the actor may not see: refused and recorded, before
    the page falls back to one it may see."""
    if asked and asked not in shown:
        _record(actor, audit.Event("open-contract", "refused", contract_id=asked))
        st.error(_t("auth.contract_forbidden", contract=literal.markdown(asked)))


def _record(actor: Actor, event: audit.Event) -> None:
    """Sign-ins and refusals go through the journal: they never wait for a writer."""
    with contextlib.suppress(
        OSError, store.StoreError, duckdb.Error
    ):  # no database: the page says so
        audit.record_soon(data.db_path(), actor, event)


def _sign_in_page() -> None:
    st.title("Vaikuttavuus")
    st.write(_t("auth.sign_in_text"))
    if st.button(_t("auth.sign_in"), type="primary", key="sign_in"):
        try:
            st.login()
        except Exception:  # Streamlit raises its own error when [auth] is absent
            st.error(_t("auth.not_configured"))


def _sign_out_button() -> None:
    if not sign_in_off() and st.button(_t("auth.sign_out"), key="sign_out"):
        st.logout()


def banner() -> None:
    """Without sign-in, the warning every page shows above its content (the app draws it once
    per run, before the page)."""
    if sign_in_off():
        st.warning(_t("auth.no_auth_banner"), icon="⚠️")


def sidebar(actor: Actor) -> None:
    """Who is signed in, with which roles, and the sign-out button."""
    roles = ", ".join(
        i18n.t(f"role.{r}", st.session_state.get("lang", i18n.DEFAULT)) for r in actor.roles
    )
    st.sidebar.caption(_t("auth.signed_in_as", who=literal.markdown(actor.label), roles=roles))
    if not sign_in_off() and st.sidebar.button(_t("auth.sign_out"), key="sign_out_sidebar"):
        st.logout()
