// `run --html`, `explain --html` and `matrix --html`, through the installed bin, loaded in headless Chromium (the
// Debian package scripts/setup.sh installs) and checked with DOM queries against the JSON report of the same run.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { af } from './bin.ts';
import { prog } from './helpers.ts';
import type { RunReport } from '../src/report.ts';

// the page's own function, inside the page.evaluate callbacks (the project's tsconfig has no DOM library)
declare const getComputedStyle: (e: object) => { backgroundColor: string };

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts', 'html');
const fresh = () => mkdtempSync(join(tmpdir(), 'af-html-'));

let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package (bash scripts/setup.sh does: apt-get install chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => { await browser?.close(); });

/** Runs the program with --json and --html FILE; the report and the page file. */
function runWithHtml(name: string, args: string[] = [], opts: string[] = []): { report: RunReport; file: string; root: string } {
  const root = fresh();
  const file = join(root, 'run.html');
  const r = af('run', '--json', '--root', root, '--html', file, ...opts, prog(name), ...(args.length ? ['--', ...args] : []));
  expect(r.stderr).toBe('');
  return { report: JSON.parse(r.stdout) as RunReport, file, root };
}

async function open(file: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(file).href);
  return page;
}

const steps = (page: Page, sel: string) => page.$$eval(sel, (els) => els.map((e) => e.getAttribute('data-step')));
/** the data-value of a field's value cell in the i-th frame table, or null when the frame has no such field */
const fieldValue = (page: Page, frame: number, field: string) =>
  page.$$eval('table.sigframe', (ts, [i, f]) => ts[Number(i)].querySelector(`tr[data-field="${f}"] td.value`)?.getAttribute('data-value') ?? null,
    [String(frame), field]);

/** a PNG: its signature and the width and height of its IHDR */
function png(file: string): { width: number; height: number; size: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(b.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), size: b.length };
}

describe('run --html: a fault that dumps core', () => {
  it('draws the kernel path in order, the fault address in the map and the deciding core step', async () => {
    const { report, file } = runWithHtml('segv_maperr_null');
    expect(report.core.dumped).toBe(true);
    const page = await open(file);
    const path = await steps(page, '#timeline li');
    // the path of a data abort to a core: each step once, in the kernel's order
    const order = ['exception_entry', 'mem_abort', 'do_page_fault', 'signal_generate', 'signal_deliver', 'coredump_begin',
      'coredump_end', 'sched_process_exit'];
    expect(order.map((s) => path.indexOf(s))).toEqual([...order.map((s) => path.indexOf(s))].sort((a, b) => a - b));
    expect(order.every((s) => path.includes(s))).toBe(true);
    expect(await page.$$eval('#timeline li[data-step="coredump_step"]', (l) => l.length)).toBe(report.core.steps.length);
    // no handler: no frame
    expect(await page.$$eval('table.sigframe', (t) => t.length)).toBe(0);

    // the map marks si_addr (0x0) in the unmapped gap below the program
    const s = report.signals[0];
    expect(await page.$eval('#maps tr.marker', (r) => r.getAttribute('data-addr'))).toBe(s.addr);
    expect(await page.$eval('#maps tr.fault', (r) => r.textContent)).toContain('unmapped gap');
    expect(await page.$$eval('#maps .bar .fault', (l) => l.length)).toBe(1);

    // the chain: as many steps as the report's, the last (write) decides since none stopped
    const chain = await steps(page, '#coredump ol.chain li');
    expect(chain).toEqual(report.core.steps.map((x) => x.step));
    expect(await page.$eval('#coredump li.deciding', (l) => l.getAttribute('data-step'))).toBe('write');
    expect(await page.$$eval('#coredump li.deciding', (l) => l.length)).toBe(1);

    await page.screenshot({ path: join(ARTIFACTS, 'segv_maperr_null.png'), fullPage: true });
    const shot = png(join(ARTIFACTS, 'segv_maperr_null.png'));
    expect(shot.width).toBe(1280);
    expect(shot.height).toBeGreaterThan(900);
    expect(shot.size).toBeGreaterThan(20_000);
    await page.close();
  }, 120_000);
});

