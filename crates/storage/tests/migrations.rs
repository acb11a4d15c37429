//! The two migration folders say the same thing, and the words the domain stores are the words the
//! databases' CHECK constraints allow — read from the migrations themselves, and tried on both
//! engines.

use std::collections::BTreeMap;
use std::path::PathBuf;

use domain::connection::{AtsKind, AuthKind, ConnectionStatus};
use domain::export::ExportState;
use domain::interview::InterviewKind;
use domain::{Location, MarketplaceStage, RequestStatus, RoleStatus, RoleTitle, UserRole};
use storage::test_on_both_databases;

fn folder(dialect: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dialect)
}

fn files(dialect: &str) -> BTreeMap<String, String> {
    std::fs::read_dir(folder(dialect))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// Every `<column> TEXT … CHECK (<column> IN ('a', 'b'))` of a dialect, in a `CREATE TABLE` or an
/// `ALTER TABLE … ADD COLUMN`, under the table's name after every `RENAME TO`: (table, column) →
/// words.
fn text_checks(dialect: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut checks: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for sql in files(dialect).values() {
        let mut table = String::new();
        for line in sql.lines() {
            let mut line = line.trim();
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                table = rest.trim_start_matches("IF NOT EXISTS ").split([' ', '(']).next().unwrap().to_owned();
            }
            if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
                let mut words = rest.split_whitespace();
                table = words.next().unwrap().to_owned();
                if let (Some("RENAME"), Some("TO"), Some(new)) = (words.next(), words.next(), words.next()) {
                    let new = new.trim_end_matches(';');
                    let renamed: Vec<_> = checks.keys().filter(|(t, _)| *t == table).cloned().collect();
                    for key in renamed {
                        let allowed = checks.remove(&key).unwrap();
                        checks.insert((new.to_owned(), key.1), allowed);
                    }
                    continue;
                }
                match rest.find(" ADD COLUMN ") {
                    Some(at) => line = &rest[at + " ADD COLUMN ".len()..],
                    None => continue,
                }
            }
            let Some(column) = line.split_whitespace().next() else { continue };
            let opening = format!("CHECK ({column} IN (");
            let Some(start) = line.find(&opening) else { continue };
            let list = &line[start + opening.len()..];
            let list = &list[..list.find(')').unwrap()];
            let words = list.split(',').map(|w| w.trim().trim_matches('\'').to_owned()).collect();
            checks.insert((table.clone(), column.to_owned()), words);
        }
    }
    checks
}

fn words<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

#[test]
fn both_dialects_have_the_same_migrations_with_the_same_constraints() {
    let (sqlite, postgres) = (files("sqlite"), files("postgres"));
    assert_eq!(sqlite.keys().collect::<Vec<_>>(), postgres.keys().collect::<Vec<_>>(), "the same numbered files");
    let (sqlite_checks, postgres_checks) = (text_checks("sqlite"), text_checks("postgres"));
    assert!(sqlite_checks.len() >= 12, "{sqlite_checks:?}");
    assert_eq!(sqlite_checks, postgres_checks);
    // Named constraints (mapped to domain errors) exist in both.
    let named = |sql: &BTreeMap<String, String>| {
        let mut names: Vec<String> = sql
            .values()
            .flat_map(|s| s.split("CONSTRAINT ").skip(1).map(|rest| rest.split_whitespace().next().unwrap().to_owned()))
            .collect();
        names.sort();
        names
    };
    assert_eq!(named(&sqlite), named(&postgres));
}

#[test]
fn the_stored_words_are_the_words_the_check_constraints_allow() {
    let checks = text_checks("sqlite");
    let allowed = |table: &str, column: &str| {
        checks.get(&(table.to_owned(), column.to_owned())).cloned().unwrap_or_else(|| panic!("{table}.{column}"))
    };
    assert_eq!(allowed("users", "role"), words(UserRole::ALL));
    assert_eq!(allowed("roles", "status"), words(RoleStatus::ALL));
    assert_eq!(allowed("requests", "status"), words(RequestStatus::ALL));
    assert_eq!(allowed("requests", "stage"), words(MarketplaceStage::ALL));
    assert_eq!(allowed("ats_connections", "ats"), words(AtsKind::ALL));
    assert_eq!(allowed("ats_connections", "auth_kind"), words(AuthKind::ALL));
    assert_eq!(allowed("ats_connections", "status"), words(ConnectionStatus::ALL));
    assert_eq!(allowed("exports", "state"), words(ExportState::ALL));
    assert_eq!(allowed("interviews", "kind"), words(InterviewKind::ALL));
}

test_on_both_databases! {
    async fn a_word_outside_a_check_constraint_is_refused_by_the_database(db: Db) {
        // Every role status the domain has is stored; any other word is refused.
        let company = db.insert_company("Northwind").await.unwrap();
        let (title, location) = (RoleTitle::parse("Rust engineer").unwrap(), Location::parse("Berlin").unwrap());
        for status in RoleStatus::ALL {
            db.insert_role(company, &title, &location, *status).await.unwrap();
        }
        let refused = storage::testing::execute(&db, "UPDATE roles SET status = 'archived'").await;
        assert!(refused.is_err(), "{refused:?}");
        let allowed = storage::testing::execute(&db, "UPDATE roles SET status = 'closed'").await;
        assert_eq!(allowed.unwrap(), RoleStatus::ALL.len() as u64);
    }
}
