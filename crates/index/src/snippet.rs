//! Snippets for search hits, without stemming every word of every hit.
//!
//! Tantivy's `SnippetGenerator` re-analyses a hit's whole text with the
//! field's analyzer to find the query's terms; with an English stemmer in
//! that analyzer, stemming was the largest cost of an uncached search (every
//! word of up to 100 documents, for each request). A Snowball English stem
//! always begins with the word's first letter, so a word whose first letter
//! begins none of the query's terms can never match one: only the others
//! are stemmed. The snippets are identical; the stemmer runs on a few
//! percent of the words.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Score, Searcher, Term};

/// A snippet generator for `field` that highlights `terms` (already
/// analysed, as the index holds them), weighted like tantivy's own: rarer
/// terms count more.
pub(crate) fn generator(
    searcher: &Searcher,
    field: Field,
    terms: &[String],
    max_chars: usize,
) -> SnippetGenerator {
    let mut weighted: BTreeMap<String, Score> = BTreeMap::new();
    for t in terms {
        let df = searcher
            .doc_freq(&Term::from_field_text(field, t))
            .unwrap_or(0);
        if df > 0 {
            weighted.insert(t.clone(), 1.0 / (1.0 + df as Score));
        }
    }
    let firsts: Arc<[char]> = weighted
        .keys()
        .filter_map(|t| t.chars().next())
        .collect::<std::collections::BTreeSet<char>>()
        .into_iter()
        .collect();
    SnippetGenerator::new(weighted, analyzer(firsts), field, max_chars)
}

/// The index's analyzer (see `crate::analyzer`), with the stemmer limited to
/// words whose first letter is in `firsts`.
fn analyzer(firsts: Arc<[char]>) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StemIfFirst(firsts))
        .build()
}

/// The English stemmer, applied only to tokens starting with one of these
/// letters; other tokens pass unchanged.
#[derive(Clone)]
struct StemIfFirst(Arc<[char]>);

impl TokenFilter for StemIfFirst {
    type Tokenizer<T: Tokenizer> = StemIfFirstTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemIfFirstTokenizer<T> {
        StemIfFirstTokenizer {
            inner,
            firsts: self.0,
        }
    }
}

#[derive(Clone)]
struct StemIfFirstTokenizer<T> {
    inner: T,
    firsts: Arc<[char]>,
}

impl<T: Tokenizer> Tokenizer for StemIfFirstTokenizer<T> {
    type TokenStream<'a> = StemIfFirstStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemIfFirstStream {
            tail: self.inner.token_stream(text),
            firsts: &self.firsts,
            stemmer: rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English),
        }
    }
}

struct StemIfFirstStream<'a, S> {
    tail: S,
    firsts: &'a [char],
    stemmer: rust_stemmers::Stemmer,
}

impl<S: TokenStream> TokenStream for StemIfFirstStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token
            .text
            .chars()
            .next()
            .is_some_and(|c| self.firsts.contains(&c))
        {
            crate::stem::stem_in_place(&self.stemmer, &mut token.text);
        }
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
    use super::*;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
    use tantivy::{doc, Index};

    /// Ours and tantivy's own generator pick the same fragment and mark the
    /// same words, for words whose stems are not their prefixes too.
    #[test]
    fn snippets_are_the_ones_tantivy_makes() {
        let mut b = Schema::builder();
        let text = b.add_text_field(
            "text",
            TextOptions::default()
                .set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer("csirt")
                        .set_index_option(IndexRecordOption::WithFreqsAndPositions),
                )
                .set_stored(),
        );
        let index = Index::create_in_ram(b.build());
        index.tokenizers().register("csirt", crate::analyzer());
        let docs = [
            "Our constituency is the universities of Québec; we handle incidents \
             for every university, and dying servers are happily replaced.",
            "Incident response for the Government of Indonesia. Tim Tanggap \
             Insiden Siber. Layanan reaktif: penanganan insiden.",
            "Dies ist kein Dokument. Skies, skis and gently rolling hills; \
             only early birds fly. Ransomware and phishing reports welcome.",
        ];
        let mut w = index.writer(15_000_000).unwrap();
        for d in docs {
            w.add_document(doc!(text => d)).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for q in [
            "universities Quebec",
            "dying happy",
            "insiden siber",
            "skies ski gentle early only",
            "ransomware phishing",
            "nothing matches this",
        ] {
            let terms = crate::analyze(q);
            let theirs = {
                let parts: Vec<(Occur, Box<dyn Query>)> = terms
                    .iter()
                    .map(|t| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(text, t),
                            IndexRecordOption::WithFreqs,
                        ));
                        (Occur::Should, q)
                    })
                    .collect();
                let mut g =
                    SnippetGenerator::create(&searcher, &BooleanQuery::new(parts), text).unwrap();
                g.set_max_num_chars(60);
                g
            };
            let ours = generator(&searcher, text, &terms, 60);
            for d in docs {
                let (a, b) = (theirs.snippet(d), ours.snippet(d));
                assert_eq!(a.fragment(), b.fragment(), "{q}");
                assert_eq!(a.highlighted(), b.highlighted(), "{q}");
            }
            if q != "nothing matches this" {
                assert!(
                    docs.iter()
                        .any(|d| !ours.snippet(d).highlighted().is_empty()),
                    "{q}"
                );
            }
        }
    }
}
