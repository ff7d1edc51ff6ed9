//! Tests of `enclave.json` decoding, validation and heap pages.

use super::*;

#[test]
fn decodes_all_fields_go_style() {
    let c = EnclaveConfig::from_json(
        br#"{"EXE":"app","key":"k.pem","debug":true,"heapSize":512,"executableHeap":true,
            "productID":7,"securityVersion":2,"unknown":{"x":1},
            "mounts":[{"source":"/h","target":"/d","type":"hostfs","readOnly":true}],
            "env":[{"name":"A","value":"1","fromHost":false},null],
            "files":[],"exe":null}"#,
    )
    .unwrap();
    assert_eq!(c.exe, "app");
    assert_eq!((c.heap_size, c.product_id, c.security_version), (512, 7, 2));
    assert!(c.debug && c.executable_heap);
    assert_eq!(c.mounts.as_ref().unwrap()[0].kind, "hostfs");
    assert_eq!(c.env.as_ref().unwrap()[1], EnvVar::default());
    assert_eq!(c.files, Some(vec![]));
}

#[test]
fn refuses_wrong_types_naming_the_field() {
    for (json, field) in [
        (&br#"{"heapSize":1.5}"#[..], "heapSize"),
        (br#"{"heapSize":"512"}"#, "heapSize"),
        (br#"{"debug":1}"#, "debug"),
        (br#"{"mounts":{}}"#, "mounts"),
        (br#"{"env":[{"name":3}]}"#, "env[0].name"),
        (br#"[]"#, "(top level)"),
    ] {
        match EnclaveConfig::from_json(json) {
            Err(ConfigError::Type { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        EnclaveConfig::from_json(b"{\"exe\":"),
        Err(ConfigError::Syntax { .. })
    ));
}

#[test]
fn integer_errors_quote_the_file() {
    let msg = |json: &[u8]| EnclaveConfig::from_json(json).unwrap_err().to_string();
    assert_eq!(
        msg(br#"{"heapSize":1e3}"#),
        "the EGo config field heapSize must be an integer (without a fraction or exponent), found 1e3"
    );
    assert_eq!(
        msg(br#"{"productID":100000000000000000000}"#),
        "the EGo config field productID must be an integer from -9223372036854775808 to 9223372036854775807, found 100000000000000000000"
    );
    assert_eq!(
        EnclaveConfig::from_json(br#"{"heapSize":-0}"#)
            .unwrap()
            .heap_size,
        0
    );
}

fn base() -> EnclaveConfig {
    EnclaveConfig {
        exe: "app".into(),
        key: "k.pem".into(),
        heap_size: 512,
        ..Default::default()
    }
}

fn err_of(c: &EnclaveConfig) -> (String, String) {
    match c.validate() {
        Err(ConfigError::Invalid { field, message }) => (field, message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn mount(source: &str, target: &str, kind: &str) -> Mount {
    Mount {
        source: source.into(),
        target: target.into(),
        kind: kind.into(),
        read_only: false,
    }
}

#[test]
fn validates_as_ego() {
    assert!(base().validate().unwrap().0.is_empty());
    let mut c = base();
    c.heap_size = 0;
    assert_eq!(err_of(&c).1, "heapSize not set in config file");
    let mut c = base();
    c.exe.clear();
    assert_eq!(err_of(&c).0, "exe");
    let mut c = base();
    c.key.clear();
    assert_eq!(err_of(&c).1, "key not set in config file");
    let cases = [
        (
            vec![mount("", "", "memfs")],
            "missing target for mount declaration",
        ),
        (
            vec![mount("", "/d", "memfs"), mount("", "/d", "memfs")],
            "mount target '/d' was defined multiple times",
        ),
        (
            vec![mount("", "/d", "")],
            "missing type for mount target '/d'",
        ),
        (
            vec![mount("", "/d", "hostfs")],
            "no source given for mount target '/d",
        ),
        (
            vec![mount("/s", "/d", "nfs")],
            "an invalid mount type was specified: nfs",
        ),
    ];
    for (mounts, msg) in cases {
        let mut c = base();
        c.mounts = Some(mounts);
        assert_eq!(err_of(&c).1, msg);
    }
    let env = |n: &str| EnvVar {
        name: n.into(),
        value: "v".into(),
        from_host: false,
    };
    for (vars, msg) in [
        (
            vec![env("")],
            "missing name for environment variable definition in config",
        ),
        (
            vec![env("A=B")],
            "'A=B': = is a disallowed character for the environment variable name",
        ),
        (
            vec![env("A"), env("A")],
            "envrionment variable 'A' was defined multiple times",
        ),
    ] {
        let mut c = base();
        c.env = Some(vars);
        assert_eq!(err_of(&c).1, msg);
    }
    let mut c = base();
    c.mounts = Some(vec![mount("/x", "/", "hostfs"), mount("/y", "/m", "memfs")]);
    c.env = Some(vec![EnvVar::default()]);
    c.env.as_mut().unwrap()[0].name = "E".into();
    assert_eq!(c.validate().unwrap().0.len(), 3);
}

#[test]
fn heap_pages() {
    assert_eq!(base().num_heap_pages(), 512 * 256);
}
