//! The command line of csirt: the subcommands of the `csirt` binary, which
//! `csirt-find` shares. Each parses its arguments, calls the crates under
//! `crates/` and prints; none does the work itself.

#![forbid(unsafe_code)]

pub mod cmd;
pub mod pdf_child;
