// `learn report --html` and `learn diff --format html`: one self-contained page (inline CSS, a few lines of
// inline JS, hand-drawn SVG bars; a Content-Security-Policy that forbids every fetch), all of it real text.
// The bars are plain rectangles: a charting library would add far more than it draws here.
import { printAction } from '../policy/emit/kafel.js';
import { BANDS, sentenceText, type Band } from '../diff/review.js';
import { rowLines } from '../diff/review-lines.js';
import type { Report, SideReport } from './model.js';

const COLOR: Readonly<Record<Band, string>> = {
  critical: '#a3001b', high: '#c2410c', medium: '#8a6d00', low: '#4b5563', tightened: '#1f7a4d', changed: '#1d4ed8',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --granted: #dbe4ee; --seen: #2563eb; --old: #9aa7b6; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: #f6f8fa; }
h1 { margin: 0; font-size: 22px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
main { padding: 0 32px 40px; max-width: 1100px; }
.sub { margin: 4px 0 0; color: var(--muted); }
code, td.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.band { display: inline-block; min-width: 74px; padding: 0 6px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; text-align: center; }
ul.summary { list-style: none; padding: 0; margin: 8px 0; } ul.summary li { margin: 3px 0; }
.denied { color: #a3001b; font-weight: 600; }
.note { color: var(--muted); font-size: 13px; }
details { margin: 4px 0; } summary { cursor: pointer; }
input[type=search] { font: inherit; padding: 4px 8px; width: 280px; border: 1px solid var(--line); border-radius: 6px; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; }
`;

/** Filters the observed-syscall table by the search box: the page works without it. */
const SCRIPT = `
for (const box of document.querySelectorAll('input[data-filter]')) {
  const rows = document.querySelectorAll('#' + box.dataset.filter + ' tbody tr');
  box.addEventListener('input', () => {
    const q = box.value.trim().toLowerCase();
    for (const row of rows) row.hidden = q !== '' && !row.textContent.toLowerCase().includes(q);
  });
}
`;

function badge(band: Band): string {
  return `<span class="band" style="background:${COLOR[band]}">${band}</span>`;
}

export function renderHtmlReport(report: Report): string {
  const parts: string[] = [];
  const head = report.sides.map((s) => `${esc(s.label)} · ${s.arch} · default action ${esc(s.defaultAction)}`).join('<br>');
  parts.push(`<header><h1>seccomp policy report: ${esc(report.title)}</h1><p class="sub">${head}</p></header><main>`);
  if (report.review !== null && report.diff !== null) parts.push(driftSection(report));
  parts.push(categoriesSection(report.sides));
  const many = report.sides.length > 1;
  for (const side of report.sides) {
    const suffix = many ? `: ${esc(side.label)}` : '';
    parts.push(observedSection(side, suffix, report.sides.indexOf(side)), unseenSection(side, suffix), constraintsSection(side, suffix));
  }
  parts.push('</main>');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>seccomp report: ${esc(report.title)}</title><style>${CSS}</style></head><body>`,
    ...parts,
    `<script>${SCRIPT}</script></body></html>`,
    '',
  ].join('\n');
}

function driftSection(report: Report): string {
  const review = report.review!;
  if (review.sentences.length === 0) return '<section><h2>Drift</h2><p>No drift: both policies allow exactly the same calls.</p></section>';
  const sentences = review.sentences.map((s) => `<li>${badge(s.band)} ${esc(sentenceText(s))}</li>`).join('');
  const rows = [
    ...review.globals.map((g) => `<tr><td>${badge(g.band)}</td><td>—</td><td>${g.what}</td><td>—</td><td>${esc(`${printAction(g.change.from)} → ${printAction(g.change.to)}`)}</td><td>${esc(g.why)}</td></tr>`),
    ...rowLines(review).map((l) => `<tr><td>${badge(l.band)}</td><td>${esc(l.category || '—')}</td><td>${l.kind}</td>` +
      `<td class="mono">${l.syscalls.map(esc).join(', ')}</td><td>${esc(l.beforeAfter)}</td><td>${esc(l.details.join('; '))}</td></tr>`),
  ].join('\n');
  const pulled = review.pulledIn.map((c) => `<li><code>${esc(c.name)}</code> was added for one observed call (<code>${esc(c.observed[0] ?? '')}</code>) and grants ${c.granted.length - c.observed.length} more never seen.</li>`).join('');
  return `<section><h2>Drift</h2><ul class="summary">${sentences}</ul>${pulled === '' ? '' : `<ul class="note">${pulled}</ul>`}
<table><thead><tr><th>risk</th><th>category</th><th>change</th><th>syscalls</th><th>before → after</th><th>why</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

/** Horizontal bars per category: granted members, the observed part filled; one bar per side. */
function categoriesSection(sides: readonly SideReport[]): string {
  const names = [...new Set(sides.flatMap((s) => s.categories.map((c) => c.name)))].sort();
  if (names.length === 0) return '<section><h2>Categories</h2><p>The policy uses no catalog categories.</p></section>';
  const max = Math.max(...sides.flatMap((s) => s.categories.map((c) => c.granted.length)), 1);
  const labelW = 190;
  const barW = 520;
  const barH = sides.length > 1 ? 10 : 16;
  const rowH = sides.length * (barH + 3) + 10;
  const width = labelW + barW + 170;
  const svg: string[] = [];
  names.forEach((name, i) => {
    const y = i * rowH + 4;
    svg.push(`<text x="0" y="${y + rowH / 2}" dominant-baseline="middle">${esc(name)}</text>`);
    sides.forEach((side, k) => {
      const c = side.categories.find((x) => x.name === name);
      const by = y + k * (barH + 3);
      if (c === undefined) {
        svg.push(`<text x="${labelW}" y="${by + barH / 2}" dominant-baseline="middle" class="note">not used${sides.length > 1 ? ` by ${esc(side.label)}` : ''}</text>`);
        return;
      }
      const g = (c.granted.length / max) * barW;
      const o = c.observed === null ? 0 : (c.observed.length / max) * barW;
      const fill = sides.length > 1 && k === 0 ? 'var(--old)' : 'var(--seen)';
      const label = c.observed === null ? `${c.granted.length} granted` : `${c.observed.length} of ${c.granted.length} observed`;
      svg.push(`<g><title>${esc(`${name}${sides.length > 1 ? ` (${side.label})` : ''}: ${label}`)}</title>` +
        `<rect x="${labelW}" y="${by}" width="${g.toFixed(1)}" height="${barH}" fill="var(--granted)"/>` +
        `<rect x="${labelW}" y="${by}" width="${o.toFixed(1)}" height="${barH}" fill="${fill}"/>` +
        `<text x="${(labelW + g + 6).toFixed(1)}" y="${by + barH / 2}" dominant-baseline="middle">${label}</text></g>`);
    });
  });
  const legend = sides.length > 1
    ? `<span style="background:var(--old)"></span>observed, ${esc(sides[0]!.label)}<span style="background:var(--seen)"></span>observed, ${esc(sides[sides.length - 1]!.label)}<span style="background:var(--granted)"></span>granted`
    : '<span style="background:var(--seen)"></span>observed<span style="background:var(--granted)"></span>granted, never seen';
  const height = names.length * rowH + 8;
  return `<section><h2>Categories: observed vs granted</h2><p class="legend note">${legend}</p>
<svg role="img" aria-label="Syscalls each category grants, and how many of them were observed" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
${svg.join('\n')}
</svg></section>`;
}

function observedSection(side: SideReport, suffix: string, index: number): string {
  if (side.observed === null) return `<section><h2>Observed syscalls${suffix}</h2><p class="note">No recording: give a profile (or a policy whose profile is in the store) to see what was observed.</p></section>`;
  const arches = [...new Set(side.observed.flatMap((o) => [...o.counts.keys()]))].sort();
  const id = `observed-${index}`;
  const calls = side.observed.reduce((n, o) => n + [...o.counts.values()].reduce((a, b) => a + b, 0), 0);
  const rows = side.observed.map((o) => `<tr><td class="mono">${esc(o.name)}</td>` +
    arches.map((a) => `<td class="num">${o.counts.get(a) ?? ''}</td>`).join('') +
    `<td>${esc(o.processes.join(', '))}</td><td${o.allowed ? '' : ' class="denied"'}>${esc(o.allowedBy)}</td></tr>`).join('\n');
  return `<section><h2>Observed syscalls${suffix} (${side.observed.length}, ${calls} calls)</h2>
${side.source === null ? '' : `<p class="note">${esc(side.source)}</p>`}
<p><label>Filter: <input type="search" data-filter="${id}" placeholder="syscall, process or category"></label></p>
<table id="${id}"><thead><tr><th>syscall</th>${arches.map((a) => `<th>calls (${a})</th>`).join('')}<th>made by</th><th>allowed by</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function unseenSection(side: SideReport, suffix: string): string {
  const title = side.observed === null ? 'Granted, by risk' : 'Granted, never seen, by risk';
  if (side.permissiveDefault) return `<section><h2>${title}${suffix}</h2><p class="denied">The default action (${esc(side.defaultAction)}) lets every unlisted syscall through.</p></section>`;
  if (side.unseen.length === 0) return `<section><h2>${title}${suffix}</h2><p>Nothing: every granted syscall was observed.</p></section>`;
  const groups = side.unseen.map((g) => {
    const open = BANDS.indexOf(g.level) <= BANDS.indexOf('high') ? ' open' : '';
    const items = g.syscalls.map((s) => `<tr><td class="mono">${esc(s.name)}</td><td>${esc(s.reason)}</td></tr>`).join('\n');
    return `<details${open}><summary>${badge(g.level)} ${g.syscalls.length} syscall${g.syscalls.length === 1 ? '' : 's'}</summary><table><tbody>
${items}
</tbody></table></details>`;
  }).join('\n');
  return `<section><h2>${title}${suffix}</h2>${groups}</section>`;
}

function constraintsSection(side: SideReport, suffix: string): string {
  if (side.constraints.length === 0) return `<section><h2>Argument rules${suffix}</h2><p>No syscall is limited by its arguments.</p></section>`;
  const rows = side.constraints.map((c) => `<tr><td class="mono">${esc(c.syscall)}</td><td>allowed when ${esc(c.text)}</td></tr>`).join('\n');
  return `<section><h2>Argument rules${suffix}</h2><table><tbody>
${rows}
</tbody></table></section>`;
}
