pub mod crawl;
pub mod parse;
pub mod verify;
