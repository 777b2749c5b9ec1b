//! Seeds shared by the integration tests.

pub const SEED_001: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/001_bc0deb5ebaaa86f1.txt"
));
pub const SEED_002: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/002_7f9aef61c5fa0b5a.txt"
));
pub const SEED_003: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/003_498a692be3e6a6d3.txt"
));

pub const SEEDS: [(&str, &str); 3] = [("001", SEED_001), ("002", SEED_002), ("003", SEED_003)];
