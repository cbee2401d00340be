#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Keystone entities and catalog of the lab, and what must follow the services.

Run by `lab/openstack up` with Debian's python3 (openstacksdk from Debian).
Idempotent: everything is looked up before it is created.

  bootstrap.py --state DIR --password PW                 projects, users, roles, catalog, clouds.yaml
  bootstrap.py --state DIR --password PW --after-services fake L2 agent, volume type, public network
"""

import argparse
import os
import sys
import time

import openstack

KS = "http://127.0.0.1:5000/v3"

# service name -> (type, url, description)
SERVICES = {
    "glance": ("image", "http://127.0.0.1:9292", "Image"),
    "placement": ("placement", "http://127.0.0.1:8778", "Placement"),
    "nova": ("compute", "http://127.0.0.1:8774/v2.1", "Compute"),
    "neutron": ("network", "http://127.0.0.1:9696", "Network"),
    "cinderv3": ("volumev3", "http://127.0.0.1:8776/v3/%(project_id)s", "Block storage v3"),
    "cinder": ("block-storage", "http://127.0.0.1:8776/v3/%(project_id)s", "Block storage"),
    "octavia": ("load-balancer", "http://127.0.0.1:9876", "Load balancer"),
    "barbican": ("key-manager", "http://127.0.0.1:9311", "Key manager"),
    "swift": ("object-store", "http://127.0.0.1:8088/v1/AUTH_%(project_id)s", "Object store"),
    # S3 on the same Swift proxy (s3api), as the type scs-0123 v2 defines
    "swift-s3": ("object-store-s3", "http://127.0.0.1:8088", "S3 API of the object store"),
}

BROKEN_REGION = "LabBroken"
BROKEN_PORT = 18999

SERVICE_USERS = ["glance", "placement", "nova", "neutron", "cinder", "barbican", "swift", "octavia"]
MEMBER_USER = "lab-member"
MEMBER_PROJECT = "demo"


def admin(password):
    return openstack.connect(
        auth_url=KS,
        username="admin",
        password=password,
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="RegionOne",
        interface="public",
        identity_api_version="3",
    )


def ensure(find, create):
    found = find()
    return found if found else create()


def keystone(conn, password, state):
    idc = conn.identity
    domain = idc.find_domain("default") or idc.find_domain("Default")
    service_project = ensure(lambda: idc.find_project("service", domain_id=domain.id),
                             lambda: idc.create_project(name="service", domain_id=domain.id))
    demo = ensure(lambda: idc.find_project(MEMBER_PROJECT, domain_id=domain.id),
                  lambda: idc.create_project(name=MEMBER_PROJECT, domain_id=domain.id))
    roles = {}
    for name in ["admin", "member", "reader", "load-balancer_member", "creator", "service"]:
        roles[name] = ensure(lambda: idc.find_role(name), lambda: idc.create_role(name=name))
    for name in SERVICE_USERS:
        user = ensure(lambda: idc.find_user(name, domain_id=domain.id),
                      lambda: idc.create_user(name=name, password=password, domain_id=domain.id,
                                              default_project_id=service_project.id))
        for role in ("admin", "service"):
            idc.assign_project_role_to_user(service_project, user, roles[role])
    member = ensure(lambda: idc.find_user(MEMBER_USER, domain_id=domain.id),
                    lambda: idc.create_user(name=MEMBER_USER, password=password, domain_id=domain.id,
                                            default_project_id=demo.id))
    # member only: the upstream suite refuses to run with admin or manager roles
    for role in ("member", "load-balancer_member"):
        idc.assign_project_role_to_user(demo, member, roles[role])
    # admin also works in the demo project (for seeding and cleanup there)
    admin_user = idc.find_user("admin", domain_id=domain.id)
    idc.assign_project_role_to_user(demo, admin_user, roles["admin"])

    # a lab bootstrapped before a type changed (swift-s3 was `s3`) gets the service anew
    for service in idc.services():
        if service.name in SERVICES and service.type != SERVICES[service.name][0]:
            idc.delete_service(service)
    for name, (stype, url, desc) in SERVICES.items():
        register_service(idc, name, stype, url, desc)
    # A second region whose service endpoints point at a port where the tests
    # run a misbehaving server (HTTP 500, garbage): real Keystone, broken services.
    if not any(r.id == BROKEN_REGION for r in idc.regions()):
        idc.create_region(id=BROKEN_REGION, description="lab: endpoints for failure tests")
    for stype, path in [("compute", "compute"), ("image", "image"), ("volumev3", "volume"), ("network", "network")]:
        service = next(s for s in idc.services() if s.type == stype)
        url = f"http://127.0.0.1:{BROKEN_PORT}/{path}"
        if not any(e.url == url for e in idc.endpoints(service_id=service.id)):
            idc.create_endpoint(service_id=service.id, interface="public", url=url, region_id=BROKEN_REGION)
    appcred = member_application_credential(password)
    write_clouds_yaml(state, password, appcred)


def member_application_credential(password):
    """An application credential of lab-member (re-created each time: its
    secret is only shown at creation)."""
    member = openstack.connect(auth_url=KS, username=MEMBER_USER, password=password, project_name=MEMBER_PROJECT,
                               user_domain_name="Default", project_domain_name="Default", region_name="RegionOne",
                               identity_api_version="3")
    user_id = member.current_user_id
    for cred in member.identity.application_credentials(user=user_id):
        if cred.name == "scs-lab-check":
            member.identity.delete_application_credential(user_id, cred)
    cred = member.identity.create_application_credential(user_id, name="scs-lab-check",
                                                        description="lab: application-credential auth of scs check")
    return cred.id, cred.secret


def register_service(idc, name, stype, url, desc):
    service = next((s for s in idc.services() if s.type == stype), None)
    if service is None:
        service = idc.create_service(name=name, type=stype, description=desc, is_enabled=True)
    have = {(e.interface, e.url) for e in idc.endpoints(service_id=service.id)}
    for interface in ("public", "internal", "admin"):
        if (interface, url) not in have:
            idc.create_endpoint(service_id=service.id, interface=interface, url=url, region_id="RegionOne")


def write_clouds_yaml(state, password, appcred):
    # cloud name -> (user, project, region)
    clouds = {
        "lab-admin": ("admin", "admin", "RegionOne"),
        "lab-admin-demo": ("admin", MEMBER_PROJECT, "RegionOne"),
        "lab-member": (MEMBER_USER, MEMBER_PROJECT, "RegionOne"),
        "lab-member-broken": (MEMBER_USER, MEMBER_PROJECT, BROKEN_REGION),
    }
    text = "# written by lab/openstack; every listener is on 127.0.0.1\nclouds:\n"
    for name, (user, project, region) in clouds.items():
        text += f"""  {name}:
    auth:
      auth_url: {KS}
      username: {user}
      password: {password}
      project_name: {project}
      user_domain_name: Default
      project_domain_name: Default
    region_name: {region}
    interface: public
    identity_api_version: 3
