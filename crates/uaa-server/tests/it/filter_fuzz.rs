//! Malformed and mutated SCIM filters against every list endpoint that takes one: the answer is
//! 200 or a 400 JSON error, never a 500 and never a dropped connection. Inputs come from a seed
//! corpus of valid filters mutated by a fixed-seed generator, so every run sends the same
//! requests (the libFuzzer target in `fuzz/` explores further, off CI).

use crate::common::json;
use uaa_testkit::TestServer;

/// xorshift64*: deterministic and good enough to shuffle bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    r#"userName eq "marissa""#,
    r#"userName sw "ma" and (origin eq "uaa" or active eq true)"#,
    r#"emails.value co "@test.org" or meta.lastModified gt "2020-01-01T00:00:00.000Z""#,
    r#"displayName pr"#,
    r#"client_id eq 'cf' or scope co "openid""#,
    r#"id eq null"#,
];

const PIECES: &[&str] = &[
    "(",
    ")",
    "\"",
    "'",
    "\\",
    " and ",
    " or ",
    " eq ",
    " pr",
    " gt ",
    "null",
    "true",
    "%",
    "_",
    "é",
    "\u{0}",
    "\u{202e}",
    "9999999999999999999999",
    "1e999",
    "((((((((((",
    "))))",
    "@",
    "!",
];

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut s: Vec<char> = seed.chars().collect();
    for _ in 0..=rng.below(4) {
        match rng.below(3) {
            0 if !s.is_empty() => {
                let at = rng.below(s.len());
                s.remove(at);
            }
            1 => {
                let at = rng.below(s.len() + 1);
                let piece = PIECES[rng.below(PIECES.len())];
                for (i, c) in piece.chars().enumerate() {
                    s.insert(at + i, c);
                }
            }
            _ if !s.is_empty() => {
                let at = rng.below(s.len());
                s.truncate(at);
            }
            _ => {}
        }
    }
    s.into_iter().collect()
}

#[tokio::test]
async fn no_filter_input_yields_a_server_error() {
    let s = TestServer::spawn().await;
    let token = crate::common::admin(&s).await;
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut inputs: Vec<String> = SEEDS.iter().map(|x| (*x).to_owned()).collect();
    for i in 0..150 {
        let seed = SEEDS[i % SEEDS.len()];
        inputs.push(mutate(&mut rng, seed));
    }
    inputs.push("(".repeat(5000));
    inputs.push("a".repeat(10_000));
    for path in ["/Users", "/Groups", "/oauth/clients"] {
        for f in &inputs {
            let r = s
                .http
                .get(s.url(path))
                .query(&[("filter", f.as_str())])
                .bearer_auth(&token)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path} filter {f:?}: {e}"));
            let (status, body) = json(r).await;
            assert!(
                status == 200 || (status == 400 && body["error"].is_string()),
                "{path} filter {f:?}: {status} {body}"
            );
        }
    }
}
