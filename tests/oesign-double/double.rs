//! `ego-oesign-double`: a stand-in for EGo's `ego-oesign`, used only by tests.
//!
//! It implements the documented behaviour of `sign` (`-e`, `-c`, `-k`, `-x`/`-d`,
//! `--payload`, `-o`), `dump -e` and `signerid -k` on test ELF files with an `.oeinfo`
//! section. It shares no code with mpcegosign's SIGSTRUCT code: its SIGSTRUCT is built
//! here from the facts table and signed with the `rsa` crate, so comparing the two
//! really checks ours.
//!
//! MRENCLAVE stand-in (the real one measures enclave pages, which test files have
//! none of): SHA-256 of `"ego-oesign-double MRENCLAVE v1\0"`, then the runtime image
//! (u64 LE length, bytes), then the enclave file (u64 LE length, bytes) after its
//! `.oeinfo` properties were written and with the SIGSTRUCT bytes zeroed. The conf
//! values (in the properties) and the embedded payload JSON therefore change it.
//!
//! `.oeinfo` layout written by `sign` (the double's own, modelled on Open Enclave's
//! `oe_sgx_enclave_properties_t`): +0 u32 size (1968), +4 u32 type (2), +8 u64 heap
//! pages, +16 u64 stack pages, +24 u64 TCS count, +32 u16 product id, +34 u16 security
//! version, +40 u64 attributes, +48 u64 xfrm, +56 u32 executable heap, +144 the
//! 1808-byte SIGSTRUCT, +1952 a 16-byte end marker.
//!
//! Date: the contents of the file `OESIGN_DOUBLE_DATE_FILE` (YYYYMMDD) if set, else
//! `OESIGN_DOUBLE_DATE=YYYYMMDD` if set, else `date +%Y%m%d` (local time, so
//! `TZ` is honoured).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use num_bigint::BigUint;
use object::{Object, ObjectSection};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

const SIGSTRUCT_AT: usize = 144;
const SIGSTRUCT_LEN: usize = 1808;
const PROPS_LEN: u32 = 1968;
const OEINFO_MIN: usize = 2064;
const END_MARKER: [u8; 16] = *b"OE-DOUBLE-END\0\0\0";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("sign") => sign(&args[1..]),
        Some("dump") => {
            dump(&args[1..]);
            Ok(())
        }
        Some("signerid") => signerid(&args[1..]),
        _ => Err("usage: ego-oesign-double sign|dump|signerid ...".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ERROR: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Default)]
struct SignArgs {
    enclave: Option<PathBuf>,
    conf: Option<PathBuf>,
    key: Option<PathBuf>,
    x509: Option<PathBuf>,
    digest_sig: Option<PathBuf>,
    output: Option<PathBuf>,
    payload: Option<PathBuf>,
}

fn sign_args(args: &[String]) -> Result<SignArgs, String> {
    let mut a = SignArgs::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "-e" | "--enclave-image" => &mut a.enclave,
            "-c" | "--config-file" => &mut a.conf,
            "-k" | "--key-file" => &mut a.key,
            "-x" | "--x509" => &mut a.x509,
            "-d" | "--digest-signature" => &mut a.digest_sig,
            "-o" | "--output-file" => &mut a.output,
            "--payload" => &mut a.payload,
            other => return Err(format!("unknown option: {other}")),
        };
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        *slot = Some(PathBuf::from(v));
    }
    Ok(a)
}

fn read(p: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

struct Conf {
    debug: bool,
    product_id: u16,
    security_version: u16,
    heap: u64,
    stack: u64,
    tcs: u64,
    executable_heap: bool,
}

fn parse_conf(text: &str) -> Result<Conf, String> {
    let mut v: [Option<u64>; 7] = [None; 7];
    const NAMES: [&str; 7] = [
        "Debug",
        "ProductID",
        "SecurityVersion",
        "NumHeapPages",
        "NumStackPages",
        "NumTCS",
        "ExecutableHeap",
    ];
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (k, val) = line
            .split_once('=')
            .ok_or_else(|| format!("bad config line: {line}"))?;
        let i = NAMES
            .iter()
            .position(|n| *n == k.trim())
            .ok_or_else(|| format!("unknown config setting: {k}"))?;
        v[i] = Some(
            val.trim()
                .parse()
                .map_err(|_| format!("bad value for {k}: {val}"))?,
        );
    }
    let need = |i: usize| v[i].ok_or_else(|| format!("config lacks {}", NAMES[i]));
    // As the real oesign does, refuse 65535 and above for both.
    let small = |i: usize| {
        need(i).and_then(|x| match u16::try_from(x) {
            Ok(v) if v < u16::MAX => Ok(v),
            _ => Err(format!("{} must be less than 65535, found {x}", NAMES[i])),
        })
    };
    Ok(Conf {
        debug: need(0)? != 0,
        product_id: small(1)?,
        security_version: small(2)?,
        heap: need(3)?,
        stack: need(4)?,
        tcs: need(5)?,
        executable_heap: v[6].unwrap_or(0) != 0,
    })
}

