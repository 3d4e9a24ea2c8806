"""Test-side queries of the simulated LMS database (not part of the simulated commands)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import django  # noqa: E402

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from oauth2_provider.generators import generate_client_secret  # noqa: E402
from oauth2_provider.models import get_application_model  # noqa: E402

from openedx.core.djangoapps.user_api.models import RetirementState, UserRetirementStatus  # noqa: E402

query = sys.argv[1]
if query == "applications":
    result = [
        {"id": a.id, "name": a.name, "clientId": a.client_id, "user": a.user.username,
         "grantType": a.authorization_grant_type, "updated": a.updated.isoformat()}
        for a in get_application_model().objects.order_by("id")
    ]
elif query == "user":
    user = get_user_model().objects.filter(username=sys.argv[2]).first()
    result = user and {"isStaff": user.is_staff, "isSuperuser": user.is_superuser, "email": user.email}
elif query == "states":
    result = [s.state_name for s in RetirementState.objects.order_by("state_execution_order")]
elif query == "add-user-in-retirement":
    user = get_user_model().objects.create(username=sys.argv[2], email=sys.argv[2] + "@example.com")
    state, _ = RetirementState.objects.get_or_create(state_name=sys.argv[3], defaults={"state_execution_order": 999})
    UserRetirementStatus.objects.create(user=user, current_state=state)
    result = True
elif query == "add-application":
    user, _ = get_user_model().objects.get_or_create(username=sys.argv[2])
    # Chosen here because in the hashed-secrets mode the saved instance holds only the hash.
    secret = generate_client_secret()
    application = get_application_model().objects.create(
        name=sys.argv[3], user=user, client_type="confidential", authorization_grant_type=sys.argv[4],
        redirect_uris="https://example.com/complete", client_secret=secret,
    )
    result = {"clientId": application.client_id, "clientSecret": secret}
elif query == "delete-application":
    # As an admin deleting it in Django admin: the LMS then has no application with that client id.
    result = get_application_model().objects.filter(client_id=sys.argv[2]).delete()[0]
elif query == "secret-is-hashed":
    # Whether, never what: the stored secret must not reach the test's output.
    from openedx.core.djangoapps.oauth_dispatch.validators import is_hashed  # noqa: E402

    application = get_application_model().objects.filter(client_id=sys.argv[2]).first()
    result = application and is_hashed(application.client_secret)
else:
    raise SystemExit("unknown query " + query)
print(json.dumps(result))
