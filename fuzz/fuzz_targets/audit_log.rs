//! Fuzz target `audit_log`: the body is `mpcegosign::fuzzing::audit_log` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::audit_log(data);
});
