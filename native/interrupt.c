// SIGINT/SIGTERM while a run is going: the handler records the signal and asks the engine to stop at the next
// block boundary (uc_emu_stop only sets QEMU's exit request, which is what QEMU's own signal handlers do);
// af_run returns, and the run loop ends with outcome "interrupted" at an instruction boundary. Node cannot run a
// JS handler while the engine runs, so the catching is done here.
#include <signal.h>
#include <string.h>
#include "af.h"

static volatile sig_atomic_t caught;
static uc_engine *volatile running;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
    caught = sig;
    uc_engine *uc = running;
    if (uc) uc_emu_stop(uc);
}

/* on = 1: catch SIGINT and SIGTERM from now on (and forget an earlier one); 0: restore the previous handlers. */
void af_interrupts(int on)
{
    if (on) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        caught = 0;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
    } else {
        sigaction(SIGINT, &old_int, 0);
        sigaction(SIGTERM, &old_term, 0);
    }
}

/* The signal caught since af_interrupts(1), or 0. */
int af_interrupted(void) { return caught; }

void af_running(uc_engine *uc) { running = uc; }
