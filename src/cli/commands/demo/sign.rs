//! The demo's signing: a sample unsigned SIGSTRUCT (oesign's layout, today's date),
//! signed by Alice (initiator) and Bob (signer) while Carol sits out, through the real
//! state machines (`ceremony::sign`: `Initiator`, `review`, `Review::sign`) with every
//! message passed as pasted text. The signed SIGSTRUCT is written, read back, verified
//! with the group's public key and compared byte for byte with a one-key signature
//! by the whole throwaway key.

use std::path::Path;

use mpcegosign::ceremony::sign::{review, Initiator, Origin, Progress, Review, SignPolicy};
use mpcegosign::fsutil;
use mpcegosign::sgx::sigstruct::SigstructFields;
use mpcegosign::sgx::{Date, Sigstruct};
use mpcegosign::threshold::Subset;
use sha2::{Digest, Sha256};

use super::keygen::Keyed;
use super::screen::{Chat, Screen, ALICE, BOB, CAROL};
use crate::cli::error::CliError;

/// What the sample enclave's MRENCLAVE is made from: a stand-in for the measurement
/// `ego sign` would compute of a real enclave.
const SAMPLE: &[u8] = b"mpcegosign demo: a sample enclave";
pub const UNSIGNED_FILE: &str = "sample.sigstruct";
pub const SIGNED_FILE: &str = "sample.sigstruct.signed";

fn fail(step: &str) -> impl Fn(mpcegosign::ceremony::sign::SignError) -> CliError + '_ {
    move |e| CliError::new(format!("demo: {step}: {e}"))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CliError> {
    let path = dir.join(name);
    fsutil::write_new(&path, bytes, 0o644, false)
        .map_err(|e| CliError::new(format!("demo: cannot write {}: {e}", path.display())))
}

/// The signer's review table, as `sign` shows it.
fn show_review(screen: &mut Screen, r: &Review, me: u8) -> Result<(), CliError> {
    screen.shows(&format!(
        "Signing request from party {} (session {}):",
        r.initiator,
        r.session.short()
    ))?;
    screen.shows(&format!("  MRENCLAVE  {}", hex::encode(r.mrenclave)))?;
    screen.shows(&format!(
        "  MRSIGNER   {} (your key)",
        hex::encode(r.mrsigner)
    ))?;
    screen.shows(&format!("  ISVPRODID  {}", r.isv_prod_id))?;
    screen.shows(&format!("  ISVSVN     {}", r.isv_svn))?;
    screen.shows(&format!(
        "  DEBUG      {}",
        if r.debug {
            "YES: the host can read the enclave's memory"
        } else {
            "no"
        }
    ))?;
    screen.shows(&format!("  Date       {}", r.date))?;
    let origin = match r.origin {
        Origin::Authenticated => format!("signed by party {}'s identity key", r.initiator),
        Origin::UnsignedAllowed | Origin::NoRoster => "UNSIGNED".to_string(),
    };
    screen.shows(&format!("  Origin     {origin}"))?;
    screen.shows(&format!("  Signers    {} (you are party {me})", r.signers))
}

