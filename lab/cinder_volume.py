#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cinder-volume for the lab's fake volume driver.

The fake driver derives from the LVM driver, so creating a volume from an
image writes the image with qemu-img into /dev/mapper/..., which does not
exist here. The lab stores no data: the copy is skipped (and logged), and the
rest of the flow (API, scheduler, status changes, boot from volume) is real."""
import logging
import sys

from cinder.tests import fake_driver

LOG = logging.getLogger("scs-lab")


def _copy_image_to_volume(self, context, volume, image_service, image_id, disable_sparse=False):
    LOG.info("lab: image %s not copied to volume %s (the fake backend stores nothing)", image_id, volume.id)


fake_driver.FakeLoggingVolumeDriver.copy_image_to_volume = _copy_image_to_volume

from cinder.cmd.volume import main  # noqa: E402  (after the patch)

sys.argv[0] = "cinder-volume"
sys.exit(main())
