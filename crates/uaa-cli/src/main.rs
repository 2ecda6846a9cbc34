//! The `uaac` binary.

fn main() -> std::process::ExitCode {
    uaa_cli::run(std::env::args().skip(1).collect())
}
