//! The audit trail: every change's event (who, when, from where, what, field-level before/after),
//! the 操作日志 and 登录日志 pages, and each object's history.

pub mod entity;
pub mod event;
mod pages;
pub mod verify;

pub use pages::routes;
