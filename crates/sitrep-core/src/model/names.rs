//! The closed vocabularies of the model: each an enum whose spelling (`as_str`, `Display`,
//! serde, the store's TEXT columns) is the one the outputs have always used, parsed back with
//! `FromStr` (case and surrounding spaces do not matter; an unknown name is refused with the
//! list of valid ones).

/// Declares a named enum: the variants and their spellings, `as_str`, `ALL`, `Display`
/// (padding honoured, as for a `&str`), `FromStr` and serde by the spelling.
macro_rules! named_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vm:meta])* $var:ident = $s:literal, )+
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$vm])* #[serde(rename = $s)] $var, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The spelling outputs and the store use.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$var => $s, )+
                }
            }

            /// The valid spellings, comma-separated (for messages).
            pub fn names() -> String {
                Self::ALL.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<$name, String> {
                let t = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|x| x.as_str() == t)
                    .or_else(|| Self::ALL.iter().copied().find(|x| x.as_str().eq_ignore_ascii_case(t)))
                    .ok_or_else(|| format!("{} {s:?} is not one of: {}", $what, Self::names()))
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

named_enum! {
    /// How a fused event changed, in the change feed.
    pub enum ChangeKind ("change kind") {
        Created = "created",
        Updated = "updated",
        /// Gone: its reports are now in another fused event.
        Merged = "merged",
        /// Gone: its reports are in none.
        Deleted = "deleted",
    }
}

named_enum! {
    /// A step of a place's control timeline: control passed, or it did not last the day.
    pub enum ControlStatus ("control status") {
        /// Control passed.
        Change = "change",
        /// Taken and lost again within a day.
        Contested = "contested",
    }
}
