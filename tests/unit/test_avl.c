/* SPDX-License-Identifier: MIT */
/* Host unit test: lib/avl.c against a sorted reference array, with an augmentation. */
#include "lib/avl.h"
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>

#define MAX_KEYS 4000
#define ROUNDS   20000

/* A test node: a key and an augmented summary (the subtree's smallest
 * and largest keys, which change only at the edges, so the walk up
 * often stops early), checked against a recomputation. */
struct item {
	struct avl_node node;
	int key;
	int sub_min, sub_max;
};

static struct item pool[MAX_KEYS];
static int ref[MAX_KEYS]; /* the keys in the tree, sorted */
static int nref;

static struct item *item_of(const struct avl_node *n)
{
	return n ? avl_entry(n, struct item, node) : NULL;
}

static bool augment(struct avl_node *n)
{
	struct item *it = item_of(n), *l = item_of(n->left), *r = item_of(n->right);
	int min = l ? l->sub_min : it->key, max = r ? r->sub_max : it->key;

	if (min == it->sub_min && max == it->sub_max)
		return false;
	it->sub_min = min;
	it->sub_max = max;
	return true;
}

static struct avl_tree tree = { NULL, augment };

static struct item *lookup(int key)
{
	struct avl_node *n = tree.root;

	while (n) {
		struct item *it = item_of(n);
		if (key == it->key)
			return it;
		n = key < it->key ? n->left : n->right;
	}
	return NULL;
}

/* Insert it (key set); false if the key is there already. */
static bool insert(struct item *it)
{
	struct avl_node **link = &tree.root, *parent = NULL;

	while (*link) {
		parent = *link;
		int k = item_of(parent)->key;
		if (it->key == k)
			return false;
		link = it->key < k ? &parent->left : &parent->right;
	}
	avl_insert(&tree, &it->node, parent, link);
	return true;
}

/* Check the shape (parent links, heights, balance, order, summaries) of
 * the subtree at n; its height, or -1 after a failure (why set). */
static const char *why;
static int check_subtree(const struct avl_node *n, const struct avl_node *parent, int lo, int hi)
{
	if (!n)
		return 0;
	const struct item *it = item_of(n);
	if (n->parent != parent)
		return why = "parent link", -1;
	if (it->key < lo || it->key > hi)
		return why = "order", -1;
	int l = check_subtree(n->left, n, lo, it->key - 1);
	int r = check_subtree(n->right, n, it->key + 1, hi);
	if (l < 0 || r < 0)
		return -1;
	if (l - r > 1 || r - l > 1)
		return why = "balance", -1;
	if (n->height != (l > r ? l : r) + 1)
		return why = "height", -1;
	int min = n->left ? item_of(n->left)->sub_min : it->key;
	int max = n->right ? item_of(n->right)->sub_max : it->key;
	if (it->sub_min != min || it->sub_max != max)
		return why = "augmentation", -1;
	return n->height;
}

/* The whole tree against ref: shape, then both in-order walks. */
static const char *check_tree(void)
{
	if (check_subtree(tree.root, NULL, -1, 1 << 30) < 0)
		return why;
	int i = 0;
	for (struct avl_node *n = avl_first(&tree); n; n = avl_next(n), i++)
		if (i >= nref || item_of(n)->key != ref[i])
			return "forward walk";
	if (i != nref)
		return "forward walk length";
	for (struct avl_node *n = avl_last(&tree); n; n = avl_prev(n))
		if (--i < 0 || item_of(n)->key != ref[i])
			return "backward walk";
	return i == 0 ? NULL : "backward walk length";
}

static void reset(void)
{
	tree.root = NULL;
	nref = 0;
}

static void ref_insert(int key)
{
	int i = nref++;
	while (i > 0 && ref[i - 1] > key) {
		ref[i] = ref[i - 1];
		i--;
	}
	ref[i] = key;
}

static void ref_erase(int key)
{
	int i = 0;
	while (ref[i] != key)
		i++;
	for (nref--; i < nref; i++)
		ref[i] = ref[i + 1];
}

UNIT_TEST(empty)
{
	reset();
	CHECK(avl_first(&tree) == NULL);
	CHECK(avl_last(&tree) == NULL);
	CHECK(lookup(1) == NULL);
	return check_tree();
}