fn oeinfo_offset(elf: &[u8]) -> Result<usize, String> {
    let f = object::File::parse(elf).map_err(|e| format!("not an ELF image: {e}"))?;
    let s = f
        .section_by_name(".oeinfo")
        .ok_or("image has no .oeinfo section: not an Open Enclave image")?;
    let (off, size) = s.file_range().ok_or(".oeinfo has no file data")?;
    if (size as usize) < OEINFO_MIN || (off + size) as usize > elf.len() {
        return Err(format!(".oeinfo is {size} bytes, too small"));
    }
    Ok(off as usize)
}

fn today() -> Result<u32, String> {
    // OESIGN_DOUBLE_DATE_FILE names a file holding YYYYMMDD, re-read at every run, so
    // that a test can move the day forward while one process runs a ceremony.
    let from_file = std::env::var_os("OESIGN_DOUBLE_DATE_FILE")
        .map(|p| std::fs::read_to_string(p).map(|t| t.trim().to_owned()));
    let text = match (from_file, std::env::var("OESIGN_DOUBLE_DATE")) {
        (Some(Ok(d)), _) => d,
        (Some(Err(e)), _) => return Err(format!("cannot read OESIGN_DOUBLE_DATE_FILE: {e}")),
        (None, Ok(d)) => d,
        (None, Err(_)) => {
            let out = std::process::Command::new("date")
                .arg("+%Y%m%d")
                .output()
                .map_err(|e| format!("cannot run date: {e}"))?;
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        }
    };
    if text.len() != 8 {
        return Err(format!("bad date {text}"));
    }
    // The decimal digits read as hex are the BCD value.
    u32::from_str_radix(&text, 16).map_err(|_| format!("bad date {text}"))
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

fn le384(x: &BigUint) -> Vec<u8> {
    let mut v = x.to_bytes_le();
    v.resize(384, 0);
    v
}

/// The SIGSTRUCT without modulus and signature, as the facts table gives it.
fn unsigned_sigstruct(conf: &Conf, mrenclave: &[u8; 32], date: u32) -> Vec<u8> {
    let mut s = vec![0u8; SIGSTRUCT_LEN];
    put(&mut s, 0, &[6, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 1, 0]);
    put(&mut s, 20, &date.to_le_bytes());
    put(
        &mut s,
        24,
        &[1, 1, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 1, 0, 0, 0],
    );
    put(&mut s, 512, &3u32.to_le_bytes());
    put(&mut s, 904, &0xffff_ffffu32.to_le_bytes());
    let flags: u64 = if conf.debug { 0x6 } else { 0x4 };
    let mask: u64 = if conf.debug {
        0xffff_ffff_ffff_ff79
    } else {
        0xffff_ffff_ffff_ff7b
    };
    put(&mut s, 928, &flags.to_le_bytes());
    put(&mut s, 936, &3u64.to_le_bytes());
    put(&mut s, 944, &mask.to_le_bytes());
    put(&mut s, 952, &0xffff_ffff_ffff_ff1bu64.to_le_bytes());
    put(&mut s, 960, mrenclave);
    put(&mut s, 1024, &conf.product_id.to_le_bytes());
    put(&mut s, 1026, &conf.security_version.to_le_bytes());
    s
}

fn sigstruct_digest(s: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(&s[..128]);
    h.update(&s[900..1028]);
    h.finalize().into()
}

fn check_key(n: &BigUint, e: &BigUint) -> Result<(), String> {
    if n.bits() != 3072 || *e != BigUint::from(3u8) {
        return Err("the signing key must be RSA-3072 with exponent 3".into());
    }
    Ok(())
}

fn public_from_cert(path: &Path) -> Result<RsaPublicKey, String> {
    let pem = read(path)?;
    let cert = openssl::x509::X509::from_pem(&pem)
        .map_err(|_| format!("{}: not a PEM X.509 certificate", path.display()))?;
    let rsa = cert
        .public_key()
        .and_then(|k| k.rsa())
        .map_err(|_| "the certificate does not hold an RSA key".to_owned())?;
    RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&rsa.n().to_vec()),
        rsa::BigUint::from_bytes_be(&rsa.e().to_vec()),
    )
    .map_err(|e| format!("bad certificate key: {e}"))
}

