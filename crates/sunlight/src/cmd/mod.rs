//! One module per command group. Groups that open the application's database call into `store`.
pub mod audit;
pub mod calendar;
pub mod id;
pub mod ledger;
pub mod similarity;
pub mod witness;