"""
    text += f"""  lab-member-appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: {KS}
      application_credential_id: {appcred[0]}
      application_credential_secret: {appcred[1]}
    region_name: RegionOne
    interface: public
    identity_api_version: 3
"""
    text += f"""  lab-member-tls:
    auth:
      auth_url: https://127.0.0.1:5443/v3
      username: {MEMBER_USER}
      password: {password}
      project_name: {MEMBER_PROJECT}
      user_domain_name: Default
      project_domain_name: Default
    cacert: {os.path.join(state, "tls", "ca.pem")}
    region_name: RegionOne
    interface: public
    identity_api_version: 3
"""
    path = os.path.join(state, "clouds.yaml")
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def fake_l2_agent(state):
    """Registers a Linux bridge agent for host `lab` over RPC, as a real agent's
    first state report would; with a long agent_down_time ports then bind."""
    from neutron.agent import rpc as agent_rpc
    from neutron.common import config as common_config
    from neutron_lib import context, rpc as n_rpc
    from neutron_lib.agent import topics
    from oslo_config import cfg

    from neutron.conf.agent import common as agent_config

    common_config.register_common_config_options()
    agent_config.register_agent_state_opts_helper(cfg.CONF)
    cfg.CONF([], project="neutron", default_config_files=[os.path.join(state, "etc/neutron/neutron.conf")])
    n_rpc.init(cfg.CONF)
    state_rpc = agent_rpc.PluginReportStateAPI(topics.REPORTS)
    agent_state = {
        "binary": "neutron-linuxbridge-agent",
        "host": "lab",
        "availability_zone": "nova",
        "topic": "N/A",
        "configurations": {
            "interface_mappings": {"public": "lo"},
            "bridge_mappings": {},
            "tunnel_types": ["vxlan"],
            "tunneling_ip": "127.0.0.1",
            "l2_population": False,
            "devices": 0,
        },
        "agent_type": "Linux bridge agent",
        "start_flag": True,
    }
    ctx = context.get_admin_context_without_session()
    for attempt in range(30):
        try:
            state_rpc.report_state(ctx, agent_state, use_call=True)
            return
        except Exception as e:  # the server may still be starting its RPC workers
            if attempt == 29:
                raise
            print(f"agent report: {e}; retrying", file=sys.stderr)
            time.sleep(1)


def after_services(conn, state):
    fake_l2_agent(state)
    # a default volume type the fake backend serves
    vtype = next((t for t in conn.block_storage.types() if t.name == "lab"), None)
    if vtype is None:
        conn.block_storage.create_type(name="lab", extra_specs={"volume_backend_name": "fake"},
                                       description="Lab volume type on the fake backend")
    # an external network for routers
    net = conn.network.find_network("public")
    if net is None:
        net = conn.network.create_network(name="public", is_router_external=True, provider_network_type="flat",
                                          provider_physical_network="public", is_shared=False)
        conn.network.create_subnet(network_id=net.id, name="public-subnet", ip_version=4, cidr="203.0.113.0/24",
                                   gateway_ip="203.0.113.1", is_dhcp_enabled=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--after-services", action="store_true")
    args = parser.parse_args()
    conn = admin(args.password)
    if args.after_services:
        after_services(conn, args.state)
    else:
        keystone(conn, args.password, args.state)


if __name__ == "__main__":
    main()
