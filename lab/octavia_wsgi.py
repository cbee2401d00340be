# SPDX-License-Identifier: Apache-2.0
"""Octavia's API under uwsgi with the lab's config file (Debian's wsgi script
reads the default /etc path through sys.argv, which uwsgi does not set)."""
import os

from octavia.api import app as octavia_app

application = octavia_app.setup_app(argv=["octavia-api", "--config-file", os.environ["SCS_LAB_OCTAVIA_CONF"]])
