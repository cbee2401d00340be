-- SPDX-License-Identifier: Apache-2.0
-- Each account's position in the accounts file: a group's members are ranked
-- in that order, and the first of equally bad members represents the group,
-- as upstream's monitor decides.
ALTER TABLE account ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
