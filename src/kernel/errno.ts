// Mirrors torvalds/linux include/uapi/asm-generic/errno-base.h, include/uapi/asm-generic/errno.h and the
// kernel-internal restart codes of include/linux/errno.h (v6.17). arm64 uses the generic numbering.
// Simplified: of the kernel-internal codes (512+) only the syscall-restart ones and ENOIOCTLCMD.
// Syscalls return these negated (-ENOENT); the values never change across kernel versions.

/* errno-base.h */
export const EPERM = 1; // Operation not permitted
export const ENOENT = 2; // No such file or directory
export const ESRCH = 3; // No such process
export const EINTR = 4; // Interrupted system call
export const EIO = 5; // I/O error
export const ENXIO = 6; // No such device or address
export const E2BIG = 7; // Argument list too long
export const ENOEXEC = 8; // Exec format error
export const EBADF = 9; // Bad file number
export const ECHILD = 10; // No child processes
export const EAGAIN = 11; // Try again
export const ENOMEM = 12; // Out of memory
export const EACCES = 13; // Permission denied
export const EFAULT = 14; // Bad address
export const ENOTBLK = 15; // Block device required
export const EBUSY = 16; // Device or resource busy
export const EEXIST = 17; // File exists
export const EXDEV = 18; // Cross-device link
export const ENODEV = 19; // No such device
export const ENOTDIR = 20; // Not a directory
export const EISDIR = 21; // Is a directory
export const EINVAL = 22; // Invalid argument
export const ENFILE = 23; // File table overflow
export const EMFILE = 24; // Too many open files
export const ENOTTY = 25; // Not a typewriter
export const ETXTBSY = 26; // Text file busy
export const EFBIG = 27; // File too large
export const ENOSPC = 28; // No space left on device
export const ESPIPE = 29; // Illegal seek
export const EROFS = 30; // Read-only file system
export const EMLINK = 31; // Too many links
export const EPIPE = 32; // Broken pipe
export const EDOM = 33; // Math argument out of domain of func
export const ERANGE = 34; // Math result not representable

/* errno.h (generic) */
export const EDEADLK = 35;
export const ENAMETOOLONG = 36;
export const ENOLCK = 37;
export const ENOSYS = 38; // Invalid system call number
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const EWOULDBLOCK = EAGAIN;
export const ENOMSG = 42;
export const EIDRM = 43;
export const ECHRNG = 44;
export const EL2NSYNC = 45;
export const EL3HLT = 46;
export const EL3RST = 47;
export const ELNRNG = 48;
export const EUNATCH = 49;
export const ENOCSI = 50;
export const EL2HLT = 51;
export const EBADE = 52;
export const EBADR = 53;
export const EXFULL = 54;
export const ENOANO = 55;
export const EBADRQC = 56;
export const EBADSLT = 57;
export const EDEADLOCK = EDEADLK;
export const EBFONT = 59;
export const ENOSTR = 60;
export const ENODATA = 61;
export const ETIME = 62;
export const ENOSR = 63;
export const ENONET = 64;
export const ENOPKG = 65;
export const EREMOTE = 66;
export const ENOLINK = 67;
export const EADV = 68;
export const ESRMNT = 69;
export const ECOMM = 70;
export const EPROTO = 71;
export const EMULTIHOP = 72;
export const EDOTDOT = 73;
export const EBADMSG = 74;
export const EOVERFLOW = 75;
export const ENOTUNIQ = 76;
export const EBADFD = 77;
export const EREMCHG = 78;
export const ELIBACC = 79;
export const ELIBBAD = 80;
export const ELIBSCN = 81;
export const ELIBMAX = 82;
export const ELIBEXEC = 83;
export const EILSEQ = 84;
export const ERESTART = 85;
export const ESTRPIPE = 86;
export const EUSERS = 87;
export const ENOTSOCK = 88;
export const EDESTADDRREQ = 89;
export const EMSGSIZE = 90;
export const EPROTOTYPE = 91;
export const ENOPROTOOPT = 92;
export const EPROTONOSUPPORT = 93;
export const ESOCKTNOSUPPORT = 94;
export const EOPNOTSUPP = 95;
/** Not in the kernel's uapi headers: glibc defines ENOTSUP as EOPNOTSUPP (and Node reports 'ENOTSUP'). */
export const ENOTSUP = EOPNOTSUPP;
export const EPFNOSUPPORT = 96;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ENETRESET = 102;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ESHUTDOWN = 108;
export const ETOOMANYREFS = 109;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTDOWN = 112;
export const EHOSTUNREACH = 113;
export const EALREADY = 114;
export const EINPROGRESS = 115;
export const ESTALE = 116;
export const EUCLEAN = 117;
export const ENOTNAM = 118;
export const ENAVAIL = 119;
export const EISNAM = 120;
export const EREMOTEIO = 121;
export const EDQUOT = 122;
export const ENOMEDIUM = 123;
export const EMEDIUMTYPE = 124;
export const ECANCELED = 125;
export const ENOKEY = 126;
export const EKEYEXPIRED = 127;
export const EKEYREVOKED = 128;
export const EKEYREJECTED = 129;
export const EOWNERDEAD = 130;
export const ENOTRECOVERABLE = 131;
export const ERFKILL = 132;
export const EHWPOISON = 133;

