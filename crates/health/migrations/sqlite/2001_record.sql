-- SPDX-License-Identifier: Apache-2.0
-- scs health's local record: each check (an iteration or a light probe), each
-- service's verdict in it, and each API call's time, for `scs health report`.
-- Times are microseconds since the epoch. Migrations 2001-2999 are health's.
CREATE TABLE health_check (
    id INTEGER PRIMARY KEY,
    cloud TEXT NOT NULL,
    kind TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    seconds DOUBLE PRECISION NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX health_check_time ON health_check (started_at);
CREATE TABLE health_verdict (
    check_id BIGINT NOT NULL REFERENCES health_check (id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    good INTEGER NOT NULL,
    PRIMARY KEY (check_id, service)
);
CREATE TABLE health_call (
    check_id BIGINT NOT NULL REFERENCES health_check (id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    failed INTEGER NOT NULL,
    seconds DOUBLE PRECISION NOT NULL
);
CREATE INDEX health_call_check ON health_call (check_id);
