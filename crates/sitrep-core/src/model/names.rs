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
            $( $(#[$vm])* #[serde(rename = $s)] #[cfg_attr(feature = "openapi", schema(rename = $s))] $var, )+
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

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
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

named_enum! {
    /// How an event's fatality figure is bounded.
    pub enum FatalityBound ("fatality bound") {
        /// "seven", "11".
        Exact = "exact",
        /// "at least 27", "dozens".
        AtLeast = "at_least",
        /// "about 30".
        About = "about",
        /// "up to 50".
        AtMost = "at_most",
        /// Deaths without a figure in the text (ACLED's default count).
        Unstated = "unstated",
        /// No deaths reported.
        None = "none",
    }
}

named_enum! {
    /// ACLED's event types.
    pub enum EventType ("event type") {
        Battles = "Battles",
        ExplosionsRemoteViolence = "Explosions/Remote violence",
        ViolenceAgainstCivilians = "Violence against civilians",
        Protests = "Protests",
        Riots = "Riots",
        StrategicDevelopments = "Strategic developments",
    }
}

named_enum! {
    /// ACLED's sub-event types (the codebook's 25), each of one [`EventType`].
    pub enum SubEventType ("sub-event type") {
        ArmedClash = "Armed clash",
        GovernmentRegainsTerritory = "Government regains territory",
        NonStateActorOvertakesTerritory = "Non-state actor overtakes territory",
        ChemicalWeapon = "Chemical weapon",
        AirDroneStrike = "Air/drone strike",
        SuicideBomb = "Suicide bomb",
        ShellingArtilleryMissileAttack = "Shelling/artillery/missile attack",
        RemoteExplosiveLandmineIed = "Remote explosive/landmine/IED",
        Grenade = "Grenade",
        SexualViolence = "Sexual violence",
        Attack = "Attack",
        AbductionForcedDisappearance = "Abduction/forced disappearance",
        PeacefulProtest = "Peaceful protest",
        ProtestWithIntervention = "Protest with intervention",
        ExcessiveForceAgainstProtesters = "Excessive force against protesters",
        ViolentDemonstration = "Violent demonstration",
        MobViolence = "Mob violence",
        Agreement = "Agreement",
        Arrests = "Arrests",
        ChangeToGroupActivity = "Change to group/activity",
        DisruptedWeaponsUse = "Disrupted weapons use",
        HeadquartersOrBaseEstablished = "Headquarters or base established",
        LootingPropertyDestruction = "Looting/property destruction",
        NonViolentTransferOfTerritory = "Non-violent transfer of territory",
        Other = "Other",
    }
}

impl SubEventType {
    /// The event type the sub-event type is of.
    pub fn event_type(self) -> EventType {
        match self {
            SubEventType::ArmedClash | SubEventType::GovernmentRegainsTerritory | SubEventType::NonStateActorOvertakesTerritory => {
                EventType::Battles
            }
            SubEventType::ChemicalWeapon
            | SubEventType::AirDroneStrike
            | SubEventType::SuicideBomb
            | SubEventType::ShellingArtilleryMissileAttack
            | SubEventType::RemoteExplosiveLandmineIed
            | SubEventType::Grenade => EventType::ExplosionsRemoteViolence,
            SubEventType::SexualViolence | SubEventType::Attack | SubEventType::AbductionForcedDisappearance => {
                EventType::ViolenceAgainstCivilians
            }
            SubEventType::PeacefulProtest | SubEventType::ProtestWithIntervention | SubEventType::ExcessiveForceAgainstProtesters => {
                EventType::Protests
            }
            SubEventType::ViolentDemonstration | SubEventType::MobViolence => EventType::Riots,
            SubEventType::Agreement
            | SubEventType::Arrests
            | SubEventType::ChangeToGroupActivity
            | SubEventType::DisruptedWeaponsUse
            | SubEventType::HeadquartersOrBaseEstablished
            | SubEventType::LootingPropertyDestruction
            | SubEventType::NonViolentTransferOfTerritory
            | SubEventType::Other => EventType::StrategicDevelopments,
        }
    }
}

/// Whose side an actor is on (`side` in data/actors.toml): who fights with whom.
/// Pro-government militias and Russia are `government`; the state forces of a country other
/// than the war's are `state:CC` (its ISO code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Government,
    Rebel,
    Jihadist,
    Kurdish,
    Coalition,
    Turkey,
    Civilian,
    Protesters,
    Rioters,
    Unknown,
    /// The state forces of another country than the war's ("state:IQ").
    State(StateOf),
}

/// The country of a [`Side::State`]: kept as its spelling, `state:` and the two-letter code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StateOf([u8; 8]);

impl StateOf {
    /// The state side of the country `cc` (two ASCII letters), or `None`.
    pub fn new(cc: &str) -> Option<StateOf> {
        if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let mut b = *b"state:__";
        b[6..].copy_from_slice(cc.as_bytes());
        Some(StateOf(b))
    }

    /// The country code.
    pub fn cc(&self) -> &str {
        &self.as_str()[6..]
    }

    fn as_str(&self) -> &str {
        // Built from ASCII only (`new`).
        std::str::from_utf8(&self.0).unwrap_or("state:")
    }
}

impl Side {
    /// The sides that have a fixed name (every side but `state:CC`).
    pub const NAMED: &'static [Side] = &[
        Side::Government,
        Side::Rebel,
        Side::Jihadist,
        Side::Kurdish,
        Side::Coalition,
        Side::Turkey,
        Side::Civilian,
        Side::Protesters,
        Side::Rioters,
        Side::Unknown,
    ];

    /// The spelling outputs, data files and the store use.
    pub fn as_str(&self) -> &str {
        match self {
            Side::Government => "government",
            Side::Rebel => "rebel",
            Side::Jihadist => "jihadist",
            Side::Kurdish => "kurdish",
            Side::Coalition => "coalition",
            Side::Turkey => "turkey",
            Side::Civilian => "civilian",
            Side::Protesters => "protesters",
            Side::Rioters => "rioters",
            Side::Unknown => "unknown",
            Side::State(s) => s.as_str(),
        }
    }

    /// The state side of country `cc` ("state:IQ"), if `cc` is a two-letter code.
    pub fn state(cc: &str) -> Option<Side> {
        StateOf::new(cc).map(Side::State)
    }

    /// The valid spellings, comma-separated (for messages).
    pub fn names() -> String {
        let mut v: Vec<&str> = Self::NAMED.iter().map(|x| x.as_str()).collect();
        v.push("state:CC (CC a two-letter country code)");
        v.join(", ")
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Side {
    type Err = String;

    fn from_str(s: &str) -> Result<Side, String> {
        let t = s.trim();
        if let Some(x) =
            Self::NAMED.iter().find(|x| x.as_str() == t).or_else(|| Self::NAMED.iter().find(|x| x.as_str().eq_ignore_ascii_case(t)))
        {
            return Ok(*x);
        }
        let state = t.get(..6).filter(|p| p.eq_ignore_ascii_case("state:")).and_then(|_| Side::state(&t[6..]));
        state.ok_or_else(|| format!("side {s:?} is not one of: {}", Self::names()))
    }
}

impl PartialEq<str> for Side {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Side {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Side {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Side {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in ChangeKind::ALL {
            assert_eq!(k.as_str().parse::<ChangeKind>(), Ok(*k));
            assert_eq!(serde_json::to_string(k).unwrap(), format!("{:?}", k.as_str()));
        }
        for b in FatalityBound::ALL {
            assert_eq!(b.as_str().parse::<FatalityBound>(), Ok(*b));
            assert_eq!(serde_json::to_string(b).unwrap(), format!("{:?}", b.as_str()));
        }
        for (t, subs) in crate::store::ACLED_TYPES {
            let et: EventType = t.parse().unwrap();
            assert_eq!(et.as_str(), *t);
            for x in *subs {
                let st: SubEventType = x.parse().unwrap();
                assert_eq!((st.as_str(), st.event_type()), (*x, et));
            }
        }
        assert_eq!(SubEventType::ALL.len(), 25);
        assert_eq!(serde_json::to_string(&SubEventType::AirDroneStrike).unwrap(), "\"Air/drone strike\"");
        for s in Side::NAMED.iter().copied().chain(Side::state("IQ")) {
            assert_eq!(s.as_str().parse::<Side>(), Ok(s));
            assert_eq!(serde_json::from_str::<Side>(&serde_json::to_string(&s).unwrap()).unwrap(), s);
        }
        assert_eq!(Side::state("IQ").map(|s| s.to_string()).as_deref(), Some("state:IQ"));
        assert_eq!(" Government ".parse::<Side>(), Ok(Side::Government));
        assert!("state:IRQ".parse::<Side>().unwrap_err().contains("government, rebel"));
        assert_eq!(format!("{:<9}|", ChangeKind::Merged), "merged   |");
        assert!("gone".parse::<ChangeKind>().unwrap_err().contains("created, updated, merged, deleted"));
    }
}
