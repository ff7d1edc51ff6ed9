//! The payload JSON against Go's `json.Marshal` of EGo's `config.Config`. Expected
//! bytes are written by hand from Go's documented rules: struct field order, `null`
//! for nil slices, `omitempty` on a file's `content`, `<` `>` `&` U+2028 U+2029 and
//! control characters escaped, invalid UTF-8 decoded to U+FFFD.

use mpcegosign::ego::config::{ConfigError, EnclaveConfig};
use mpcegosign::ego::payload::marshal;

const TAIL_ZERO: &str =
    r#""debug":false,"heapSize":512,"executableHeap":false,"productID":0,"securityVersion":0"#;

fn table() -> Vec<(&'static str, Vec<u8>, String)> {
    vec![
        (
            "minimal config: absent lists are null",
            br#"{"exe":"app","key":"k.pem","heapSize":512}"#.to_vec(),
            format!(r#"{{"exe":"app","key":"k.pem",{TAIL_ZERO},"mounts":null,"env":null,"files":null}}"#),
        ),
        (
            "empty lists stay empty lists",
            br#"{"heapSize":512,"exe":"app","key":"k","files":[],"env":[],"mounts":[]}"#.to_vec(),
            format!(r#"{{"exe":"app","key":"k",{TAIL_ZERO},"mounts":[],"env":[],"files":[]}}"#),
        ),
        (
            "explicit null lists",
            br#"{"exe":"app","key":"k","heapSize":512,"mounts":null,"env":null,"files":null}"#.to_vec(),
            format!(r#"{{"exe":"app","key":"k",{TAIL_ZERO},"mounts":null,"env":null,"files":null}}"#),
        ),
        (
            "all scalar fields, in struct order whatever the file order",
            br#"{"securityVersion":2,"productID":65535,"executableHeap":true,"heapSize":-5,"debug":true,"key":"k","exe":"e"}"#.to_vec(),
            r#"{"exe":"e","key":"k","debug":true,"heapSize":-5,"executableHeap":true,"productID":65535,"securityVersion":2,"mounts":null,"env":null,"files":null}"#.to_string(),
        ),
        (
            "HTML characters are escaped",
            br#"{"exe":"a<b>&c","key":"k","heapSize":512}"#.to_vec(),
            format!(r#"{{"exe":"a\u003cb\u003e\u0026c","key":"k",{TAIL_ZERO},"mounts":null,"env":null,"files":null}}"#),
        ),
        (
            "quotes, backslashes, slash, control characters",
            br#"{"exe":"q\"b\\s/\n\r\t\b\f\u0001\u001f\u007f","key":"k","heapSize":512}"#.to_vec(),
            format!("{{\"exe\":\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\u{7f}\",\"key\":\"k\",{TAIL_ZERO},\"mounts\":null,\"env\":null,\"files\":null}}"),
        ),
        (
            "U+2028 and U+2029 are escaped, other non-ASCII is not",
            "{\"exe\":\"\u{2028}x\u{2029}é😀\",\"key\":\"\\u00e9\",\"heapSize\":512}".as_bytes().to_vec(),
            format!("{{\"exe\":\"\\u2028x\\u2029é😀\",\"key\":\"é\",{TAIL_ZERO},\"mounts\":null,\"env\":null,\"files\":null}}"),
        ),
        (
            "invalid UTF-8: one U+FFFD per bad byte, written as UTF-8",
            b"{\"exe\":\"a\xffb\xe2\x82c\",\"key\":\"k\",\"heapSize\":512}".to_vec(),
            format!("{{\"exe\":\"a\u{fffd}b\u{fffd}\u{fffd}c\",\"key\":\"k\",{TAIL_ZERO},\"mounts\":null,\"env\":null,\"files\":null}}"),
        ),
        (
            "mounts, env and files with every field",
            br#"{"exe":"app","key":"k","heapSize":512,
                "mounts":[{"readOnly":true,"type":"hostfs","target":"/d","source":"/h"},{"target":"/tmp","type":"memfs"}],
                "env":[{"name":"A","value":"1"},{"name":"HOME","fromHost":true}],
                "files":[{"source":"s","target":"/t"},{"content":"aGk=","source":"s2","target":"/t2"}]}"#.to_vec(),
            format!(concat!(
                r#"{{"exe":"app","key":"k",{},"#,
                r#""mounts":[{{"source":"/h","target":"/d","type":"hostfs","readOnly":true}},{{"source":"","target":"/tmp","type":"memfs","readOnly":false}}],"#,
                r#""env":[{{"name":"A","value":"1","fromHost":false}},{{"name":"HOME","value":"","fromHost":true}}],"#,
                r#""files":[{{"source":"s","target":"/t"}},{{"content":"aGk=","source":"s2","target":"/t2"}}]}}"#
            ), TAIL_ZERO),
        ),
        (
            "Go decoding: names case-insensitive, last duplicate wins, unknown ignored, null keeps",
            br#"{"EXE":"first","exe":"second","Key":"k","heapsize":512,"debug":true,"debug":null,"nope":[1,{"a":2}],"env":[null]}"#.to_vec(),
            r#"{"exe":"second","key":"k","debug":true,"heapSize":512,"executableHeap":false,"productID":0,"securityVersion":0,"mounts":null,"env":[{"name":"","value":"","fromHost":false}],"files":null}"#.to_string(),
        ),
    ]
}

#[test]
fn payload_matches_go_json_marshal() {
    for (name, input, expected) in table() {
        let c = EnclaveConfig::from_json(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = marshal(&c);
        assert_eq!(String::from_utf8_lossy(&got), expected, "case: {name}");
        assert_eq!(got, expected.as_bytes(), "case: {name}");
    }
}

#[test]
fn load_resolves_paths_and_reads_file_contents() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("conf");
    std::fs::create_dir_all(&dir).unwrap();
    let hi = t.path().join("hi.txt");
    let empty = t.path().join("empty.txt");
    std::fs::write(&hi, b"hi").unwrap();
    std::fs::write(&empty, b"").unwrap();
    let json = format!(
        r#"{{"exe":"../bin/./app","key":"/keys/private.pem","heapSize":512,
            "files":[{{"source":"{}","target":"/a","content":"ignored"}},{{"source":"{}","target":"/b"}}]}}"#,
        hi.display(),
        empty.display()
    );
    let path = dir.join("enclave.json");
    std::fs::write(&path, json).unwrap();
    let (c, warnings) = EnclaveConfig::load(&path).unwrap();
    assert!(warnings.0.is_empty());
    let root = t.path().display().to_string();
    assert_eq!(c.exe, format!("{root}/bin/app"));
    // Go's filepath.Join puts even an absolute key under the config directory.
    assert_eq!(c.key, format!("{root}/conf/keys/private.pem"));
    let expected = format!(
        r#"{{"exe":"{root}/bin/app","key":"{root}/conf/keys/private.pem",{TAIL_ZERO},"mounts":null,"env":null,"files":[{{"content":"aGk=","source":"{}","target":"/a"}},{{"source":"{}","target":"/b"}}]}}"#,
        hi.display(),
        empty.display()
    );
    assert_eq!(String::from_utf8(marshal(&c)).unwrap(), expected);
}

#[test]
fn load_errors_name_the_problem() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("enclave.json");
    let err = EnclaveConfig::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err}");
    std::fs::write(&path, r#"{"exe":"a","key":"k","heapSize":512,"files":[{"source":"/no/such/file","target":"/x"}]}"#).unwrap();
    let err = EnclaveConfig::load(&path).unwrap_err();
    assert!(
        err.to_string().contains("files[0].source /no/such/file"),
        "{err}"
    );
    std::fs::write(&path, r#"{"exe":"a","heapSize":512}"#).unwrap();
    let err = EnclaveConfig::load(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid EGo config (key): key not set in config file"
    );
    std::fs::write(
        &path,
        r#"{"exe":"a","key":"k","heapSize":512,"env":[{"name":"X"}]}"#,
    )
    .unwrap();
    let (_, warnings) = EnclaveConfig::load(&path).unwrap();
    assert_eq!(warnings.0.len(), 1);
    std::fs::write(&path, "{\"exe\":\"a\",}").unwrap();
    let err = EnclaveConfig::load(&path).unwrap_err();
    assert!(err.to_string().contains("is not valid JSON"), "{err}");
}
