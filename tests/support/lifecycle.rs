//! The key's lifecycle across processes, for tests: a refresh among every holder
//! (each message a party prints is pasted to every other party, as a group chat
//! does), a reshare to a new roster, and the share file of a generation.

use std::path::{Path, PathBuf};

use super::party::{Finished, Party};
use super::shares::party_share;

/// The share file of party `p` (1-based) at generation `g` in its keygen directory.
pub fn gen_share(dirs: &[PathBuf], p: u8, g: u32) -> PathBuf {
    if g == 0 {
        return party_share(dirs, p);
    }
    dirs[usize::from(p) - 1].join(format!("share_{p}.gen{g}.json"))
}

/// Pastes `lines` (one message, as printed) into every party but `from`.
pub fn broadcast(parties: &mut [Party], from: usize, lines: &[String]) {
    for (i, p) in parties.iter_mut().enumerate() {
        if i != from {
            for l in lines {
                p.send_line(l);
            }
        }
    }
}

/// Runs a refresh of the shares of generation `g` among every party (party 1
/// coordinates), pasting each message to everyone else; returns each party's end.
pub fn refresh(dirs: &[PathBuf], n: u8, g: u32) -> Vec<Finished> {
    let mut parties: Vec<Party> = (1..=n)
        .map(|p| {
            let old = gen_share(dirs, p, g);
            let new = gen_share(dirs, p, g + 1);
            let mut args = vec![
                "refresh".to_string(),
                "--share".into(),
                old.display().to_string(),
                "--out".into(),
                new.display().to_string(),
                "--yes".into(),
            ];
            if p == 1 {
                args.push("--start".into());
            }
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            Party::spawn(&format!("party {p}"), &a, &[])
        })
        .collect();
    // The coordinator's INIT, then its JOIN.
    let init = parties[0].next_message_lines();
    let join1 = parties[0].next_message_lines();
    broadcast(&mut parties, 0, &init);
    let mut joins = vec![join1];
    for p in parties.iter_mut().skip(1) {
        joins.push(p.next_message_lines());
    }
    // Every other message goes to everyone, one round at a time: JOINs, DEALs,
    // CONFIRMs.
    for round in 0..3 {
        let msgs = if round == 0 {
            std::mem::take(&mut joins)
        } else {
            parties.iter_mut().map(|p| p.next_message_lines()).collect()
        };
        for (i, m) in msgs.iter().enumerate() {
            broadcast(&mut parties, i, m);
        }
    }
    parties.into_iter().map(|p| p.succeed()).collect()
}

/// The key's MRSIGNER, from a roster's public.pem.
pub fn mrsigner(dirs: &[PathBuf]) -> [u8; 32] {
    let pem = std::fs::read_to_string(dirs[0].join("public.pem")).unwrap();
    mpcegosign::key::PublicKey::from_pem(&pem)
        .unwrap()
        .mrsigner()
}

/// Reshares the key held by `old` (shares of generation `g`) to a `t`-of-`n` roster
/// in `root/name{i}`: `dealer` (an old holder) deals and is party 1 of the new
/// roster; `givers` give their shares; the other new parties are new people.
pub fn reshare(
    old: &[PathBuf],
    g: u32,
    dealer: u8,
    givers: &[u8],
    (n, t): (u8, u8),
    root: &Path,
    name: &str,
) -> Vec<PathBuf> {
    let confirm = hex::encode(&mrsigner(old)[..4]);
    let new: Vec<PathBuf> = (1..=n).map(|i| root.join(format!("{name}{i}"))).collect();
    for d in &new {
        std::fs::create_dir_all(d).unwrap();
    }
    let dealer_share = gen_share(old, dealer, g);
    let (ns, ts) = (n.to_string(), t.to_string());
    let mut d = Party::spawn(
        "reshare dealer",
        &[
            "reshare",
            "--share",
            dealer_share.to_str().unwrap(),
            "--parties",
            &ns,
            "--threshold",
            &ts,
            "--out-dir",
            new[0].to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
            "--yes",
            "--plaintext-share",
        ],
        &[],
    );
    let init = d.next_message();
    for &p in givers {
        let share = gen_share(old, p, g);
        let mut giver = Party::spawn(
            &format!("giver {p}"),
            &[
                "recover",
                "--give",
                "--share",
                share.to_str().unwrap(),
                "--confirm-mrsigner",
                &confirm,
            ],
            &[],
        );
        giver.send_line(&init);
        let give = giver.next_message();
        giver.succeed();
        d.send_line(&give);
    }
    let kinit = d.next_message();
    let mut joiners = Vec::new();
    for dir in &new[1..] {
        let mut j = Party::spawn(
            "new joiner",
            &[
                "keygen",
                "--out-dir",
                dir.to_str().unwrap(),
                "--yes",
                "--plaintext-share",
            ],
            &[],
        );
        j.send_line(&kinit);
        let join = j.next_message();
        d.send_line(&join);
        joiners.push(j);
    }
    let fin = d.next_message();
    d.succeed();
    for mut j in joiners {
        j.send_line(&fin);
        let f = j.succeed();
        assert!(f.stderr.contains("reshare of MRSIGNER"), "{}", f.stderr);
    }
    new
}
