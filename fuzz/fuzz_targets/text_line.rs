//! Fuzz target `text_line`: the body is `mpcegosign::fuzzing::text_line` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::text_line(data);
});
