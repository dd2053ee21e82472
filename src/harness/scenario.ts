// Scenario files: one experiment as YAML, modelled on the arm64 signal selftests' descriptor
// (torvalds/linux tools/testing/selftests/arm64/signal/test_signals.h `struct tdescr`: name, descr,
// sig_trig → setup.signals, sig_ok → expect.signals, setup/run/check_result → program/setup/expect).
// Validation is strict: every error names the file, the line and the field, so a typo never passes as "no expectation".
import { UsageError } from '../errors.ts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { z } from 'zod';
import { LineCounter, isMap, isPair, isScalar, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { signalByName } from '../kernel/sigdefs.ts';
import { RLIM_INFINITY } from '../kernel/task.ts';
import type { MachineOptions } from '../options.ts';
import { parseInject } from '../arch/arm64/inject.ts';

/** Where `program: name` is looked up when it is not next to the scenario file. */
export const PROGRAMS_DIR = path.resolve(import.meta.dirname, '..', '..', 'programs', 'build');

/** A scenario file that does not parse or validate; the message is `file:line:col: field: problem`. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(readonly file: string, readonly line: number, readonly col: number, readonly field: string, readonly problem: string) {
    super(`${file}:${line}:${col}: ${field ? `field "${field}": ` : ''}${problem}`);
  }
}

/** One message for a union, instead of zod's "Invalid input". */
const says = (message: string) => ({ errorMap: () => ({ message }) });

const u64 = z.union([z.number().int().nonnegative(), z.string().regex(/^(\d+|0x[0-9a-fA-F]+)$/, 'expected an integer (decimal or 0x…)')],
  says('expected a non-negative integer (decimal or "0x…")')).transform((v) => BigInt(v));
const signalNameSchema = z.string().refine((s) => signalByName(s) !== undefined, (s) => ({ message: `"${s}" is not a signal name` }));
const REGEX_FORM = /^\/(.*)\/([a-z]*)$/s;

/**
 * The one pattern syntax of every scenario text field: `/re/flags` (flags from dgimsuy) is a regular expression
 * (JavaScript syntax, unanchored); any other string matches exactly. Throws a SyntaxError for a malformed one.
 */
export function textPattern(want: string): RegExp | null {
  const m = REGEX_FORM.exec(want);
  if (!m || !/^[dgimsuy]*$/.test(m[2])) return null;
  const re = new RegExp(m[1], m[2]); // throws on a bad pattern or repeated flags
  return new RegExp(re.source, re.flags.replace(/[gy]/g, '')); // test() must not keep state between lines
}

/** Does `actual` match `want` (exact, or `/re/flags`)? */
export function matchesText(want: string, actual: string): boolean {
  const re = textPattern(want);
  return re ? re.test(actual) : actual === want;
}

/** An expected text: an exact string, or `/regex/flags`; a malformed regex is an error at its line. */
const textSchema = z.string().superRefine((v, ctx) => {
  try {
    textPattern(v);
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `malformed regular expression ${v}: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')
      .replace(/^Invalid flags supplied to RegExp constructor '(.*)'$/, 'invalid flags "$1"')}` });
  }
});
const lineSchema = textSchema;
/** A hex value: YAML reads 0x92000021 as a number, quoted it stays a string; both mean the same. */
const hexSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^0x[0-9a-fA-F]+$/)], says('expected a hex value (0x…)'))
  .transform((v) => `0x${BigInt(v).toString(16)}`);

