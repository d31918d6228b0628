"""Messages of the pages anyone may open: sign-in, invitations, the public observatory."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "sign_in": {"it": "Accedi", "en": "Sign in"},
    "email": {"it": "Email", "en": "Email"},
    "password": {"it": "Password", "en": "Password"},
    "wrong_credentials": {
        "it": "Email o password non corrette. Riprova.",
        "en": "The email or password is not correct. Please try again.",
    },
}
