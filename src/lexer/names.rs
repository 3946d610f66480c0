//! The name table of one lexed text: every identifier is made into a
//! [`Name`] once and shared by all its uses, so a module's names cost one
//! allocation each however often they occur (most identifiers repeat).
//!
//! The table lives in the logos lexer's extras; the name callbacks in
//! `token.rs` intern the slice they matched.

use crate::ast::Name;
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

/// Interned identifiers, looked up by their text.
#[derive(Default)]
pub struct Names {
    table: HashTable<Name>,
}

impl Names {
    /// The shared [`Name`] for `text`, made on first use.
    pub fn intern(&mut self, text: &str) -> Name {
        let hash = FxBuildHasher.hash_one(text);
        if let Some(name) = self.table.find(hash, |n| n.as_str() == text) {
            return name.clone();
        }
        let name = Name::from(text);
        self.table
            .insert_unique(hash, name.clone(), |n| FxBuildHasher.hash_one(n.as_str()));
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_share_one_string() {
        let mut names = Names::default();
        let a = names.intern("spam");
        let b = names.intern("spam");
        assert!(Name::ptr_eq(&a, &b));
        assert_eq!(names.intern("eggs"), "eggs");
        assert!(!Name::ptr_eq(&a, &names.intern("eggs")));
    }
}
