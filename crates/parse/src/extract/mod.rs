//! Value extractors: each reads one kind of value out of section text.

pub mod contact;
pub mod date;
pub mod keys;
pub mod lang;
pub mod name;
pub mod places;
pub mod scope;
pub mod urls;
