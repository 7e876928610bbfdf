//! Lotus-style bundle archives (`.tar.zst` holding one CAR per network): built here from Fern's
//! own bundle CAR, read back by `bundle_cars`, `inspect_file` and `RunOptions::with_bundles`.

use fern_conformance::bundle::{self, bundle_cars, inspect_file, BundleCar};
use fern_conformance::vector::gzip;
use fern_conformance::{RunOptions, VectorError};
use ruzstd::encoding::{compress_to_vec, CompressionLevel};

/// A tar archive of `(path, bytes)` files.
fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    compress_to_vec(data, CompressionLevel::Fastest)
}

/// The archive lotus would ship: two networks' CARs (one gzip-compressed, in a folder) and a
/// file that is not a CAR.
fn lotus_style_archive() -> Vec<u8> {
    let car = fern_bundle::BUNDLE_CAR;
    zst(&tar(&[
        ("builtin-actors-mainnet.car", car),
        ("README.txt", b"not a bundle"),
        ("nets/builtin-actors-calibrationnet.car", &gzip(car)),
    ]))
}

#[test]
fn tar_zst_yields_each_car_in_archive_order() {
    let archive = lotus_style_archive();
    assert!(archive.starts_with(&bundle::ZSTD_MAGIC));
    let cars = bundle_cars(archive).unwrap();
    let want = |name: &str| BundleCar {
        entry: Some(name.to_string()),
        car: fern_bundle::BUNDLE_CAR.to_vec(),
    };
    assert_eq!(
        cars,
        vec![
            want("builtin-actors-mainnet.car"),
            want("nets/builtin-actors-calibrationnet.car")
        ]
    );
}

#[test]
fn plain_and_gzip_cars_are_one_bundle() {
    for data in [
        fern_bundle::BUNDLE_CAR.to_vec(),
        gzip(fern_bundle::BUNDLE_CAR),
    ] {
        let cars = bundle_cars(data).unwrap();
        assert_eq!(cars.len(), 1);
        assert_eq!(cars[0].entry, None);
        assert_eq!(cars[0].car, fern_bundle::BUNDLE_CAR);
    }
}

#[test]
fn inspect_describes_every_car_of_an_archive() {
    let single = bundle::inspect(fern_bundle::BUNDLE_CAR.to_vec()).unwrap();
    assert!(single.actors.iter().any(|a| a.name == "account"));
    assert!(single.actors.iter().all(|a| a.size.is_some()));
    let all = inspect_file(lotus_style_archive()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].0.as_deref(), Some("builtin-actors-mainnet.car"));
    assert_eq!(
        all[1].0.as_deref(),
        Some("nets/builtin-actors-calibrationnet.car")
    );
    assert_eq!(all[0].1, single);
    assert_eq!(all[1].1, single);
    // An uncompressed tar works too.
    let plain = inspect_file(tar(&[("a.car", fern_bundle::BUNDLE_CAR)])).unwrap();
    assert_eq!(plain, vec![(Some("a.car".to_string()), single)]);
}

#[test]
fn run_options_load_each_block_once_from_an_archive() {
    let dir = std::env::temp_dir().join(format!("fern-bundles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = dir.join("v1.tar.zst");
    std::fs::write(&archive, lotus_style_archive()).unwrap();
    let car = dir.join("bundle.car");
    std::fs::write(&car, fern_bundle::BUNDLE_CAR).unwrap();
    let (_, blocks) = bundle::read_car_blocks(fern_bundle::BUNDLE_CAR).unwrap();
    let from_archive = RunOptions::with_bundles(std::slice::from_ref(&archive)).unwrap();
    let from_car = RunOptions::with_bundles(&[car]).unwrap();
    assert_eq!(*from_car.bundle_blocks, blocks);
    assert_eq!(*from_archive.bundle_blocks, blocks);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn broken_archives_are_errors_not_panics() {
    let archive = lotus_style_archive();
    // Truncated zstd.
    let cut = archive[..archive.len() / 2].to_vec();
    assert!(
        matches!(bundle_cars(cut), Err(VectorError::Archive(m)) if m.contains("zstd")),
        "truncated zstd"
    );
    // A zstd magic followed by garbage.
    let mut junk = bundle::ZSTD_MAGIC.to_vec();
    junk.extend_from_slice(&[0xff; 64]);
    assert!(matches!(bundle_cars(junk), Err(VectorError::Archive(_))));
    // A tar archive without any CAR.
    let none = zst(&tar(&[("README.txt", b"hello")]));
    assert!(
        matches!(bundle_cars(none), Err(VectorError::Archive(m)) if m.contains("no .car")),
        "tar without CARs"
    );
    // A tar holding a .car that is not a CAR: the CAR reader names the entry.
    let bad = zst(&tar(&[("x.car", b"definitely not a car")]));
    let e = inspect_file(bad).unwrap_err();
    assert!(
        matches!(&e, VectorError::Car(m) if m.contains("x.car")),
        "{e}"
    );
    // Every one of these, as a --bundle file, is an error too.
    let dir = std::env::temp_dir().join(format!("fern-bad-bundles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.tar.zst");
    std::fs::write(&path, &archive[..archive.len() - 10]).unwrap();
    let e = RunOptions::with_bundles(&[path]).unwrap_err();
    assert!(e.to_string().contains("bad.tar.zst"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
