-- SPDX-License-Identifier: Apache-2.0
-- The latest result per subject, scope and testcase, kept current by every
-- upload, so that evaluation reads as many rows as there are testcases
-- instead of ranking the whole history (the overview evaluates every subject).
CREATE TABLE result_latest (
    subject TEXT NOT NULL,
    scopeuuid TEXT NOT NULL,
    testcase TEXT NOT NULL,
    result INTEGER NOT NULL,
    checked_at TIMESTAMP NOT NULL,
    resultid BIGINT NOT NULL,
    reportid BIGINT NOT NULL REFERENCES report ON DELETE CASCADE,
    PRIMARY KEY (scopeuuid, subject, testcase)
);
INSERT INTO result_latest (subject, scopeuuid, testcase, result, checked_at, resultid, reportid)
SELECT subject, scopeuuid, testcase, result, checked_at, resultid, reportid FROM (
    SELECT r.*, ROW_NUMBER() OVER (PARTITION BY subject, scopeuuid, testcase
                                   ORDER BY checked_at DESC, resultid DESC) AS n
    FROM result2 r) ranked
WHERE n = 1;
