//! Short codes that humans compare out of band (by voice or another channel).

use sha2::{Digest, Sha256};

use crate::protocol::{PartyKeys, SessionId};
use crate::share::transcript::groups;

/// The session code: 64 bits of a digest of the whole KEYGEN-INIT (parameters, the
/// dealer's keys, session id), as `XXXX-XXXX-XXXX-XXXX`, so that everyone can check
/// they joined the same ceremony.
pub fn session_code(init_message: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/session code\0");
    h.update(init_message);
    groups(&h.finalize()[..8])
}

/// A participant's fingerprint: both of its keys, bound to the session; 48 bits as
/// `XXXX-XXXX-XXXX`.
pub fn key_fingerprint(session: &SessionId, keys: &PartyKeys) -> String {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/party fingerprint\0");
    h.update(session.0);
    h.update(keys.x25519);
    h.update(keys.identity.0);
    groups(&h.finalize()[..6])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::IdentityPublic;

    #[test]
    fn shape_and_binding() {
        let s = SessionId([1; 16]);
        let k = PartyKeys {
            x25519: [2; 32],
            identity: IdentityPublic([5; 32]),
        };
        let f = key_fingerprint(&s, &k);
        assert_eq!(f.len(), 14);
        assert_eq!(f.matches('-').count(), 2);
        assert_ne!(f, key_fingerprint(&SessionId([3; 16]), &k));
        let mut k2 = k;
        k2.x25519[0] = 4;
        assert_ne!(f, key_fingerprint(&s, &k2));
        let mut k3 = k;
        k3.identity.0[0] = 4;
        assert_ne!(f, key_fingerprint(&s, &k3));
        let code = session_code(b"x");
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
    }
}