pub fn run(
    screen: &mut Screen,
    chat: &mut Chat,
    keyed: &Keyed,
    dir: &Path,
) -> Result<(), CliError> {
    let [alice, bob, _carol] = keyed.shares.as_slice() else {
        return Err(CliError::new("demo: the keygen did not give three shares"));
    };
    let public = alice.public();
    screen.title("Signing: Alice and Bob sign a sample enclave; Carol is not needed")?;

    screen.party(ALICE)?;
    let mrenclave: [u8; 32] = Sha256::digest(SAMPLE).into();
    let unsigned = Sigstruct::build(&SigstructFields {
        date: Date::today_utc(),
        debug: false,
        mrenclave,
        isv_prod_id: 1,
        isv_svn: 1,
    });
    write(dir, UNSIGNED_FILE, unsigned.as_bytes())?;
    screen.explain(&format!(
        "Alice has the enclave to sign. With EGo, `mpcegosign sign --config enclave.json` measures it as `ego sign` does; here it is {UNSIGNED_FILE}, an unsigned SIGSTRUCT laid out as oesign writes it, dated today, whose MRENCLAVE stands in for a real measurement."
    ))?;
    screen.types(&format!(
        "mpcegosign sign --sigstruct {UNSIGNED_FILE} --share share_1.json.age --signers 1,2"
    ))?;
    let signers = Subset::from_parties(&[1, 2]).map_err(|e| CliError::new(e.to_string()))?;
    let (mut initiator, init) =
        Initiator::start(alice, &unsigned, signers).map_err(fail("starting the signing"))?;
    let regions = unsigned.regions();
    screen.shows(&format!(
        "Signing as party 1 with signers {signers} (session {}):",
        initiator.session().short()
    ))?;
    screen.shows(&format!("  MRENCLAVE {}", hex::encode(regions.mrenclave())))?;
    screen.shows(&format!("  MRSIGNER  {}", hex::encode(public.mrsigner())))?;
    screen.shows(&format!(
        "  ISVPRODID {}  ISVSVN {}  DEBUG {}",
        regions.isv_prod_id(),
        regions.isv_svn(),
        if regions.is_debug() { "yes" } else { "no" }
    ))?;
    let init_post = chat.post(screen, ALICE, "SIGN-INIT", &init.encode())?;

    screen.party(BOB)?;
    screen.explain("Bob's tool rebuilds what is signed from the SIGSTRUCT itself, checks that Alice's identity key signed the request and that it is for his key, and shows it. He compares MRENCLAVE with his own reproducible build of the enclave.")?;
    screen.types("mpcegosign sign --share share_2.json.age")?;
    let bytes = chat.paste(screen, init_post)?;
    let reviewed = review(bob, &bytes, &SignPolicy::default()).map_err(fail("reviewing"))?;
    show_review(screen, &reviewed, bob.party())?;
    // Bob's own build of the sample gives the same measurement; his checks, for real.
    if reviewed.mrenclave != mrenclave
        || reviewed.debug
        || reviewed.days_from(Date::today_utc()).abs() > 1
    {
        return Err(CliError::new(
            "demo: the request Bob reviewed is not the sample enclave of today",
        ));
    }
    screen.answers(
        "Sign this enclave? [y/N]",
        "y   (MRENCLAVE matches his build)",
    )?;
    let partial = reviewed.sign(bob).map_err(fail("signing"))?;
    let partial_post = chat.post(screen, BOB, "SIGN-PARTIAL", &partial.encode())?;

    screen.party(CAROL)?;
    screen.explain("Carol is not among today's signers (--signers 1,2): any 2 of the 3 can sign, so her share stays offline. Had Bob been away, Alice would have asked Carol.")?;

    screen.party(ALICE)?;
    screen.explain("Alice pastes Bob's SIGN-PARTIAL. Her tool checks it came from Bob, combines it with her own partial, and verifies the signature before writing anything.")?;
    let bytes = chat.paste(screen, partial_post)?;
    let signature = match initiator
        .accept(&bytes)
        .map_err(fail("taking Bob's partial"))?
    {
        Progress::Complete { signature, subset } => {
            screen.shows(&format!("Parties {subset} produced a valid signature."))?;
            signature
        }
        other => {
            return Err(CliError::new(format!(
                "demo: Bob's partial did not complete the signature ({other:?})"
            )))
        }
    };
    let mut signed = Sigstruct::from_bytes(unsigned.as_bytes())
        .map_err(|e| CliError::new(format!("demo: {e}")))?;
    signed.set_signature(public, &signature);
    write(dir, SIGNED_FILE, signed.as_bytes())?;
    screen.shows(&format!("Verified and wrote {SIGNED_FILE}"))?;
    check(screen, keyed, dir, &unsigned)
}

/// Reads the signed SIGSTRUCT back, verifies it with the group's public key, and
/// compares it with the same SIGSTRUCT signed by the whole key in one go.
fn check(
    screen: &mut Screen,
    keyed: &Keyed,
    dir: &Path,
    unsigned: &Sigstruct,
) -> Result<(), CliError> {
    let path = dir.join(SIGNED_FILE);
    let bytes =
        std::fs::read(&path).map_err(|e| crate::cli::error::io_error("read back", &path, &e))?;
    let signed = Sigstruct::from_bytes(&bytes).map_err(|e| CliError::new(format!("demo: {e}")))?;
    // The group's public key, as every party's share holds it.
    let public = keyed.shares[0].public();
    signed
        .verify(Some(public))
        .map_err(|e| CliError::new(format!("demo: the signed SIGSTRUCT does not verify: {e}")))?;
    let mut one_key = Sigstruct::from_bytes(unsigned.as_bytes())
        .map_err(|e| CliError::new(format!("demo: {e}")))?;
    one_key.set_signature(
        keyed.whole_key.public(),
        &keyed.whole_key.sign_digest(&one_key.digest()),
    );
    if one_key.as_bytes() != signed.as_bytes() {
        return Err(CliError::new(
            "demo: the threshold signature differs from the one-key signature of the same key",
        ));
    }
    screen.explain("The check anyone can make: the signature, Q1 and Q2 against the group's public key. And, because this demo still holds the throwaway key, the comparison no real party can make: the same SIGSTRUCT signed by the whole key at once.")?;
    screen.shows(&format!(
        "signature checked: valid under the group's key (MRSIGNER {}), and byte for byte the same bytes `ego sign` would write with this key ({} bytes compared with a one-key signature by the whole throwaway key).",
        hex::encode(public.mrsigner()),
        signed.as_bytes().len()
    ))
}