describe('explain --html: the step that stops the core is highlighted', () => {
  it('RLIMIT_CORE 0: rlimit_core decides, drawn as a stop', async () => {
    const root = fresh();
    const file = join(root, 'explain.html');
    const r = af('explain', '--root', root, '--rlimit-core', '0', '--html', file, prog('segv_maperr_null'));
    expect(r.stdout).toMatch(/STOP rlimit_core/);
    const page = await open(file);
    const deciding = await page.$eval('#coredump li.deciding', (l) => ({ step: l.getAttribute('data-step'), cls: l.className, text: l.textContent }));
    expect(deciding.step).toBe('rlimit_core');
    expect(deciding.cls).toContain('stop');
    expect(deciding.text).toContain('RLIMIT_CORE 0 < min_coredump 4096');
    expect(await page.$eval('#coredump .result', (p) => p.className)).toContain('nocore');
    await page.close();
  }, 120_000);
});

describe('run --html: a SA_SIGINFO handler', () => {
  it('draws each frame with the si_signo, si_code, si_addr, pc and esr the report gives', async () => {
    const { report, file } = runWithHtml('sig_info');
    const page = await open(file);
    const handled = report.signals.filter((s) => s.action === 'handler');
    // one frame per delivery to a handler, in order (sig_info's 8 deliveries; 8 are kept)
    expect(await page.$$eval('table.sigframe', (t) => t.length)).toBe(handled.length);
    // what each handler saw of the esr_context, as the guest printed it ("esr=0x92000006" or "esr=none")
    const seen = [...report.stdout.matchAll(/ esr=(\S+)/g)].map((m) => (m[1] === 'none' ? null : m[1]));
    expect(seen).toHaveLength(handled.length);
    let faults = 0;
    for (let i = 0; i < handled.length; i++) {
      const s = handled[i];
      expect(await fieldValue(page, i, 'si_signo')).toBe(String(s.signo));
      expect(await fieldValue(page, i, 'si_code')).toBe(String(s.code));
      expect(await fieldValue(page, i, 'esr')).toBe(seen[i]);
      if (s.source !== 'fault') continue;
      faults++;
      expect(await fieldValue(page, i, 'si_addr')).toBe(s.addr);
      expect(await fieldValue(page, i, 'pc')).toBe(s.pc);
      // a data abort's esr_context holds the ESR the report gives (a BRK or UDF leaves none, or a stale one)
      if (s.name === 'SIGSEGV' || s.name === 'SIGBUS') expect(await fieldValue(page, i, 'esr')).toBe(s.esr);
    }
    expect(faults).toBe(6);
    // the records are walked from their heads: fpsimd first, then the terminator or esr_context
    expect(await fieldValue(page, 1, 'fpsimd: magic')).toBe('0x46508001');
    expect(await fieldValue(page, 1, 'fpsimd: size')).toBe('0x210');
    expect(await fieldValue(page, 1, 'esr: magic')).toBe('0x45535201');
    // the timeline puts each frame right after its delivery
    const path = await steps(page, '#timeline li');
    const d = path.indexOf('signal_deliver');
    expect(path.slice(d, d + 2)).toEqual(['signal_deliver', 'setup_rt_frame']);
    expect(await page.$$eval('#timeline li[data-step="setup_rt_frame"]', (l) => l.length)).toBe(handled.length);
    await page.screenshot({ path: join(ARTIFACTS, 'sig_info.png'), fullPage: true });
    expect(png(join(ARTIFACTS, 'sig_info.png')).height).toBeGreaterThan(3000);
    await page.close();
  }, 120_000);

  it('a handler that returns: rt_sigreturn follows the frame', async () => {
    const { report, file } = runWithHtml('sig_recover', ['skip']);
    expect(report.exit.kind).toBe('exited');
    const page = await open(file);
    const path = await steps(page, '#timeline li');
    const f = path.indexOf('setup_rt_frame');
    expect(f).toBeGreaterThan(path.indexOf('signal_deliver'));
    expect(path.indexOf('rt_sigreturn')).toBeGreaterThan(f);
    expect(await fieldValue(page, 0, 'si_addr')).toBe(report.signals[0].addr);
    expect(await page.$eval('#coredump', (s) => s.textContent)).toContain('did not die of a signal');
    await page.close();
  }, 120_000);
});