fn private_key(path: &Path) -> Result<RsaPrivateKey, String> {
    let pem = String::from_utf8_lossy(&read(path)?).into_owned();
    RsaPrivateKey::from_pkcs1_pem(&pem)
        .or_else(|_| RsaPrivateKey::from_pkcs8_pem(&pem))
        .map_err(|_| format!("{}: not a PEM RSA private key", path.display()))
}

fn sign(args: &[String]) -> Result<(), String> {
    let a = sign_args(args)?;
    let enclave = a.enclave.as_deref().ok_or("missing --enclave-image")?;
    let conf_path = a.conf.as_deref().ok_or("missing --config-file")?;
    if a.key.is_some() && (a.x509.is_some() || a.digest_sig.is_some()) {
        return Err("--key-file cannot be used with --x509 or --digest-signature".into());
    }
    if a.x509.is_some() != a.digest_sig.is_some() {
        return Err("--x509 and --digest-signature must be used together".into());
    }
    if a.key.is_none() && a.x509.is_none() {
        return Err("missing --key-file, or --x509 with --digest-signature".into());
    }
    let conf = parse_conf(&String::from_utf8_lossy(&read(conf_path)?))?;
    let runtime = read(enclave)?;
    if !runtime.starts_with(b"\x7fELF") {
        return Err(format!("{}: not an ELF enclave image", enclave.display()));
    }
    let target = a.payload.as_deref().unwrap_or(enclave);
    let out_path = match (&a.output, &a.payload) {
        (Some(o), _) => o.clone(),
        (None, Some(p)) => p.clone(),
        (None, None) => PathBuf::from(format!("{}.signed", enclave.display())),
    };
    let mut image = read(target)?;
    let at = oeinfo_offset(&image)?;

    // Properties, then the SIGSTRUCT zeroed for measuring.
    put(&mut image, at, &PROPS_LEN.to_le_bytes());
    put(&mut image, at + 4, &2u32.to_le_bytes());
    put(&mut image, at + 8, &conf.heap.to_le_bytes());
    put(&mut image, at + 16, &conf.stack.to_le_bytes());
    put(&mut image, at + 24, &conf.tcs.to_le_bytes());
    put(&mut image, at + 32, &conf.product_id.to_le_bytes());
    put(&mut image, at + 34, &conf.security_version.to_le_bytes());
    let attributes: u64 = if conf.debug { 0x6 } else { 0x4 };
    put(&mut image, at + 40, &attributes.to_le_bytes());
    put(&mut image, at + 48, &3u64.to_le_bytes());
    put(
        &mut image,
        at + 56,
        &u32::from(conf.executable_heap).to_le_bytes(),
    );
    put(&mut image, at + SIGSTRUCT_AT, &[0u8; SIGSTRUCT_LEN]);
    put(&mut image, at + SIGSTRUCT_AT + SIGSTRUCT_LEN, &END_MARKER);

    let mut h = Sha256::new();
    h.update(b"ego-oesign-double MRENCLAVE v1\0");
    h.update((runtime.len() as u64).to_le_bytes());
    h.update(&runtime);
    h.update((image.len() as u64).to_le_bytes());
    h.update(&image);
    let mrenclave: [u8; 32] = h.finalize().into();

    let mut s = unsigned_sigstruct(&conf, &mrenclave, today()?);
    let digest = sigstruct_digest(&s);
    let scheme = || Pkcs1v15Sign::new::<Sha256>();
    let (public, sig_be) = if let Some(key) = &a.key {
        let key = private_key(key)?;
        let public = key.to_public_key();
        check_key(
            &BigUint::from_bytes_be(&public.n().to_bytes_be()),
            &BigUint::from_bytes_be(&public.e().to_bytes_be()),
        )?;
        let sig = key
            .sign(scheme(), &digest)
            .map_err(|e| format!("signing failed: {e}"))?;
        (public, sig)
    } else {
        let (Some(cert), Some(sig_path)) = (&a.x509, &a.digest_sig) else {
            return Err("missing --x509 or --digest-signature".into());
        };
        let public = public_from_cert(cert)?;
        check_key(
            &BigUint::from_bytes_be(&public.n().to_bytes_be()),
            &BigUint::from_bytes_be(&public.e().to_bytes_be()),
        )?;
        let sig = read(sig_path)?;
        if sig.len() != 384 {
            return Err(format!(
                "the digest signature is {} bytes, not 384",
                sig.len()
            ));
        }
        public.verify(scheme(), &digest, &sig).map_err(|_| {
            "the digest signature does not verify against this enclave's SIGSTRUCT digest"
                .to_owned()
        })?;
        (public, sig)
    };
    let n = BigUint::from_bytes_be(&public.n().to_bytes_be());
    let sig = BigUint::from_bytes_be(&sig_be);
    let q1 = (&sig * &sig) / &n;
    let q2 = (&sig * ((&sig * &sig) % &n)) / &n;
    put(&mut s, 128, &le384(&n));
    put(&mut s, 516, &le384(&sig));
    put(&mut s, 1040, &le384(&q1));
    put(&mut s, 1424, &le384(&q2));
    put(&mut image, at + SIGSTRUCT_AT, &s);
    std::fs::write(&out_path, &image)
        .map_err(|e| format!("cannot write {}: {e}", out_path.display()))?;
    Ok(())
}

