# SPDX-License-Identifier: Apache-2.0
"""Schemathesis hooks for lab/schemathesis: the monitor's upload body types.

`POST /reports` takes `application/x-signed-yaml` and `-json` (an SSH
signature, `&`, the report), which schemathesis has no serializer for;
generated values are sent as their text, so the upload path is fuzzed too.
"""
import json

import schemathesis


@schemathesis.serializer("application/x-signed-yaml", "application/x-signed-json")
def signed_report(ctx, value):
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")
