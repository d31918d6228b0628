"""Messages of the pages anyone may open: sign-in, invitations, the public observatory."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "sign_in": {"it": "Accedi", "en": "Sign in"},
    "email": {"it": "Email", "en": "Email"},
    "password": {"it": "Password", "en": "Password"},
    "wrong_credentials": {
        "it": "Email o password non corrette. Riprova.",
        "en": "The email or password is not correct. Please try again.",
    },
    "invitation": {"it": "Invito", "en": "Invitation"},
    "invitation_welcome": {
        "it": "Sei stata o stato invitato a unirti a {organisation} con il ruolo di {role}.",
        "en": "You have been invited to join {organisation} as {role}.",
    },
    "invitation_existing_account": {
        "it": "Hai già un account con {email}: accedi con la tua password per accettare.",
        "en": "You already have an account with {email}: sign in with your password to accept.",
    },
    "sign_in_to_accept": {"it": "Accedi per accettare", "en": "Sign in to accept"},
    "accept_invitation": {"it": "Accetta l'invito", "en": "Accept the invitation"},
    "your_name": {"it": "Il tuo nome e cognome", "en": "Your full name"},
    "choose_password": {"it": "Scegli una password", "en": "Choose a password"},
    "password_again": {"it": "Ripeti la password", "en": "The password again"},
    "invitation_accepted": {
        "it": "Benvenuta, benvenuto: ora fai parte dell'organizzazione.",
        "en": "Welcome: you are now a member.",
    },
    "invitation_unavailable": {
        "it": "Questo invito non è più valido.",
        "en": "This invitation is no longer valid.",
    },
    "invitation_unavailable_unknown": {
        "it": "Questo link di invito non è valido. Controlla di averlo copiato per intero.",
        "en": "This invitation link is not valid. Check that you copied all of it.",
    },
    "invitation_unavailable_used": {
        "it": "Questo invito è già stato usato: accedi con la tua email e password.",
        "en": "This invitation has already been used: sign in with your e-mail and password.",
    },
    "invitation_unavailable_expired": {
        "it": "Questo invito è scaduto: chiedine uno nuovo a chi ti ha invitato.",
        "en": "This invitation has expired: ask whoever invited you for a new one.",
    },
    "invitation_unavailable_withdrawn": {
        "it": "Questo invito è stato ritirato.",
        "en": "This invitation was withdrawn.",
    },
}
