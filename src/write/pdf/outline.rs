//! The document outline as a tree, from the flat, levelled list of headings.

use crate::typeset::frame::OutlineEntry;

/// One outline item's place in the tree; indices are into the entry list.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Node {
    pub(super) parent: Option<usize>,
    pub(super) prev: Option<usize>,
    pub(super) next: Option<usize>,
    pub(super) children: Vec<usize>,
    /// How many items are below this one (all levels): its `/Count`, all items open.
    pub(super) descendants: usize,
}

/// The outline tree: one node per entry, and the top-level entries.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Tree {
    pub(super) nodes: Vec<Node>,
    pub(super) top: Vec<usize>,
}

impl Tree {
    /// Nests the entries by level: an entry goes under the nearest earlier entry of a
    /// lower level. A level that skips (1 then 3) nests one step, as a reader would
    /// expect; a first entry of level 2 is simply top-level.
    pub(super) fn build(entries: &[OutlineEntry]) -> Tree {
        let mut tree = Tree {
            nodes: vec![Node::default(); entries.len()],
            top: Vec::new(),
        };
        let mut stack: Vec<usize> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            while stack
                .last()
                .is_some_and(|&s| entries[s].level >= entry.level)
            {
                stack.pop();
            }
            let parent = stack.last().copied();
            let siblings = match parent {
                Some(p) => &mut tree.nodes[p].children,
                None => &mut tree.top,
            };
            let prev = siblings.last().copied();
            siblings.push(i);
            tree.nodes[i].parent = parent;
            tree.nodes[i].prev = prev;
            if let Some(p) = prev {
                tree.nodes[p].next = Some(i);
            }
            for &a in &stack {
                tree.nodes[a].descendants += 1;
            }
            stack.push(i);
        }
        tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: u8) -> OutlineEntry {
        OutlineEntry {
            title: format!("h{level}"),
            level,
            anchor: String::new(),
        }
    }

    #[test]
    fn nests_by_level() {
        let entries: Vec<_> = [1, 2, 3, 2, 1, 3].into_iter().map(entry).collect();
        let t = Tree::build(&entries);
        assert_eq!(t.top, vec![0, 4]);
        assert_eq!(t.nodes[0].children, vec![1, 3]);
        assert_eq!(t.nodes[1].children, vec![2]);
        assert_eq!(t.nodes[0].descendants, 3);
        assert_eq!(t.nodes[3].prev, Some(1));
        assert_eq!(t.nodes[1].next, Some(3));
        assert_eq!(t.nodes[4].prev, Some(0));
        // level 3 straight under level 1: one step down
        assert_eq!(t.nodes[5].parent, Some(4));
        assert_eq!(t.nodes[4].descendants, 1);
    }

    #[test]
    fn starts_below_level_one() {
        let entries: Vec<_> = [2, 2, 1].into_iter().map(entry).collect();
        let t = Tree::build(&entries);
        assert_eq!(t.top, vec![0, 1, 2]);
    }
}
