-- SPDX-License-Identifier: Apache-2.0
-- The compliance monitor's schema (SQLite); the same tables as the PostgreSQL one.
CREATE TABLE account (
    accountid INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL UNIQUE,
    roles INTEGER NOT NULL DEFAULT 0,
    "group" TEXT
);
CREATE TABLE apikey (
    apikeyid INTEGER PRIMARY KEY AUTOINCREMENT,
    apikeyhash TEXT NOT NULL,
    accountid INTEGER NOT NULL REFERENCES account ON DELETE CASCADE,
    UNIQUE (accountid, apikeyhash)
);
CREATE TABLE publickey (
    keyid INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    keytype TEXT NOT NULL,
    keyname TEXT NOT NULL,
    accountid INTEGER NOT NULL REFERENCES account ON DELETE CASCADE,
    UNIQUE (accountid, keyname)
);
CREATE TABLE delegation (
    delegateid INTEGER NOT NULL REFERENCES account ON DELETE CASCADE,
    accountid INTEGER NOT NULL REFERENCES account ON DELETE CASCADE,
    UNIQUE (delegateid, accountid)
);
CREATE TABLE report (
    reportid INTEGER PRIMARY KEY AUTOINCREMENT,
    reportuuid TEXT NOT NULL UNIQUE,
    checked_at TIMESTAMP NOT NULL,
    subject TEXT NOT NULL,
    data TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE TABLE result2 (
    resultid INTEGER PRIMARY KEY AUTOINCREMENT,
    checked_at TIMESTAMP NOT NULL,
    subject TEXT NOT NULL,
    scopeuuid TEXT NOT NULL,
    version TEXT NOT NULL,
    testcase TEXT NOT NULL,
    result INTEGER NOT NULL,
    approval BOOLEAN NOT NULL,
    reportid INTEGER NOT NULL REFERENCES report ON DELETE CASCADE
);
CREATE INDEX result2_latest ON result2 (subject, scopeuuid, testcase, checked_at DESC);
