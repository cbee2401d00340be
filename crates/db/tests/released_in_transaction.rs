// SPDX-License-Identifier: Apache-2.0
//! A connection that goes back to the pool while it still counts itself
//! inside a transaction is closed, not handed to the next writer. SQLite
//! may roll a transaction back by itself (after SQLITE_FULL or SQLITE_IOERR,
//! as on a full disk); the driver then still counts one open transaction,
//! its own ROLLBACK fails ("no transaction is active"), and every
//! `begin_write` on that connection failed with "begin_with at non-zero
//! transaction depth" until the pool happened to drop it. Here the
//! automatic rollback is made by a `ROLLBACK` the driver does not see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use scs_db::{BeginWrite, Db};

#[tokio::test]
async fn a_transaction_ended_behind_the_drivers_back_does_not_poison_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!("an SQLite URL") };
    sqlx::query("CREATE TABLE t (n INTEGER)").execute(pool).await.unwrap();
    for round in 0..3 {
        {
            let mut tx = pool.begin_write(0).await.unwrap();
            sqlx::query("INSERT INTO t VALUES (1)").execute(&mut *tx).await.unwrap();
            // what SQLite does on its own after SQLITE_FULL in a write
            sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
        } // dropped uncommitted, as a failed write's transaction is
        for attempt in 0..10 {
            let mut tx = pool
                .begin_write(0)
                .await
                .unwrap_or_else(|e| panic!("round {round}, write {attempt} after the rollback: {e}"));
            sqlx::query("INSERT INTO t VALUES (2)").execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }
    }
    let (ones, twos): (i64, i64) =
        sqlx::query_as("SELECT SUM(n = 1), SUM(n = 2) FROM t").fetch_one(pool).await.unwrap();
    assert_eq!((ones, twos), (0, 30));
}
