//! Go's path rules on Unix (`filepath.Clean`, `Join`, `Dir`), by which `ego sign`
//! resolves the paths in `enclave.json` relative to the file.

/// Go's `filepath.Clean` on Unix.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `filepath.Join(a, b)` on Unix.
pub fn go_join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => go_clean(b),
        (false, true) => go_clean(a),
        (false, false) => go_clean(&format!("{a}/{b}")),
    }
}

/// Go's `filepath.Dir` on Unix.
pub fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => go_clean(&path[..=i]),
        None => ".".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_rules() {
        assert_eq!(go_dir("enclave.json"), ".");
        assert_eq!(go_dir("/x.json"), "/");
        assert_eq!(go_dir("a/b//c.json"), "a/b");
        assert_eq!(go_join(".", "app"), "app");
        assert_eq!(go_join(".", "/abs/app"), "abs/app");
        assert_eq!(go_join("/etc", "../x/./y"), "/x/y");
        assert_eq!(go_join("a", "../../b"), "../b");
        assert_eq!(go_clean("/../a"), "/a");
        assert_eq!(go_clean("a/.."), ".");
    }
}
