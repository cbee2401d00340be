# SPDX-License-Identifier: Apache-2.0
"""Barbican's API under uwsgi with the lab's config file.

On PostgreSQL, Zed's Barbican writes Python bytes into TEXT columns and
reading a secret back fails with a 500; storing bytes as decoded text
(a psycopg2 adapter registered before the app loads) fixes that."""
import os

from psycopg2.extensions import QuotedString, register_adapter

register_adapter(bytes, lambda b: QuotedString(b.decode()))

from barbican.common import config  # noqa: E402  (after the adapter)
from paste import deploy  # noqa: E402

config.CONF(args=[], project="barbican", default_config_files=[os.environ["SCS_LAB_BARBICAN_CONF"]])
application = deploy.loadapp("config:/etc/barbican/barbican-api-paste.ini")
