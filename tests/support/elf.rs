//! Test ELF files, written with `object`'s write support (no EGo needed): a Go-like
//! executable with an EGo-sized `.oeinfo` section (0x810 bytes: Open Enclave's
//! properties padded to 0x800, then the payload offset and size), optional
//! `runtime.arenaBaseOffset` and eclient symbols, optional Go build info; and a fake
//! `ego-enclave` runtime image.

#![allow(dead_code)]

use object::write::{Object, Symbol, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope,
};

/// EGo's `ert_sgx_enclave_properties_t`: 0x800 bytes of properties + two u64.
pub const OEINFO_SIZE: usize = 0x810;

#[derive(Debug, Clone)]
pub struct GoBuildInfo {
    pub go_version: String,
    /// `build` settings, e.g. `("GOFIPS140", "latest")`.
    pub settings: Vec<(String, String)>,
    /// Module paths listed as `dep` lines.
    pub deps: Vec<String>,
}

impl Default for GoBuildInfo {
    fn default() -> Self {
        GoBuildInfo {
            go_version: "go1.24.4".into(),
            settings: vec![("GOOS".into(), "linux".into())],
            deps: vec!["github.com/edgelesssys/ego".into()],
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExeSpec {
    pub oeinfo: bool,
    /// Built without `ego_largeheap`: has `runtime.arenaBaseOffset`.
    pub arena_symbol: bool,
    pub eclient_symbol: bool,
    /// No symbols at all (as after `strip`).
    pub stripped: bool,
    pub buildinfo: Option<GoBuildInfo>,
    /// Code bytes, so that different programs measure differently.
    pub text: Vec<u8>,
}

impl Default for ExeSpec {
    fn default() -> Self {
        ExeSpec {
            oeinfo: true,
            arena_symbol: true,
            eclient_symbol: false,
            stripped: false,
            buildinfo: Some(GoBuildInfo::default()),
            text: b"\x55\x48\x89\xe5\x90\x5d\xc3 main.main".to_vec(),
        }
    }
}

fn varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Go 1.18+ `.go.buildinfo` contents (inline strings, module text in sentinels).
pub fn buildinfo_blob(b: &GoBuildInfo) -> Vec<u8> {
    let mut modinfo = String::from("path\texample.com/app\nmod\texample.com/app\t(devel)\t\n");
    for d in &b.deps {
        modinfo.push_str(&format!("dep\t{d}\tv1.9.0\th1:AAAA=\n"));
    }
    for (k, v) in &b.settings {
        modinfo.push_str(&format!("build\t{k}={v}\n"));
    }
    // The 16-byte sentinels Go puts around the module text.
    let start = hex::decode("3077af0c9274080241e1c107e6d618e6").unwrap_or_default();
    let end = hex::decode("f932433186182072008242104116d8f2").unwrap_or_default();
    let mut text = start;
    text.extend(modinfo.as_bytes());
    text.extend(&end);

    let mut out = b"\xff Go buildinf:".to_vec();
    out.push(8); // pointer size
    out.push(0x2); // flags: inline strings, little-endian
    out.resize(32, 0);
    varint(&mut out, b.go_version.len());
    out.extend(b.go_version.as_bytes());
    varint(&mut out, text.len());
    out.extend(&text);
    out.resize(out.len().next_multiple_of(16), 0);
    out
}

fn symbol(obj: &mut Object, name: &str, section: object::write::SectionId) {
    obj.add_symbol(Symbol {
        name: name.as_bytes().to_vec(),
        value: 0,
        size: 8,
        kind: SymbolKind::Data,
        scope: SymbolScope::Linkage,
        weak: false,
        section: SymbolSection::Section(section),
        flags: SymbolFlags::None,
    });
}

/// A Go-like EGo executable as `ego-go build` leaves it (unsigned, no payload).
pub fn go_exe(spec: &ExeSpec) -> Vec<u8> {
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(text, &spec.text, 16);
    let data = obj.add_section(Vec::new(), b".noptrdata".to_vec(), SectionKind::Data);
    obj.append_section_data(data, &[0u8; 64], 8);
    if spec.oeinfo {
        let oeinfo = obj.add_section(Vec::new(), b".oeinfo".to_vec(), SectionKind::Data);
        obj.append_section_data(oeinfo, &[0u8; OEINFO_SIZE], 16);
    }
    if let Some(b) = &spec.buildinfo {
        let bi = obj.add_section(Vec::new(), b".go.buildinfo".to_vec(), SectionKind::Data);
        obj.append_section_data(bi, &buildinfo_blob(b), 16);
    }
    if !spec.stripped {
        symbol(&mut obj, "main.main", text);
        symbol(&mut obj, "runtime.main", text);
        if spec.arena_symbol {
            symbol(&mut obj, "runtime.arenaBaseOffset", data);
        }
        if spec.eclient_symbol {
            symbol(
                &mut obj,
                "github.com/edgelesssys/ego/eclient.VerifyRemoteReport",
                text,
            );
        }
    }
    obj.write()
        .unwrap_or_else(|e| panic!("writing the test ELF: {e}"))
}

/// A stand-in for `share/ego-enclave`: an ELF with its own `.oeinfo`.
pub fn runtime_image(tag: &str) -> Vec<u8> {
    go_exe(&ExeSpec {
        buildinfo: None,
        text: format!("ego-enclave runtime {tag}").into_bytes(),
        ..ExeSpec::default()
    })
}

/// A plain C-like ELF: no `.oeinfo`, no Go build info.
pub fn plain_exe() -> Vec<u8> {
    go_exe(&ExeSpec {
        oeinfo: false,
        buildinfo: None,
        arena_symbol: false,
        ..ExeSpec::default()
    })
}
