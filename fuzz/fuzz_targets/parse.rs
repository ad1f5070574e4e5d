//! `cargo fuzz run parse`: the parser entry point on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = csirt_parse::parse(data, "fuzz", &csirt_parse::Options::default());
});
