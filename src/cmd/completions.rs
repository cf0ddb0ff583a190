//! `credboard completions SHELL`: the shell's completion script on stdout.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

pub fn run(shell: Shell) {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "credboard",
        &mut std::io::stdout(),
    );
}
