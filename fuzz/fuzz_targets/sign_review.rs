//! Fuzz target `sign_review`: the body is `mpcegosign::fuzzing::sign_review` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::sign_review(data);
});
