//! Every SQL statement storage sends, prepared on both engines: a table or column one engine's
//! migrations lack, or syntax only one engine accepts, fails here rather than on a customer's
//! PostgreSQL. The statements are read from the source, so a new one cannot be left out.

use storage::test_on_both_databases;
use storage::testing::prepare;

/// Every string literal in `crates/storage/src` that starts like a statement.
fn statements() -> Vec<(String, String)> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("testing.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (i, literal) in source.split('"').enumerate() {
            // Odd pieces are inside quotes (storage's SQL never escapes a double quote).
            let sql = literal.trim_start();
            let keyword = sql.split_whitespace().next().unwrap_or("");
            if i % 2 == 1 && ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&keyword) {
                found.push((file.clone(), sql.to_owned()));
            }
        }
    }
    found
}

/// PostgreSQL's own words, in statements storage sends only on PostgreSQL (each beside a SQLite
/// counterpart or a no-op): `pg_notify` wakes other instances, `FOR UPDATE SKIP LOCKED` lets
/// several claim work at once.
const POSTGRES_ONLY: [&str; 2] = ["pg_notify(", "FOR UPDATE SKIP LOCKED"];

test_on_both_databases! {
    async fn every_statement_prepares(db: Db) {
        let statements = statements();
        assert!(statements.len() >= 100, "the source scan found only {} statements", statements.len());
        let mut failures = Vec::new();
        for (file, sql) in &statements {
            let postgres_only = POSTGRES_ONLY.iter().any(|word| sql.contains(word));
            if postgres_only && db.backend() == storage::Backend::Sqlite {
                continue;
            }
            if let Err(err) = prepare(&db, sql).await {
                failures.push(format!("{file}: {err}\n    {sql}"));
            }
        }
        assert!(failures.is_empty(), "{} of {} statements do not prepare:\n{}", failures.len(), statements.len(), failures.join("\n"));
    }
}
