"""Login for the app: users from `DELIB_AUTH` ("user:password,user2:password2") and/or a users file
(`DELIB_USERS_FILE`, JSON {"user": "<bcrypt hash>"}). Passwords from the environment are hashed at
load and never kept in clear; checks use bcrypt. No user configured: no login.

Make a users-file entry:  python -m assistant.ui.auth NAME  (asks for the password, prints the JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import bcrypt

# Compared against when the user is unknown, so that an unknown name costs the same time as a bad password.
_DUMMY = bcrypt.hashpw(b"-", bcrypt.gensalt(rounds=4))


class AuthError(ValueError):
    """A malformed DELIB_AUTH or users file (French message)."""


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def parse_auth(spec: str, rounds: int = 12) -> dict[str, str]:
    """"alice:secret,bob:pa:ss" -> {name: bcrypt hash}. A password may contain ':' (split on the first)."""
    users: dict[str, str] = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, password = item.partition(":")
        if not sep or not name.strip() or not password:
            raise AuthError(f"DELIB_AUTH : « {name.strip() or item} » doit s'écrire utilisateur:motdepasse.")
        users[name.strip()] = hash_password(password, rounds)
    return users


def load_users_file(path: Path) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuthError(f"{path} : fichier des utilisateurs illisible ({exc.strerror or exc}).") from exc
    except ValueError as exc:
        raise AuthError(f"{path} : le fichier des utilisateurs n'est pas du JSON valide ({exc}).") from exc
    if not isinstance(data, dict):
        raise AuthError(f"{path} : attendu un objet JSON {{\"utilisateur\": \"empreinte bcrypt\"}}.")
    users = {}
    for name, hashed in data.items():
        if not isinstance(hashed, str) or not hashed.startswith(("$2a$", "$2b$", "$2y$")):
            raise AuthError(f"{path} : l'utilisateur « {name} » n'a pas d'empreinte bcrypt "
                            "(créez-la avec python -m assistant.ui.auth NOM).")
        users[str(name)] = hashed
    return users


def load_users(settings) -> dict[str, str]:
    """Users of the settings (DELIB_AUTH, then the users file, which wins for a name in both)."""
    users: dict[str, str] = {}
    if settings.auth:
        users.update(parse_auth(settings.auth))
    if settings.users_file:
        users.update(load_users_file(settings.users_file))
    return users


def checker(users: dict[str, str]) -> Callable[[str, str], bool] | None:
    """The `auth=` callable for Gradio's launch, or None when nobody is configured (no login)."""
    if not users:
        return None
    hashes = {name: h.encode("ascii") for name, h in users.items()}

    def check(username: str, password: str) -> bool:
        hashed = hashes.get(username or "")
        ok = bcrypt.checkpw((password or "").encode("utf-8"), hashed or _DUMMY)
        return ok and hashed is not None

    return check


def main() -> None:  # pragma: no cover - interactive
    import getpass
    import sys

    if len(sys.argv) != 2:
        print("Usage : python -m assistant.ui.auth NOM", file=sys.stderr)
        raise SystemExit(2)
    password = getpass.getpass(f"Mot de passe de {sys.argv[1]} : ")
    print(json.dumps({sys.argv[1]: hash_password(password)}, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    main()
