//! One module per command group that does not need the application's database (those are in `store`).
pub mod calendar;
pub mod id;
pub mod ledger;
pub mod similarity;