const setupSchema = z.object({
  rlimitCore: z.union([z.literal('unlimited'), u64], says('expected "unlimited" or a byte count')).transform((v) => (v === 'unlimited' ? RLIM_INFINITY : v)),
  rlimitStack: u64,
  corePattern: z.string(),
  coreUsesPid: z.boolean(),
  coredumpFilter: z.union([z.number().int(), z.string().regex(/^0x[0-9a-fA-F]+$/)], says('expected a bit mask (0x33)')).transform((v) => Number(v)),
  suidDumpable: z.union([z.literal(0), z.literal(1), z.literal(2)], says('expected 0, 1 or 2')),
  maxInsns: u64,
  /** the scheduler's time slice in instructions, and the seed that permutes its choices (threads, processes) */
  quantum: u64,
  schedSeed: z.number().int(),
  /** a signal from another process after `insns` instructions or `time` seconds of virtual time */
  signals: z.array(z.union([z.object({ signal: signalNameSchema, insns: u64 }).strict(),
    z.object({ signal: signalNameSchema, time: z.number().nonnegative() }).strict()], says('expected {signal, insns} or {signal, time}'))),
  gcore: z.array(u64),
  /** virtual seconds after which a run still going ends with outcome timeout */
  timeout: z.number().nonnegative(),
  onTimeout: signalNameSchema,
  /** a signal name or "gcore" */
  onStuck: z.union([z.literal('gcore'), signalNameSchema]),
  exceptionTrace: z.boolean(),
  fast: z.boolean(),
  pid: z.number().int(),
  uid: z.number().int(),
  gid: z.number().int(),
  cwd: z.string(),
  seed: u64,
  time: u64,
  stdin: z.string(),
  oopsOnSyscall: z.number().int().nonnegative(),
  /** fault injection: "KIND@insns=N[,addr=A][,fetch][,fnv]" strings, as --inject takes them */
  inject: z.array(z.string().transform((v, ctx) => {
    try {
      return parseInject(v);
    } catch (e) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
      return z.NEVER;
    }
  })),
}).strict().partial();

const signalExpect = z.object({
  signal: signalNameSchema,
  code: textSchema,
  /** 0x… exactly, or `symbol[+offset]` looked up in the program's symbol table */
  addr: z.union([z.number().int().nonnegative().transform((v) => `0x${v.toString(16)}`), z.string()], says('expected 0x… or symbol[+offset]')),
  esr: hexSchema,
  fault: textSchema,
  /** where (the report's location fields): pc as 0x… or symbol[+offset]; the others as text or /re/ */
  pc: z.union([z.number().int().nonnegative().transform((v) => `0x${v.toString(16)}`), z.string()], says('expected 0x… or symbol[+offset]')),
  symbol: textSchema,
  line: textSchema,
  insn: textSchema,
  source: z.enum(['fault', 'kill', 'tkill', 'sigqueue', 'kernel', 'external']),
  action: z.enum(['handler', 'default', 'ignored', 'blocked']),
}).strict().partial();

const expectSchema = z.object({
  exit: z.object({
    kind: z.enum(['exited', 'signaled', 'limit', 'panic', 'stuck', 'timeout', 'interrupted']),
    code: z.number().int(),
    signal: signalNameSchema,
  }).strict().partial(),
  coreDumped: z.boolean(),
  signals: z.array(signalExpect),
  core: z.object({
    dumped: z.boolean(), truncated: z.boolean(), reason: textSchema, path: textSchema,
    /** gdb commands run on the core, each with output lines that must appear in order (text or /re/) */
    gdb: z.array(z.object({
      command: z.string().min(1),
      output: z.union([lineSchema.transform((l) => [l]), z.array(lineSchema)]),
    }).strict()).min(1),
  }).strict().partial(),
  stdout: z.array(lineSchema),
  stderr: z.array(lineSchema),
  kernelLog: z.array(lineSchema),
  notes: z.array(lineSchema),
  trace: z.array(z.string()),
}).strict().partial();

const scenarioSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  program: z.union([z.string().min(1), z.object({ asm: z.string().min(1) }).strict()],
    says('expected a program path, or { asm: <assembly text> }')),
  args: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
  env: z.union([z.array(z.string().regex(/=/, 'expected KEY=value')), z.record(z.union([z.string(), z.number()]))])
    .transform((e) => (Array.isArray(e) ? e : Object.entries(e).map(([k, v]) => `${k}=${v}`))).default([]),
  setup: setupSchema.default({}),
  expect: expectSchema,
}).strict();

