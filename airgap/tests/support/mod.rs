pub mod degrade;
pub mod photo;
