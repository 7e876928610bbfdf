//! Link scanning of blocks entering an invocation, metered step by step with a private
//! gas budget ([`crate::gas::GasBudget`]), and charged as `OnScanIpldLinks`.

use cid::Cid;
use fern_shared::consts::{BLAKE2B_256, CBOR, DAG_CBOR, IDENTITY_HASH, IPLD_RAW};
use fern_shared::error::ErrorNumber;

use crate::call_manager::{syscall_error, ExecutionError, Result};
use crate::gas::{GasBudget, GasTracker, PriceList};

/// Codecs an actor may create blocks with.
pub const ALLOWED_CODECS: [u64; 3] = [CBOR, DAG_CBOR, IPLD_RAW];

/// Filecoin piece and sector commitment codecs: links with these codecs are skipped.
pub const COMMITMENT_CODECS: [u64; 2] = [0xf101, 0xf102];

struct Scanner<'a> {
    prices: &'a PriceList,
    budget: GasBudget,
    links: Vec<Cid>,
}

fn ser(msg: impl Into<String>) -> ExecutionError {
    syscall_error(ErrorNumber::Serialization, msg)
}

impl Scanner<'_> {
    fn spend(&mut self, gas: crate::gas::Gas) -> Result<()> {
        self.budget.spend(gas).map_err(|_| ExecutionError::OutOfGas)
    }

    fn visit_cid(&mut self, cid: &Cid) -> Result<()> {
        let codec = cid.codec();
        if COMMITMENT_CODECS.contains(&codec) {
            return Ok(());
        }
        if !ALLOWED_CODECS.contains(&codec) {
            return Err(syscall_error(
                ErrorNumber::NotFound,
                format!("block links to CID with forbidden codec {codec}"),
            ));
        }
        let hash = cid.hash();
        if hash.code() == IDENTITY_HASH {
            return self.scan(codec, hash.digest());
        }
        if hash.code() != BLAKE2B_256 || hash.size() != 32 {
            return Err(syscall_error(
                ErrorNumber::NotFound,
                "block links to CID with forbidden multihash",
            ));
        }
        self.links.push(*cid);
        Ok(())
    }

    fn scan(&mut self, codec: u64, data: &[u8]) -> Result<()> {
        match codec {
            DAG_CBOR => self.scan_dag_cbor(data),
            IPLD_RAW | CBOR => Ok(()),
            other => Err(syscall_error(
                ErrorNumber::IllegalCodec,
                format!("codec {other} not allowed"),
            )),
        }
    }

    fn scan_dag_cbor(&mut self, mut buf: &[u8]) -> Result<()> {
        let mut remaining: u64 = 1;
        while remaining > 0 {
            remaining -= 1;
            self.spend(self.prices.ipld_cbor_scan_per_field)?;
            let (major, extra) = read_header(&mut buf)?;
            match major {
                0 | 1 | 7 => {}
                2 | 3 => {
                    if extra > buf.len() as u64 {
                        return Err(ser("unexpected end of cbor stream"));
                    }
                    buf = &buf[extra as usize..];
                }
                6 => {
                    if extra != 42 {
                        remaining += 1;
                        continue;
                    }
                    self.spend(self.prices.ipld_cbor_scan_per_cid)?;
                    let (major, len) = read_header(&mut buf)?;
                    if major != 2 {
                        return Err(ser("expected a byte string after tag 42"));
                    }
                    if len > buf.len() as u64 {
                        return Err(ser("unexpected end of cbor stream"));
                    }
                    if len < 1 || buf[0] != 0 {
                        return Err(ser("CID does not start with a 0x00 byte"));
                    }
                    let (cid_bytes, rest) = buf[1..].split_at(len as usize - 1);
                    buf = rest;
                    let mut reader = cid_bytes;
                    let cid = Cid::read_bytes(&mut reader).map_err(|e| ser(e.to_string()))?;
                    if !reader.is_empty() {
                        return Err(ser("trailing bytes after CID"));
                    }
                    self.visit_cid(&cid)?;
                }
                4 => {
                    remaining = remaining
                        .checked_add(extra)
                        .ok_or_else(|| ser("cbor field count overflow"))?;
                }
                5 => {
                    remaining = extra
                        .checked_mul(2)
                        .and_then(|v| v.checked_add(remaining))
                        .ok_or_else(|| ser("cbor field count overflow"))?;
                }
                _ => return Err(ser("invalid cbor major type")),
            }
        }
        if !buf.is_empty() {
            return Err(ser("trailing bytes in CBOR block"));
        }
        Ok(())
    }
}

fn read_header(buf: &mut &[u8]) -> Result<(u8, u64)> {
    fn take<const N: usize>(buf: &mut &[u8]) -> Result<[u8; N]> {
        if buf.len() < N {
            return Err(ser("invalid cbor header"));
        }
        let mut out = [0u8; N];
        out.copy_from_slice(&buf[..N]);
        *buf = &buf[N..];
        Ok(out)
    }
    let first = take::<1>(buf)?[0];
    let major = first >> 5;
    let low = first & 0x1f;
    let value = match low {
        0..=23 => u64::from(low),
        24 => u64::from(take::<1>(buf)?[0]),
        25 => u64::from(u16::from_be_bytes(take(buf)?)),
        26 => u64::from(u32::from_be_bytes(take(buf)?)),
        27 => u64::from_be_bytes(take(buf)?),
        _ => return Err(ser("invalid cbor header")),
    };
    Ok((major, value))
}

/// Scans `data` of `codec` for links, spending at most the tracker's available gas, then charges
/// what was spent as `OnScanIpldLinks` before reporting the scan's own outcome.
pub fn scan_links(
    codec: u64,
    data: &[u8],
    prices: &PriceList,
    gas: &GasTracker,
) -> Result<Vec<Cid>> {
    let mut scanner = Scanner {
        prices,
        budget: GasBudget::new(gas.available()),
        links: Vec::new(),
    };
    let res = scanner.scan(codec, data);
    gas.charge(prices.on_scan_ipld_links(scanner.budget.used()))
        .map_err(|_| ExecutionError::OutOfGas)?;
    res.map(|_| scanner.links)
}
