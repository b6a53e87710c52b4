/** Turns the samples into ratios against the targets: a table on stdout and benchmarks/RESULTS.md. */
import { writeFileSync } from 'node:fs';
import { CONTENDER_LABELS, type ContenderKey } from './contenders';
import { median, pairedRatio, type HeapSample, type Sample } from './measure';

export const OPS = [
  'create',
  'findById',
  'find',
  'updateOrCreate',
  'count',
  'updateAll',
  'destroyById',
] as const;
export type OpName = (typeof OPS)[number];

export const OP_LABELS: Record<OpName, string> = {
  create: 'create',
  findById: 'findById',
  find: 'find where+order+limit 10 (of 1,000)',
  updateOrCreate: 'updateOrCreate (existing id)',
  count: 'count with where',
  updateAll: 'updateAll with where',
  destroyById: 'destroyById',
};

/** Every sample of one contender, round by round. */
export interface ContenderSamples {
  name: string;
  kind: ContenderKey;
  ops: Record<OpName, Sample[]>;
  createAll: Sample[];
  findMany: HeapSample[];
}

export interface RunFacts {
  date: string;
  node: string;
  machine: string;
  server: string;
  versions: Record<string, string>;
  n: number;
  rounds: number;
  bulk: number;
  bulkRounds: number;
  stubN: number;
  durationS: number;
  loadBefore: string;
  loadAfter: string;
  /** Markdown appended as it is: the reading of the CPU profiles. */
  analysis: string;
}

/** One comparison with its target: `a` costs `ratio` times what `b` costs (lower is better). */
interface Check {
  what: string;
  metric: string;
  a: string;
  b: string;
  ratio: number;
  target: number;
}

const CPU = (s: Sample, n: number) => s.cpuMicros / n;
const WALL = (s: Sample, n: number) => (s.wallMs * 1000) / n;

