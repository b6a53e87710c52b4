/** Timing, heap and scheduling helpers for the benchmark; nothing here knows about connectors. */
import { performance } from 'node:perf_hooks';
import { GCProfiler, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full, synchronous garbage collection. `--expose-gc` is not needed: the flag can be turned on
 * at run time, and a context created afterwards gets the `gc` global.
 */
export const forceGc: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** What one timed block of work cost the client. */
export interface Sample {
  /** Client CPU (user + system) in microseconds, for the whole block. */
  cpuMicros: number;
  /** The system part of cpuMicros: mostly the socket's syscalls. */
  systemMicros: number;
  wallMs: number;
}

/**
 * A full GC, then a short pause: V8 finishes sweeping on helper threads after a full GC, and that
 * CPU (counted by process.cpuUsage) belongs to the block before, not to the next one.
 */
async function settle(): Promise<void> {
  forceGc();
  await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * Runs `body` once and measures it. A full GC first, so that the garbage of whatever ran before
 * (another contender) is not collected on this block's time.
 */
export async function measure(body: () => Promise<void>): Promise<Sample> {
  await settle();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await body();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { cpuMicros: used.user + used.system, systemMicros: used.system, wallMs };
}

/** `n` calls of `op(i)`, one after the other. */
export async function sequentially(n: number, op: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) await op(i);
}

/**
 * Memory growth of a call whose result is held: right after it, and retained after a full GC.
 * The heap is V8's heapUsed; external is memory outside it that JS objects hold (the backing
 * stores of Buffers and typed arrays, such as the driver's response buffers).
 */
export interface HeapSample extends Sample {
  /** heapUsed after the call minus before (before any collection): what the call allocated. */
  grownBytes: number;
  /** heapUsed after a full GC with the result still referenced: what the result keeps. */
  retainedBytes: number;
  /** external after a full GC with the result still referenced, minus before. */
  retainedExternalBytes: number;
}

export async function measureHeap<T>(
  body: () => Promise<T>,
  check: (result: T) => void,
): Promise<HeapSample> {
  await settle();
  const before = process.memoryUsage();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await body();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const grownBytes = process.memoryUsage().heapUsed - before.heapUsed;
  forceGc();
  const after = process.memoryUsage();
  // the result is used after the second reading, so it is still live there
  check(result);
  return {
    cpuMicros: used.user + used.system,
    systemMicros: used.system,
    wallMs,
    grownBytes,
    retainedBytes: after.heapUsed - before.heapUsed,
    retainedExternalBytes: after.external - before.external,
  };
}

/** A sample with the heap's high-water mark during the block. */
export interface PeakSample extends Sample {
  /** The highest heapUsed seen (right before each GC, and at the end) minus heapUsed before. */
  peakBytes: number;
}

/**
 * Like `measure`, with the heap's high-water mark: V8's GC profiler reports the heap's size right
 * before every collection, which is where it peaks (a timer would miss a burst of synchronous
 * work, such as juggler building 10,000 instances from one batch).
 */
export async function measurePeak(body: () => Promise<void>): Promise<PeakSample> {
  await settle();
  const before = process.memoryUsage().heapUsed;
  const profiler = new GCProfiler();
  profiler.start();
  let stats: ReturnType<GCProfiler['stop']>;
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    await body();
  } finally {
    stats = profiler.stop();
  }
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  let peak = process.memoryUsage().heapUsed;
  for (const gc of stats?.statistics ?? []) {
    peak = Math.max(peak, gc.beforeGC.heapStatistics.usedHeapSize);
  }
  return {
    cpuMicros: used.user + used.system,
    systemMicros: used.system,
    wallMs,
    peakBytes: peak - before,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The contender order of each round. Rounds come in pairs: a rotation of the list, then the same
 * rotation reversed, so within every pair each two contenders swap their relative order and each
 * contender moves to the mirrored slot. Over 2 x (number of contenders) rounds every contender
 * sits in every slot twice.
 */
export function roundOrders<T>(items: readonly T[], rounds: number): T[][] {
  const orders: T[][] = [];
  for (let r = 0; r < rounds; r++) {
    const shift = (r >> 1) % items.length;
    const rotated = [...items.slice(shift), ...items.slice(0, shift)];
    orders.push(r % 2 ? rotated.reverse() : rotated);
  }
  return orders;
}

/**
 * The ratio a/b from per-round values: each swapped pair of rounds is averaged first (that
 * cancels the slot), then the ratio of each pair is taken (that cancels the machine's load
 * drifting between pairs), and the median of those ratios is the answer.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const ratios: number[] = [];
  for (let p = 0; p + 1 < a.length && p + 1 < b.length; p += 2) {
    ratios.push((a[p] + a[p + 1]) / (b[p] + b[p + 1]));
  }
  if (ratios.length === 0 && a.length && b.length) ratios.push(a[0] / b[0]);
  return median(ratios);
}
