/* proc_wait_asleep: a wait4 in one process woken while another process is on the CPU. The parent sleeps reading a
 * pipe; its child forks a grandchild, which writes to the pipe and exits, and waits for it. The grandchild's
 * write wakes the parent first; when the parent sleeps again, the child's wait must still see its zombie (the
 * waiter's children, not those of whichever task is current). Then the child reports and the parent reaps it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int fd[2];
	if (pipe(fd))
		return 2;
	pid_t child = fork();
	if (child == 0) {
		close(fd[0]);
		pid_t grandchild = fork();
		if (grandchild == 0) {
			write(fd[1], "grandchild\n", 11);
			_exit(7);
		}
		int status;
		pid_t r = wait4(-1, &status, 0, NULL);
		char line[64];
		int n = snprintf(line, sizeof line, "child reaped %s, status 0x%x\n", r == grandchild ? "it" : "another",
				 (unsigned)status);
		write(fd[1], line, n);
		_exit(0);
	}
	close(fd[1]);
	char buf[256];
	ssize_t n, total = 0;
	while ((n = read(fd[0], buf + total, sizeof buf - 1 - total)) > 0)
		total += n;
	buf[total] = 0;
	int status;
	pid_t r = waitpid(child, &status, 0);
	printf("%sparent reaped %s, status 0x%x\n", buf, r == child ? "the child" : "?", (unsigned)status);
	return 0;
}
