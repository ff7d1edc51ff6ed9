//! Fuzz target `share_age`: the body is `mpcegosign::fuzzing::share_age` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::share_age(data);
});
