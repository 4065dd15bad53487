//! Scoring sitrep against references: the article-extraction benchmark's method.

pub mod corpus;
pub mod events;
pub mod extraction;
