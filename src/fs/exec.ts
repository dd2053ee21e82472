// The credential side of fs/exec.c (v6.17) for the one exec we do.
import * as fs from 'node:fs';
import type { MachineOptions } from '../options.ts';

/**
 * The credentials and dumpable flag an exec gives (fs/exec.c begin_new_exec, bprm_fill_uid, would_dump;
 * v6.17): a set-user-ID (set-group-ID) file runs with its owner (group) as euid (egid); then, and for a file the
 * user may not read, the mm's dumpable flag becomes fs.suid_dumpable instead of 1. The host user stands for root
 * as owner of the host's files.
 */
export function execCredentials(file: string, o: Pick<MachineOptions, 'uid' | 'gid' | 'suidDumpable'>) {
  const st = fs.statSync(file);
  const hostUid = process.getuid?.() ?? 0;
  const owner = st.uid === hostUid ? 0 : st.uid;
  const group = st.gid === (process.getgid?.() ?? 0) ? 0 : st.gid;
  const euid = st.mode & 0o4000 ? owner : o.uid;
  const egid = st.mode & 0o2000 ? group : o.gid;
  const readable = o.uid === 0 || (owner === o.uid ? st.mode & 0o400 : group === o.gid ? st.mode & 0o040 : st.mode & 0o004);
  const changed = euid !== o.uid || egid !== o.gid;
  const dumpable: 0 | 1 | 2 = changed || !readable ? o.suidDumpable : 1;
  return { euid, egid, secure: changed, dumpable };
}
