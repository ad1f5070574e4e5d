//! `csirt completions` and `csirt man`: shell completions and manual pages
//! generated from the command line's own definitions, so they never drift
//! from `--help`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Print the shell completion script for bash, zsh, fish, elvish or PowerShell.
///
/// Examples:
///   csirt completions bash > ~/.local/share/bash-completion/completions/csirt
///   csirt completions zsh > ~/.zfunc/_csirt
///   csirt completions fish > ~/.config/fish/completions/csirt.fish
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// Print the manual page (roff), or write one page per command into a folder.
///
/// Examples:
///   csirt man | man -l -
///   csirt man --dir /usr/local/share/man/man1
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// Write csirt.1 and csirt-COMMAND.1 for every command into this folder
    /// instead of printing csirt.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Writes the completion script of `cmd` for `args.shell` to stdout.
pub fn completions(args: CompletionsArgs, mut cmd: clap::Command) -> anyhow::Result<ExitCode> {
    let name = cmd.get_name().to_string();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, name, &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the manual page of `cmd`, or writes the pages of it and its
/// subcommands into `args.dir`.
pub fn man(args: ManArgs, cmd: clap::Command) -> anyhow::Result<ExitCode> {
    match args.dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, &dir)
                .with_context(|| format!("cannot write the pages into {}", dir.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
