// vm_flags bits used by arm64-fault (include/linux/mm.h, v6.17). Only the bits the emulator models.
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
/** MAP_SHARED asked for; VM_SHARED is cleared when the file was not opened for writing (do_mmap) */
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_IO = 0x4000;
export const VM_DONTDUMP = 0x04000000;
