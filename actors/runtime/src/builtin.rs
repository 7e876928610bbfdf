//! Facts about Fern's own bundle: actor type numbers, singleton IDs, method numbers and the wire
//! types that one actor needs to call another.
//!
//! The FVM numbers built-in actors by their position in the bundle manifest, starting at 1
//! (0 means "not a built-in actor"). Fern's manifest order is `actors/bundle/actors.in`; the
//! constants in [`types`] must follow it (a unit test checks this).

use cid::Cid;
use fern_shared::address::Address;
use fern_shared::{ActorID, MethodNum};
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_encoding::{strict_bytes, RawBytes};

pub use fern_shared::address::{
    BURNT_FUNDS_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID,
};

/// Built-in actor type numbers of Fern's bundle (1-based manifest positions).
pub mod types {
    /// `system`: the system actor (f00).
    pub const SYSTEM: i32 = 1;
    /// `init`: the init actor (f01), actor factory and address registry.
    pub const INIT: i32 = 2;
    /// `account`: a key-pair (f1/f3) account.
    pub const ACCOUNT: i32 = 3;
    /// `placeholder`: an address that received funds before any code was deployed at it.
    pub const PLACEHOLDER: i32 = 4;
    /// `ethaccount`: an Ethereum-style externally owned account (f410 address).
    pub const ETHACCOUNT: i32 = 5;
    /// `eam`: the Ethereum address manager (f010).
    pub const EAM: i32 = 6;
    /// `reward`: the reward actor (f02), receiver of gas tips.
    pub const REWARD: i32 = 7;
    /// `hello`: example actor.
    pub const HELLO: i32 = 8;
    /// `counter`: example actor.
    pub const COUNTER: i32 = 9;
    /// `token`: example actor.
    pub const TOKEN: i32 = 10;

    /// Manifest names, indexed by type number minus one.
    pub const NAMES: [&str; 10] = [
        "system",
        "init",
        "account",
        "placeholder",
        "ethaccount",
        "eam",
        "reward",
        "hello",
        "counter",
        "token",
    ];

    /// The protocol's own actor types. The init actor refuses to `Exec`/`Exec4` them: they are
    /// singletons (system, init, eam, reward) or are only ever created by the VM itself
    /// (account, placeholder, ethaccount).
    pub const CORE: [i32; 7] = [SYSTEM, INIT, ACCOUNT, PLACEHOLDER, ETHACCOUNT, EAM, REWARD];

    /// Whether the init actor may create an actor of this type: any type of the bundle that is
    /// not a [`CORE`] type. Type 0 (code outside the bundle) is refused too.
    pub const fn is_execable(t: i32) -> bool {
        if t < 1 || t > NAMES.len() as i32 {
            return false;
        }
        let mut i = 0;
        while i < CORE.len() {
            if CORE[i] == t {
                return false;
            }
            i += 1;
        }
        true
    }
}

/// Method numbers of the core actors.
pub mod methods {
    use super::MethodNum;
    use crate::frc42::method_number;

    /// Every actor's constructor.
    pub const CONSTRUCTOR: MethodNum = fern_shared::METHOD_CONSTRUCTOR;
    /// Init: create an actor.
    pub const INIT_EXEC: MethodNum = 2;
    /// Init: create an actor with a delegated (f4) address (EAM only).
    pub const INIT_EXEC4: MethodNum = 3;
    /// Account: return the account's key address.
    pub const ACCOUNT_PUBKEY_ADDRESS: MethodNum = 2;
    /// Account (FRC-0044): check a signature over a message.
    pub const AUTHENTICATE_MESSAGE: MethodNum = method_number("AuthenticateMessage");
    /// The universal receiver hook (FRC-0046), FRC-0042 name `Receive`.
    pub const UNIVERSAL_RECEIVER_HOOK: MethodNum = method_number("Receive");
    /// EAM: create an actor of a given code at an f410 address (Fern-specific).
    pub const EAM_CREATE_DELEGATED: MethodNum = method_number("CreateDelegated");
}

/// Wire types of the init actor.
pub mod init {
    use super::*;

    /// Constructor parameters: the network name.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct ConstructorParams {
        /// Name of the network (stored in the init state).
        pub network_name: String,
    }

    /// `Exec` parameters: the code to run and the (already encoded) constructor parameters.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct ExecParams {
        /// Code CID of the new actor (must be an exec-able actor of the bundle).
        pub code_cid: Cid,
        /// CBOR bytes passed as the constructor's parameters (empty: none).
        pub constructor_params: RawBytes,
    }

    /// `Exec4` parameters: like [`ExecParams`] plus the subaddress of the f4 address to assign
    /// in the calling manager's namespace.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct Exec4Params {
        /// Code CID of the new actor.
        pub code_cid: Cid,
        /// CBOR bytes passed as the constructor's parameters (empty: none).
        pub constructor_params: RawBytes,
        /// Subaddress of the new actor's f4 address (namespace = the caller's ID).
        pub subaddress: RawBytes,
    }

    /// What `Exec` and `Exec4` return: both addresses of the new actor.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct ExecReturn {
        /// The new actor's ID address.
        pub id_address: Address,
        /// The new actor's robust (f2) address, stable across chain re-organisations.
        pub robust_address: Address,
    }

    /// `Exec4` returns the same shape as `Exec`.
    pub type Exec4Return = ExecReturn;
}

/// Wire types of the account actor.
pub mod account {
    use super::*;

