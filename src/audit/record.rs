//! The record types and the line encoding. The records that follow a key from one
//! set of shares to the next (a reshare's, a refresh's) are in `lineage`.
//!
//! A line is the JSON of a [`Record`] with one more member appended last:
//! `"line_sha256"`, the SHA-256 (hex) of the line's bytes before it, closed with `}`.
//! So every line carries the hash of its own content (a changed byte is seen on that
//! very line, the last one included) and, in `prev`, the hash of the whole line
//! before it (a line changed and re-hashed is seen on the next line). The first
//! record's `prev` is [`GENESIS`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod lineage;
pub use lineage::{GenerationHex, RefreshEvent, ReshareEvent, ReshareOrigin};

/// The record format version; a reader refuses other versions.
pub const RECORD_VERSION: u32 = 1;
/// `prev` of the first record of a file.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The default log file name, beside the share.
pub const LOG_FILE_NAME: &str = "mpcegosign-audit.jsonl";

const SELF_KEY: &str = ",\"line_sha256\":\"";

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// [`RECORD_VERSION`].
    pub version: u32,
    /// 1 for the first record of the file, then one more per line.
    pub seq: u64,
    /// SHA-256 (hex) of the previous line (without its newline), or [`GENESIS`].
    pub prev: String,
    /// When the record was written, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub time: String,
    /// The tool and version that wrote it.
    pub tool: String,
    /// The party that wrote this record.
    pub party: u8,
    /// MRSIGNER (hex) of the key of the ceremony.
    pub mrsigner: String,
    pub event: Event,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Event {
    /// A keygen this party took part in.
    Keygen(KeygenEvent),
    /// A signing this party started.
    SignInitiator(InitiatorEvent),
    /// A signing request this party answered.
    SignSigner(SignerEvent),
    /// This party overrode the SVN anti-rollback check (written just before the
    /// record of the signing it allowed; see `audit::svn`).
    SvnRollback(SvnRollbackEvent),
    /// A recover this party took part in (see `audit::recover`).
    Recover(RecoverEvent),
    /// This party marked its share retired (see `audit::retire`).
    Retire(super::retire::RetireEvent),
    /// A reshare's dealer linked this roster to the new keygen (`audit::reshare`).
    Reshare(ReshareEvent),
    /// A refresh: generation g to g + 1 of this roster's shares (`audit::refresh`).
    Refresh(RefreshEvent),
}

/// `--allow-svn-rollback`, confirmed by typing: an ISVSVN below one signed before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SvnRollbackEvent {
    /// The signing session (hex).
    pub session: String,
    pub isv_prod_id: u16,
    /// The ISVSVN signed.
    pub isv_svn: u16,
    /// The highest ISVSVN signed before for this ISVPRODID under this MRSIGNER.
    pub highest: u16,
    /// The MRENCLAVE signed (hex).
    pub mrenclave: String,
}

/// A recover this party took part in (checked by `audit::recover`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverEvent {
    /// "receiver" (wrote the key) or "giver".
    pub role: String,
    /// The giving session (hex).
    pub session: String,
    /// "recover".
    pub purpose: String,
    /// The party that received the shares.
    pub receiver: u8,
    /// The parties whose shares were given (the receiver's record: all of them;
    /// a giver's: itself).
    pub givers: Vec<u8>,
    /// The GIVE-INIT, then the GIVEs, exactly as sent and received.
    pub messages: Vec<Recorded>,
    /// The receiver's record: the key file written and its SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Output>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeygenEvent {
    /// "dealer" or "joiner".
    pub role: String,
    /// The scheme byte of the keygen messages (1 = subsets, 2 = shoup3).
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    /// The keygen session (hex).
    pub session: String,
    /// The keygen transcript hash (hex).
    pub transcript: String,
    /// The key code every party compared.
    pub key_code: String,
    /// The RSA modulus, big-endian hex.
    pub modulus: String,
    pub roster: Vec<RosterKeys>,
    /// `shoup3` keys: the public verification data (in the transcript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationHex>,
    /// The dealer's keygen nonce (hex, in the transcript); absent in records of
    /// keygens from before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// A reshare's keygen: the roster the key came from (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reshare: Option<ReshareOrigin>,
}

/// A `shoup3` key's public verification data (hex): the seed of v and v_1..v_n
/// (dealing version 1), or the share bound S and the commitments C_1..C_{t−1}
/// (version 2, from which every v_j is derived).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationHex {
    pub seed: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_bound: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitments: Option<Vec<String>>,
}

impl VerificationHex {
    pub fn of(data: &crate::protocol::Shoup3Public) -> Self {
        VerificationHex {
            seed: hex::encode(data.seed),
            keys: data.keys.iter().map(hex::encode).collect(),
            share_bound: data.feldman.as_ref().map(|f| f.bound),
            commitments: data
                .feldman
                .as_ref()
                .map(|f| f.commitments.iter().map(hex::encode).collect()),
        }
    }

