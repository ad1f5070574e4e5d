pub mod parse;
pub mod verify;
