#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Seeds the lab with an SCS-compliant set of flavors, images and volume types,
and breaks and restores it one rule at a time for the integration tests.

  seed.py apply                 create or correct the compliant set (idempotent)
  seed.py violate CASE          break one rule (CASE from `seed.py cases`)
  seed.py restore CASE          undo it
  seed.py cases                 list the cases as `CASE TESTCASE OBJECT`
  seed.py create STATE          create a state where the default reading follows upstream's
                                code and an option the stricter one (STATE from `seed.py states`)
  seed.py remove STATE          undo it
  seed.py states                list the states as `STATE OBJECT`
  seed.py serve                 read `apply` / `violate CASE` / `restore CASE` /
                                `create STATE` / `remove STATE` lines on
                                stdin, answer `ok` or `error: ...` (one process for a test run)

Runs with Debian's python3 and openstacksdk as lab-admin (clouds.yaml from
OS_CLIENT_CONFIG_FILE or the lab's state directory).
"""

import datetime
import os
import sys

import openstack

STATE = os.environ.get("SCS_LAB_DIR", "/var/lib/scs-lab")
os.environ.setdefault("OS_CLIENT_CONFIG_FILE", os.path.join(STATE, "clouds.yaml"))

MANDATORY = ["SCS-1V-4", "SCS-2V-8", "SCS-4V-16", "SCS-8V-32", "SCS-1V-2", "SCS-2V-4", "SCS-4V-8", "SCS-8V-16",
             "SCS-16V-32", "SCS-1V-8", "SCS-2V-16", "SCS-4V-32", "SCS-1L-1", "SCS-2V-4-20s", "SCS-4V-16-100s"]
RECOMMENDED = ["SCS-1V-4-10", "SCS-2V-8-20", "SCS-4V-16-50", "SCS-8V-32-100", "SCS-1V-2-5", "SCS-2V-4-10",
               "SCS-4V-8-20", "SCS-8V-16-50", "SCS-16V-32-100", "SCS-1V-8-20", "SCS-2V-16-50", "SCS-4V-32-100",
               "SCS-1L-1-5", "SCS-16V-64", "SCS-8V-64", "SCS-16V-128"]
CPU_TYPES = {"L": "crowded-core", "V": "shared-core", "T": "dedicated-thread", "C": "dedicated-core"}
DISK_TYPES = {"s": "ssd", "p": "nvme", "h": "hdd", "n": "network", "": "network"}

TODAY = datetime.datetime.utcnow().replace(microsecond=0)


def flavor_spec(name):
    """vcpus, ram MiB, disk GB and scs:* extra specs of a standard flavor name."""
    parts = name[4:].split("-")
    cpus, ctype = int(parts[0][:-1]), parts[0][-1]
    ram = int(parts[1])
    disk, dtype = 0, None
    if len(parts) > 2:
        digits = "".join(c for c in parts[2] if c.isdigit())
        disk, dtype = int(digits), parts[2][len(digits):]
    specs = {"scs:cpu-type": CPU_TYPES[ctype], "scs:name-v1": "SCS-" + name[4:].replace("-", ":"), "scs:name-v2": name}
    if dtype is not None:
        specs["scs:disk0-type"] = DISK_TYPES[dtype]
    return cpus, ram * 1024, disk, specs


def image_props(distro, version, source, frequency="monthly", built=None):
    built = built or (TODAY - datetime.timedelta(days=3))
    return {
        "architecture": "x86_64",
        "os_distro": distro,
        "os_version": version,
        "os_purpose": "generic",
        "hw_disk_bus": "scsi",
        "hw_scsi_model": "virtio-scsi",
        "hypervisor_type": "kvm",
        "hw_rng_model": "virtio",
        "image_build_date": built.strftime("%Y-%m-%d %H:%M:%S"),
        "image_original_user": distro,
        "image_source": source,
        "image_description": f"https://docs.example.org/images/{distro}-{version}",
        "replace_frequency": frequency,
        "provided_until": "none",
        "uuid_validity": "last-3",
        "hotfix_hours": "24",
    }


NOBLE = "https://cloud-images.ubuntu.com/releases/noble/release-20250101/ubuntu-24.04-server-cloudimg-amd64.img"
BOOKWORM = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2"
OLD_BUILD = TODAY - datetime.timedelta(days=120)

CAPI = "https://nbg1.your-objectstorage.com/osism/openstack-k8s-capi-images/ubuntu-2404-kube-v1.33/ubuntu-2404-kube-v1.33.4.qcow2"
CAPI_DESCRIPTION = "https://github.com/osism/k8s-capi-images"
RESOLUTE = "https://cloud-images.ubuntu.com/releases/resolute/release/ubuntu-26.04-server-cloudimg-amd64.img"
TRIXIE = "https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2"
IMAGES = {
    "Ubuntu 26.04": dict(image_props("ubuntu", "26.04", RESOLUTE)),
    "Ubuntu 24.04": dict(image_props("ubuntu", "24.04", NOBLE)),
    "Debian 12": dict(image_props("debian", "12", BOOKWORM)),
    "Ubuntu 22.04": dict(image_props("ubuntu", "22.04", "https://cloud-images.ubuntu.com/releases/jammy/release/ubuntu-22.04-server-cloudimg-amd64.img")),
    "Debian 13": dict(image_props("debian", "13", TRIXIE)),
    # Cluster API node images in both naming schemes, with the properties scs-0104-v2 requires
    "ubuntu-capi-image v1.33.4": dict(image_props("ubuntu", "24.04", CAPI, frequency="never"), os_purpose="k8snode",
                                      image_description=CAPI_DESCRIPTION),
    "ubuntu-capi-image-v1.33.4": dict(image_props("ubuntu", "24.04", CAPI, frequency="never"), os_purpose="k8snode",
                                      image_description=CAPI_DESCRIPTION),
    # an outdated image, replaced by "Ubuntu 24.04", marked as upstream expects:
    # a date as its last name word, hidden, and no longer generic
    "Ubuntu 24.04 " + OLD_BUILD.strftime("%Y%m%d"): dict(
        image_props("ubuntu", "24.04", NOBLE, built=OLD_BUILD),
        os_purpose="oldgeneric",
        provided_until=(TODAY + datetime.timedelta(days=60)).strftime("%Y-%m-%d"),
    ),
}
HIDDEN = {"Ubuntu 24.04 " + OLD_BUILD.strftime("%Y%m%d")}

VOLUME_TYPES = {"lab-secure": "[scs:encrypted, replicated] encrypted and replicated (lab: nothing is stored)"}

# case -> (testcase, object, violate, restore)
CASES = {}


def case(name, testcase, obj):
    def register(fn):
        CASES[name] = (testcase, obj, fn)
        return fn
    return register


def set_image(c, img, **changes):
    """JSON-patches an image directly; openstacksdk's update_image sends a
    `stores` operation that Glance (Zed) answers with 409."""
    current = c.image.get(f"/images/{img.id}").json()
    ops = []
    for key, value in changes.items():
        key = {"is_hidden": "os_hidden"}.get(key, key)
        if value is None:
            if key in current:
                ops.append({"op": "remove", "path": f"/{key}"})
        elif current.get(key) != value:
            ops.append({"op": "replace" if key in current else "add", "path": f"/{key}", "value": value})
    if ops:
        r = c.image.patch(f"/images/{img.id}", json=ops,
                          headers={"Content-Type": "application/openstack-images-v2.1-json-patch"})
        if r.status_code >= 400:
            raise SystemExit(f"PATCH image {img.id}: {r.status_code} {r.text[:300]}")


def conn():
    return openstack.connect(cloud="lab-admin-demo")


def apply(c):
    existing = {f.name: f for f in c.compute.flavors(is_public=None)}
    for name in MANDATORY + RECOMMENDED:
        cpus, ram, disk, specs = flavor_spec(name)
        f = existing.get(name)
        if f is not None and (f.vcpus, f.ram, f.disk) != (cpus, ram, disk):
            c.compute.delete_flavor(f)
            f = None
        if f is None:
            f = c.compute.create_flavor(name=name, vcpus=cpus, ram=ram, disk=disk, is_public=True)
        current = c.compute.fetch_flavor_extra_specs(f).extra_specs or {}
        for key in list(current):
            if key.startswith("scs:") and key not in specs:
                c.compute.delete_flavor_extra_specs_property(f, key)
        if {k: current.get(k) for k in specs} != specs:
            c.compute.create_flavor_extra_specs(f, specs)
    for name in list(existing):
        if name.startswith("SCS-") and name not in MANDATORY + RECOMMENDED:
            c.compute.delete_flavor(existing[name])
    images = {i.name: i for i in c.image.images()}
    images.update({i.name: i for i in c.image.images(is_hidden=True)})
    for name, props in IMAGES.items():
        img = images.get(name)
        if img is None:
            img = c.image.create_image(name=name, disk_format="raw", container_format="bare", visibility="public",
                                       data=b"\0" * 1048576, min_disk=1, min_ram=512, allow_duplicates=True)
        set_image(c, img, min_disk=1, min_ram=512, visibility="public", is_hidden=name in HIDDEN, **props)
    for name in list(images):
        if name not in IMAGES and images[name].visibility in ("public", "community"):
            c.image.delete_image(images[name])
    types = {t.name: t for t in c.block_storage.types()}
    for name, description in VOLUME_TYPES.items():
        if name not in types:
            c.block_storage.create_type(name=name, description=description, extra_specs={"volume_backend_name": "fake"})
        elif types[name].description != description:
            c.block_storage.update_type(types[name], description=description)
    for name, t in types.items():
        if name not in VOLUME_TYPES and name not in ("lab", "__DEFAULT__"):
            c.block_storage.delete_type(t)


def image(c, name):
    for img in list(c.image.images(name=name)) + list(c.image.images(name=name, is_hidden=True)):
        return img
    raise SystemExit(f"image {name!r} not found; run `seed.py apply` first")


def flavor(c, name):
    f = c.compute.find_flavor(name, ignore_missing=False)
    return f


def extra_flavor(c, restore, name, vcpus, ram, disk):
    """A flavor that exists only while a case is violated."""
    f = c.compute.find_flavor(name)
    if restore:
        if f:
            c.compute.delete_flavor(f)
    elif not f:
        c.compute.create_flavor(name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True)


@case("syntax", "scs-0100-syntax-check", "SCS-2X-4")
def v_syntax(c, restore):
    extra_flavor(c, restore, "SCS-2X-4", 2, 4096, 0)


@case("semantics", "scs-0100-semantics-check", "SCS-1V-2-30")
def v_semantics(c, restore):
    # 1 GiB of RAM where the name promises 2
    extra_flavor(c, restore, "SCS-1V-2-30", 1, 1024, 30)


def flavor_case(name):
    tc = "scs-0103-flavor-" + name[4:].lower()

    def run(c, restore):
        f = flavor(c, name)
        good = flavor_spec(name)[3]["scs:cpu-type"]
        c.compute.update_flavor_extra_specs_property(f, "scs:cpu-type", good if restore else "dedicated-core")
    CASES["flavor-" + name[4:].lower()] = (tc, name, run)


for _name in MANDATORY + RECOMMENDED:
    flavor_case(_name)

BAD_PROPS = {
    "architecture": "x86",
    "min_disk": None,
    "min_ram": None,
    "os_version": "",
    "os_distro": "",
    "os_purpose": "desktop",
    "hw_disk_bus": "ide",
    "hypervisor_type": "bochs",
    "hw_rng_model": "hwrng",
    "image_build_date": "someday",
    "image_original_user": "",
    "image_source": "ftp:nowhere",
    "image_description": "",
    "replace_frequency": "hourly",
    "provided_until": "",
    "uuid_validity": "sometimes",
    "hotfix_hours": "soon",
}


def prop_case(prop):
    def run(c, restore):
        img = image(c, "Debian 12")
        if prop in ("min_disk", "min_ram"):
            set_image(c, img, **{prop: (1 if prop == "min_disk" else 512) if restore else 0})
            return
        good = IMAGES["Debian 12"].get(prop)
        set_image(c, img, **{prop: good if restore else BAD_PROPS[prop]})
    CASES["prop-" + prop] = ("scs-0102-prop-" + prop, "Debian 12", run)


for _prop in BAD_PROPS:
    prop_case(_prop)


@case("recency", "scs-0102-image-recency", "Ubuntu 24.04 " + OLD_BUILD.strftime("%Y%m%d"))
def v_recency(c, restore):
    # the replacement itself goes out of date, so nothing replaces the old image
    img = image(c, "Ubuntu 24.04")
    built = IMAGES["Ubuntu 24.04"]["image_build_date"] if restore else OLD_BUILD.strftime("%Y-%m-%d %H:%M:%S")
    set_image(c, img, image_build_date=built)


@case("uniqueness", "scs-0102-os_purpose-uniqueness", "Ubuntu 24.04 " + OLD_BUILD.strftime("%Y%m%d"))
def v_uniqueness(c, restore):
    img = image(c, "Ubuntu 24.04 " + OLD_BUILD.strftime("%Y%m%d"))
    set_image(c, img, is_hidden=restore, os_purpose="oldgeneric" if restore else "generic")


@case("source-ubuntu-2404", "scs-0104-source-ubuntu-2404", "Ubuntu 24.04")
def v_source(c, restore):
    img = image(c, "Ubuntu 24.04")
    set_image(c, img, image_source=NOBLE if restore else "https://mirror.example.org/noble.img")


def rename_image(c, restore, good, bad):
    """A case that renames an image so that no name matches any more."""
    old, new = (bad, good) if restore else (good, bad)
    set_image(c, image(c, old), name=new)


@case("image-ubuntu-2404", "scs-0104-image-ubuntu-2404", "Ubuntu 24.04")
def v_image(c, restore):
    rename_image(c, restore, "Ubuntu 24.04", "Ubuntu-24.04")


# scs-0104-v2 (preview scope): images found by their properties

@case("v2-source-generic", "scs-0104-v2-source-generic", "Debian 13")
def v2_source(c, restore):
    # a trixie image served from the bookworm directory
    set_image(c, image(c, "Debian 13"), image_source=TRIXIE if restore else BOOKWORM)


@case("v2-capi-properties", "scs-0104-v2-capi-properties", "ubuntu-capi-image-v1.33.4")
def v2_capi(c, restore):
    bad = "https://docs.example.org/images/capi"
    set_image(c, image(c, "ubuntu-capi-image-v1.33.4"), image_description=CAPI_DESCRIPTION if restore else bad)


def v2_purpose_case(name, testcase, image_name, version):
    def run(c, restore):
        set_image(c, image(c, image_name), os_purpose="generic" if restore else "minimal")
    CASES[name] = (testcase, f"os_version={version}", run)


v2_purpose_case("v2-image-ubuntu-lts", "scs-0104-v2-image-ubuntu-lts", "Ubuntu 26.04", "26.04")
v2_purpose_case("v2-image-ubuntu-previous", "scs-0104-v2-image-ubuntu-previous-lts", "Ubuntu 24.04", "24.04")
v2_purpose_case("v2-image-debian-stable", "scs-0104-v2-image-debian-stable", "Debian 13", "13")
v2_purpose_case("v2-image-debian-previous", "scs-0104-v2-image-debian-previous", "Debian 12", "12")


@case("v2-image-capi", "scs-0104-v2-image-capi", "ubuntu-capi-image-v")
def v2_image_capi(c, restore):
    rename_image(c, restore, "ubuntu-capi-image-v1.33.4", "ubuntu-capi-image_v1.33.4")


@case("volume-type-syntax", "scs-0114-syntax-check", "lab-secure")
def v_vtype(c, restore):
    t = next(t for t in c.block_storage.types() if t.name == "lab-secure")
    description = VOLUME_TYPES["lab-secure"] if restore else "[scs:replicated, encrypted] unsorted"
    c.block_storage.update_type(t, description=description)


# state -> (object, create/remove): the lab states of docs/checks.md's
# code-vs-text choices, where `scs check` decides as upstream's suite by default
STATES = {}


def state(name, obj):
    def register(fn):
        STATES[name] = (obj, fn)
        return fn
    return register


def claiming_flavor(c, remove, flavor_id):
    """A public flavor `my-small` (1 vCPU, 4 GiB) that claims scs:name-v2=SCS-2V-4.
    Nova lists flavors by flavor id, so the id decides whether it comes before
    or after the real SCS-2V-4 (whose id is a UUID: hex digits)."""
    f = c.compute.find_flavor("my-small")
    if f is not None:
        c.compute.delete_flavor(f)
    if not remove:
        f = c.compute.create_flavor(name="my-small", id=flavor_id, vcpus=1, ram=4096, disk=0, is_public=True)
        c.compute.create_flavor_extra_specs(f, {"scs:name-v2": "SCS-2V-4"})


@state("claim-after", "my-small")
def s_claim_after(c, remove):
    # listed after SCS-2V-4: upstream's lookup keeps it and FAILs scs-0103-flavor-2v-4
    claiming_flavor(c, remove, "zz-my-small")


@state("claim-before", "my-small")
def s_claim_before(c, remove):
    # listed before SCS-2V-4: upstream's lookup keeps the real one and PASSes
    claiming_flavor(c, remove, "00-my-small")


FOREIGN_COMMUNITY = "community image of another project"


@state("foreign-community", FOREIGN_COMMUNITY)
def s_foreign_community(c, remove):
    # owned by the admin project, not by `demo` where lab-member checks; none
    # of scs-0102's recommended properties
    other = openstack.connect(cloud="lab-admin")
    for img in other.image.images(name=FOREIGN_COMMUNITY, visibility="community"):
        other.image.delete_image(img)
    if not remove:
        other.image.create_image(name=FOREIGN_COMMUNITY, disk_format="raw", container_format="bare",
                                 visibility="community", data=b"\0" * 1048576, allow_duplicates=True)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    cmd = sys.argv[1]
    if cmd == "cases":
        for name, (tc, obj, _) in CASES.items():
            print(f"{name}\t{tc}\t{obj}")
        return
    if cmd == "states":
        for name, (obj, _) in STATES.items():
            print(f"{name}\t{obj}")
        return
    c = conn()
    if cmd == "serve":
        for line in sys.stdin:
            words = line.split()
            try:
                if words == ["apply"]:
                    apply(c)
                elif len(words) == 2 and words[0] in ("violate", "restore") and words[1] in CASES:
                    CASES[words[1]][2](c, words[0] == "restore")
                elif len(words) == 2 and words[0] in ("create", "remove") and words[1] in STATES:
                    STATES[words[1]][1](c, words[0] == "remove")
                else:
                    raise ValueError(f"unknown command {line.strip()!r}")
                print("ok", flush=True)
            except BaseException as e:  # keep serving; the test decides
                print(f"error: {type(e).__name__}: {e}".replace("\n", " "), flush=True)
        return
    if cmd == "apply":
        apply(c)
    elif cmd in ("violate", "restore") and len(sys.argv) == 3 and sys.argv[2] in CASES:
        CASES[sys.argv[2]][2](c, cmd == "restore")
    elif cmd in ("create", "remove") and len(sys.argv) == 3 and sys.argv[2] in STATES:
        STATES[sys.argv[2]][1](c, cmd == "remove")
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
