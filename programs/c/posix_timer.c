/* posix_timer: timer_create/settime/gettime/getoverrun/delete. A one-shot SIGRTMIN timer with a value; a periodic
 * 1 ms timer while its signal is blocked for 10.5 ms (one signal, the other expiries as overruns); SIGEV_NONE;
 * SIGEV_THREAD_ID to the calling thread; the errors (a raw clock, signal 0, nsec = 1 s, a deleted timer).
 * Prints what each handler saw. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int got, code, value, overrun, tid_field;

static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = sig;
	code = si->si_code;
	value = si->si_value.sival_int;
	overrun = si->si_overrun;
	tid_field = si->si_timerid;
}

static void show(const char *what, long r)
{
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerrorname_np(errno) : "");
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO };
	sigaction(SIGRTMIN, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	timer_t t;
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN, .sigev_value.sival_int = 42 };
	show("timer_create", timer_create(CLOCK_MONOTONIC, &ev, &t));
	struct itimerspec once = { .it_value = { 0, 1000000 } };
	show("timer_settime", timer_settime(t, 0, &once, NULL));
	sleep_ns(5000000);
	printf("one-shot: signal %s, si_code %d, value %d, overrun %d, timer id %s\n", got == SIGRTMIN ? "SIGRTMIN" : "?",
	       code, value, overrun, tid_field == (int)(long)t ? "= timer_t" : "!= timer_t");

	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	struct itimerspec every = { .it_interval = { 0, 1000000 }, .it_value = { 0, 1000000 } };
	got = 0;
	timer_settime(t, 0, &every, NULL);
	sleep_ns(10500000);
	struct itimerspec cur;
	timer_gettime(t, &cur);
	printf("periodic, armed: interval %ld ns, value in (0, 1 ms]: %s\n", cur.it_interval.tv_nsec,
	       cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 1000000 ? "yes" : "no");
	sigprocmask(SIG_UNBLOCK, &rt, NULL);
	printf("periodic, blocked 10.5 ms: got %d, overrun %d, timer_getoverrun %d\n", got == SIGRTMIN, overrun,
	       timer_getoverrun(t));
	/* a signal queued before the timer was disarmed is dropped (v6.13+: it_signal_seq) */
	sigprocmask(SIG_BLOCK, &rt, NULL);
	got = 0;
	sleep_ns(1500000);
	struct itimerspec off = { 0 };
	timer_settime(t, 0, &off, NULL);
	sigprocmask(SIG_UNBLOCK, &rt, NULL);
	printf("queued, then disarmed: got %d\n", got);
	show("timer_delete", timer_delete(t));
	show("timer_gettime deleted", timer_gettime(t, &cur));

	timer_t none;
	struct sigevent quiet = { .sigev_notify = SIGEV_NONE };
	timer_create(CLOCK_REALTIME, &quiet, &none);
	struct itimerspec second = { .it_value = { 1, 0 } };
	timer_settime(none, 0, &second, NULL);
	sleep_ns(250000000);
	timer_gettime(none, &cur);
	printf("SIGEV_NONE after 0.25 s: %s\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 750000000 &&
	       cur.it_value.tv_nsec > 700000000 ? "about 0.75 s left" : "wrong");

	struct sigevent mine = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	mine._sigev_un._tid = gettid();
	long id = 0;
	show("SIGEV_THREAD_ID to itself", syscall(SYS_timer_create, CLOCK_BOOTTIME, &mine, &id));
	got = 0;
	struct timespec now;
	clock_gettime(CLOCK_BOOTTIME, &now);
	struct itimerspec abs = { .it_value = { now.tv_sec, now.tv_nsec + 2000000 } };
	if (abs.it_value.tv_nsec >= 1000000000) {
		abs.it_value.tv_sec++;
		abs.it_value.tv_nsec -= 1000000000;
	}
	syscall(SYS_timer_settime, id, TIMER_ABSTIME, &abs, NULL);
	sleep_ns(5000000);
	printf("absolute on CLOCK_BOOTTIME: %s, si_code %d, value %d (the sigevent's)\n", got == SIGALRM ? "SIGALRM" : "none",
	       code, value);

	long bad;
	show("CLOCK_MONOTONIC_RAW", syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, NULL, &bad));
	struct sigevent zero = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0 };
	show("signal 0", syscall(SYS_timer_create, CLOCK_MONOTONIC, &zero, &bad));
	struct itimerspec badns = { .it_value = { 0, 1000000000 } };
	show("nsec = 1 s", syscall(SYS_timer_settime, id, 0, &badns, NULL));
	return 0;
}
