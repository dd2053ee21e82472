// Mirrors fs/d_path.c (v6.17) d_path for what /proc/PID/fd/N shows: a pseudo filesystem's d_dname (pipefs:
// "pipe:[ino]"), or the guest path the file was opened by.
import type { OpenFile } from './files.ts';
import { pipeDname, type PipeInodeInfo } from './pipe.ts';

export function dPath(f: OpenFile): string {
  if (f.kind === 'pipe') return pipeDname(f.pipe as PipeInodeInfo);
  return f.path;
}