describe('run --html: a refault loop stays a page of bounded size', () => {
  it('the first 8 frames, 4 maps and 300 events are drawn, with a count of the rest', async () => {
    const { report, file } = runWithHtml('sig_recover', ['refault'], ['--max-insns', '12500']);
    const faults = report.signals.length;
    expect(faults).toBeGreaterThan(200);
    expect(statSync(file).size).toBeLessThan(1_000_000);
    const page = await open(file);
    expect(await page.$$eval('table.sigframe', (t) => t.length)).toBe(8);
    expect(await page.$$eval('table.maps', (t) => t.length)).toBe(4);
    expect(await page.$$eval('#timeline li', (l) => l.length)).toBeGreaterThanOrEqual(300);
    const text = await page.$eval('body', (b) => b.textContent ?? '');
    expect(text).toContain(`${faults} frames were written; the first 8 are drawn.`);
    expect(text).toContain(`${faults} fault signals were raised; the maps at the first 4 are drawn.`);
    expect(text).toMatch(/… and \d+ more events not drawn \(the first 300 are\)\./);
    expect(text).toMatch(/… \d+ more lines …/);
    await page.close();
  }, 120_000);
});

describe('the page is deterministic and escapes what the guest gives it', () => {
  it('same run, same bytes; argv is escaped', () => {
    const a = runWithHtml('sig_recover', ['skip', '<script>x</script>']);
    const b = runWithHtml('sig_recover', ['skip', '<script>x</script>']);
    const html = readFileSync(a.file, 'utf8');
    expect(html).toBe(readFileSync(b.file, 'utf8'));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;x&#60;/script&#62;');
  });

  it('an unwritable --html path is a one-line usage error before the run', () => {
    const r = af('run', '--root', fresh(), '--html', '/nonexistent-dir/x.html', prog('segv_maperr_null'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^arm64-fault: ENOENT: no such file or directory, open '\/nonexistent-dir\/x.html'\n$/);
  });
});

describe('matrix --html', () => {
  it('one coloured row per run, coloured by outcome', async () => {
    const file = join(fresh(), 'matrix.html');
    const r = af('matrix', 'segv_maperr_null', '--vary', 'rlimit-core=0,unlimited', '--vary', 'dumpable=0,1', '--html', file);
    expect(r.status).toBe(0);
    const page = await open(file);
    const rows = await page.$$eval('table.matrix tbody tr', (trs) => trs.map((tr) => ({
      outcome: tr.getAttribute('data-outcome'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
      colour: getComputedStyle(tr.querySelector('td[data-column="core"]')!).backgroundColor,
    })));
    expect(await page.$$eval('table.matrix thead th', (t) => t.map((x) => x.textContent))).toEqual(['rlimit-core', 'dumpable', 'outcome', 'signal', 'core']);
    expect(rows.map((x) => [x.cells[0], x.cells[1], x.outcome])).toEqual([
      ['0', '0', 'killed'], ['0', '1', 'killed'], ['unlimited', '0', 'killed'], ['unlimited', '1', 'dumped']]);
    expect(rows[3].cells[4]).toMatch(/^dumped \(\d+ bytes\)$/);
    expect(rows[0].colour).not.toBe(rows[3].colour);
    expect(rows[0].colour).toBe(rows[1].colour);
    await page.screenshot({ path: join(ARTIFACTS, 'matrix.png'), fullPage: true });
    expect(statSync(join(ARTIFACTS, 'matrix.png')).size).toBeGreaterThan(5_000);
    await page.close();
  }, 120_000);
});
