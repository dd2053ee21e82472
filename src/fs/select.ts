// ppoll (fs/select.c, v6.17), which glibc's pause() also uses (ppoll(NULL, 0, NULL, NULL) on arm64, which has no
// pause syscall). Every open file is always ready: regular files and the emulator's streams never block.
import type { Syscall, SyscallTable } from '../kernel/kernel.ts';
import { copyFromUser, copyToUser } from '../mm/uaccess.ts';
import { EFAULT, EINVAL, ERESTARTNOHAND } from '../kernel/errno.ts';
import { getTimespec } from '../kernel/time.ts';

const POLLIN = 0x1, POLLOUT = 0x4, POLLNVAL = 0x20;

const ppoll: Syscall = (k, [ufds, nfds, tsp]) => {
  if (nfds > 1024n) return BigInt(-EINVAL);
  const n = Number(nfds);
  let ready = 0;
  if (n > 0) {
    const b = copyFromUser(k.mm, ufds, n * 8);
    if (!b) return BigInt(-EFAULT);
    for (let i = 0; i < n; i++) {
      const fd = b.readInt32LE(i * 8);
      const events = b.readInt16LE(i * 8 + 4);
      const revents = fd < 0 ? 0 : k.task.files.get(fd) ? events & (POLLIN | POLLOUT) : POLLNVAL;
      b.writeInt16LE(revents, i * 8 + 6);
      if (revents) ready++;
    }
    if (!copyToUser(k.mm, ufds, b)) return BigInt(-EFAULT);
    if (ready > 0) return BigInt(ready);
  }
  let timeout: bigint | null = null;
  if (tsp !== 0n) {
    timeout = getTimespec(k.mm, tsp);
    if (timeout < 0n) return timeout;
  }
  if (timeout === 0n) return 0n;
  // nothing is ready: wait for a signal or the timeout on virtual time
  return {
    wait: true, reason: n > 0 ? `for ${n} descriptors` : 'for a signal',
    deadline: timeout === null ? null : k.clock.elapsed() + timeout, ready: () => false,
    finish: (why) => (why === 'signal' ? BigInt(-ERESTARTNOHAND) : 0n),
  };
};

export const selectSyscalls: SyscallTable = { 73: ['ppoll', ppoll] };
