"""Who may do what: the signed-in identity (`Actor`), the roles an administrator maps to
identity-provider groups (`RoleMap`, read from a TOML file), and the permission rule that
every page and every action checks on the server (`can`, `require`).

Roles: sopimusvastaava (contract manager, all contracts or the services/contracts named),
talous (finance), johto (leadership: aggregates only), toimittaja (supplier, bound to its
Y-tunnus), paakayttaja (administrator). A user may hold several. The command line is run by
whoever can write the database file: it acts with every role, and is recorded as such.
"""

import getpass
import hashlib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

from contracts.business_id import business_id_problem
from contracts.messages import message
from etl import personal_data
from etl.messages import MessageError

Role = Literal["sopimusvastaava", "talous", "johto", "toimittaja", "paakayttaja"]
ROLES: tuple[Role, ...] = get_args(Role)
Channel = Literal["browser", "cli"]

Permission = Literal[
    "view-contracts",  # Sopimukset, Sopimus: indicators and values of contracts in scope
    "view-deliveries",  # Toimitukset: delivery history, client-level counts
    "upload",  # load a delivery for a contract in scope
    "view-settlements",  # Maksut: lines and money (suppliers: approved ones of their own)
    "settle",  # settle again
    "prepare",  # four-eyes step 1
    "approve",  # four-eyes step 2, and reject
    "export",  # settlement and payment exports
    "rank",  # recompute a framework's priority order
    "view-leadership",  # Johto: aggregates, priority order
    "view-strategy",  # Strategia: the procurement strategy's goals and their status
    "view-calendar",  # Kilpailutuskalenteri: contracts ending, planned tenders, supplier records
    "view-audit",  # Tapahtumaloki
    "manage-terms",  # contract terms, role mapping
]

PERMISSIONS: Mapping[Role, frozenset[str]] = {
    "sopimusvastaava": frozenset({"view-contracts", "view-deliveries", "upload", "view-calendar"}),
    "talous": frozenset(
        {"view-settlements", "settle", "prepare", "approve", "export", "rank", "view-audit"}
    ),
    "johto": frozenset({"view-leadership", "view-strategy", "view-calendar"}),
    "toimittaja": frozenset({"view-contracts", "view-deliveries", "upload", "view-settlements"}),
    "paakayttaja": frozenset({"manage-terms", "view-audit"}),
}
SCOPED_PERMISSIONS = frozenset(
    {"view-contracts", "view-deliveries", "upload", "view-settlements", "view-calendar"}
)
"""Permissions that hold for one contract at a time: a grant may name which contracts."""


class AccessError(MessageError):
    """An action the actor may not take; the message says why, in plain words."""


class RoleMapError(Exception):
    """A role-mapping file that cannot be used; `problems` lists every reason with its field."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{file}: {p}" for p in problems))


@dataclass(frozen=True)
class Grant:
    """One role, possibly limited: to services or contracts (contract managers), or to the
    contracts of one supplier's Y-tunnus (suppliers)."""

    role: Role
    services: frozenset[str] | None = None
    contracts: frozenset[str] | None = None
    business_id: str | None = None

    def covers(self, contract: "ContractScope") -> bool:
        """True when the grant reaches this contract."""
        if self.role == "toimittaja":
            return self.business_id is not None and contract.business_id == self.business_id
        if self.services is None and self.contracts is None:
            return True
        return contract.service in (self.services or ()) or contract.id in (self.contracts or ())


@dataclass(frozen=True)
class ContractScope:
    """What access decisions need to know of a contract."""

    id: str
    service: str
    business_id: str


@dataclass(frozen=True)
class Actor:
    """Who acts: `id` is what tells people apart (the identity provider's issuer and subject,
    or `cli:<os user>:<--by>`); `name` and `email` come from the ID token (or --by)."""

    id: str
    name: str
    email: str | None
    channel: Channel
    grants: tuple[Grant, ...] = ()
    session: str | None = None
    all_roles: bool = False

    @property
    def roles(self) -> tuple[Role, ...]:
        if self.all_roles:
            return ROLES
        return tuple(r for r in ROLES if any(g.role == r for g in self.grants))

    @property
    def label(self) -> str:
        """How the actor is shown to people: name (e-mail), and `(komentorivi)` for the CLI."""
        who = f"{self.name} ({self.email})" if self.email else self.name
        return f"{who} (komentorivi)" if self.channel == "cli" else who


