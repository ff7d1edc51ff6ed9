//! Tests of the atomic, never-replacing writes and of the reads.

use super::*;
use std::os::unix::fs::PermissionsExt;

#[test]
fn writes_new_files_with_mode_and_never_replaces() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("share_1.json.age");
    write_new(&p, b"first", SECRET_MODE, false).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"first");
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(matches!(
        write_new(&p, b"second", SECRET_MODE, false),
        Err(FileError::Exists(_))
    ));
    assert_eq!(fs::read(&p).unwrap(), b"first");
    write_new(&p, b"third", SECRET_MODE, true).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"third");
    // No temporary file is left behind.
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn unwritable_places_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain");
    fs::write(&file, b"x").unwrap();
    // A "directory" that is a file: fails even for root.
    let r = write_new(&file.join("share.json"), b"s", SECRET_MODE, false);
    assert!(matches!(r, Err(FileError::Directory { .. })), "{r:?}");
    let r = write_new(
        &tmp.path().join("missing/share.json"),
        b"s",
        SECRET_MODE,
        false,
    );
    assert!(matches!(r, Err(FileError::Directory { .. })), "{r:?}");
}

#[test]
fn a_unit_of_files_is_written_whole_or_not_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (
        tmp.path().join("share_1.json"),
        tmp.path().join("public.pem"),
    );
    let unit = |x: &'static [u8], y: &'static [u8]| [(a.clone(), x), (b.clone(), y)];
    let write = |files: &[(PathBuf, &[u8]); 2], overwrite: bool| {
        let files: Vec<NewFile<'_>> = files
            .iter()
            .map(|(path, bytes)| NewFile {
                path,
                bytes,
                mode: SECRET_MODE,
            })
            .collect();
        write_all_new(&files, overwrite)
    };
    write(&unit(b"a1", b"b1"), false).unwrap();
    assert_eq!(fs::read(&a).unwrap(), b"a1");
    assert_eq!(fs::read(&b).unwrap(), b"b1");
    // One name taken: nothing is written.
    fs::remove_file(&a).unwrap();
    assert!(matches!(
        write(&unit(b"a2", b"b2"), false),
        Err(FileError::Exists(_))
    ));
    assert!(!a.exists());
    assert_eq!(fs::read(&b).unwrap(), b"b1");
    // Overwriting, the second link fails (a directory stands there): the first
    // file is put back as it was.
    fs::write(&a, b"a1").unwrap();
    fs::remove_file(&b).unwrap();
    fs::create_dir(&b).unwrap();
    fs::write(b.join("x"), b"x").unwrap();
    assert!(matches!(
        write(&unit(b"a3", b"b3"), true),
        Err(FileError::Write { .. })
    ));
    assert_eq!(fs::read(&a).unwrap(), b"a1");
    assert!(b.is_dir());
    // Nothing temporary is left behind.
    let names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn secret_files_are_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("pass");
    fs::write(&p, b"correct horse\n").unwrap();
    assert_eq!(&*read_secret(&p).unwrap(), b"correct horse\n");
    fs::write(&p, b"").unwrap();
    assert!(read_secret(&p).unwrap().is_empty());
    assert!(read_secret(&tmp.path().join("missing")).is_err());
}

#[test]
fn a_kept_file_is_promoted_with_its_companions_or_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let kept = tmp
        .path()
        .join("share_1.unconfirmed-0A1B-2C3D-4E5F-6789.json");
    let (share, public) = (
        tmp.path().join("share_1.json"),
        tmp.path().join("public.pem"),
    );
    write_new(&kept, b"share", SECRET_MODE, false).unwrap();
    let pem = [NewFile {
        path: &public,
        bytes: b"pem",
        mode: PUBLIC_MODE,
    }];
    // The target is taken: nothing changes, the kept file stays.
    fs::write(&share, b"other").unwrap();
    assert!(matches!(
        promote(&kept, &share, &pem, false),
        Err(FileError::Exists(_))
    ));
    assert_eq!(fs::read(&kept).unwrap(), b"share");
    assert_eq!(fs::read(&share).unwrap(), b"other");
    assert!(!public.exists());
    // A companion is taken: the same.
    fs::remove_file(&share).unwrap();
    fs::write(&public, b"old").unwrap();
    assert!(matches!(
        promote(&kept, &share, &pem, false),
        Err(FileError::Exists(_))
    ));
    assert!(kept.exists() && !share.exists());
    assert_eq!(fs::read(&public).unwrap(), b"old");
    // Free: both in place, the kept name gone, the mode kept, nothing temporary left.
    fs::remove_file(&public).unwrap();
    promote(&kept, &share, &pem, false).unwrap();
    assert_eq!(fs::read(&share).unwrap(), b"share");
    assert_eq!(fs::read(&public).unwrap(), b"pem");
    assert_eq!(
        fs::metadata(&share).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let mut names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["public.pem", "share_1.json"]);
}
