// The socket calls (net/socket.c, v6.17) on descriptors. No descriptor of ours is a socket: socket() and
// socketpair() are not emulated (they give -ENOSYS, with a note). So every call that takes a socket descriptor
// gives what Linux gives for a descriptor that is not one (sockfd_lookup): -EBADF when it is not open, else
// -ENOTSOCK. Programs ask these of their standard streams (bash's getpeername on stdin), and take the answer.
import type { Syscall, SyscallTable } from '../kernel/kernel.ts';
import { ENOTSOCK, neg } from '../kernel/errno.ts';
import { fileOf } from '../fs/read_write.ts';

const notASocket: Syscall = (k, [fd]) => {
  const f = fileOf(k, fd);
  return typeof f === 'bigint' ? f : neg(ENOTSOCK);
};

const CALLS: [number, string][] = [
  [200, 'bind'], [201, 'listen'], [202, 'accept'], [203, 'connect'], [204, 'getsockname'], [205, 'getpeername'],
  [206, 'sendto'], [207, 'recvfrom'], [208, 'setsockopt'], [209, 'getsockopt'], [210, 'shutdown'], [211, 'sendmsg'],
  [212, 'recvmsg'], [242, 'accept4'], [243, 'recvmmsg'], [269, 'sendmmsg'],
];

export const socketSyscalls: SyscallTable = Object.fromEntries(CALLS.map(([nr, name]) => [nr, [name, notASocket]]));
