-- SPDX-License-Identifier: Apache-2.0
-- An upload's results are inserted in batches and then folded into
-- result_latest in one statement selecting them by report: that selection
-- needs this index to stay cheap however many results are stored.
CREATE INDEX result2_report ON result2 (reportid);