/// Prints the signed image's properties; always exits 0, printing zeros on failure.
fn dump(args: &[String]) {
    // What a Go payload makes the real oesign print.
    eprintln!("Invalid entry point name");
    let path = match args {
        [flag, p] if flag == "-e" || flag == "--enclave-image" => Some(PathBuf::from(p)),
        _ => None,
    };
    let loaded = path
        .ok_or_else(|| "usage: dump -e IMAGE".to_owned())
        .and_then(|p| read(&p))
        .and_then(|img| {
            let at = oeinfo_offset(&img)?;
            if img[at..at + 4] != PROPS_LEN.to_le_bytes() {
                return Err("image has no signed enclave properties".to_owned());
            }
            Ok(img[at..at + OEINFO_MIN].to_vec())
        });
    let props = match loaded {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ERROR: {e}");
            vec![0u8; OEINFO_MIN]
        }
    };
    let u64_at = |o: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&props[o..o + 8]);
        u64::from_le_bytes(b)
    };
    let u16_at = |o: usize| u16::from_le_bytes([props[o], props[o + 1]]);
    let s = &props[SIGSTRUCT_AT..SIGSTRUCT_AT + SIGSTRUCT_LEN];
    let modulus = &s[128..512];
    let mrsigner: [u8; 32] = if modulus.iter().all(|b| *b == 0) {
        [0; 32]
    } else {
        Sha256::digest(modulus).into()
    };
    // The layout of Open Enclave's `oesign dump`.
    println!();
    println!("=== Entry point: ");
    println!("name=");
    println!("address=0000000000000000");
    println!();
    println!("=== SGX Enclave Properties:");
    println!("product_id={}", u16_at(32));
    println!("security_version={}", u16_at(34));
    println!("debug={}", u8::from(u64_at(40) & 2 != 0));
    println!("xfrm={:#016x}", u64_at(48));
    println!("num_heap_pages={}", u64_at(8));
    println!("num_stack_pages={}", u64_at(16));
    println!("num_tcs={}", u64_at(24));
    println!("mrenclave={}", hex::encode(&s[960..992]));
    println!("mrsigner={}", hex::encode(mrsigner));
    println!("signature={}", hex::encode(&s[516..900]));
    println!();
}

fn signerid(args: &[String]) -> Result<(), String> {
    let path = match args {
        [flag, p] if flag == "-k" || flag == "--key-file" => PathBuf::from(p),
        _ => return Err("usage: signerid -k PUBLIC_KEY".into()),
    };
    let pem = String::from_utf8_lossy(&read(&path)?).into_owned();
    let key = RsaPublicKey::from_public_key_pem(&pem)
        .map_err(|_| format!("{}: not a PEM public key", path.display()))?;
    let n = BigUint::from_bytes_be(&key.n().to_bytes_be());
    print!("{}", hex::encode(Sha256::digest(le384(&n))));
    Ok(())
}
