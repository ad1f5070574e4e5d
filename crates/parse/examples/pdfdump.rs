fn main() {
    let p = std::env::args().nth(1).unwrap();
    let b = std::fs::read(&p).unwrap();
    let t = std::time::Instant::now();
    let r = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(&b));
    eprintln!("{:?}", t.elapsed());
    match r {
        Ok(Ok(pages)) => {
            for (i, pg) in pages.iter().enumerate() {
                println!("=====PAGE {i}\n{pg}");
            }
        }
        Ok(Err(e)) => println!("ERR {e}"),
        Err(_) => println!("PANIC"),
    }
}