export type Setup = z.output<typeof setupSchema>;
export type Expect = z.output<typeof expectSchema>;
export type SignalExpect = z.output<typeof signalExpect>;
export type Scenario = z.output<typeof scenarioSchema> & { file: string };

/** The node at a zod path, walking down while the document has it. */
function nodeAt(doc: Document, p: (string | number)[]): { node: YamlNode | null; depth: number } {
  let node = doc.contents as YamlNode | null;
  let depth = 0;
  for (const key of p) {
    const next = node && 'get' in node && typeof (node as { get?: unknown }).get === 'function'
      ? (node as unknown as { get(k: unknown, keep: true): YamlNode | undefined }).get(key, true) : undefined;
    if (!next) break;
    node = next;
    depth++;
  }
  return { node, depth };
}

/** The key node of `key` in the map at `p` (to point at a typo'd key itself). */
function keyNode(doc: Document, p: (string | number)[], key: string): YamlNode | null {
  const { node } = nodeAt(doc, p);
  if (!isMap(node)) return node;
  const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
  return (pair?.key as YamlNode | undefined) ?? node;
}

const fieldName = (p: (string | number)[]): string =>
  p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]++;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

/** The field names the schema allows at a path, for "did you mean". */
function knownKeys(p: (string | number)[]): string[] {
  let s: z.ZodTypeAny = scenarioSchema;
  for (const k of p) {
    while (s instanceof z.ZodEffects || s instanceof z.ZodDefault || s instanceof z.ZodOptional) {
      s = s instanceof z.ZodEffects ? s.innerType() : s._def.innerType;
    }
    if (s instanceof z.ZodObject) s = s.shape[k as string] ?? z.never();
    else if (s instanceof z.ZodArray) s = s.element;
    else if (s instanceof z.ZodUnion) s = (s.options as z.ZodTypeAny[]).find((o) => o instanceof z.ZodObject || o instanceof z.ZodArray) ?? z.never();
  }
  while (s instanceof z.ZodEffects || s instanceof z.ZodDefault || s instanceof z.ZodOptional) {
    s = s instanceof z.ZodEffects ? s.innerType() : s._def.innerType;
  }
  if (s instanceof z.ZodUnion) s = (s.options as z.ZodTypeAny[]).find((o) => o instanceof z.ZodObject) ?? s;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** Parses and validates scenario text; `file` names it in errors. */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const { line, col } = at(e.pos[0]);
    throw new ScenarioError(file, line, col, '', `YAML: ${e.message.split('\n')[0]}`);
  }
  const result = scenarioSchema.safeParse(doc.toJS());
  if (result.success) return { ...result.data, file };
  const issue = result.error.issues[0];
  let p = issue.path;
  let node: YamlNode | null;
  let problem = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    node = keyNode(doc, p, key);
    const near = knownKeys(p).map((k) => ({ k, d: distance(key, k) })).sort((a, b) => a.d - b.d)[0];
    problem = `unknown field${near && near.d <= 3 ? ` (did you mean "${near.k}"?)` : ''}`;
    p = [...p, key];
  } else {
    const found = nodeAt(doc, p);
    node = found.node;
    if (found.depth < p.length) problem = issue.message === 'Required' ? 'required field is missing' : issue.message;
  }
  const range = node?.range ?? [0, 0, 0];
  const { line, col } = at(range[0]);
  throw new ScenarioError(file, line, col, fieldName(p), problem);
}

export function loadScenario(file: string): Scenario {
  return parseScenario(fs.readFileSync(file, 'utf8'), file);
}

