/* poll_pipe: poll, ppoll and pselect on pipes really wait: the parent sleeps in poll until the child writes;
 * a timeout on an empty pipe returns 0; POLLHUP once the writer is gone, POLLERR on a write end without
 * readers, POLLNVAL for a closed descriptor; ppoll's sigmask lets one signal in for the call and the old
 * mask is back after it (EINTR from the handler). */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "pipe_common.h"

static volatile int got;
static void on_usr1(int sig) { (void)sig; got++; }

static void nap(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	char c;
	pipe(p);
	struct pollfd pf[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	printf("empty: poll %d revents 0x%x 0x%x\n", poll(pf, 2, 0), pf[0].revents, pf[1].revents);
	pf[1].fd = -1;
	printf("timeout: poll %d\n", poll(pf, 1, 30));
	pid_t pid = fork();
	if (pid == 0) {
		nap(50);
		write(p[1], "!", 1);
		nap(50);
		_exit(0);
	}
	close(p[1]);
	printf("wait: poll %d revents 0x%x\n", poll(pf, 1, -1), pf[0].revents);
	read(p[0], &c, 1);
	printf("read '%c'\n", c);
	printf("until the child exits: poll %d revents 0x%x\n", poll(pf, 1, -1), pf[0].revents);
	printf("read at EOF %s\n", res(read(p[0], &c, 1)));
	int st;
	waitpid(pid, &st, 0);
	close(p[0]);

	/* pselect wakes for a write too */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		nap(20);
		write(p[1], "s", 1);
		_exit(0);
	}
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	struct timespec ts = { 5, 0 };
	int r = pselect(p[0] + 1, &rs, NULL, NULL, &ts, NULL);
	printf("pselect %d isset %d\n", r, FD_ISSET(p[0], &rs));
	read(p[0], &c, 1);
	waitpid(pid, &st, 0);
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	fd_set ws;
	FD_ZERO(&ws);
	FD_SET(p[1], &ws);
	r = pselect(p[1] + 1, &rs, &ws, NULL, NULL, NULL);
	printf("pselect read+write %d r %d w %d\n", r, FD_ISSET(p[0], &rs), FD_ISSET(p[1], &ws));
	FD_ZERO(&rs);
	FD_SET(50, &rs);
	printf("pselect closed fd %s\n", res(pselect(51, &rs, NULL, NULL, NULL, NULL)));

	/* the write end with no reader: POLLERR (and still POLLOUT) */
	close(p[0]);
	struct pollfd w = { p[1], POLLOUT, 0 };
	printf("no reader: poll %d revents 0x%x\n", poll(&w, 1, 0), w.revents);
	close(p[1]);
	struct pollfd bad = { p[1], POLLIN, 0 };
	printf("closed: poll %d revents 0x%x\n", poll(&bad, 1, 0), bad.revents);

	/* ppoll with a sigmask: SIGUSR1 blocked outside, let in during the call */
	signal(SIGUSR1, on_usr1);
	sigset_t block, inside, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		nap(20);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&inside);
	struct pollfd q = { p[0], POLLIN, 0 };
	r = ppoll(&q, 1, NULL, &inside);
	printf("ppoll %s handler ran %d\n", res(r), got);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("SIGUSR1 blocked again %d\n", sigismember(&now, SIGUSR1));
	waitpid(pid, &st, 0);
	/* a pending blocked signal and a mask that unblocks it: EINTR at once */
	kill(getpid(), SIGUSR1);
	struct timespec zero = { 0, 0 };
	r = ppoll(&q, 1, &zero, &inside);
	printf("ppoll with pending %s handler ran %d\n", res(r), got);
	struct timespec left = { 0, 50000000 };
	r = ppoll(&q, 1, &left, NULL);
	printf("ppoll timeout %d left %ld.%09ld\n", r, (long)left.tv_sec, left.tv_nsec); /* glibc passes a copy */
	/* the syscall itself writes the time left back */
	left.tv_sec = 0;
	left.tv_nsec = 30000000;
	r = syscall(SYS_ppoll, &q, 1, &left, NULL, 8);
	printf("raw ppoll timeout %d left %ld.%09ld\n", r, (long)left.tv_sec, left.tv_nsec);
	write(p[1], "r", 1);
	left.tv_nsec = 30000000;
	r = syscall(SYS_ppoll, &q, 1, &left, NULL, 8);
	printf("raw ppoll ready %d left in (20ms, 30ms] %d\n", r, left.tv_sec == 0 && left.tv_nsec > 20000000 && left.tv_nsec <= 30000000);
	return 0;
}
