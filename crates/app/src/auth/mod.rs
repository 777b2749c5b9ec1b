//! Logging in: passwords, sessions, lock-out, CSRF, the login log, and the viewer of a request.

pub mod csrf;
pub mod lockout;
pub mod login;
pub mod login_log;
pub(crate) mod pages;
pub mod password;
pub mod session;
pub mod viewer;

pub use pages::{change_own_password, routes};
