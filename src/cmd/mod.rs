//! The subcommands: each parses its arguments, calls the crates, prints.

pub mod crawl;
pub mod docs;
pub mod find;
pub mod index;
pub mod lint;
pub mod lookup_data;
pub mod parse;
pub mod report;
pub mod seeds;
pub mod serve;
pub mod verify;

/// How a command prints what it found: for people, or JSON for scripts.
/// (`csirt report` has formats of its own: `csirt_report::render::Format`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Readable text.
    Text,
    /// JSON: one object, or one per line (JSON Lines) for lists.
    Json,
}
