// SPDX-License-Identifier: MIT
/*
 * Kestrel: an intrusive AVL tree (lib/avl.h). Rebalancing walks from the
 * changed node to the root, recomputing each node's height and summary
 * and rotating where the two subtrees' heights differ by two; there is
 * no recursion, so the kernel stack cost is fixed.
 */
#include "lib/avl.h"

static int height(const struct avl_node *n)
{
	return n ? n->height : 0;
}

/* Recompute n's height and summary from its children: did either change? */
static bool refresh(const struct avl_tree *t, struct avl_node *n)
{
	int l = height(n->left), r = height(n->right), h = (l > r ? l : r) + 1;
	bool changed = h != n->height;

	n->height = h;
	if (t->augment && t->augment(n))
		changed = true;
	return changed;
}

/* Make whatever pointed at old (its parent's link, or the root) point at nw. */
static void replace_child(struct avl_tree *t, struct avl_node *parent, struct avl_node *old,
			  struct avl_node *nw)
{
	if (!parent)
		t->root = nw;
	else if (parent->left == old)
		parent->left = nw;
	else
		parent->right = nw;
}

/* Rotate x's right child up into x's place; the new subtree root. */
static struct avl_node *rotate_left(struct avl_tree *t, struct avl_node *x)
{
	struct avl_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	refresh(t, x);
	refresh(t, y);
	return y;
}

/* Rotate x's left child up into x's place; the new subtree root. */
static struct avl_node *rotate_right(struct avl_tree *t, struct avl_node *x)
{
	struct avl_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	refresh(t, x);
	refresh(t, y);
	return y;
}

/* Restore the AVL property at n (its subtrees are valid AVL trees whose
 * heights differ by at most two); the root of the subtree now there.
 * *changed: a rotation was made, or n's height or summary changed. */
static struct avl_node *balance(struct avl_tree *t, struct avl_node *n, bool *changed)
{
	int bf = height(n->left) - height(n->right);

	*changed = true;
	if (bf > 1) {
		if (height(n->left->left) < height(n->left->right))
			rotate_left(t, n->left);
		return rotate_right(t, n);
	}
	if (bf < -1) {
		if (height(n->right->right) < height(n->right->left))
			rotate_right(t, n->right);
		return rotate_left(t, n);
	}
	*changed = refresh(t, n);
	return n;
}

/* From n up: rebalance and recompute each node, to the root, or (with
 * may_stop) up to the first node where nothing changed. */
static void fix_up(struct avl_tree *t, struct avl_node *n, bool may_stop)
{
	bool changed = true;

	while (n && (changed || !may_stop))
		n = balance(t, n, &changed)->parent;
}

void avl_insert(struct avl_tree *t, struct avl_node *n, struct avl_node *parent,
		struct avl_node **link)
{
	n->parent = parent;
	n->left = n->right = NULL;
	n->height = 0; /* so that refresh sees a change */
	*link = n;
	refresh(t, n);
	fix_up(t, parent, true);
}

/* The subtree of the next n nodes from *cur on (advancing *cur past
 * them): the first half on the left, the middle node at the root. Its
 * recursion is log2(n) deep. */
static struct avl_node *build(const struct avl_tree *t, struct avl_node **cur, size_t n,
			      struct avl_node *(*succ)(struct avl_node *))
{
	if (!n)
		return NULL;
	struct avl_node *left = build(t, cur, n / 2, succ);
	struct avl_node *root = *cur;

	*cur = succ(root);
	root->left = left;
	if (left)
		left->parent = root;
	root->right = build(t, cur, n - n / 2 - 1, succ);
	if (root->right)
		root->right->parent = root;
	refresh(t, root);
	return root;
}

void avl_build(struct avl_tree *t, struct avl_node *first, size_t n,
	       struct avl_node *(*succ)(struct avl_node *n))
{
	t->root = build(t, &first, n, succ);
	if (t->root)
		t->root->parent = NULL;
}

/* The leftmost node of the subtree at n. */
static struct avl_node *leftmost(struct avl_node *n)
{
	while (n && n->left)
		n = n->left;
	return n;
}

static struct avl_node *rightmost(struct avl_node *n)
{
	while (n && n->right)
		n = n->right;
	return n;
}

void avl_erase(struct avl_tree *t, struct avl_node *n)
{
	struct avl_node *from; /* the lowest node whose subtree changed */
	bool may_stop = true;

	if (n->left && n->right) {
		/* Put n's successor s (leftmost of the right subtree, no left
		 * child) in n's place. */
		struct avl_node *s = leftmost(n->right);
		if (s->parent == n) {
			from = s;
		} else {
			from = s->parent;
			from->left = s->right;
			if (s->right)
				s->right->parent = from;
			s->right = n->right;
			s->right->parent = s;
		}
		s->left = n->left;
		s->left->parent = s;
		may_stop = false; /* s's summary is of its old place: walk through it */
		s->parent = n->parent;
		replace_child(t, n->parent, n, s);
	} else {
		struct avl_node *child = n->left ? n->left : n->right;
		from = n->parent;
		if (child)
			child->parent = n->parent;
		replace_child(t, n->parent, n, child);
	}
	fix_up(t, from, may_stop);
}

void avl_update(struct avl_tree *t, struct avl_node *n)
{
	while (n && refresh(t, n))
		n = n->parent;
}

struct avl_node *avl_first(const struct avl_tree *t)
{
	return leftmost(t->root);
}

struct avl_node *avl_last(const struct avl_tree *t)
{
	return rightmost(t->root);
}

struct avl_node *avl_next(const struct avl_node *n)
{
	if (n->right)
		return leftmost(n->right);
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

struct avl_node *avl_prev(const struct avl_node *n)
{
	if (n->left)
		return rightmost(n->left);
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent;
}
