//! Reading actor bundles (CAR files whose root is a built-in actors manifest).

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

/// Describes the bundle in `car` (plain or gzip-compressed).
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
