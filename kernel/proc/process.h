/* SPDX-License-Identifier: MIT */
/* Processes: an address space, one thread, an exit status someone waits for. */
#ifndef KESTREL_PROC_PROCESS_H
#define KESTREL_PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "proc/sched.h"

struct vm_space;

enum process_state { PROC_ALIVE, PROC_ZOMBIE };

/* Wait-status encoding, as wait4 reports it. */
#define WSTATUS_EXITED(code)  (((code) & 0xff) << 8)
#define WSTATUS_SIGNALED(sig) ((sig) & 0x7f)

#define SIGILL  4
#define SIGTRAP 5
#define SIGBUS  7
#define SIGFPE  8
#define SIGKILL 9
#define SIGSEGV 11

/*
 * Lock rule: state, wstatus and kill_pending change with interrupts off;
 * vm is the process's own (see mm/uvm.h); the rest is set at creation.
 */
struct process {
	int pid;
	char name[16];
	struct vm_space *vm;
	struct thread *thread;
	enum process_state state;
	int wstatus;               /* valid once a zombie */
	int kill_pending;          /* signal to die of at the next return to user mode */
	uint64_t clear_child_tid;  /* set_tid_address */
	struct wait_queue exit_wq; /* woken when it becomes a zombie */
};

/* Create a process running path with argv/envp (NULL-terminated) in a
 * fresh address space; its thread is runnable on return. NULL and
 * *err = -errno on failure (-ENOENT, -ENOEXEC, -ENOMEM...). */
struct process *process_spawn(const char *path, const char *const argv[],
			      const char *const envp[], int *err);
/* End the current process with a wait status; does not return. */
__attribute__((noreturn)) void process_exit_current(int wstatus);
/* Ask p to die of sig at its next return to user mode (or now, if it
 * is sleeping in the kernel). */
void process_kill(struct process *p, int sig);
/* Wait until p is a zombie or the deadline (time_ns) passes: true if it exited. */
bool process_wait(struct process *p, uint64_t deadline_ns);
/* Free a zombie: its address space, thread and struct. */
void process_release(struct process *p);

/* Called on every return to user mode: dies here if a kill is pending. */
void process_check_pending(void);
struct process *current_process(void);

uint64_t process_pml4(const struct process *p);
const char *process_name(const struct process *p);
void process_thread_exited(struct process *p, struct thread *t);

#endif
