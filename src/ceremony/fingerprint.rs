//! Short codes that humans compare out of band (by voice or another channel).

use sha2::{Digest, Sha256};

use crate::protocol::SessionId;

fn groups(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The session code: a digest of the whole KEYGEN-INIT (parameters, dealer key,
/// session id), so that everyone can check they joined the same ceremony.
pub fn session_code(init_message: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"mpcegosign session code v1\0");
    h.update(init_message);
    groups(&h.finalize()[..4])
}

/// A participant's key fingerprint, bound to the session: 48 bits as `XXXX-XXXX-XXXX`.
pub fn key_fingerprint(session: &SessionId, key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"mpcegosign key fingerprint v1\0");
    h.update(session.0);
    h.update(key);
    groups(&h.finalize()[..6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_binding() {
        let s = SessionId([1; 16]);
        let f = key_fingerprint(&s, &[2; 32]);
        assert_eq!(f.len(), 14);
        assert_eq!(f.matches('-').count(), 2);
        assert_ne!(f, key_fingerprint(&SessionId([3; 16]), &[2; 32]));
        assert_ne!(f, key_fingerprint(&s, &[4; 32]));
        assert_eq!(session_code(b"x").len(), 9);
    }
}
