-- SPDX-License-Identifier: Apache-2.0
-- The compliance monitor's schema (PostgreSQL); same tables and columns as upstream's v4,
-- reports as text (the JSON of the uploaded document).
CREATE TABLE account (
    accountid BIGSERIAL PRIMARY KEY,
    subject TEXT NOT NULL UNIQUE,
    roles BIGINT NOT NULL DEFAULT 0,
    "group" TEXT
);
CREATE TABLE apikey (
    apikeyid BIGSERIAL PRIMARY KEY,
    apikeyhash TEXT NOT NULL,
    accountid BIGINT NOT NULL REFERENCES account ON DELETE CASCADE,
    UNIQUE (accountid, apikeyhash)
);
CREATE TABLE publickey (
    keyid BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    keytype TEXT NOT NULL,
    keyname TEXT NOT NULL,
    accountid BIGINT NOT NULL REFERENCES account ON DELETE CASCADE,
    UNIQUE (accountid, keyname)
);
CREATE TABLE delegation (
    delegateid BIGINT NOT NULL REFERENCES account ON DELETE CASCADE,
    accountid BIGINT NOT NULL REFERENCES account ON DELETE CASCADE,
    UNIQUE (delegateid, accountid)
);
CREATE TABLE report (
    reportid BIGSERIAL PRIMARY KEY,
    reportuuid TEXT NOT NULL UNIQUE,
    checked_at TIMESTAMP NOT NULL,
    subject TEXT NOT NULL,
    data TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE TABLE result2 (
    resultid BIGSERIAL PRIMARY KEY,
    checked_at TIMESTAMP NOT NULL,
    subject TEXT NOT NULL,
    scopeuuid TEXT NOT NULL,
    version TEXT NOT NULL,
    testcase TEXT NOT NULL,
    result INTEGER NOT NULL,
    approval BOOLEAN NOT NULL,
    reportid BIGINT NOT NULL REFERENCES report ON DELETE CASCADE
);
CREATE INDEX result2_latest ON result2 (subject, scopeuuid, testcase, checked_at DESC);
