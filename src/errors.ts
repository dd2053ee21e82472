// Emulator errors. Guest faults never appear here: they become signals (DESIGN.md §3).

/** Base class: something the emulator (not the guest) could not do. */
export class EmulatorError extends Error {
  override name = 'EmulatorError';
}

/** A uc_* call failed where the guest could not have caused it. */
export class UnicornError extends EmulatorError {
  override name = 'UnicornError';
  constructor(readonly call: string, readonly code: number, codeName: string) {
    super(`${call} failed: ${codeName} (${code})`);
  }
}

/** The program file is not a static ELF64 AArch64 executable we can load; the message names the problem. */
export class LoaderError extends EmulatorError {
  override name = 'LoaderError';
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

/**
 * The engine cannot back a mapping that Linux would give (Unicorn allocates real memory for every mapped page
 * range it is asked for). The memory syscalls turn it into the failure Linux would report when memory runs out.
 */
export class EngineMemoryError extends EmulatorError {
  override name = 'EngineMemoryError';
}

/** A bad option or option combination, named with the option. */
export class OptionError extends EmulatorError {
  override name = 'OptionError';
}

/** A script used the API in a state where that call makes no sense; the message says what to do instead. */
export class StateError extends EmulatorError {
  override name = 'StateError';
}

/** The kernel's BUG_ON: an internal invariant broke. */
export class InternalError extends EmulatorError {
  override name = 'InternalError';
}

/** What the user asked for cannot be done as asked (a missing scenario path, an assembly text that does not
 *  assemble): the CLI says so in one line and exits 2, like any usage error. Not an emulator failure. */
export class UsageError extends Error {
  override name = 'UsageError';
}
