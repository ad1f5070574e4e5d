//! `cargo fuzz run parse`: the parser entry point on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys aborts on every panic, even one the parser catches (it
    // contains pdf-extract's panics). A no-op hook keeps caught panics
    // harmless; an uncaught one still aborts when it unwinds into libFuzzer.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let _ = csirt_parse::parse(data, "fuzz", &csirt_parse::Options::default());
});