/*
 * include/linux/errno.h: "These should never be seen by user programs. To return one of ERESTART* codes,
 * signal_pending() MUST be set." The signal-delivery code turns them into EINTR or a restarted syscall.
 */
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
export const ERESTARTNOHAND = 514; // restart if no handler..
export const ENOIOCTLCMD = 515; // No ioctl command
export const ERESTART_RESTARTBLOCK = 516; // restart by calling sys_restart_syscall

/** Canonical name for each value, in header order; aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) excluded. */
const NAMES: ReadonlyMap<number, string> = new Map<number, string>(Object.entries({
  EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF, ECHILD, EAGAIN, ENOMEM, EACCES, EFAULT,
  ENOTBLK, EBUSY, EEXIST, EXDEV, ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY, ETXTBSY, EFBIG,
  ENOSPC, ESPIPE, EROFS, EMLINK, EPIPE, EDOM, ERANGE, EDEADLK, ENAMETOOLONG, ENOLCK, ENOSYS, ENOTEMPTY, ELOOP,
  ENOMSG, EIDRM, ECHRNG, EL2NSYNC, EL3HLT, EL3RST, ELNRNG, EUNATCH, ENOCSI, EL2HLT, EBADE, EBADR, EXFULL,
  ENOANO, EBADRQC, EBADSLT, EBFONT, ENOSTR, ENODATA, ETIME, ENOSR, ENONET, ENOPKG, EREMOTE, ENOLINK, EADV,
  ESRMNT, ECOMM, EPROTO, EMULTIHOP, EDOTDOT, EBADMSG, EOVERFLOW, ENOTUNIQ, EBADFD, EREMCHG, ELIBACC, ELIBBAD,
  ELIBSCN, ELIBMAX, ELIBEXEC, EILSEQ, ERESTART, ESTRPIPE, EUSERS, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, EPROTOTYPE,
  ENOPROTOOPT, EPROTONOSUPPORT, ESOCKTNOSUPPORT, EOPNOTSUPP, EPFNOSUPPORT, EAFNOSUPPORT, EADDRINUSE,
  EADDRNOTAVAIL, ENETDOWN, ENETUNREACH, ENETRESET, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN,
  ESHUTDOWN, ETOOMANYREFS, ETIMEDOUT, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, EALREADY, EINPROGRESS, ESTALE,
  EUCLEAN, ENOTNAM, ENAVAIL, EISNAM, EREMOTEIO, EDQUOT, ENOMEDIUM, EMEDIUMTYPE, ECANCELED, ENOKEY, EKEYEXPIRED,
  EKEYREVOKED, EKEYREJECTED, EOWNERDEAD, ENOTRECOVERABLE, ERFKILL, EHWPOISON,
  ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ENOIOCTLCMD, ERESTART_RESTARTBLOCK,
}).map(([name, value]) => [value, name]));

/** Every name (aliases included) → value, for errnoFromNode and lookups by name. */
const BY_NAME: ReadonlyMap<string, number> = new Map<string, number>([
  ...[...NAMES].map(([v, n]) => [n, v] as [string, number]),
  ['EWOULDBLOCK', EWOULDBLOCK], ['EDEADLOCK', EDEADLOCK], ['ENOTSUP', ENOTSUP],
]);

/** The macro name of errno `n` ('ENOENT'); a negative syscall return (-2) is accepted. Unknown → 'errno <n>'. */
export function errnoName(n: number): string {
  const v = Math.abs(n);
  return NAMES.get(v) ?? `errno ${v}`;
}

/** The value of an errno name ('ENOENT' → 2), or undefined. */
export function errnoByName(name: string): number | undefined {
  return BY_NAME.get(name);
}

/**
 * Maps a host fs error from Node to the Linux errno the guest should see, by its `code` string ('ENOENT',
 * 'EACCES', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ELOOP', 'EBADF', 'EINVAL', 'ENOTEMPTY', 'EXDEV', 'EROFS', 'ENOSPC',
 * 'EPERM', 'EMFILE', 'ENAMETOOLONG', …). The host's numeric `errno` is ignored on purpose: it is the host
 * platform's numbering, which is not Linux's on macOS or Windows.
 * DIVERGENCE: host failures without a Linux errno code (e.g. Node's 'ERR_*' codes) become EIO.
 */
export function errnoFromNode(e: NodeJS.ErrnoException): number {
  return (e.code !== undefined ? BY_NAME.get(e.code) : undefined) ?? EIO;
}

/** A syscall's error return: -errno as the 64-bit x0 value. */
export const neg = (e: number): bigint => BigInt(-e);
