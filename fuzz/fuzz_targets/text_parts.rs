//! Fuzz target `text_parts`: the body is `mpcegosign::fuzzing::text_parts` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::text_parts(data);
});
