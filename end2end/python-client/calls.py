"""An integrator's first hour, with the Python client openapi-python-client generated
from the server's own OpenAPI document: check a number, list the templates, send, read
the message back, and, as an admin, add a template, save a group's tab and import an
opt-out file. Every call goes to the real server; a wrong answer fails the run.

Usage: calls.py BASE_URL AGENT_TOKEN ADMIN_TOKEN (the generated package on sys.path).
"""

import io
import sys
import time

from agent_notify_api_client import AuthenticatedClient
from agent_notify_api_client.api.admin import (
    import_opt_outs,
    create_template,
    list_opt_outs,
    list_templates,
    remove_opt_out,
    save_notification_types,
)
from agent_notify_api_client.api.agent import agent_templates, check_recipient
from agent_notify_api_client.api.notifications import get_notification, send_notification
from agent_notify_api_client.models import (
    Channel,
    ChannelMapping,
    ErrorBody,
    Imported,
    InvalidNumber,
    NotificationTypes,
    OptOutInput,
    PhoneCheckRequest,
    SendRequest,
    TemplateInput,
    ValidNumber,
)
from agent_notify_api_client.types import File

base, agent_token, admin_token = sys.argv[1:4]
agent = AuthenticatedClient(base_url=base, token=agent_token, raise_on_unexpected_status=True)
admin = AuthenticatedClient(base_url=base, token=admin_token, raise_on_unexpected_status=True)
checked = []


def check(what, condition, detail=""):
    """Records one expectation; a false one ends the run with what was seen."""
    if not condition:
        sys.exit(f"FAILED: {what} {detail}")
    checked.append(what)


# A valid number comes back in each of its forms; an invalid one says why.
valid = check_recipient.sync(client=agent, body=PhoneCheckRequest(number="98765 43210", country="IN"))
check("a valid number reads as ValidNumber", isinstance(valid, ValidNumber), repr(valid))
check("its E.164 form", valid.e164 == "+919876543210", valid.e164)
invalid = check_recipient.sync(client=agent, body=PhoneCheckRequest(number="123", country="IN"))
check("an invalid number reads as InvalidNumber", isinstance(invalid, InvalidNumber), repr(invalid))
check("with its reason", invalid.reason == "too_short" and not invalid.valid, invalid.reason)

# The agent's SMS templates, then a send of one, read back.
templates = agent_templates.sync(client=agent, channel=Channel.SMS)
ids = [t.id for t in templates]
check("the demo group offers SMS templates", "t_sms_thanks" in ids, ids)
accepted = send_notification.sync(
    client=agent,
    body=SendRequest(to="+919876543210", channel=Channel.SMS, template_id="t_sms_thanks", call_id="py-call-1"),
    idempotency_key="py-client-send-1",
)
check("a send is accepted with a UUID", not isinstance(accepted, ErrorBody) and accepted.uuid.version == 4, repr(accepted))
for _ in range(50):
    view = get_notification.sync(str(accepted.uuid), client=agent)
    if view.status.value in ("sent", "delivered"):
        break
    time.sleep(0.1)
check("the message reads back on its way", view.status.value in ("sent", "delivered"), view.status)
check("to the number sent to", view.to == "+919876543210", view.to)
refused = send_notification.sync(
    client=agent, body=SendRequest(to="123", channel=Channel.SMS, template_id="t_sms_thanks")
)
check("a bad number is the API's error body", isinstance(refused, ErrorBody), repr(refused))
check("naming the field", refused.error.code == "invalid_phone", refused.error.code)

# As an admin: a new template, a group's tab with it, and an opt-out file.
created = create_template.sync(
    client=admin,
    body=TemplateInput(id="t_py_client", name="From Python", channel=Channel.SMS, body="Thank you for calling."),
)
check("an admin creates a template", created.id == "t_py_client" and created.kind.value == "static", repr(created))
names = [t.name for t in list_templates.sync(client=admin)]
check("and finds it listed", "From Python" in names, names)
saved = save_notification_types.sync(
    "demo",
    client=admin,
    body=NotificationTypes(
        sms=ChannelMapping(enabled=True, templates=["t_sms_thanks", "t_py_client"]),
        whatsapp=ChannelMapping(enabled=True, templates=["t_wa_order"]),
        rcs=ChannelMapping(enabled=True, templates=["t_rcs_welcome"]),
    ),
)
check("a group's tab saves", saved.sms.templates == ["t_sms_thanks", "t_py_client"], repr(saved))
csv = b"number,channel,sender\n+919876500001,sms,\n+919876500002,whatsapp,\n"
imported = import_opt_outs.sync(
    client=admin, body=File(payload=io.BytesIO(csv), file_name="opt-outs.csv", mime_type="text/csv")
)
check("a CSV file imports as a whole", isinstance(imported, Imported) and imported.read == 2, repr(imported))
listed = [o.number for o in list_opt_outs.sync(client=admin, channel="sms")]
check("its numbers are listed", "+919876500001" in listed, listed)
remove_opt_out.sync_detailed(client=admin, body=OptOutInput(number="+919876500001", channel=Channel.SMS))
listed = [o.number for o in list_opt_outs.sync(client=admin, channel="sms")]
check("and taken off again", "+919876500001" not in listed, listed)

print(f"the generated client made {len(checked)} checks against the server: all passed")
