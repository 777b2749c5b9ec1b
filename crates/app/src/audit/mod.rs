//! The audit trail: every change's event (who, when, from where, what, field-level before/after),
//! the 操作日志 and 登录日志 pages, each object's history, and the tamper-evident log over the events:
//! the bureau's signing key, signed checkpoints, witnesses' cosignatures, proofs, export and verifiers.

pub(crate) mod append;
pub mod checkpoints;
pub mod entity;
pub mod event;
pub mod export;
pub mod integrate;
pub mod integrity;
mod integrity_pages;
pub mod log_key;
mod pages;
mod tail;
pub mod verify;

pub use integrity_pages::routes as integrity_routes;
pub use pages::routes;
