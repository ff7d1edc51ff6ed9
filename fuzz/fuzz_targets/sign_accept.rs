//! Fuzz target `sign_accept`: the body is `mpcegosign::fuzzing::sign_accept` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::sign_accept(data);
});
