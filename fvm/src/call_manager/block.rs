//! [`Block`]: an IPLD block as it travels between actors (parameters, return values) and lives in
//! a kernel's block table.

use std::rc::Rc;

use cid::Cid;

/// An immutable IPLD block: codec, bytes and the links found in it. Cloning is cheap (shared).
#[derive(Debug, Clone)]
pub struct Block(Rc<Inner>);

#[derive(Debug)]
struct Inner {
    codec: u64,
    data: Box<[u8]>,
    links: Box<[Cid]>,
}

impl Block {
    /// A block from its codec, bytes and already-scanned links.
    pub fn new(codec: u64, data: impl Into<Box<[u8]>>, links: impl Into<Box<[Cid]>>) -> Self {
        Block(Rc::new(Inner {
            codec,
            data: data.into(),
            links: links.into(),
        }))
    }

    /// The IPLD codec.
    pub fn codec(&self) -> u64 {
        self.0.codec
    }

    /// The bytes.
    pub fn data(&self) -> &[u8] {
        &self.0.data
    }

    /// The links (CIDs) the block refers to.
    pub fn links(&self) -> &[Cid] {
        &self.0.links
    }

    /// Length in bytes (blocks never exceed `u32`).
    pub fn size(&self) -> u32 {
        self.0.data.len() as u32
    }
}
