//! The English stemmer of the index's analyzer, with each thread remembering
//! the stems it has computed.
//!
//! Stemming was 42% of building the index: a Snowball stem costs far more
//! than a hash lookup, and the words of CSIRT descriptions repeat, within a
//! document and across teams that share a template. The stems are the ones
//! tantivy's own `Stemmer` filter gives (a test checks it), so an index
//! built with either answers the same queries.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per thread before the cache starts over; bounds its
/// memory (a few MB) whatever the input.
const CAPACITY: usize = 50_000;

thread_local! {
    static STEMS: RefCell<FxHashMap<String, String>> = RefCell::new(FxHashMap::default());
}

/// Replaces `word` with its Snowball English stem, from this thread's table
/// when the word was stemmed before. The snippet analyzer stems through
/// here too, so both see the same stems at the same cost.
pub(crate) fn stem_in_place(stemmer: &rust_stemmers::Stemmer, word: &mut String) {
    STEMS.with_borrow_mut(|stems| {
        if let Some(stem) = stems.get(word.as_str()) {
            word.clone_from(stem);
            return;
        }
        let stem = stemmer.stem(word).into_owned();
        if stems.len() >= CAPACITY {
            stems.clear();
        }
        stems.insert(std::mem::replace(word, stem.clone()), stem);
    });
}

/// Snowball English stems, remembered per thread.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerTokenizer<T> {
        CachedStemmerTokenizer { inner }
    }
}

#[derive(Clone)]
pub(crate) struct CachedStemmerTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerTokenizer<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
        }
    }
}

pub(crate) struct CachedStemmerStream<S> {
    tail: S,
    stemmer: rust_stemmers::Stemmer,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        stem_in_place(&self.stemmer, &mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{
        AsciiFoldingFilter, Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer,
    };

    fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// Every word gives the stem tantivy's filter gives, the first time
    /// and when it comes from the cache.
    #[test]
    fn stems_are_tantivys() {
        let text = "The XYZ University community, fellow universities in Québec; \
            incidents handled, handling, handles; coordinated coordination; \
            generously generous generosity; skies dying lying; news sky; \
            Konstituen Layanan insiden keamanan informasi; 2.3 Time Zone; \
            CERTs CSIRTs PGP fingerprints";
        let ours = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .filter(super::CachedStemmer)
                .build()
        };
        let theirs = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build();
        let want = tokens(theirs, text);
        assert_eq!(tokens(ours(), text), want);
        assert_eq!(tokens(ours(), text), want, "from the cache");
    }

    /// A full cache starts over instead of growing.
    #[test]
    fn the_cache_is_bounded() {
        let words: String = (0..super::CAPACITY + 10)
            .map(|i| format!("w{i} "))
            .collect();
        let a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(super::CachedStemmer)
            .build();
        assert_eq!(tokens(a, &words).len(), super::CAPACITY + 10);
        super::STEMS.with_borrow(|s| assert!(s.len() <= super::CAPACITY));
    }
}
