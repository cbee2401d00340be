// SPDX-License-Identifier: Apache-2.0
//! Fresh PostgreSQL databases for the tests that run against both backends.

/// A fresh PostgreSQL database named `name_PID` on `SCS_TEST_POSTGRES_URL`,
/// or `None` when `SCS_SKIP_POSTGRES` opts out (otherwise a missing URL fails).
///
/// # Panics
/// When the server refuses the database (a failed test).
pub async fn fresh(name: &str) -> Option<String> {
    let Ok(admin) = std::env::var("SCS_TEST_POSTGRES_URL") else {
        assert!(std::env::var_os("SCS_SKIP_POSTGRES").is_some(), "set SCS_TEST_POSTGRES_URL (or SCS_SKIP_POSTGRES=1)");
        return None;
    };
    let name = format!("{name}_{}", std::process::id());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap_or_else(|e| panic!("{admin}: {e}"));
    for statement in [format!("DROP DATABASE IF EXISTS {name}"), format!("CREATE DATABASE {name}")] {
        sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&pool).await.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    pool.close().await;
    let mut url = url::Url::parse(&admin).unwrap_or_else(|e| panic!("{admin}: {e}"));
    url.set_path(&name);
    Some(url.to_string())
}
