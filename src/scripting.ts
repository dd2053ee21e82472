// The scripting API on a machine (src/index.ts): reading and changing a stopped process. Valid while stopped,
// before the process has ended; afterwards every call throws a StateError that points at report().
import { Machine } from './machine.ts';
import { StateError } from './errors.ts';
import { procPidMaps } from './fs/proc/task_mmu.ts';
import type { RunReport } from './report.ts';

export class ScriptMachine extends Machine {
  private live(what: string): void {
    if (this.finished) throw new StateError(`${what}: the process has ended; read machine.report() instead`);
  }

  /** x0..x30, sp, pc and the NZCV flags as the guest sees them. */
  regs(): { x: bigint[]; sp: bigint; pc: bigint; nzcv: bigint } {
    this.live('regs()');
    return { x: Array.from({ length: 31 }, (_, i) => this.cpu.x(i)), sp: this.cpu.sp, pc: this.cpu.pc, nzcv: this.cpu.nzcv };
  }

  /** Sets 'x0'..'x30', 'sp', 'pc' or 'nzcv'. */
  setReg(name: string, value: bigint): void {
    this.live('setReg()');
    const m = /^x(\d+)$/.exec(name);
    if (m && Number(m[1]) <= 30) this.cpu.setX(Number(m[1]), value);
    else if (name === 'sp') this.cpu.sp = value;
    else if (name === 'pc') this.cpu.pc = value;
    else if (name === 'nzcv') this.cpu.nzcv = value;
    else throw new StateError(`setReg("${name}"): not a register; use x0..x30, sp, pc or nzcv`);
  }

  /** Guest memory as the process can see it; a StateError names an address no VMA covers. */
  readMemory(addr: bigint, len: number): Buffer {
    this.live('readMemory()');
    const b = this.mm.vmaAt(addr) && this.mm.vmaAt(addr + BigInt(Math.max(len, 1)) - 1n) ? this.cpu.read(addr, len) : null;
    if (!b) throw new StateError(`readMemory(0x${addr.toString(16)}, ${len}): not mapped; see machine.maps()`);
    return b;
  }

  writeMemory(addr: bigint, data: Buffer): void {
    this.live('writeMemory()');
    if (!this.mm.vmaAt(addr) || !this.cpu.write(addr, data)) {
      throw new StateError(`writeMemory(0x${addr.toString(16)}, ${data.length} bytes): not mapped; see machine.maps()`);
    }
  }

  /** /proc/self/maps of the process */
  maps(): string {
    return procPidMaps(this.mm);
  }

  /** kill(2) from the parent: SI_USER, delivered when the run resumes. */
  override kill(signo: number): void {
    this.live('kill()');
    super.kill(signo);
  }

  /** gcore now: core.<pid> in the guest cwd; the process goes on. */
  gcore(): RunReport['gcores'][number] {
    this.live('gcore()');
    this.writeGcore();
    return this.gcores[this.gcores.length - 1];
  }

}
