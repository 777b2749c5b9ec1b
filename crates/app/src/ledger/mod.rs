//! 巡察整改台账: inspection rounds, their problems and measures, the 销号 workflow, alerts.
//! So far the rules (`rules.rs`); storage and pages follow.

pub mod rules;
