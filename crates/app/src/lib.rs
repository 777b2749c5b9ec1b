//! Sunlight's application, organised by feature: each folder holds its model, its rules, its storage
//! and its pages. `web` is the shared shell, `db` the storage setup and the audited-write rule.

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod db;
pub mod demo;
pub mod home;
pub mod ledger;
pub mod org;
pub mod settings;
pub mod similarity;
pub mod web;
