/* SPDX-License-Identifier: MIT */
/* An intrusive AVL tree with parent links and an optional augmentation hook. */
#ifndef KESTREL_LIB_AVL_H
#define KESTREL_LIB_AVL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The tree knows nothing of keys: as with Linux's rbtree, the user walks
 * down from root comparing its own keys, then links the new node where
 * the walk ended (avl_insert). Every change rebalances on the way back
 * to the root, so the height stays below 1.45 log2(n + 2) and lookup,
 * insert and erase cost O(log n).
 *
 * Augmentation: a tree may carry a per-node summary of its subtree (the
 * largest free gap below it, say) that depends only on the node and its
 * two children. The tree calls `augment` on every node whose subtree
 * changed, children before parents; augment says whether the summary
 * changed, and where neither it nor the height did, the walk up stops
 * (nothing above can change). After changing a node's own fields that
 * the summary reads, the user calls avl_update(node).
 *
 * Lock rule: none inside; the owner of the tree serialises every call.
 */
struct avl_node {
	struct avl_node *parent, *left, *right;
	int height;                        /* of the subtree: a leaf is 1 */
};

struct avl_tree {
	struct avl_node *root;
	bool (*augment)(struct avl_node *n); /* may be NULL; true: the summary changed */
};

#define avl_entry(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Link n as the child *link of parent (NULL for an empty tree's root,
 * link then &t->root), where the caller's key walk ended, and rebalance. */
void avl_insert(struct avl_tree *t, struct avl_node *n, struct avl_node *parent,
		struct avl_node **link);
/* Fill the empty tree t with the n nodes first, succ(first), ... given
 * in key order: a perfectly balanced tree in O(n), without a rotation
 * (for copying a tree whose nodes are also on a sorted list). */
void avl_build(struct avl_tree *t, struct avl_node *first, size_t n,
	       struct avl_node *(*succ)(struct avl_node *n));
/* Take n out of t and rebalance; n's fields are garbage afterwards. */
void avl_erase(struct avl_tree *t, struct avl_node *n);
/* n's own fields that the augmentation reads changed: recompute the
 * summaries from n up to the root. */
void avl_update(struct avl_tree *t, struct avl_node *n);

/* In-order neighbours and ends; NULL past an end or for an empty tree.
 * avl_next/avl_prev cost O(1) amortised, O(log n) at worst. */
struct avl_node *avl_first(const struct avl_tree *t);
struct avl_node *avl_last(const struct avl_tree *t);
struct avl_node *avl_next(const struct avl_node *n);
struct avl_node *avl_prev(const struct avl_node *n);

#endif
