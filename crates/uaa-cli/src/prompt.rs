//! Prompts as uaac asks them (HighLine: `"<prompt>:  "`): hidden input on a terminal, a plain
//! line (echoed as uaac echoes it: nothing, or `*` per character for secrets) when standard
//! input is a pipe (so scripts and tests can answer), never a prompt when
//! the value was given on the command line, in the environment or on a file descriptor.

use std::io::{BufRead, IsTerminal, Write};

pub struct Prompter {
    input: Box<dyn BufRead>,
    tty: bool,
}

impl Prompter {
    pub fn stdin() -> Self {
        Self {
            tty: std::io::stdin().is_terminal(),
            input: Box::new(std::io::BufReader::new(std::io::stdin())),
        }
    }

    fn read_line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        let n = self
            .input
            .read_line(&mut line)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if n == 0 {
            return Err("standard input ended while a value was needed".into());
        }
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }

    /// `ask(prompt)`: a visible answer.
    pub fn ask(&mut self, prompt: &str) -> Result<String, String> {
        print!("{prompt}:  ");
        let _ = std::io::stdout().flush();
        // On a pipe HighLine echoes nothing for a visible answer (the terminal does on a tty).
        self.read_line()
    }

    /// `ask_pwd(prompt)`: hidden on a terminal.
    pub fn ask_pwd(&mut self, prompt: &str) -> Result<String, String> {
        if self.tty {
            return rpassword::prompt_password(format!("{prompt}:  "))
                .map_err(|e| format!("cannot read the terminal: {e}"));
        }
        print!("{prompt}:  ");
        let _ = std::io::stdout().flush();
        let v = self.read_line()?;
        // HighLine's `echo = '*'`: one star per character, then the line ends.
        println!("{}", "*".repeat(v.chars().count()));
        Ok(v)
    }

    /// `verified_pwd(prompt)`: asks twice until both answers match.
    pub fn verified_pwd(&mut self, prompt: &str) -> Result<String, String> {
        loop {
            let a = self.ask_pwd(prompt)?;
            let b = self.ask_pwd(&format!("Verify {}", prompt.to_lowercase()))?;
            if a == b {
                return Ok(a);
            }
        }
    }
}

/// A secret given without the command line: `--secret-env VAR` or `--secret-fd N` (read up to
/// the first newline). Keeps secrets out of shell history and `ps`.
pub fn from_env_or_fd(env: Option<&str>, fd: Option<&str>) -> Result<Option<String>, String> {
    if let Some(var) = env {
        return std::env::var(var)
            .map(Some)
            .map_err(|_| format!("environment variable {var} is not set"));
    }
    if let Some(fd) = fd {
        let n: u32 = fd
            .parse()
            .map_err(|_| format!("not a file descriptor number: {fd}"))?;
        let text = std::fs::read_to_string(format!("/dev/fd/{n}"))
            .map_err(|e| format!("cannot read file descriptor {n}: {e}"))?;
        return Ok(Some(text.lines().next().unwrap_or("").to_owned()));
    }
    Ok(None)
}
