"""The demo's users (sample_data/auth/users.json), as their ID tokens' claims: the same users
`make demo` gives the local OpenID provider, so that AppTest and the browser tests sign in as
the people a newcomer meets."""

import json
from pathlib import Path
from typing import Any

AUTH = Path(__file__).resolve().parents[1] / "sample_data" / "auth"
ROLES_FILE = AUTH / "roles.toml"
USERS: dict[str, dict[str, Any]] = {
    u["sub"]: u for u in json.loads((AUTH / "users.json").read_text(encoding="utf-8"))
}
ISSUER = "http://localhost:9400"


def signed_in(user: str, **extra: object) -> dict[str, Any]:
    """What `st.user` holds for this demo user once signed in."""
    return {"is_logged_in": True, "iss": ISSUER, **USERS[user], **extra}


EVERY_ROLE = signed_in("demo-kaikki")
"""The demo user holding every role but supplier."""
