//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod ceremony;
pub mod elf;
pub mod party;
