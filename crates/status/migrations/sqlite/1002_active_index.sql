-- SPDX-License-Identifier: Apache-2.0
-- Active and overlapping incidents are found by their end (open = the
-- largest integer): an index on that expression lets both backends read
-- only the incidents that end after the asked time instead of all of them.
CREATE INDEX status_incident_end_or_open ON status_incident ((COALESCE(ended_at, 9223372036854775807)));
