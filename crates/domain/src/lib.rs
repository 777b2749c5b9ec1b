//! Identifiers and small value types the whole of Sunlight uses.
//!
//! Every type here is "parse, don't validate": its fields are private, it is built only by parsing,
//! and once you hold one it is valid. Errors say in Chinese what is wrong and where
//! ("第18位校验码应为L，实为X"), so pages and imports can show them as they are.
//!
//! - [`Uscc`] 统一社会信用代码 (GB 32100-2015) and [`ResidentId`] 公民身份号码 (GB 11643-1999);
//! - [`region_name`]: GB/T 2260 行政区划 names for the region codes inside both;
//! - [`PhoneNumber`] and [`Fen`] (money as integer 分);
//! - [`mask`]: masking personal data in lists and exports.

pub mod mask;
mod money;
mod phone;
mod region;
mod resident_id;
mod text;
mod uscc;

pub use chrono::NaiveDate;
pub use mask::{Mask, Masked};
pub use money::{Fen, FenError, WanYuan};
pub use phone::{PhoneError, PhoneNumber};
pub use region::{RegionName, region_name};
pub use resident_id::{ParsedResidentId, ResidentId, ResidentIdError, Sex};
pub use text::InputError;
pub use uscc::{Category, OrgCodeWarning, Uscc, UsccError};
