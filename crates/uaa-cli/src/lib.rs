//! `uaac` in Rust: a drop-in for Cloud Foundry's Ruby UAA command-line client. The same command
//! lines (uaac's one global OptionParser, abbreviations included), the same `~/.uaac.yml`, the
//! same HTTP requests and the same output, plus what uaac users have asked for: `--json`,
//! secrets from the environment or a file descriptor, TLS options on every command, list edits
//! on `client update`, `secret rotate`, clear network/TLS/expired-token errors, completions.

pub mod commands;
pub mod config;
pub mod http;
pub mod options;
pub mod pp;
pub mod prompt;

use std::io::Write;
use std::process::ExitCode;

use commands::{Ctx, Done, Fail};

/// Runs one command line; returns uaac's exit status (0 on success, 1 on failure).
pub fn run(argv: Vec<String>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            println!("uaac error\n{e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run_async(argv));
    let _ = std::io::stdout().flush();
    code
}

async fn run_async(argv: Vec<String>) -> ExitCode {
    let parsed = match options::parse(&argv) {
        Ok(p) => p,
        Err(e) => {
            print!("{}", e.render());
            return ExitCode::FAILURE;
        }
    };
    let (cmd, args) = match options::dispatch(&parsed) {
        Ok(d) => d,
        Err(e) => {
            print!("{}", e.render());
            return ExitCode::FAILURE;
        }
    };
    let wrap = options::terminal_columns();
    if cmd.parts == ["help"] {
        let words: Vec<String> = args.iter().flatten().cloned().collect();
        print!("{}", options::help(&words, wrap));
        return ExitCode::SUCCESS;
    }
    if cmd.parts == ["completion"] {
        return match options::completion(args.first().cloned().flatten().as_deref().unwrap_or("")) {
            Ok(s) => {
                print!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    let cfg = match config::UaacConfig::load(parsed.str("config").as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let json_out = parsed.flag("json") == Some(true);
    let mut ctx = Ctx {
        opts: &parsed,
        cfg,
        prompt: prompt::Prompter::stdin(),
        wrap,
    };
    let result = execute(&mut ctx, cmd.parts, args).await;
    match result {
        Ok(done) => {
            render(done, json_out, wrap);
            ExitCode::SUCCESS
        }
        Err(Fail(msg)) => {
            if json_out {
                println!("{}", serde_json::json!({"error": msg.trim()}));
            } else {
                puts(&msg);
            }
            ExitCode::FAILURE
        }
    }
}

fn render(done: Done, json_out: bool, wrap: usize) {
    match done {
        Done::Print(v) if json_out => {
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Done::Print(v) => print!("{}", pp::pp(&v, wrap)),
        Done::Say(s) if json_out => println!("{}", serde_json::json!({"message": s.trim()})),
        Done::Say(s) => puts(&s),
        Done::Raw(s) => print!("{s}"),
        Done::Quiet => {}
    }
}

/// Ruby's `puts`: the text, and a newline unless it already ends with one.
fn puts(s: &str) {
    if s.ends_with('\n') {
        print!("{s}");
    } else {
        println!("{s}");
    }
}

async fn execute(
    ctx: &mut Ctx<'_>,
    parts: &[&str],
    args: Vec<Option<String>>,
) -> Result<Done, Fail> {
    let a = |i: usize| args.get(i).cloned().flatten();
    let rest: Vec<String> = args.iter().flatten().cloned().collect();
    match parts {
        ["version"] => commands::version(),
        ["target"] => commands::target(ctx, a(0)).await,
        ["targets"] => commands::targets(ctx),
        ["context"] => commands::context(ctx, a(0)),
        ["contexts"] => commands::contexts(ctx),
        ["info"] => commands::info(ctx).await,
        ["me"] => commands::me(ctx).await,
        ["prompts"] => commands::prompts(ctx).await,
        ["signing", "key"] => commands::signing_key(ctx).await,
        ["token", "client", "get"] => commands::token_client_get(ctx, a(0)).await,
        ["token", "owner", "get"] => commands::token_owner_get(ctx, a(0), a(1)).await,
        ["token", "sso", "get"] => commands::token_sso_get(ctx, a(0)).await,
        ["token", "refresh"] => commands::token_refresh(ctx, a(0)).await,
        ["token", "decode"] => commands::token_decode(ctx, a(0), a(1)).await,
        ["token", "delete"] => commands::token_delete(ctx, rest),
        ["client", "get"] => commands::client_get(ctx, a(0)).await,
        ["client", "add"] => commands::client_add(ctx, a(0)).await,
        ["client", "update"] => commands::client_update(ctx, a(0)).await,
        ["client", "delete"] => commands::client_delete(ctx, a(0)).await,
        ["clients"] => commands::clients(ctx, a(0)).await,
        ["secret", "set"] => commands::secret_set(ctx, a(0)).await,
        ["secret", "change"] => commands::secret_change(ctx).await,
        ["secret", "rotate"] => commands::secret_rotate(ctx, a(0)).await,
        ["curl"] => commands::curl(ctx, a(0)).await,
        ["users"] => commands::users(ctx, a(0)).await,
        ["user", "get"] => commands::user_get(ctx, a(0)).await,
        ["user", "add"] => commands::user_add(ctx, a(0)).await,
        ["user", "update"] => commands::user_update(ctx, a(0)).await,
        ["user", "delete"] => commands::user_delete(ctx, a(0)).await,
        ["user", "ids"] => commands::user_ids(ctx, rest).await,
        ["user", "unlock"] => commands::user_unlock(ctx, a(0)).await,
        ["user", "activate"] => commands::user_activation(ctx, a(0), true).await,
        ["user", "deactivate"] => commands::user_activation(ctx, a(0), false).await,
        ["password", "set"] => commands::password_set(ctx, a(0)).await,
        ["password", "change"] => commands::password_change(ctx).await,
        ["groups"] => commands::groups(ctx, a(0)).await,
        ["group", "get"] => commands::group_get(ctx, a(0)).await,
        ["group", "add"] => commands::group_add(ctx, a(0)).await,
        ["group", "delete"] => commands::group_delete(ctx, a(0)).await,
        ["member", "add"] => commands::member_change(ctx, rest, true).await,
        ["member", "delete"] => commands::member_change(ctx, rest, false).await,
        ["password", "strength"] => commands::password_strength(ctx, a(0)).await,
        ["client", "jwt", "add"] => commands::client_jwt(ctx, a(0), "ADD").await,
        ["client", "jwt", "update"] => commands::client_jwt(ctx, a(0), "UPDATE").await,
        ["client", "jwt", "delete"] => commands::client_jwt(ctx, a(0), "DELETE").await,
        ["group", "mappings"] => commands::group_mappings(ctx).await,
        ["group", "map"] => commands::group_map(ctx, a(0)).await,
        ["group", "unmap"] => commands::group_unmap(ctx, a(0), a(1)).await,
        ["token", "get"] => commands::token_get(ctx, rest).await,
        ["token", "authcode", "get"] | ["token", "implicit", "get"] => commands::browser_flow(),
        other => Err(Fail(format!(
            "\n`uaac {}` is not available in this uaac yet.\n",
            other.join(" ")
        ))),
    }
}
