pub mod crawl;
pub mod find;
pub mod index;
pub mod lint;
pub mod parse;
pub mod report;
pub mod serve;
pub mod verify;
