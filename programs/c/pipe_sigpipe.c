/* pipe_sigpipe: writing to a pipe without readers. Default SIGPIPE kills the writer (a child: status 13, no
 * core); ignored, write fails with EPIPE; caught, the handler sees SI_USER from the process itself, then EPIPE. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "pipe_common.h"

static volatile int got_code = -99, got_pid_self = -1, got_signo;

static void on_pipe(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_signo = sig;
	got_code = si->si_code;
	got_pid_self = si->si_pid == getpid() && si->si_uid == getuid();
}

int main(void)
{
	int p[2];
	setvbuf(stdout, NULL, _IONBF, 0);
	pipe(p);
	close(p[0]);
	pid_t pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(42); /* not reached */
	}
	int st;
	waitpid(pid, &st, 0);
	print_status("writer child", st);

	signal(SIGPIPE, SIG_IGN);
	printf("ignored: write %s\n", res(write(p[1], "x", 1)));

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_pipe;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGPIPE, &sa, NULL);
	printf("caught: write %s\n", res(write(p[1], "xy", 2)));
	printf("handler: sig %d code %d from self %d\n", got_signo, got_code, got_pid_self);

	/* the reader goes away while a writer waits for room: the writer gets EPIPE after what it wrote */
	int q[2];
	pipe(q);
	pid = fork();
	if (pid == 0) {
		close(q[1]);
		char b[1000];
		read(q[0], b, sizeof b); /* reads 1000, then exits: the last reader is gone */
		_exit(0);
	}
	close(q[0]);
	static char big[200000];
	signal(SIGPIPE, SIG_IGN);
	ssize_t w = write(q[1], big, sizeof big);
	printf("big write into a pipe whose reader left: %s\n", res(w));
	waitpid(pid, &st, 0);
	print_status("reader child", st);
	return 0;
}
