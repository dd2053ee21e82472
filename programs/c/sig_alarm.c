/* sig_alarm: interval timers on the virtual clock.
 * alarm(1) + pause(): SIGALRM (SI_KERNEL) ends pause with EINTR after the handler ran;
 * setitimer(ITIMER_REAL, 10 ms period) + three pauses: three SIGALRMs; getitimer shows the timer armed;
 * nanosleep(5 s) interrupted by a 1 s alarm: EINTR with about 4 s left;
 * alarm(1) with SIGALRM at its default action: the process dies of SIGALRM (no core). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int hits;
static void on_alarm(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	dprintf(1, "handler sig=%d code=%d\n", sig, si->si_code);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_alarm;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGALRM, &sa, NULL);

	alarm(1);
	int r = pause();
	dprintf(1, "pause=%d errno=%s hits=%d\n", r, errno == EINTR ? "EINTR" : "?", hits);

	struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, cur;
	setitimer(ITIMER_REAL, &it, NULL);
	getitimer(ITIMER_REAL, &cur);
	dprintf(1, "armed interval=%ldus value<=10000:%d\n", (long)cur.it_interval.tv_usec, cur.it_value.tv_usec <= 10000);
	for (int i = 0; i < 3; i++) pause();
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	dprintf(1, "periodic hits=%d\n", hits);

	alarm(1);
	struct timespec req = { 5, 0 }, rem = { 0, 0 };
	r = nanosleep(&req, &rem);
	dprintf(1, "nanosleep=%d errno=%s rem=%lds\n", r, errno == EINTR ? "EINTR" : "?", (long)rem.tv_sec);

	signal(SIGALRM, SIG_DFL);
	alarm(1);
	pause();
	dprintf(1, "not reached\n");
	return 0;
}
