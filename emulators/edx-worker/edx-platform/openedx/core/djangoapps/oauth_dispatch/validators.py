"""
DOT 2's hashed client secrets, grafted onto Debian's DOT 1.7 for the simulator's hashed-secrets
mode. Follows django-oauth-toolkit 2.x: models.py ClientSecretField.pre_save (hash with
make_password unless identify_hasher already recognises the value) and oauth2_validators.py
OAuth2Validator._check_secret (check_password for a hashed stored secret, constant_time_compare
for a plaintext one), used by _authenticate_basic_auth and _authenticate_request_body.
"""
import base64
import binascii
import logging
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.utils.crypto import constant_time_compare
from oauth2_provider.oauth2_validators import OAuth2Validator

log = logging.getLogger(__name__)


def is_hashed(secret):
    try:
        identify_hasher(secret)
    except ValueError:
        return False
    return True


def hash_client_secret(sender, instance, **kwargs):
    """pre_save receiver: as ClientSecretField.pre_save, an already hashed value is left alone."""
    if not is_hashed(instance.client_secret):
        instance.client_secret = make_password(instance.client_secret)


class HashedSecretValidator(OAuth2Validator):
    """DOT 1.7's validator with DOT 2's secret check; only the two comparisons differ."""

    def _check_secret(self, provided_secret, stored_secret):
        # A request without a secret carries None, which DOT 1.7's `!=` never matched.
        if not isinstance(provided_secret, str):
            return False
        if is_hashed(stored_secret):
            return check_password(provided_secret, stored_secret)
        return constant_time_compare(provided_secret, stored_secret)

    def _authenticate_basic_auth(self, request):
        auth_string = self._extract_basic_auth(request)
        if not auth_string:
            return False
        try:
            encoding = request.encoding or settings.DEFAULT_CHARSET or "utf-8"
        except AttributeError:
            encoding = "utf-8"
        try:
            decoded = base64.b64decode(auth_string).decode(encoding)
            client_id, client_secret = map(unquote_plus, decoded.split(":", 1))
        except (TypeError, binascii.Error, UnicodeDecodeError, ValueError):
            log.debug("Failed basic auth: %r cannot be decoded", auth_string)
            return False
        if self._load_application(client_id, request) is None:
            return False
        if request.client.client_id != client_id:
            return False
        return self._check_secret(client_secret, request.client.client_secret)

    def _authenticate_request_body(self, request):
        try:
            client_id = request.client_id
            client_secret = request.client_secret
        except AttributeError:
            return False
        if self._load_application(client_id, request) is None:
            return False
        return self._check_secret(client_secret, request.client.client_secret)
