//! Fuzz target `ur_frames`: the body is `mpcegosign::fuzzing::ur_frames` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::ur_frames(data);
});
