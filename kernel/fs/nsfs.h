/* SPDX-License-Identifier: MIT */
/* nsfs: the namespaces the links of /proc/PID/ns stand for, one of each kind (Kestrel has only the first), with Linux's ioctls (NS_GET_USERNS, NS_GET_PARENT, NS_GET_NSTYPE, NS_GET_OWNER_UID). */
#ifndef KESTREL_FS_NSFS_H
#define KESTREL_FS_NSFS_H

#include <stddef.h>

struct inode;

/* /proc/PID/ns's entries, in the order Linux lists them. */
enum ns_entry {
	NS_ENTRY_CGROUP, NS_ENTRY_IPC, NS_ENTRY_MNT, NS_ENTRY_NET, NS_ENTRY_PID,
	NS_ENTRY_PID_FOR_CHILDREN, NS_ENTRY_TIME, NS_ENTRY_TIME_FOR_CHILDREN, NS_ENTRY_USER,
	NS_ENTRY_UTS, NS_ENTRIES
};

/* Entry e's name ("uts", "pid_for_children"...). */
const char *nsfs_entry_name(int e);
/* Entry e's link text, as Linux's ns_get_name: "uts:[4026531838]". Its length. */
int nsfs_link_text(int e, char *buf, size_t cap);
/* A new reference to the inode of entry e's namespace: 0, or -ENOMEM. */
int nsfs_inode(int e, struct inode **out);

struct file;
/* The CLONE_NEW* flag of the namespace file f is open on, or 0 when f is
 * not one (setns). */
unsigned nsfs_file_type(const struct file *f);

#endif
