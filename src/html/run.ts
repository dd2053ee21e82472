// The page of one run (`run --html FILE`, `explain --html FILE`): its outcome, the kernel path as a timeline, each
// rt_sigframe byte by byte, the memory map at each fault, and the core-dump decision chain.
import type { RunReport } from '../report.ts';
import * as fs from 'node:fs';
import type { TraceEvent, TraceSink } from '../trace.ts';
import type { Captures } from '../capture.ts';
import { renderText } from '../report.ts';
import { esc, page } from './page.ts';
import { renderTimeline, timelineCollector } from './timeline.ts';
import { renderSigframes } from './sigframe.ts';
import { renderMaps } from './maps.ts';
import { renderCoredump } from './coredump.ts';

export interface RunPictures {
  report: RunReport;
  /** the run's tracepoints (timelineCollector keeps the ones drawn); none: no timeline */
  events?: TraceEvent[];
  /** events past timelineCollector's limit */
  droppedEvents?: number;
  /** the frames and fault maps the run captured (Machine.captures) */
  captures?: Pick<Captures, 'frames' | 'maps' | 'framesSeen' | 'mapsSeen'>;
}

const MAX_SUMMARY_LINES = 80;

/** The self-contained HTML page of a run. */
export function renderRunHtml(p: RunPictures): string {
  const r = p.report;
  const frames = p.captures?.frames ?? [];
  const maps = p.captures?.maps ?? [];
  // the text report, as `run` prints it; a refault loop's thousands of signal lines are cut to the first ones
  const lines = renderText(r).split('\n');
  const cut = lines.length > MAX_SUMMARY_LINES ? [...lines.slice(0, MAX_SUMMARY_LINES - 10), `… ${lines.length - MAX_SUMMARY_LINES + 10} more lines …`, ...lines.slice(-9)] : lines;
  const summary = `<pre class="mono">${esc(cut.join('\n'))}</pre>`;
  const title = `arm64-fault: ${r.program.argv.join(' ')}`;
  return page(title, `${r.program.path}; outcome ${r.exit.kind}${r.exit.signal ? ` (${r.exit.signal})` : ''}`, [
    { id: 'summary', title: 'Outcome', body: summary },
    { id: 'timeline', title: 'Kernel path', body: renderTimeline(p.events ?? [], frames, p.droppedEvents ?? 0, r.processes?.length ?? 1) },
    { id: 'sigframes', title: 'Signal frames', body: renderSigframes(frames, p.captures?.framesSeen ?? frames.length) },
    { id: 'maps', title: 'Memory map at the fault', body: renderMaps(maps, p.captures?.mapsSeen ?? maps.length) },
    { id: 'coredump', title: 'Core dump decision', body: renderCoredump(r) },
  ]);
}

/** `--html FILE`: opened before the run (a path that cannot be written fails before anything runs), fed the run's
 *  tracepoints through `sink`, written once the run ended. */
export function runHtmlFile(file: string): {
  sink: TraceSink; write: (report: RunReport, captures: RunPictures['captures']) => void; close: () => void;
} {
  const fd = fs.openSync(file, 'w');
  const timeline = timelineCollector();
  return {
    sink: timeline.sink,
    write: (report, captures) => void fs.writeSync(fd, renderRunHtml({ report, events: timeline.events, droppedEvents: timeline.dropped(), captures })),
    close: () => fs.closeSync(fd),
  };
}
