//! Fuzz target `sigstruct`: the body is `mpcegosign::fuzzing::sigstruct` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::sigstruct(data);
});
