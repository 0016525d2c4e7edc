//! `wftp`: FTP and FTPS from the command line, through the ftp-client
//! WebAssembly component, which may reach the server in the URL and
//! nothing else.

mod args;
mod commands;
mod failure;
mod interrupt;
mod json;
mod mirror;
mod progress;
mod proxy;
mod target;

use args::{Cli, Command};
use clap::Parser;
use failure::{Failure, Outcome};
use ftp_host::{tree::Rules, Client, Start};
use std::path::Path;
use std::process::ExitCode;

fn run(cli: &Cli) -> Outcome {
    let g = &cli.global;
    let client = match &g.component {
        // CCC needs TLS inside the component: the host's cannot be undone.
        None if g.ccc => Client::builder()
            .component(ftp_host::SELF_CONTAINED_COMPONENT.to_vec())
            .build(),
        None => Client::new(),
        Some(path) => {
            let wasm = std::fs::read(path).map_err(failure::read_error(path))?;
            Client::builder().component(wasm).build()
        }
    }
    .map_err(|e| Failure::new(1, e))?;
    match &cli.command {
        Command::Ls { url, long } => commands::ls(&client, g, url, *long),
        Command::Get {
            args, recursive: true, ..
        } => {
            let (url, dest) = match args.as_slice() {
                [url] => (url, url.trim_end_matches('/').rsplit('/').next().unwrap_or(".")),
                [url, dest] => (url, dest.as_str()),
                _ => return Err(Failure::usage("get -r takes one URL and an optional DIR")),
            };
            mirror::mirror(&client, g, url, dest, Rules::default(), mirror::Run::once())
        }
        Command::Get {
            args,
            segments: Some(n),
            ..
        } => match args.as_slice() {
            [url] => commands::get_segmented(&client, g, url, None, usize::from(*n)),
            [url, dest] => commands::get_segmented(&client, g, url, Some(Path::new(dest)), usize::from(*n)),
            _ => Err(Failure::usage("get --segments takes one URL and an optional DEST")),
        },
        Command::Get {
            args,
            resume,
            ascii,
            retry,
            ..
        } => commands::get(&client, g, args, (*resume, *ascii), *retry),
        Command::Put {
            sources,
            url,
            recursive: true,
            ..
        } => match sources.as_slice() {
            [dir] => {
                let dir = dir
                    .to_str()
                    .ok_or_else(|| Failure::usage("the directory's name is not UTF-8"))?;
                mirror::mirror(&client, g, dir, url, Rules::default(), mirror::Run::once())
            }
            _ => Err(Failure::usage("put -r takes one DIR and a URL")),
        },
        Command::Put {
            sources,
            url,
            resume,
            offset,
            ascii,
            retry,
            ..
        } => {
            let start = match (resume, offset) {
                (true, _) => Start::Resume,
                (false, Some(at)) => Start::At(*at),
                (false, None) => Start::Whole,
            };
            commands::put(&client, g, sources, url, (start, *ascii), *retry)
        }
        Command::Copy { from, to } => commands::copy(&client, g, from, to),
        Command::Hash { url, file } => commands::hash(&client, g, url, file.as_deref()),
        Command::Mirror {
            source,
            dest,
            delete,
            only_missing,
            newer,
            include,
            exclude,
            dry_run,
            parallel,
            retry,
            verify,
            journal,
            no_zone_inference,
        } => {
            let mut rules = Rules::default();
            rules.delete = *delete;
            rules.only_missing = *only_missing;
            rules.only_newer = *newer;
            for glob in include {
                rules = rules.include(glob).map_err(Failure::usage)?;
            }
            for glob in exclude {
                rules = rules.exclude(glob).map_err(Failure::usage)?;
            }
            let run = mirror::Run {
                parallel: usize::from(*parallel),
                retries: *retry,
                dry_run: *dry_run,
                verify: *verify,
                journal: journal.clone(),
                infer_zone: !*no_zone_inference,
            };
            mirror::mirror(&client, g, source, dest, rules, run)
        }
        Command::Cat { urls } => commands::cat(&client, g, urls),
        Command::Rm { urls, recursive } => commands::rm(&client, g, urls, *recursive),
        Command::Mkdir { url, parents } => commands::mkdir(&client, g, url, *parents),
        Command::Mv { url, to } => commands::mv(&client, g, url, to),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    interrupt::install();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) if failure.code == 130 => {
            eprintln!("wftp: interrupted");
            ExitCode::from(130)
        }
        Err(failure) => {
            if cli.global.json {
                json::print(&json::error(&failure));
            }
            eprintln!("wftp: {}", failure::visible(&failure.message));
            ExitCode::from(failure.code)
        }
    }
}
