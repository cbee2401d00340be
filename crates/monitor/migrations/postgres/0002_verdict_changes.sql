-- SPDX-License-Identifier: Apache-2.0
-- Verdict history: the current summary per subject and scope, and every change
-- of it (the Atom feed and the webhook outbox).
CREATE TABLE verdict (
    subject TEXT NOT NULL,
    scopeuuid TEXT NOT NULL,
    summary TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (subject, scopeuuid)
);
CREATE TABLE verdict_change (
    changeid BIGSERIAL PRIMARY KEY,
    subject TEXT NOT NULL,
    scopeuuid TEXT NOT NULL,
    old_summary TEXT,
    new_summary TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    cause TEXT NOT NULL,
    notified BOOLEAN NOT NULL DEFAULT FALSE,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_until TIMESTAMP
);
CREATE INDEX verdict_change_pending ON verdict_change (notified, changeid);
CREATE INDEX verdict_change_subject ON verdict_change (subject, changeid);
