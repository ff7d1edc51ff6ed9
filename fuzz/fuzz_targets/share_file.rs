//! Fuzz target `share_file`: the body is `mpcegosign::fuzzing::share_file` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::share_file(data);
});
