#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cinder-backup for the lab's fake volume driver.

The fake driver's connection info is iSCSI without a target, and os-brick's
connector-properties probe needs dmidecode, so a real cinder-backup leaves
backups in `creating`. Here every volume attaches as a plain sparse file of
its size (one per volume, under SCS_LAB_BACKUP_DEVICES, removed when
cinder-backup detaches it) and the probe is stubbed; the backup driver itself (posix) and the whole API flow are real."""
import os
import sys

from cinder import objects

objects.register_all()  # before cinder.backup.manager, as cinder-backup itself does

from cinder.backup import manager as backup_manager  # noqa: E402
from cinder.volume import volume_utils  # noqa: E402

DEVICES = os.environ["SCS_LAB_BACKUP_DEVICES"]


class FileConnector:
    """Stands in for an os-brick connector: the device is a file."""

    def connect_volume(self, data):
        path = os.path.join(DEVICES, data.get("volume_id", "unknown"))
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.truncate(int(data.get("size_gib", 1)) << 30)
        return {"type": "file", "path": path}

    def disconnect_volume(self, data, *args, **kwargs):
        # the fake driver keeps no data: the file only lives while cinder-backup
        # reads or writes it (a restore fills it, 1 GiB a volume, never sparse again)
        path = os.path.join(DEVICES, data.get("volume_id", "unknown"))
        if os.path.exists(path):
            os.remove(path)

    def get_volume_paths(self, data):
        return [os.path.join(DEVICES, data.get("volume_id", "unknown"))]


def _attach_volume(self, context, volume, properties):
    conn = self.volume_rpcapi.initialize_connection(context, volume, properties)
    conn.setdefault("data", {}).update(volume_id=volume.id, size_gib=volume.size)
    try:
        return self._connect_device(conn)
    except Exception:
        self.volume_rpcapi.terminate_connection(context, volume, properties, force=True)
        raise


backup_manager.BackupManager._attach_volume = _attach_volume
volume_utils.brick_get_connector = lambda *args, **kwargs: FileConnector()
volume_utils.brick_get_connector_properties = lambda *args, **kwargs: {
    "ip": "127.0.0.1", "host": "lab", "initiator": "iqn.2026-11.lab:backup", "multipath": False,
    "platform": "x86_64", "os_type": "linux", "do_local_attach": False,
}

from cinder.cmd.backup import main  # noqa: E402  (after the patches)

sys.argv[0] = "cinder-backup"
sys.exit(main())
