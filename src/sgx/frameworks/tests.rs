//! Telling the `--sigstruct` inputs apart, on the fixtures made by each framework's
//! tooling (tests/fixtures/frameworks/README.md).

use super::*;

const GRAMINE: &[u8] =
    include_bytes!("../../../tests/fixtures/frameworks/gramine-hello.throwaway.sig");
const GENDATA: &[u8] = include_bytes!("../../../tests/fixtures/frameworks/sdk-enclave.gendata");
const OE_ELF: &[u8] = include_bytes!("../../../tests/fixtures/frameworks/oe-enclave.throwaway.so");
const OE_DIGEST: &[u8] = include_bytes!("../../../tests/fixtures/frameworks/oe-enclave.dig");

#[test]
fn a_gramine_sig_is_a_sigstruct_of_another_profile() {
    let Input::Sigstruct(s) = Input::detect(GRAMINE).unwrap() else {
        panic!("not a SIGSTRUCT")
    };
    assert_eq!(s.as_bytes()[..], GRAMINE[..]);
    let r = s.regions();
    assert_eq!(check(&r), Ok(Profile::Other));
    // oesign's exact values are not Gramine's attribute mask.
    assert!(r.validate().is_err());
    let d = Details::of(&r);
    assert_eq!(d.attributemask, u64::MAX);
    assert!(!d.debug_launchable());
    assert_eq!((r.isv_prod_id(), r.isv_svn()), (5, 3));
}

#[test]
fn gendata_is_read_as_regions() {
    let input = Input::detect(GENDATA).unwrap();
    let Input::SdkGendata(r) = &input else {
        panic!("not gendata")
    };
    assert_eq!(r.as_bytes()[..], GENDATA[..]);
    assert_eq!(input.unsigned().regions(), **r);
    assert_eq!(check(r), Ok(Profile::Other));
    assert_eq!((r.isv_prod_id(), r.isv_svn()), (9, 2));
    assert!(!Details::of(r).debug_launchable());
}

#[test]
fn an_oe_enclave_gives_its_sigstruct_and_its_regions_hash_to_the_oesign_digest() {
    // A copy: the ELF parser needs the alignment a heap buffer (a file read) has.
    let elf: Vec<u8> = OE_ELF.into();
    let Input::OeEnclave(s) = Input::detect(&elf).unwrap() else {
        panic!("not an OE enclave")
    };
    assert_eq!(s.digest()[..], OE_DIGEST[..]);
    assert_eq!(check(&s.regions()), Ok(Profile::Oesign));
}

#[test]
fn other_inputs_are_refused_with_what_to_give() {
    assert_eq!(
        Input::detect(OE_DIGEST),
        Err(FrameworkError::BareDigest(32))
    );
    assert_eq!(
        Input::detect(&[0u8; 100]),
        Err(FrameworkError::Unknown(100))
    );
    assert!(matches!(
        Input::detect(&[0u8; 1808]),
        Err(FrameworkError::NoHeader { len: 1808, .. })
    ));
    assert!(matches!(
        Input::detect(&[0u8; 256]),
        Err(FrameworkError::NoHeader { len: 256, .. })
    ));
    // An ELF whose .oeinfo SIGSTRUCT is still zero: not signed yet.
    let mut unsigned = OE_ELF.to_vec();
    let at = crate::sgx::oeinfo::Oeinfo::locate_min(&unsigned, oe::MIN_OEINFO).unwrap();
    let start = (at.offset + crate::sgx::oeinfo::SIGSTRUCT_OFFSET) as usize;
    unsigned[start..start + 1808].fill(0);
    assert_eq!(
        Input::detect(&unsigned),
        Err(FrameworkError::Oe(oe::OeError::NotSigned))
    );
    assert!(matches!(
        Input::detect(b"\x7fELF garbage"),
        Err(FrameworkError::Oe(oe::OeError::Oeinfo(_)))
    ));
}
