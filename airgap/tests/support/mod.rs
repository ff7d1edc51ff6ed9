pub mod degrade;
