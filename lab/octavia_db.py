#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Creates Octavia's schema on PostgreSQL from its models and fills the lookup
tables and DELETED placeholders Octavia expects (its alembic migrations are
MySQL-only). `octavia-db-manage stamp head` follows. Usage: octavia_db.py DB_URL"""
import sys

import sqlalchemy
from octavia.common import constants as c
from octavia.db import base_models, models
from sqlalchemy import orm

LOOKUPS = [
    (c.SUPPORTED_PROVISIONING_STATUSES, models.ProvisioningStatus),
    (c.SUPPORTED_HEALTH_MONITOR_TYPES, models.HealthMonitorType),
    (c.SUPPORTED_LB_ALGORITHMS, models.Algorithm),
    (c.SUPPORTED_PROTOCOLS, models.Protocol),
    (c.SUPPORTED_OPERATING_STATUSES, models.OperatingStatus),
    (c.SUPPORTED_SP_TYPES, models.SessionPersistenceType),
    (c.SUPPORTED_AMPHORA_ROLES, models.AmphoraRoles),
    (c.SUPPORTED_LB_TOPOLOGIES, models.LBTopology),
    (c.SUPPORTED_VRRP_AUTH, models.VRRPAuthMethod),
    (c.SUPPORTED_L7RULE_TYPES, models.L7RuleType),
    (c.SUPPORTED_L7RULE_COMPARE_TYPES, models.L7RuleCompareType),
    (c.SUPPORTED_L7POLICY_ACTIONS, models.L7PolicyAction),
    (c.SUPPORTED_CLIENT_AUTH_MODES, models.ClientAuthenticationMode),
]

engine = sqlalchemy.create_engine(sys.argv[1])
base_models.BASE.metadata.create_all(engine)
with orm.Session(bind=engine) as session:
    if session.query(models.ProvisioningStatus).count() == 0:
        for names, model in LOOKUPS:
            for name in names:
                session.add(model(name=name))
        session.flush()
        session.add(models.FlavorProfile(id=c.NIL_UUID, name="DELETED-PLACEHOLDER", provider_name=c.DELETED, flavor_data="{}"))
        session.flush()
        session.add(models.Flavor(id=c.NIL_UUID, flavor_profile_id=c.NIL_UUID, name="DELETED-PLACEHOLDER", enabled=False,
                                  description="Placeholder for DELETED LBs with DELETED flavors"))
        session.add(models.AvailabilityZoneProfile(id=c.NIL_UUID, name="DELETED-PLACEHOLDER", provider_name=c.DELETED,
                                                   availability_zone_data="{}"))
        session.flush()
        session.add(models.AvailabilityZone(availability_zone_profile_id=c.NIL_UUID, name=c.NIL_UUID, enabled=False,
                                            description="Placeholder for DELETED LBs with DELETED availability zones"))
        session.commit()