    /// The message form; `None` when a field is not hex of the right length, or the
    /// fields are of neither version.
    pub fn parse(&self) -> Option<crate::protocol::Shoup3Public> {
        let seed = hex::decode(&self.seed).ok()?.try_into().ok()?;
        let numbers = |list: &[String]| {
            list.iter()
                .map(|k| hex::decode(k).ok()?.try_into().ok())
                .collect::<Option<Vec<[u8; 384]>>>()
        };
        let (keys, feldman) = match (self.keys.is_empty(), self.share_bound, &self.commitments) {
            (false, None, None) => (numbers(&self.keys)?, None),
            (true, Some(bound), Some(c)) => (
                Vec::new(),
                Some(Box::new(crate::protocol::FeldmanPublic {
                    bound,
                    commitments: numbers(c)?,
                })),
            ),
            _ => return None,
        };
        Some(crate::protocol::Shoup3Public {
            seed,
            keys,
            feldman,
        })
    }
}

/// One party's public keys, as in the share's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterKeys {
    pub party: u8,
    pub x25519: String,
    pub identity: String,
}

/// What an enclave signing request asks for (from the SIGN-INIT's regions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enclave {
    pub mrenclave: String,
    pub mrsigner: String,
    pub isv_prod_id: u16,
    pub isv_svn: u16,
    pub debug: bool,
    /// The SIGSTRUCT's date, `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitiatorEvent {
    /// The signing session (hex).
    pub session: String,
    /// "signed" or "failed".
    pub outcome: String,
    /// Why it failed (`outcome` "failed").
    pub error: Option<String>,
    pub enclave: Enclave,
    /// Parties asked to sign (the initiator included).
    pub invited: Vec<u8>,
    /// Parties that approved: the initiator, and every party whose SIGN-PARTIAL was
    /// accepted.
    pub approved: Vec<u8>,
    pub declined: Vec<Decline>,
    /// The parties whose partials made the signature.
    pub subset: Vec<u8>,
    /// The RSA signature (hex, big-endian), when signed.
    pub signature: Option<String>,
    /// The file written, when signed.
    pub output: Option<Output>,
    /// The SIGN-INIT sent, then every message accepted, exactly as received.
    pub messages: Vec<Recorded>,
    /// Messages refused (forged, unsigned, foreign, duplicate…): their hash and why.
    pub ignored: Vec<Ignored>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    pub party: u8,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignored {
    /// SHA-256 (hex) of the message bytes.
    pub sha256: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignerEvent {
    /// The signing session (hex).
    pub session: String,
    pub initiator: u8,
    /// What the SIGN-INIT asked for, when it was readable.
    pub enclave: Option<Enclave>,
    /// "signed" or "declined".
    pub answer: String,
    /// The reason sent with a decline.
    pub reason: Option<String>,
    /// The SIGN-INIT reviewed, exactly as received, and the answer sent.
    pub messages: Vec<Recorded>,
}

/// A ceremony message, kept generic: its kind, its sender, and its text form
/// (`mpcegosign2:…`) byte for byte, so new message kinds need no change here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// "sent" or "received".
    pub dir: String,
    /// e.g. "SIGN-PARTIAL".
    pub kind: String,
    /// The party named as its sender.
    pub from: u8,
    pub text: String,
}

/// SHA-256 (hex) of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Problems with one line on its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("it does not end with its own checksum")]
    NoChecksum,
    #[error("its content does not match its own checksum")]
    Checksum,
    #[error("it is not a record: {0}")]
    Json(String),
    #[error("it is a record of format version {0}; this tool reads version {RECORD_VERSION}")]
    Version(u32),
}

impl Record {
    /// The line for this record (without newline).
    pub fn to_line(&self) -> Result<String, serde_json::Error> {
        let json = serde_json::to_string(self)?;
        let body = json.strip_suffix('}').unwrap_or(&json);
        let sum = sha256_hex(body.as_bytes());
        Ok(format!("{body}{SELF_KEY}{sum}\"}}"))
    }

    /// Reads one line (without newline): its own checksum first, then the JSON.
    pub fn from_line(line: &[u8]) -> Result<Record, LineError> {
        Self::from_line_in(&mut line.to_vec())
    }

    /// [`Self::from_line`] of a line in a buffer the caller gives up: the JSON is
    /// read in place (the line cut to its body and closed with `}`) and straight
    /// into the record, with no intermediate JSON tree, so a line costs about its
    /// own size again at most. serde_json refuses nesting deeper than 128.
    pub fn from_line_in(line: &mut Vec<u8>) -> Result<Record, LineError> {
        let body = checked_body(line)?.len();
        line.truncate(body);
        line.push(b'}');
        let line: &[u8] = line;
        // The version first, so a newer format is named as such.
        let head: VersionOnly = parse(line)?;
        match head.version {
            Some(v) if v == u64::from(RECORD_VERSION) => {}
            Some(v) => return Err(LineError::Version(u32::try_from(v).unwrap_or(u32::MAX))),
            None => return Err(LineError::Json("no version".into())),
        }
        parse(line)
    }
}

