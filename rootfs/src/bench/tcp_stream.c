// SPDX-License-Identifier: MIT
// tcp_stream: one process writes 64 KiB at a time over a TCP connection on 127.0.0.1, another
// reads it; us per 64 KiB write, and MB/s.
#include "inet.h"

/*
 * Two lines: `bench tcp_stream US us` (the time per write, which icount
 * turns into instructions per 64 KiB) and `bench tcp_stream_mbs MB/s MB/s`
 * (10^6 bytes a second: the same figure, as a bandwidth). The time runs
 * from the first write until the reader says it has every byte, so data
 * still queued in the socket buffers is not counted as sent. The reader
 * adds a note line (tools/bench.py ignores it, the log keeps it): how many
 * read() calls the timed bytes took, which the scheduler decides.
 */
#define CHUNK (64 * 1024)
#define WARM 16			/* writes before the clock starts */

static char buf[CHUNK];

/* The reader: take the WARM warm-up writes' bytes and answer one byte, the
 * same for the n timed writes (counting its reads), then wait for end of file. */
static void __attribute__((noreturn)) reader(int fd, long n)
{
	long long want[2] = { (long long)WARM * CHUNK, (long long)n * CHUNK };
	long reads = 0;

	for (int phase = 0; phase < 2; phase++) {
		for (long long got = 0; got < want[phase];) {
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r <= 0)
				_exit(3);
			got += r;
			reads += phase;	/* the timed phase's only */
		}
		if (write(fd, "k", 1) != 1)
			_exit(4);
	}
	if (read(fd, buf, 1) != 0)
		_exit(5);
	b_line("tcp_stream: %ld reads for %ld writes of 64 KiB", reads, n);
	_exit(0);
}

/* send_and_wait: write `chunks` 64 KiB blocks on fd, then wait for the reader's byte. */
static void send_and_wait(int fd, long chunks)
{
	for (long i = 0; i < chunks; i++)
		for (size_t off = 0; off < CHUNK;) {
			ssize_t w = write(fd, buf + off, CHUNK - off);
			if (w <= 0)
				b_fail("write");
			off += w;
		}
	char c;
	if (read(fd, &c, 1) != 1)
		b_fail("read the reader's reply");
}

int main(int argc, char **argv)
{
	long n = b_begin("tcp_stream", argc, argv, 200);
	int client, server;

	memset(buf, 'x', sizeof(buf));	/* its pages in place before the fork and the clock */
	tcp_pair(&client, &server, 0);
	pid_t pid = fork();
	if (pid < 0)
		b_fail("fork");
	if (pid == 0) {
		close(client);
		reader(server, n);
	}
	close(server);
	send_and_wait(client, WARM);
	long long t0 = b_now();
	send_and_wait(client, n);
	long long ns = b_now() - t0;
	close(client);
	b_wait(pid, "reader child");
	b_report(ns, n, "us");
	b_line("bench tcp_stream_mbs %.3f MB/s", (double)n * CHUNK * 1000.0 / (double)ns);
	return 0;
}