    /// `AuthenticateMessage` parameters: a raw signature (no type byte) and the signed bytes.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct AuthenticateMessageParams {
        /// Signature bytes; the signature type follows from the account's address protocol.
        #[serde(with = "strict_bytes")]
        pub signature: Vec<u8>,
        /// The message that was signed.
        #[serde(with = "strict_bytes")]
        pub message: Vec<u8>,
    }
}

/// Wire types of Fern's minimal EAM.
pub mod eam {
    use super::*;

    /// Length of an Ethereum address, the subaddress of every f410 address.
    pub const ETH_ADDRESS_LEN: usize = 20;

    /// `CreateDelegated` parameters.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
    pub struct CreateDelegatedParams {
        /// Code CID of the actor to create.
        pub code_cid: Cid,
        /// The 20-byte Ethereum address that becomes the f410 subaddress.
        #[serde(with = "strict_bytes")]
        pub subaddress: Vec<u8>,
        /// CBOR bytes passed as the constructor's parameters (empty: none).
        pub constructor_params: RawBytes,
    }

    /// Whether the EAM refuses to assign this Ethereum address: the all-zero address, the
    /// "masked actor ID" range (`0xff`, eleven zero bytes, then an ID) and the precompile
    /// ranges (`0x00` or `0xfe`, eighteen zero bytes, then an index).
    pub fn is_reserved(addr: &[u8; ETH_ADDRESS_LEN]) -> bool {
        let null = addr.iter().all(|b| *b == 0);
        let masked_id = addr[0] == 0xff && addr[1..12].iter().all(|b| *b == 0);
        let precompile =
            (addr[0] == 0x00 || addr[0] == 0xfe) && addr[1..19].iter().all(|b| *b == 0);
        null || masked_id || precompile
    }
}

/// The actor IDs that are singletons in every Fern network.
pub const SINGLETON_IDS: [ActorID; 5] = [
    SYSTEM_ACTOR_ID,
    INIT_ACTOR_ID,
    REWARD_ACTOR_ID,
    EAM_ACTOR_ID,
    BURNT_FUNDS_ACTOR_ID,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The type numbers follow the manifest order in `actors/bundle/actors.in`.
    #[test]
    fn types_follow_actors_in() {
        let list = include_str!("../../bundle/actors.in");
        let names: Vec<&str> = list
            .lines()
            .map(|l| l.split('#').next().unwrap().trim())
            .filter(|l| !l.is_empty())
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(names, types::NAMES.to_vec());
        for (i, name) in names.iter().enumerate() {
            let t = i as i32 + 1;
            let want = match *name {
                "system" => types::SYSTEM,
                "init" => types::INIT,
                "account" => types::ACCOUNT,
                "placeholder" => types::PLACEHOLDER,
                "ethaccount" => types::ETHACCOUNT,
                "eam" => types::EAM,
                "reward" => types::REWARD,
                "hello" => types::HELLO,
                "counter" => types::COUNTER,
                "token" => types::TOKEN,
                other => panic!("no constant for {other}"),
            };
            assert_eq!(t, want, "{name}");
        }
    }

    #[test]
    fn exec_rules() {
        for t in types::CORE {
            assert!(!types::is_execable(t));
        }
        assert!(types::is_execable(types::HELLO));
        assert!(types::is_execable(types::COUNTER));
        assert!(types::is_execable(types::TOKEN));
        assert!(!types::is_execable(0));
        assert!(!types::is_execable(11));
        assert!(!types::is_execable(-1));
    }

    #[test]
    fn reserved_eth_addresses() {
        let mut a = [0u8; 20];
        assert!(eam::is_reserved(&a));
        a[19] = 5; // precompile 5
        assert!(eam::is_reserved(&a));
        a[0] = 0xfe;
        assert!(eam::is_reserved(&a));
        let mut id = [0u8; 20];
        id[0] = 0xff;
        id[18] = 0x04;
        id[19] = 0xd2;
        assert!(eam::is_reserved(&id));
        let mut normal = [0x11u8; 20];
        assert!(!eam::is_reserved(&normal));
        normal[0] = 0;
        assert!(!eam::is_reserved(&normal));
    }

    /// The wire shapes are plain CBOR tuples; pin a few against hand-built CBOR items.
    #[test]
    fn wire_shapes() {
        let p = account::AuthenticateMessageParams {
            signature: vec![1, 2],
            message: vec![3],
        };
        assert_eq!(
            fvm_ipld_encoding::to_vec(&p).unwrap(),
            vec![0x82, 0x42, 1, 2, 0x41, 3]
        );
        let c = init::ConstructorParams {
            network_name: "t".into(),
        };
        assert_eq!(
            fvm_ipld_encoding::to_vec(&c).unwrap(),
            vec![0x81, 0x61, b't']
        );
        let r = init::ExecReturn {
            id_address: Address::new_id(100),
            robust_address: Address::new_actor(b"x"),
        };
        let bytes = fvm_ipld_encoding::to_vec(&r).unwrap();
        let back: init::ExecReturn = fvm_ipld_encoding::from_slice(&bytes).unwrap();
        assert_eq!(back, r);
        // [bytes(0x00 0x64), ...]: an ID address is encoded as a byte string.
        assert_eq!(&bytes[..4], &[0x82, 0x42, 0x00, 0x64]);
    }

    #[test]
    fn method_numbers() {
        assert_eq!(methods::AUTHENTICATE_MESSAGE, 2643134072);
        assert_eq!(methods::UNIVERSAL_RECEIVER_HOOK, 3726118371);
    }

    // Checked at compile time.
    const _: () =
        assert!(methods::EAM_CREATE_DELEGATED >= crate::frc42::FIRST_EXPORTED_METHOD_NUMBER);
}
