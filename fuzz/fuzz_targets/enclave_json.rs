//! Fuzz target `enclave_json`: the body is `mpcegosign::fuzzing::enclave_json` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::enclave_json(data);
});