/** Inline assembly → a static executable in the temp directory, cached by content. */
export function assemble(asm: string, file = '<asm>'): string {
  refuseHostFiles(asm, file);
  const dir = path.join(os.tmpdir(), 'arm64-fault-asm');
  fs.mkdirSync(dir, { recursive: true });
  const text = /(^|\n)\s*_start\s*:/.test(asm) ? asm : `.globl _start\n_start:\n${asm}`;
  const exe = path.join(dir, createHash('sha256').update(text).digest('hex').slice(0, 16));
  if (fs.existsSync(exe)) return exe;
  // a private, empty working directory: a relative .include/.incbin finds nothing there
  const work = fs.mkdtempSync(path.join(dir, 'work-'));
  const tmp = path.join(work, 'prog');
  try {
    fs.writeFileSync(`${tmp}.S`, text.endsWith('\n') ? text : `${text}\n`);
    execFileSync('aarch64-linux-gnu-as', ['-o', `${tmp}.o`, `${tmp}.S`], { stdio: 'pipe', cwd: work });
    execFileSync('aarch64-linux-gnu-ld', ['-static', '-o', tmp, `${tmp}.o`], { stdio: 'pipe', cwd: work });
    fs.renameSync(tmp, exe); // atomic: parallel workers may assemble the same text
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message;
    throw new UsageError(`${file}: program.asm does not assemble: ${err.replaceAll(work + '/', '')}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return exe;
}

/**
 * Inline assembly must not read host files: .include and .incbin of an absolute path or one with "..", and
 * macro concatenation (`\()`, which could spell either directive), are refused with an error that says so.
 */
function refuseHostFiles(asm: string, file: string): void {
  for (const [i, line] of asm.split('\n').entries()) {
    const d = /\.(include|incbin)\b\s*(.*)/i.exec(line);
    const m = d && /^"([^"\\]*)"/.exec(d[2]); // a plain quoted path: no escapes that could spell one
    const bad = d && (!m || m[1].startsWith('/') || m[1].split('/').includes('..')) ? `.${d[1]} ${d[2].trim()} names a host path`
      : line.includes('\\()') ? 'macro concatenation (\\()) is not allowed' : null;
    if (bad) throw new UsageError(`${file}: program.asm line ${i + 1}: ${bad}; inline assembly cannot read files outside its own text`);
  }
}

/** The host path of the scenario's program: next to the file, else in programs/build/, or assembled. */
export function resolveProgram(s: Scenario): string {
  if (typeof s.program !== 'string') return assemble(s.program.asm, s.file);
  const local = path.resolve(path.dirname(s.file), s.program);
  if (fs.existsSync(local) && fs.statSync(local).isFile()) return local;
  const built = path.resolve(PROGRAMS_DIR, s.program);
  if (fs.existsSync(built)) return built;
  throw new UsageError(`${s.file}: program "${s.program}" is neither next to the file nor in ${PROGRAMS_DIR} (run make -C programs)`);
}

/** MachineOptions for a run of the scenario in `root`. */
export function scenarioOptions(s: Scenario, program: string, root: string): Partial<MachineOptions> {
  const { fast, signals, stdin, timeout, onTimeout, onStuck, ...rest } = s.setup;
  const o: Partial<MachineOptions> = { ...rest, root, argv: [program, ...s.args], env: s.env };
  const ns = (seconds: number): bigint => BigInt(Math.round(seconds * 1e9));
  if (fast) o.countInsns = false;
  if (signals) o.signals = signals.flatMap((x) => ('insns' in x ? [{ signo: signalByName(x.signal)!, insns: x.insns }] : []));
  const timed = signals?.flatMap((x) => ('time' in x ? [{ signo: signalByName(x.signal)!, ns: ns(x.time) }] : [])) ?? [];
  if (timed.length > 0) o.timedSignals = timed;
  if (timeout !== undefined) o.timeout = ns(timeout);
  if (onTimeout !== undefined) o.onTimeout = signalByName(onTimeout)!;
  if (onStuck !== undefined) o.onStuck = onStuck === 'gcore' ? 'gcore' : signalByName(onStuck)!;
  if (stdin !== undefined) o.stdin = Buffer.from(stdin);
  return o;
}
