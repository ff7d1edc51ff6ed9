//! Fuzz target `elf`: the body is `mpcegosign::fuzzing::elf` (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    mpcegosign::fuzzing::elf(data);
});