UNIT_TEST(ascending_then_erase)
{
	reset();
	for (int k = 0; k < 1000; k++) {
		pool[k].key = k;
		CHECK(insert(&pool[k]));
		ref_insert(k);
	}
	const char *e = check_tree();
	if (e)
		return e;
	CHECK(tree.root->height <= 15); /* 1.44 log2(1002) */
	CHECK_EQ(item_of(tree.root)->sub_min, 0);
	CHECK_EQ(item_of(tree.root)->sub_max, 999);
	for (int k = 0; k < 1000; k += 2) {
		avl_erase(&tree, &lookup(k)->node);
		ref_erase(k);
	}
	CHECK(lookup(4) == NULL);
	CHECK(lookup(5) == &pool[5]);
	return check_tree();
}

UNIT_TEST(neighbours)
{
	reset();
	for (int k = 0; k < 100; k++) {
		pool[k].key = k * 10;
		insert(&pool[k]);
	}
	CHECK(item_of(avl_next(&lookup(500)->node))->key == 510);
	CHECK(item_of(avl_prev(&lookup(500)->node))->key == 490);
	CHECK(avl_prev(&lookup(0)->node) == NULL);
	CHECK(avl_next(&lookup(990)->node) == NULL);
	CHECK(item_of(avl_first(&tree))->key == 0);
	CHECK(item_of(avl_last(&tree))->key == 990);
	return NULL;
}

UNIT_TEST(duplicate_refused)
{
	reset();
	pool[0].key = 7;
	pool[1].key = 7;
	CHECK(insert(&pool[0]));
	CHECK(!insert(&pool[1]));
	return NULL;
}

/* The summary follows a change of a node's own key (made without
 * reordering) once avl_update is called. */
UNIT_TEST(update_augment)
{
	reset();
	for (int k = 0; k < 50; k++) {
		pool[k].key = k * 4;
		insert(&pool[k]);
		ref_insert(k * 4);
	}
	struct item *last = item_of(avl_last(&tree));
	last->key += 2;
	avl_update(&tree, &last->node);
	ref[nref - 1] += 2;
	CHECK_EQ(item_of(tree.root)->sub_max, 198);
	return check_tree();
}

/* Random inserts and erases against the reference, checked every step
 * early on and every 97 steps later. */
UNIT_TEST(random_sequences)
{
	reset();
	bool in[MAX_KEYS] = { false };
	srand(12345);
	for (int round = 0; round < ROUNDS; round++) {
		int k = rand() % MAX_KEYS;
		if (in[k]) {
			CHECK(lookup(k) == &pool[k]);
			avl_erase(&tree, &pool[k].node);
			ref_erase(k);
		} else {
			CHECK(lookup(k) == NULL);
			pool[k].key = k;
			CHECK(insert(&pool[k]));
			ref_insert(k);
		}
		in[k] = !in[k];
		if (round < 2000 || round % 97 == 0) {
			const char *e = check_tree();
			if (e)
				return e;
		}
	}
	while (tree.root) {
		int k = item_of(tree.root)->key;
		avl_erase(&tree, tree.root);
		ref_erase(k);
		if (nref % 50 == 0) {
			const char *e = check_tree();
			if (e)
				return e;
		}
	}
	return check_tree();
}

static struct avl_node *pool_succ(struct avl_node *n)
{
	struct item *it = item_of(n);

	return it + 1 < pool + MAX_KEYS ? &(it + 1)->node : NULL;
}

/* avl_build from a sorted run of every length up to 300 gives a valid
 * tree, which then takes inserts and erases like any other. */
UNIT_TEST(build_sorted)
{
	for (int n = 0; n <= 300; n++) {
		reset();
		for (int k = 0; k < n; k++) {
			pool[k].key = 2 * k;
			pool[k].node = (struct avl_node){ (void *)1, (void *)1, (void *)1, 99 };
			ref[nref++] = 2 * k;
		}
		avl_build(&tree, n ? &pool[0].node : NULL, (size_t)n, pool_succ);
		const char *e = check_tree();
		if (e)
			return e;
	}
	pool[400].key = 301;
	CHECK(insert(&pool[400]));
	ref_insert(301);
	avl_erase(&tree, &lookup(0)->node);
	ref_erase(0);
	return check_tree();
}

static const struct unit_test tests[] = {
	UNIT_ENTRY(empty),
	UNIT_ENTRY(ascending_then_erase),
	UNIT_ENTRY(neighbours),
	UNIT_ENTRY(duplicate_refused),
	UNIT_ENTRY(update_augment),
	UNIT_ENTRY(random_sequences),
	UNIT_ENTRY(build_sorted),
};

int main(int argc, char **argv)
{
	return unit_main(tests, UNIT_COUNT(tests), argc, argv);
}
