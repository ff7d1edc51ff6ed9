//! One module per subcommand (a folder for one with helpers of its own): each reads
//! its arguments, runs the library's ceremony or check, and reports. Terminal,
//! transport and file plumbing is in [`super::io`], which never imports from here.

pub mod audit;
pub mod cameras;
pub mod completions;
pub mod demo;
pub mod finish;
pub mod keygen;
pub mod policy;
pub mod prepare;
pub mod qr_more;
pub mod recover;
pub mod refresh;
pub mod reshare;
pub mod selftest;
pub mod share;
pub mod sign;
pub mod signerid;
pub mod verify;
