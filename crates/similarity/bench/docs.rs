//! Generated benchmark documents, shared by `benches/indexing.rs` and `examples/compare.rs`.
//!
//! Document `i` (about [`DOC_CHARS`] chars) is made of corpus lines chosen at random, with one char in
//! twelve replaced by a random corpus char: texts read like the corpus, share common phrases as real
//! applications do, but are not copies of each other however many are generated. With `planted`,
//! every tenth document is instead an edited copy of the one before it (a share of its sentences
//! replaced, from 0% to 50%), so near-duplicate pairs at known Jaccard similarities exist.

use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

pub const DOC_CHARS: usize = 20_000;

pub const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/corpus/peoples-daily-199801.txt"
);

pub struct Generator {
    lines: Vec<String>,
    chars: Vec<char>,
}

impl Generator {
    pub fn load() -> Self {
        let corpus =
            std::fs::read_to_string(CORPUS).expect("shared/data/corpus 中的语料应与仓库并列存放");
        let lines: Vec<String> = corpus
            .lines()
            .map(str::trim)
            .filter(|l| l.chars().count() >= 20)
            .map(str::to_owned)
            .collect();
        let chars = corpus.chars().filter(|c| !c.is_whitespace()).collect();
        Self { lines, chars }
    }

    fn fresh(&self, rng: &mut ChaCha8Rng, chars: usize) -> String {
        let mut text = String::new();
        let mut count = 0;
        while count < chars {
            let line = &self.lines[rng.random_range(0..self.lines.len())];
            for c in line.chars() {
                text.push(if rng.random_range(0..12) == 0 {
                    self.chars[rng.random_range(0..self.chars.len())]
                } else {
                    c
                });
                count += 1;
            }
            text.push('\n');
        }
        text
    }

    /// The text of document `i`.
    pub fn text(&self, i: usize, planted: bool) -> String {
        let mut rng = ChaCha8Rng::seed_from_u64(i as u64);
        if !(planted && i % 10 == 9) {
            return self.fresh(&mut rng, DOC_CHARS);
        }
        let replaced = (i / 10 % 6) as f64 * 0.1;
        self.text(i - 1, planted)
            .split_inclusive('。')
            .map(|sentence| {
                if rng.random_bool(replaced) {
                    self.fresh(&mut rng, sentence.chars().count())
                } else {
                    sentence.to_owned()
                }
            })
            .collect()
    }
}