export function buildReport(
  facts: RunFacts,
  all: ContenderSamples[],
  layers: ContenderSamples[] = [],
  /** The reads-at-scale section (scaling.ts), already rendered. */
  scaling: string[] = [],
): string {
  const byKind = (kind: ContenderKey) => all.find((c) => c.kind === kind);
  const ours = byKind('ours');
  const direct = byKind('direct');
  const ref = byKind('reference');
  const raw = byKind('raw');
  const checks: Check[] = [];
  const lines: string[] = [];
  const n = facts.n;

  lines.push('# Benchmark results', '');
  lines.push(
    `Written by \`npm run bench\` (benchmarks/run.ts) on ${facts.date}; ` +
      `the run took ${facts.durationS.toFixed(0)} s.`,
    '',
  );
  lines.push('| fact | value |', '| --- | --- |');
  lines.push(`| Node | ${facts.node} |`);
  lines.push(`| machine | ${facts.machine} |`);
  lines.push(`| server | ${facts.server} |`);
  for (const [name, version] of Object.entries(facts.versions)) {
    lines.push(`| ${name} | ${version} |`);
  }
  lines.push(
    `| single-document ops | ${n} calls per op per contender per round, ${facts.rounds} rounds |`,
  );
  lines.push(
    `| bulk | ${facts.bulk} documents, ${facts.bulkRounds} rounds (the reference: ${Math.min(2, facts.bulkRounds)}) |`,
  );
  if (layers.length) {
    lines.push(
      `| driver stubbed | ${facts.stubN} calls per op per contender per round, ${facts.rounds} rounds |`,
    );
  }
  lines.push(
    `| load average (1, 5, 15 min) | before ${facts.loadBefore}; after ${facts.loadAfter} |`,
  );
  lines.push('');
  lines.push(
    'All contenders ran in one process against one server, each on its own database. Each round',
    'runs every op for every contender, op by op; the contender order rotates from round to round',
    'and every other round is the previous order reversed, so each pair of rounds measures every',
    'comparison twice with the slots swapped. A full GC precedes every timed block. CPU is the',
    "client process's user + system time (`process.cpuUsage`); the server is another process.",
    'Figures are medians over rounds. A ratio is the median, over pairs of swapped rounds, of',
    '(sum of the pair for A) / (sum of the pair for B): it cancels the slot and the load of the',
    'machine drifting between pairs, so it can differ a little from the ratio of the medians shown.',
    '',
  );

  // ---- single-document ops ----
  lines.push('## Single-document ops', '');
  lines.push(
    'Client CPU in microseconds per op (in brackets the part of it spent in the kernel, mostly',
    'socket syscalls), and wall ops/s; medians over rounds.',
    '',
  );
  const header = all.map((c) => `${CONTENDER_LABELS[c.kind]}${suffix(all, c)}`);
  lines.push(
    `| op | ${header.map((h) => `${h} CPU µs`).join(' | ')} | ${header.map((h) => `${h} ops/s`).join(' | ')} |`,
  );
  lines.push(`| --- |${' ---: |'.repeat(all.length * 2)}`);
  for (const op of OPS) {
    const cpu = all.map((c) => {
      const total = median(c.ops[op].map((s) => CPU(s, n)));
      const system = median(c.ops[op].map((s) => s.systemMicros / n));
      return `${total.toFixed(0)} (${system.toFixed(0)})`;
    });
    const ops = all.map((c) => median(c.ops[op].map((s) => (n * 1000) / s.wallMs)).toFixed(0));
    lines.push(`| ${OP_LABELS[op]} | ${cpu.join(' | ')} | ${ops.join(' | ')} |`);
  }
  lines.push('');

  for (const op of OPS) {
    for (const [metric, per] of [
      ['CPU', CPU],
      ['wall', WALL],
    ] as const) {
      const values = (c: ContenderSamples | undefined) => c?.ops[op].map((s) => per(s, n)) ?? [];
      if (ours && raw) checks.push(check(OP_LABELS[op], metric, ours, raw, values, 1.3));
      if (ours && ref) checks.push(check(OP_LABELS[op], metric, ours, ref, values, 0.8));
      if (direct && raw) checks.push(check(OP_LABELS[op], metric, direct, raw, values, 1.1));
      // the control (BENCH_CONTROL=1): ours against a second copy of itself should read 1.00
      const twin = all.find((c) => c.kind === 'ours' && c !== ours);
      if (ours && twin) checks.push(check(OP_LABELS[op], metric, twin, ours, values, NaN));
      // BENCH_DRIVER5=1: what the driver version alone makes of the same op
      const raw5 = all.find((c) => c.kind === 'raw5');
      if (raw && raw5) checks.push(check(OP_LABELS[op], metric, raw, raw5, values, NaN));
    }
  }

  // ---- bulk ----
  lines.push('## Bulk', '');
  lines.push(
    `createAll of ${facts.bulk} documents (the driver: one insertMany; the reference through`,
    `juggler: ${facts.bulk} single inserts, since it does not declare multiInsertSupported), then a`,
    `find returning those ${facts.bulk} documents. Heap growth: heapUsed right after the find minus`,
    'before it (a full GC first); retained: the same after another full GC with the result still',
    "held; external: the retained growth of memory outside V8's heap (Buffer and typed-array",
    'backing stores). Medians over rounds.',
    '',
  );
  lines.push(
    '| contender | createAll wall ms | createAll CPU ms | find wall ms | find CPU ms | find heap growth MB | find retained MB | find retained external MB |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of all) {
    const cells = [
      median(c.createAll.map((s) => s.wallMs)).toFixed(0),
      median(c.createAll.map((s) => s.cpuMicros / 1000)).toFixed(0),
      median(c.findMany.map((s) => s.wallMs)).toFixed(0),
      median(c.findMany.map((s) => s.cpuMicros / 1000)).toFixed(0),
      median(c.findMany.map((s) => s.grownBytes / 2 ** 20)).toFixed(1),
      median(c.findMany.map((s) => s.retainedBytes / 2 ** 20)).toFixed(1),
      median(c.findMany.map((s) => s.retainedExternalBytes / 2 ** 20)).toFixed(1),
    ];
    lines.push(`| ${CONTENDER_LABELS[c.kind]}${suffix(all, c)} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  const bulkChecks = (c: ContenderSamples | undefined) => {
    if (!c || !raw) return;
    const createWall = (x: ContenderSamples | undefined) => x?.createAll.map((s) => s.wallMs) ?? [];
    const findWall = (x: ContenderSamples | undefined) => x?.findMany.map((s) => s.wallMs) ?? [];
    const grown = (x: ContenderSamples | undefined) => x?.findMany.map((s) => s.grownBytes) ?? [];
    const kept = (x: ContenderSamples | undefined) => x?.findMany.map((s) => s.retainedBytes) ?? [];
    const what = `find ${facts.bulk} docs`;
    checks.push(check(`createAll ${facts.bulk} docs`, 'wall', c, raw, createWall, 1.5));
    checks.push(check(what, 'wall', c, raw, findWall, 1.3));
    checks.push(check(what, 'heap growth', c, raw, grown, 1.3));
    checks.push(check(what, 'heap retained', c, raw, kept, 1.3));
  };
  bulkChecks(ours);
  bulkChecks(direct);
  if (ref && ours) {
    const wall = (x: ContenderSamples | undefined) => x?.createAll.map((s) => s.wallMs) ?? [];
    const findWall = (x: ContenderSamples | undefined) => x?.findMany.map((s) => s.wallMs) ?? [];
    const kept = (x: ContenderSamples | undefined) => x?.findMany.map((s) => s.retainedBytes) ?? [];
    checks.push(check(`createAll ${facts.bulk} docs`, 'wall', ours, ref, wall, NaN));
    checks.push(check(`find ${facts.bulk} docs`, 'wall', ours, ref, findWall, NaN));
    checks.push(check(`find ${facts.bulk} docs`, 'heap retained', ours, ref, kept, NaN));
  }

  // ---- ratios ----
  lines.push('## Ratios against the targets', '');
  lines.push(
    'A / B per cell, lower is better; for wall, the ratio is of time per op (the inverse of',
    'ops/s). The target is in the column header; **bold**: missed. Columns without a target, and',
    'in the bulk table the row against the reference, are for information.',
    '',
  );
  const bulkNames = new Set([`createAll ${facts.bulk} docs`, `find ${facts.bulk} docs`]);
  const pair = (c: Check) => `${c.a} / ${c.b}`;
  lines.push(
    ...pivot(
      checks.filter((c) => !bulkNames.has(c.what)),
      'op',
      (c) => c.what,
      (c) => `${pair(c)} ${c.metric}`,
    ),
  );
  lines.push(
    ...pivot(
      checks.filter((c) => bulkNames.has(c.what)),
      `${facts.bulk} documents`,
      pair,
      (c) => `${c.what.split(' ')[0]} ${c.metric}`,
    ),
  );
  lines.push(...scaling);
  if (layers.length) lines.push(...layerSection(layers, facts.stubN));
  if (facts.analysis) lines.push(facts.analysis.trimEnd(), '');
  return lines.join('\n');
}

/**
 * The same single-document ops with the driver replaced by an in-memory stub: what juggler and
 * each connector cost by themselves, in client CPU per op.
 */
function layerSection(layers: ContenderSamples[], n: number): string[] {
  const find = (kind: ContenderKey) => layers.find((c) => c.kind === kind);
  const cols: [string, ContenderSamples | undefined][] = [
    ['ours via juggler', find('ours')],
    ['ours, connector only', find('direct')],
    ['reference via juggler', find('reference')],
    ['reference, connector only', find('referenceDirect')],
  ];
  const cpu = (c: ContenderSamples | undefined, op: OpName) =>
    c ? median(c.ops[op].map((s) => s.cpuMicros / n)) : NaN;
  const lines = [
    '## The client-side layers alone (driver stubbed)',
    '',
    "The same ops with each connector's driver collection replaced by an in-memory stub that",
    'answers at once (benchmarks/stub.ts): no driver, socket or server, so what is left is the',
    'CPU of juggler and of the connector themselves, with far less noise than the figures above.',
    'Client CPU µs per op, medians over rounds; "juggler" is ours via juggler minus ours alone.',
    '',
    `| op | ${cols.map(([label]) => label).join(' | ')} | juggler | ours / reference via juggler | ours / reference, connector only |`,
    `| --- |${' ---: |'.repeat(cols.length + 3)}`,
  ];
  for (const op of OPS) {
    const values = cols.map(([, c]) => cpu(c, op));
    const ratio = (a: ContenderSamples | undefined, b: ContenderSamples | undefined) =>
      a && b
        ? pairedRatio(
            a.ops[op].map((s) => s.cpuMicros),
            b.ops[op].map((s) => s.cpuMicros),
          )
        : NaN;
    lines.push(
      `| ${OP_LABELS[op]} | ${values.map((v) => v.toFixed(1)).join(' | ')} | ` +
        `${(values[0] - values[1]).toFixed(1)} | ${ratio(cols[0][1], cols[2][1]).toFixed(2)} | ` +
        `${ratio(cols[1][1], cols[3][1]).toFixed(2)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** Checks as a table: a row and a column per distinct key; a column's target in its heading. */
function pivot(
  checks: Check[],
  rowLabel: string,
  rowOf: (c: Check) => string,
  columnOf: (c: Check) => string,
): string[] {
  if (!checks.length) return [];
  const columns = [...new Set(checks.map(columnOf))];
  const rows = [...new Set(checks.map(rowOf))];
  const heading = (column: string) => {
    const targets = new Set(
      checks.filter((c) => columnOf(c) === column && !Number.isNaN(c.target)).map((c) => c.target),
    );
    return targets.size ? `${column} ≤ ${[...targets].join(' / ')}` : column;
  };
  const lines = [
    `| ${rowLabel} | ${columns.map(heading).join(' | ')} |`,
    `| --- |${' ---: |'.repeat(columns.length)}`,
  ];
  for (const row of rows) {
    const cells = columns.map((column) => {
      const c = checks.find((x) => rowOf(x) === row && columnOf(x) === column);
      if (!c) return '';
      if (Number.isNaN(c.target) || c.ratio <= c.target) return c.ratio.toFixed(2);
      // a miss that rounds to the target shows the digit that makes it one
      let digits = 2;
      while (digits < 5 && c.ratio.toFixed(digits) === c.target.toFixed(digits)) digits++;
      return `**${c.ratio.toFixed(digits)}**`;
    });
    lines.push(`| ${row} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

function suffix(all: ContenderSamples[], c: ContenderSamples): string {
  return all.filter((x) => x.kind === c.kind).length > 1 ? ` (${c.name})` : '';
}

function check(
  what: string,
  metric: string,
  a: ContenderSamples,
  b: ContenderSamples,
  values: (c: ContenderSamples) => number[],
  target: number,
): Check {
  return {
    what,
    metric,
    a: short(a),
    b: short(b),
    ratio: pairedRatio(values(a), values(b)),
    target,
  };
}

function short(c: ContenderSamples): string {
  return c.kind === 'ours' ? c.name : c.kind;
}

/** The ratio table alone, for the console. */
export function ratioTable(report: string): string {
  const start = report.indexOf('## Ratios against the targets');
  const end = report.indexOf('\n## ', start + 1);
  return report.slice(start, end < 0 ? undefined : end);
}

export function writeReport(path: string, report: string): void {
  writeFileSync(path, report.endsWith('\n') ? report : report + '\n');
}
