/* epoll_eventfd: eventfd (counter, EFD_SEMAPHORE, EAGAIN, EINVAL) and epoll over a pipe and an eventfd: level-
 * and edge-triggered entries, EPOLLONESHOT and its re-arming, EPOLLHUP, the errors, a wait that blocks until a
 * child writes, and epoll_pwait's sigmask letting a signal in (EINTR). One line per check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerrorname_np(errno) : "");
}

static void waited(const char *what, int ep, int timeout)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, timeout);
	printf("%s: %d", what, n);
	for (int i = 0; i < n; i++)
		printf(" [data %lu events 0x%x]", (unsigned long)ev[i].data.u64, ev[i].events);
	printf("%s%s\n", n < 0 ? " " : "", n < 0 ? strerrorname_np(errno) : "");
}

static void on_usr1(int sig) { (void)sig; }

int main(void)
{
	uint64_t v;
	int efd = eventfd(0, EFD_NONBLOCK);
	v = 3;
	write(efd, &v, 8);
	v = 4;
	write(efd, &v, 8);
	v = 0;
	read(efd, &v, 8);
	printf("eventfd 3 + 4: read %lu\n", (unsigned long)v);
	show("read empty, EFD_NONBLOCK", read(efd, &v, 8));
	v = UINT64_MAX;
	show("write ULLONG_MAX", write(efd, &v, 8));
	show("read 4 bytes", read(efd, &v, 4));
	int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	read(sem, &v, 8);
	printf("semaphore: read %lu", (unsigned long)v);
	read(sem, &v, 8);
	printf(", %lu", (unsigned long)v);
	printf(", then %s\n", read(sem, &v, 8) < 0 ? strerrorname_np(errno) : "?");

	int p[2];
	pipe(p);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = 1 };
	show("add pipe", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
	show("add pipe again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
	struct epoll_event et = { .events = EPOLLIN | EPOLLET, .data.u64 = 2 };
	show("add eventfd, edge-triggered", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &et));
	int file = open("epoll.txt", O_CREAT | O_RDWR, 0600);
	show("add a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &e));
	show("add itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e));
	show("mod absent", epoll_ctl(ep, EPOLL_CTL_MOD, file, &e));
	waited("nothing ready", ep, 0);
	write(p[1], "x", 1);
	v = 1;
	write(efd, &v, 8);
	waited("pipe and eventfd", ep, 0);
	waited("again: the pipe (level), not the eventfd (edge)", ep, 0);
	read(efd, &v, 8);
	v = 1;
	write(efd, &v, 8);
	waited("eventfd emptied and written: an edge", ep, 0);
	e.events = EPOLLIN | EPOLLONESHOT;
	show("mod pipe oneshot", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
	waited("oneshot", ep, 0);
	waited("oneshot spent", ep, 0);
	show("mod pipe re-armed", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
	waited("re-armed", ep, 0);
	show("del eventfd", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
	show("del eventfd again", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
	struct epoll_event ev[1];
	show("maxevents 0", epoll_wait(ep, ev, 0, 0));

	char c;
	read(p[0], &c, 1);
	e.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e);
	pid_t child = fork();
	if (child == 0) {
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
		write(p[1], "y", 1);
		_exit(0);
	}
	waited("blocked until the child writes", ep, -1);
	waitpid(child, NULL, 0);
	read(p[0], &c, 1);
	close(p[1]);
	waited("writer gone", ep, 0);

	int p2[2];
	pipe(p2);
	int ep2 = epoll_create1(0);
	struct epoll_event e2 = { .events = EPOLLIN, .data.u64 = 9 };
	epoll_ctl(ep2, EPOLL_CTL_ADD, p2[0], &e2);
	signal(SIGUSR1, on_usr1);
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	show("epoll_pwait, SIGUSR1 let in by its mask", epoll_pwait(ep2, ev, 1, -1, &empty));
	int efd2 = eventfd(0, 0);
	child = fork();
	if (child == 0) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
		v = 5;
		write(efd2, &v, 8);
		_exit(0);
	}
	read(efd2, &v, 8);
	printf("blocking eventfd read: %lu\n", (unsigned long)v);
	waitpid(child, NULL, 0);
	return 0;
}
