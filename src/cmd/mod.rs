pub mod crawl;
pub mod find;
pub mod index;
pub mod parse;
pub mod verify;