def cli_actor(by: str | None) -> Actor:
    """The command line's actor: the operating-system user and the --by name given, marked as
    done from the command line; it holds every role (it can write the database file)."""
    user = _os_user()
    name = (by or "").strip() or user
    personal_data.refuse_hetu("--by", name)
    return Actor(
        id=f"cli:{user}:{name.casefold()}",
        name=name,
        email=None,
        channel="cli",
        session=f"pid {os.getpid()}",
        all_roles=True,
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def can(actor: Actor, permission: Permission, contract: ContractScope | None = None) -> bool:
    """Whether the actor holds the permission (for this contract, when one is given)."""
    if actor.all_roles:
        return True
    holding = [g for g in actor.grants if permission in PERMISSIONS[g.role]]
    if contract is None or permission not in SCOPED_PERMISSIONS:
        return bool(holding)
    return any(g.covers(contract) for g in holding)


def require(actor: Actor, permission: Permission, contract: ContractScope | None = None) -> None:
    """Raise AccessError unless the actor may do it."""
    if not can(actor, permission, contract):
        what = message("error.for_contract", contract=contract.id) if contract else ""
        roles = ", ".join(actor.roles) or "–"
        said = message("audit_detail.permission." + permission)
        raise AccessError(
            message("error.not_permitted", who=actor.name, roles=roles, permission=said, what=what)
        )


def visible_contracts(actor: Actor, contracts: Iterable[ContractScope]) -> list[str]:
    """The ids of the contracts whose indicators the actor may see."""
    return [c.id for c in contracts if can(actor, "view-contracts", c)]


# --- the role-mapping file -------------------------------------------------------------------


@dataclass(frozen=True)
class RoleMap:
    """`claim`: the ID-token claim that carries the user's groups or app roles; `groups`:
    claim value -> grants; `four_eyes`: whether preparer and approver must differ."""

    claim: str
    groups: Mapping[str, tuple[Grant, ...]]
    four_eyes: bool = True
    file: str = ""
    digest: str = ""

    def grants_for(self, claims: Mapping[str, Any]) -> tuple[Grant, ...]:
        """The grants of a user whose ID token carries these claims."""
        value = claims.get(self.claim)
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return tuple(g for v in values if isinstance(v, str) for g in self.groups.get(v, ()))


def load_role_map(path: Path) -> RoleMap:
    """Read and check a role-mapping TOML file; every problem is named with its field."""
    file = str(path)
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as error:
        raise RoleMapError(file, [f"(file): cannot be read: {error}"]) from error
    problems: list[str] = []
    for key in sorted(set(data) - {"claim", "four_eyes", "groups"}):
        problems.append(f"{key}: unknown key (allowed: claim, four_eyes, groups)")
    claim = data.get("claim", "groups")
    if not isinstance(claim, str) or not claim.strip():
        problems.append(f"claim: must be the name of an ID-token claim, got {claim!r}")
    four_eyes = data.get("four_eyes", True)
    if not isinstance(four_eyes, bool):
        problems.append(f"four_eyes: must be true or false, got {four_eyes!r}")
    groups_data = data.get("groups", {})
    groups: dict[str, tuple[Grant, ...]] = {}
    if not isinstance(groups_data, dict):
        problems.append('groups: must be a table of [groups."<claim value>"] tables')
        groups_data = {}
    for name, table in groups_data.items():
        grants = _grants(table, f'groups."{name}"', problems)
        if grants:
            groups[name] = grants
    if problems:
        raise RoleMapError(file, problems)
    return RoleMap(
        claim=cast(str, claim),
        groups=groups,
        four_eyes=cast(bool, four_eyes),
        file=file,
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _grants(table: object, path: str, problems: list[str]) -> tuple[Grant, ...]:
    if not isinstance(table, dict):
        problems.append(f"{path}: must be a table with roles = [...]")
        return ()
    allowed = {"roles", "services", "contracts", "business_id"}
    for key in sorted(set(table) - allowed):
        problems.append(f"{path}.{key}: unknown key (allowed: {', '.join(sorted(allowed))})")
    roles = table.get("roles")
    if not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles):
        problems.append(
            f"{path}.roles: must be a list of roles ({', '.join(ROLES)}), got {roles!r}"
        )
        return ()
    services = _names(table, "services", path, problems)
    contracts = _names(table, "contracts", path, problems)
    business_id = table.get("business_id")
    if "toimittaja" in roles:
        problem = business_id_problem(business_id) if isinstance(business_id, str) else "missing"
        if problem is not None:
            problems.append(f"{path}.business_id: a supplier is bound to its Y-tunnus: {problem}")
            return ()
    elif business_id is not None:
        problems.append(f"{path}.business_id: applies only to the role toimittaja")
    return tuple(
        Grant(
            cast(Role, role),
            services=services if role == "sopimusvastaava" else None,
            contracts=contracts if role == "sopimusvastaava" else None,
            business_id=cast(str, business_id) if role == "toimittaja" else None,
        )
        for role in roles
    )


def _names(
    table: Mapping[str, Any], key: str, path: str, problems: list[str]
) -> frozenset[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{path}.{key}: must be a list of names, got {value!r}")
        return None
    return frozenset(value)


ROLES_ENV = "VAIKUTTAVUUS_ROLES"
NO_AUTH_ENV = "VAIKUTTAVUUS_NO_AUTH"
"""Set to 1 by `vaikuttavuus serve --no-auth` for the dashboard: no sign-in, local use only."""
DEFAULT_ROLES_FILE = Path("roles.toml")


def role_map_path(given: Path | None = None) -> Path | None:
    """The installation's role-mapping file: the one given, else $VAIKUTTAVUUS_ROLES, else
    ./roles.toml when it exists; None when there is none."""
    if given is not None:
        return given
    from_env = os.environ.get(ROLES_ENV)
    if from_env:
        return Path(from_env)
    return DEFAULT_ROLES_FILE if DEFAULT_ROLES_FILE.exists() else None


def installation_four_eyes() -> bool:
    """Whether the installation requires two people for an approval (the default)."""
    path = role_map_path()
    return True if path is None else load_role_map(path).four_eyes


def local_actor(session: str | None = None) -> Actor:
    """The dashboard's actor when it runs without sign-in (`serve --no-auth`, bound to
    127.0.0.1): the operating-system user who started it, with every role."""
    user = _os_user()
    return Actor(
        id=f"local:{user}", name=user, email=None, channel="browser", session=session,
        all_roles=True,
    )  # fmt: skip


def signed_in_actor(
    claims: Mapping[str, Any], role_map: RoleMap | None, session: str | None = None
) -> Actor:
    """The actor of a user signed in with OpenID Connect: identified by the token's issuer and
    subject, named by its `name` (or `preferred_username`, or e-mail), with the grants the
    role-mapping file gives the groups in its claim (none without a mapping file)."""
    subject = str(claims.get("sub") or "").strip()
    issuer = str(claims.get("iss") or "").strip()
    email = claims.get("email")
    email = email.strip() if isinstance(email, str) and email.strip() else None
    name = next(
        (
            value.strip()
            for value in (claims.get("name"), claims.get("preferred_username"), email, subject)
            if isinstance(value, str) and value.strip()
        ),
        "?",
    )
    return Actor(
        id=f"oidc:{issuer}|{subject}",
        name=personal_data.masked(name),
        email=None if email is None else personal_data.masked(email),
        channel="browser",
        grants=() if role_map is None else role_map.grants_for(claims),
        session=session,
    )
