"""The API's key scheme, `Authorization: Token <key>` (django-rest-knox): the key is checked
against its stored hash; an expired key is deleted on its first use and answers 401 like an
unknown one. Who gets a key, and when keys are revoked: accounts/tokens.py."""

from knox import auth as knox_auth


class TokenAuthentication(knox_auth.TokenAuthentication):
    pass
