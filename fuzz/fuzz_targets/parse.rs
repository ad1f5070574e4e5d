//! `cargo fuzz run parse`: the parser entry point on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys aborts on every panic, even one the parser catches (it
    // contains pdf-extract's panics). A no-op hook keeps caught panics
    // harmless; an uncaught one still aborts when it unwinds into libFuzzer.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        std::panic::set_hook(Box::new(|_| {}));
        // The PDF library can loop for hours on a crafted file; `csirt`
        // runs it in a child process it stops (src/pdf_child.rs), which a
        // fuzz target cannot. Here a PDF's "pages" are its bytes cut at
        // form feeds, so that our code after the library is still fuzzed.
        csirt_parse::pdf::set_pages_reader(|bytes| {
            Ok(String::from_utf8_lossy(bytes)
                .split('\x0C')
                .map(str::to_string)
                .collect())
        });
    });
    let _ = csirt_parse::parse(data, "fuzz", &csirt_parse::Options::default());
});
