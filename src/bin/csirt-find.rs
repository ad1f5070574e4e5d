//! `csirt-find`: search the directory (the search index lands with issue #5).

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!("csirt-find: the search index is not part of this build yet; use `csirt parse` to read documents");
    ExitCode::from(2)
}
