//! Reading actor bundles: CAR files whose root is a built-in actors manifest, plain or
//! gzip-compressed, and lotus-style archives (a tar file, usually zstd-compressed as
//! `.tar.zst`, holding one bundle CAR per network, such as `builtin-actors-mainnet.car`).

use std::io::Read;

use cid::Cid;

use crate::VectorError;

/// One actor of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleActor {
    /// The actor's name in the manifest (`system`, `account`, ...).
    pub name: String,
    /// The CID of its Wasm code.
    pub code: Cid,
    /// The code's size in bytes (`None` when the bundle lacks the block).
    pub size: Option<usize>,
}

/// What a bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    /// The manifest's root CID (the CAR's first root).
    pub root: Cid,
    /// The manifest version.
    pub version: u32,
    /// The actors, in manifest order.
    pub actors: Vec<BundleActor>,
}

/// The zstd frame magic number, as it appears at the start of a `.zst` file.
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The most bytes a bundle archive may decompress to (a guard against decompression bombs; real
/// bundle archives are tens of megabytes).
pub const MAX_ARCHIVE_BYTES: u64 = 4 << 30;

/// Decompresses zstd data (one or more concatenated frames).
pub fn unzstd(data: &[u8]) -> Result<Vec<u8>, VectorError> {
    let mut input = data;
    let mut out = Vec::new();
    while !input.is_empty() {
        let decoder = ruzstd::decoding::StreamingDecoder::new(&mut input)
            .map_err(|e| VectorError::Archive(format!("zstd: {e}")))?;
        let room = MAX_ARCHIVE_BYTES.saturating_sub(out.len() as u64);
        let mut limited = decoder.take(room + 1);
        limited
            .read_to_end(&mut out)
            .map_err(|e| VectorError::Archive(format!("zstd: {e}")))?;
        if out.len() as u64 > MAX_ARCHIVE_BYTES {
            return Err(VectorError::Archive(format!(
                "zstd: decompresses to more than {MAX_ARCHIVE_BYTES} bytes"
            )));
        }
    }
    Ok(out)
}

/// Whether `data` looks like a tar archive (the `ustar` magic of POSIX and GNU headers).
pub fn is_tar(data: &[u8]) -> bool {
    data.len() >= 512 && &data[257..262] == b"ustar"
}

/// One bundle CAR found in a bundle file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleCar {
    /// The CAR's path inside the archive (`None` when the file is the CAR itself).
    pub entry: Option<String>,
    /// The CAR's bytes, decompressed.
    pub car: Vec<u8>,
}

/// The bundle CARs in a bundle file's bytes: a CAR (plain or gzip) gives one; a tar archive
/// (plain, or zstd- or gzip-compressed, as lotus ships its `.tar.zst` bundles) gives each of its
/// regular files whose name ends in `.car` (each plain or gzip), in archive order. An archive
/// without any CAR is an error.
pub fn bundle_cars(data: Vec<u8>) -> Result<Vec<BundleCar>, VectorError> {
    let data = if data.starts_with(&ZSTD_MAGIC) {
        unzstd(&data)?
    } else {
        maybe_gunzip(data)?
    };
    if !is_tar(&data) {
        return Ok(vec![BundleCar {
            entry: None,
            car: data,
        }]);
    }
    let mut archive = tar::Archive::new(data.as_slice());
    let entries = archive
        .entries()
        .map_err(|e| VectorError::Archive(format!("tar: {e}")))?;
    let mut cars = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| VectorError::Archive(format!("tar: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| VectorError::Archive(format!("tar: {e}")))?
            .to_string_lossy()
            .into_owned();
        if !name.ends_with(".car") {
            continue;
        }
        let mut car = Vec::new();
        entry
            .read_to_end(&mut car)
            .map_err(|e| VectorError::Archive(format!("tar: {name}: {e}")))?;
        cars.push(BundleCar {
            entry: Some(name.clone()),
            car: maybe_gunzip(car).map_err(|e| VectorError::Archive(format!("{name}: {e}")))?,
        });
    }
    if cars.is_empty() {
        return Err(VectorError::Archive(
            "the tar archive holds no .car file".into(),
        ));
    }
    Ok(cars)
}

/// Describes every bundle in a bundle file (see [`bundle_cars`]): one entry per CAR, with its
/// path inside the archive when there is one.
pub fn inspect_file(data: Vec<u8>) -> Result<Vec<(Option<String>, BundleInfo)>, VectorError> {
    bundle_cars(data)?
        .into_iter()
        .map(|c| {
            let info = inspect(c.car).map_err(|e| match (&c.entry, e) {
                (Some(name), VectorError::Car(m)) => VectorError::Car(format!("{name}: {m}")),
                (Some(name), VectorError::Malformed(m)) => {
                    VectorError::Malformed(format!("{name}: {m}"))
                }
                (_, e) => e,
            })?;
            Ok((c.entry, info))
        })
        .collect()
}

/// Decompresses `data` when it starts with the gzip magic, otherwise returns it as is.
pub fn maybe_gunzip(data: Vec<u8>) -> Result<Vec<u8>, VectorError> {
    if data.starts_with(&[0x1f, 0x8b]) {
        crate::vector::gunzip(&data)
    } else {
        Ok(data)
    }
}

/// A CAR's content: its roots and its blocks in file order.
pub type CarContent = (Vec<Cid>, Vec<(Cid, Vec<u8>)>);

/// Reads a CAR's roots and blocks, checking every block's hash.
pub fn read_car_blocks(car: &[u8]) -> Result<CarContent, VectorError> {
    let reader = fvm_ipld_car::CarReader::new(car).map_err(|e| VectorError::Car(e.to_string()))?;
    let roots = reader.header.roots.clone();
    let mut blocks = Vec::new();
    for block in reader {
        let block = block.map_err(|e| VectorError::Car(e.to_string()))?;
        blocks.push((block.cid, block.data));
    }
    Ok((roots, blocks))
}

/// Describes the bundle in `car` (plain or gzip-compressed). For archives, see
/// [`inspect_file`].
pub fn inspect(car: Vec<u8>) -> Result<BundleInfo, VectorError> {
    let car = maybe_gunzip(car)?;
    let (roots, blocks) = read_car_blocks(&car)?;
    let root = *roots
        .first()
        .ok_or_else(|| VectorError::Malformed("the bundle CAR has no root".into()))?;
    let find = |cid: &Cid| blocks.iter().find(|(c, _)| c == cid).map(|(_, d)| d);
    let manifest = find(&root)
        .ok_or_else(|| VectorError::Malformed(format!("the manifest block {root} is missing")))?;
    let (version, data): (u32, Cid) = fvm_ipld_encoding::from_slice(manifest)
        .map_err(|e| VectorError::Malformed(format!("the root is not a manifest: {e}")))?;
    let list = find(&data).ok_or_else(|| {
        VectorError::Malformed(format!("the manifest's actor list {data} is missing"))
    })?;
    let entries: Vec<(String, Cid)> = fvm_ipld_encoding::from_slice(list)
        .map_err(|e| VectorError::Malformed(format!("bad manifest actor list: {e}")))?;
    let actors = entries
        .into_iter()
        .map(|(name, code)| BundleActor {
            size: find(&code).map(Vec::len),
            name,
            code,
        })
        .collect();
    Ok(BundleInfo {
        root,
        version,
        actors,
    })
}
