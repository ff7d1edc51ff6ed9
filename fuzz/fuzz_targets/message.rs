//! Fuzz target `message`: the body is `mpcegosign::fuzzing::message` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::message(data);
});
