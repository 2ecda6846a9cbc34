//! Fuzzes the SCIM filter language end to end below HTTP: any input either fails to parse with
//! a `FilterError` (which the endpoints answer with 400) or parses, prints and re-parses to the
//! same tree, and translates to SQL whose values are all bind parameters. A panic here would be
//! a 500 there.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run scim_filter` from this folder (cargo-fuzz needs
//! nightly flags; RUSTC_BOOTSTRAP lets the one stable toolchain of these machines accept them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uaa_core::filter::{MAX_FILTER_CHARS, UAA_FILTER_ATTRIBUTES, check_attributes, parse};
use uaa_store::filter_sql::to_sql;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = parse(text) else {
        return;
    };
    let printed = filter.to_string();
    // Printing escapes control characters (`\u0000`), which can push a long filter past the
    // input cap; the round trip is only defined within it.
    if printed.chars().count() <= MAX_FILTER_CHARS {
        let again = parse(&printed).expect("a printed filter parses");
        assert_eq!(again, filter, "print → parse round trip");
    }
    let _ = check_attributes(&filter, UAA_FILTER_ATTRIBUTES);
    let column = |a: &str| {
        a.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            .then(|| format!("col_{}", a.replace('.', "_")))
    };
    if let Ok(sql) = to_sql(&filter, &column, 1) {
        // Values travel as binds: no quote ever reaches the SQL text.
        assert!(!sql.sql.contains('"'), "{}", sql.sql);
    }
});