/// Only the version of a record (every other member skipped unread).
#[derive(Deserialize)]
struct VersionOnly {
    version: Option<u64>,
}

fn parse<'a, T: Deserialize<'a>>(json: &'a [u8]) -> Result<T, LineError> {
    serde_json::from_slice(json).map_err(|e| LineError::Json(e.to_string()))
}

/// The bytes before the checksum member, if the checksum matches them.
fn checked_body(line: &[u8]) -> Result<&[u8], LineError> {
    // `,"line_sha256":"` + 64 lowercase hex digits + `"}`.
    let tail = SELF_KEY.len() + 64 + 2;
    if line.len() < tail + 1 || !line.ends_with(b"\"}") {
        return Err(LineError::NoChecksum);
    }
    let (body, rest) = line.split_at(line.len() - tail);
    let Some(sum) = rest.strip_prefix(SELF_KEY.as_bytes()) else {
        return Err(LineError::NoChecksum);
    };
    let sum = &sum[..64];
    if !sum
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return Err(LineError::Checksum);
    }
    if sum != sha256_hex(body).as_bytes() {
        return Err(LineError::Checksum);
    }
    Ok(body)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
pub fn format_time(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    let d = crate::sgx::Date::from_unix_days(days);
    format!(
        "{d}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample(seq: u64, prev: &str) -> Record {
        Record {
            version: RECORD_VERSION,
            seq,
            prev: prev.to_string(),
            time: format_time(1_764_096_000 + seq),
            tool: "mpcegosign test".into(),
            party: 1,
            mrsigner: "ab".repeat(32),
            event: Event::SignSigner(SignerEvent {
                session: "01".repeat(16),
                initiator: 2,
                enclave: None,
                answer: "declined".into(),
                reason: Some("a \"quoted\" reason \u{1b}[2K".into()),
                messages: vec![],
            }),
        }
    }

    #[test]
    fn line_round_trip_and_checksum() {
        let r = sample(1, GENESIS);
        let line = r.to_line().unwrap();
        assert!(line.ends_with("\"}"));
        assert!(!line.contains('\n'));
        assert_eq!(Record::from_line(line.as_bytes()).unwrap(), r);
        // Every single-byte change is seen on the line itself.
        for i in 0..line.len() {
            let mut b = line.clone().into_bytes();
            b[i] ^= 0x01;
            assert!(Record::from_line(&b).is_err(), "byte {i} changed unnoticed");
        }
    }

    #[test]
    fn other_versions_and_unknown_fields_are_refused() {
        let mut r = sample(1, GENESIS);
        r.version = 2;
        let line = r.to_line().unwrap();
        assert_eq!(
            Record::from_line(line.as_bytes()),
            Err(LineError::Version(2))
        );
        // An unknown member, with a correct checksum: refused.
        let json = serde_json::to_string(&sample(1, GENESIS)).unwrap();
        let body = format!("{},\"extra\":1", json.strip_suffix('}').unwrap());
        let line = format!("{body}{SELF_KEY}{}\"}}", sha256_hex(body.as_bytes()));
        assert!(matches!(
            Record::from_line(line.as_bytes()),
            Err(LineError::Json(_))
        ));
    }

    /// A line with a correct checksum around hostile JSON: refused, no panic.
    #[test]
    fn hostile_json_with_a_good_checksum_is_refused() {
        let closed = |body: String| {
            let sum = sha256_hex(body.as_bytes());
            format!("{body}{SELF_KEY}{sum}\"}}")
        };
        let deep = format!("{{\"version\":1,\"a\":{}", "[".repeat(100_000));
        let huge = "{\"version\":1e999999".to_string();
        let big_seq = format!("{{\"version\":1,\"seq\":{}", "9".repeat(10_000));
        let version = format!("{{\"version\":{}", "9".repeat(100));
        for body in [
            deep,
            huge,
            big_seq,
            version,
            "{\"version\":1,\"version\":1".into(),
        ] {
            let line = closed(body);
            assert!(
                matches!(Record::from_line(line.as_bytes()), Err(LineError::Json(_))),
                "{}",
                &line[..40]
            );
        }
        // NUL bytes and invalid UTF-8 inside a string.
        let line = closed("{\"version\":1,\"tool\":\"\0\u{ff}\"".into());
        assert!(Record::from_line(line.as_bytes()).is_err());
        let mut body = b"{\"version\":1,\"tool\":\"x\xffx\"".to_vec();
        let sum = sha256_hex(&body);
        body.extend_from_slice(format!("{SELF_KEY}{sum}\"}}").as_bytes());
        assert!(matches!(Record::from_line(&body), Err(LineError::Json(_))));
    }

    #[test]
    fn time_format() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(1_764_097_199), "2025-11-25T18:59:59Z");
    }
}
