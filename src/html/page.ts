// The page shell of the pictures (`run --html`, `matrix --html`): one self-contained HTML document with inline
// CSS, no script, no font, no network. Every string that came from the guest (or the user) goes through esc().
// The same run gives the same bytes: nothing here reads a clock or the host.

/** HTML-escapes text for element content and double-quoted attribute values. */
export function esc(s: string | number | bigint | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 0x-prefixed lowercase hex, as the JSON report writes addresses */
export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** a named section with an id (the tests and the table of contents find it by id) */
export const section = (id: string, title: string, body: string): string =>
  `<section id="${esc(id)}"><h2>${esc(title)}</h2>\n${body}\n</section>`;

const CSS = `
:root { --ok: #1b7f3b; --stop: #b3261e; --warn: #a15c00; --muted: #666; --line: #d0d0d0; --hi: #fff3b0; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #1d1d1d; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { border-bottom: 2px solid #333; padding-bottom: .1em; margin-top: 1.8em; }
h3 { margin: 1.2em 0 .4em; } code, td.mono, .mono { font-family: ui-monospace, monospace; font-size: 12.5px; }
.muted { color: var(--muted); } nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: .5em 0; } th, td { border: 1px solid var(--line); padding: 2px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } tr.group th { background: #e4e9f2; text-align: left; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid #888; }
ol.timeline li { position: relative; margin: 0 0 .5em 0; padding: .3em .6em .3em 1.4em; }
ol.timeline li::before { content: ""; position: absolute; left: -8px; top: .65em; width: 11px; height: 11px; border-radius: 50%; background: #888; }
ol.timeline li.exception::before { background: #7b1fa2; } ol.timeline li.fault::before { background: #c2185b; }
ol.timeline li.signal::before { background: #1565c0; } ol.timeline li.frame::before { background: #00838f; }
ol.timeline li.sigreturn::before { background: #2e7d32; } ol.timeline li.coredump::before { background: #e65100; }
ol.timeline li.exit::before { background: #212121; }
ol.timeline .title { font-weight: 600; } ol.timeline .at { color: var(--muted); font-size: 12px; margin-left: .5em; }
tr.siginfo td.part { background: #e3f2fd; } tr.ucontext td.part { background: #f3e5f5; } tr.sigcontext td.part { background: #e8f5e9; }
tr.reserved td.part { background: #fff8e1; } tr.record td.part { background: #fce4ec; }
td.bytes { font-family: ui-monospace, monospace; font-size: 11.5px; color: #444; white-space: nowrap; }
tr.key td { background: var(--hi); font-weight: 600; }
.bar { display: flex; height: 34px; border: 1px solid #999; margin: .6em 0; }
.bar div { border-right: 1px solid #fff; overflow: hidden; font-size: 10px; color: #fff; padding: 2px; box-sizing: border-box; white-space: nowrap; }
.bar .vma { background: #5c6bc0; } .bar .gap { background: #e0e0e0; color: #555; }
.bar .fault { outline: 3px solid var(--stop); outline-offset: -3px; background: #ef9a9a; color: #000; }
tr.fault td { background: #ffcdd2; font-weight: 600; } tr.gap td { color: var(--muted); font-style: italic; }
tr.marker td { background: var(--stop); color: #fff; font-weight: 700; }
ol.chain li { margin: .25em 0; padding: .2em .5em; border-left: 5px solid var(--ok); background: #f4faf5; }
ol.chain li.stop { border-left-color: var(--stop); background: #fdecea; }
ol.chain li.deciding { outline: 2px solid #000; font-weight: 600; }
.result { padding: .4em .7em; border-radius: 4px; display: inline-block; margin: .4em 0; }
.result.dumped { background: #c8e6c9; } .result.nocore { background: #ffe0b2; }
.outcome-dumped { background: #c8e6c9; } .outcome-killed { background: #ffcdd2; }
.outcome-handled { background: #bbdefb; } .outcome-exited { background: #eeeeee; } .outcome-other { background: #ffe0b2; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: .5em; border: 1px solid var(--line); }
`;

/** The whole document: a title, a subtitle line, a table of contents and the sections. */
export function page(title: string, subtitle: string, sections: { id: string; title: string; body: string }[]): string {
  const nav = sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="muted">${esc(subtitle)}</p>
<nav>${nav}</nav>
${sections.map((s) => section(s.id, s.title, s.body)).join('\n')}
</body>
</html>
`;
}
