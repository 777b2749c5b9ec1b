//! The application's tests: the real router on a real database (SQLite, or PostgreSQL with
//! `SUNLIGHT_TEST_DB=postgres`). One test binary, so the application is linked once.

mod api_doc;
mod audit_append;
mod audit_enforced;
mod audit_integrity;
mod audit_trail;
mod audit_verify;
mod backup;
mod bad_input;
mod calendar_pages;
mod common;
mod import;
mod ledger_outcomes;
mod ledger_pages;
mod login;
mod org_pages;
mod permissions;
mod similarity_guards;
mod similarity_pages;
