"""The pages' messages, one module per persona; each module holds a ``MESSAGES`` dict.

``key → {"it": "…", "en": "…"}``. Add a module here for a new area of pages (it is found by
:func:`impactkit.api.pages._i18n.catalogue`, nothing to register); a key already defined in another
module is refused at start-up. Read messages with ``t('key')`` in templates or
:func:`impactkit.api.pages.rendering.message` in code.
"""
