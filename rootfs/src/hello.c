// SPDX-License-Identifier: MIT
// The first libc program: printf through musl's buffered stdout, flushed by exit.
#include <stdio.h>

/*
 * Plain printf on purpose (not the selftest.h helpers): the output sits in
 * musl's buffer until exit() flushes it, so seeing both lines proves the
 * libc start-up, writev and the exit path all work.
 */
int main(void)
{
	printf("hello, world\n");
	printf("hello: PASS\n");
	return 0;
}
