//! The payload JSON that `ego sign` embeds and measures: Go's `json.Marshal` of EGo's
//! `config.Config`, byte for byte.

use super::config::{EnclaveConfig, EnvVar, File, Mount};
use super::gojson::write_string;

/// `json.Marshal(conf)`: compact, fields in struct order, `null` for absent lists, a
/// file's `content` omitted when empty (`omitempty`), HTML characters escaped.
pub fn marshal(c: &EnclaveConfig) -> Vec<u8> {
    let mut o = String::new();
    o.push_str("{\"exe\":");
    write_string(&mut o, &c.exe);
    o.push_str(",\"key\":");
    write_string(&mut o, &c.key);
    o.push_str(&format!(
        ",\"debug\":{},\"heapSize\":{},\"executableHeap\":{},\"productID\":{},\"securityVersion\":{}",
        c.debug, c.heap_size, c.executable_heap, c.product_id, c.security_version
    ));
    o.push_str(",\"mounts\":");
    list(&mut o, c.mounts.as_deref(), mount);
    o.push_str(",\"env\":");
    list(&mut o, c.env.as_deref(), env);
    o.push_str(",\"files\":");
    list(&mut o, c.files.as_deref(), file);
    o.push('}');
    o.into_bytes()
}

fn list<T>(o: &mut String, items: Option<&[T]>, item: fn(&mut String, &T)) {
    let Some(items) = items else {
        o.push_str("null");
        return;
    };
    o.push('[');
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        item(o, t);
    }
    o.push(']');
}

fn mount(o: &mut String, m: &Mount) {
    o.push_str("{\"source\":");
    write_string(o, &m.source);
    o.push_str(",\"target\":");
    write_string(o, &m.target);
    o.push_str(",\"type\":");
    write_string(o, &m.kind);
    o.push_str(&format!(",\"readOnly\":{}}}", m.read_only));
}

fn env(o: &mut String, e: &EnvVar) {
    o.push_str("{\"name\":");
    write_string(o, &e.name);
    o.push_str(",\"value\":");
    write_string(o, &e.value);
    o.push_str(&format!(",\"fromHost\":{}}}", e.from_host));
}

fn file(o: &mut String, f: &File) {
    o.push('{');
    if !f.content.is_empty() {
        o.push_str("\"content\":");
        write_string(o, &f.content);
        o.push(',');
    }
    o.push_str("\"source\":");
    write_string(o, &f.source);
    o.push_str(",\"target\":");
    write_string(o, &f.target);
    o.push('}');
}
