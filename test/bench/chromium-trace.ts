/**
 * Where a page's main thread spends a window of time, from a Chromium performance trace (the
 * DevTools timeline categories plus V8's sampling profiler): used by console-ready.bench.ts to
 * break the time between the start-up answer and the ready mark into script, style, layout,
 * paint, garbage collection and idle, and to name the scripts the samples fall in.
 */
import type { CDPSession } from 'playwright-core';

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: string;
  id2?: { local?: string };
  args?: {
    name?: string;
    data?: {
      url?: string;
      requestId?: string;
      cpuProfile?: {
        nodes?: {
          id: number;
          callFrame: {
            functionName: string;
            url: string;
            lineNumber?: number;
            columnNumber?: number;
          };
        }[];
        samples?: number[];
      };
      timeDeltas?: number[];
    };
  };
}

export const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
  'v8.execute',
  'v8',
  'loading',
  'disabled-by-default-v8.cpu_profiler',
].join(',');

export async function startTrace(session: CDPSession): Promise<() => Promise<TraceEvent[]>> {
  const events: TraceEvent[] = [];
  session.on('Tracing.dataCollected', (data) => {
    events.push(...(data.value as unknown as TraceEvent[]));
  });
  await session.send('Tracing.start', {
    categories: TRACE_CATEGORIES,
    transferMode: 'ReportEvents',
  });
  return async () => {
    const complete = new Promise<void>((done) =>
      session.once('Tracing.tracingComplete', () => done()),
    );
    await session.send('Tracing.end');
    await complete;
    return events;
  };
}

/** What the main thread did between two trace times (µs), in milliseconds of self time. */
export interface WindowCosts {
  windowMs: number;
  byCategory: [string, number][];
  byEvent: [string, number][];
  scripts: [string, number][];
  /** Sampled self time by function: "name file:line:column" (minified names as they are). */
  functions: [string, number][];
}

const CATEGORY_OF: Record<string, string> = {
  FunctionCall: 'script run',
  // Promise callbacks: the console's first render runs in one (start.tsx awaits the answer).
  RunMicrotasks: 'script run',
  'V8.BytecodeBudgetInterrupt': 'script run',
  'V8.BytecodeBudgetInterruptWithStackCheck': 'script run',
  'V8.HandleInterrupts': 'script run',
  'V8.StackGuard': 'script run',
  EvaluateScript: 'script run',
  'v8.evaluateModule': 'script run',
  'v8.run': 'script run',
  TimerFire: 'script run',
  FireAnimationFrame: 'script run',
  EventDispatch: 'script run',
  'V8.Execute': 'script run',
  'v8.callFunction': 'script run',
  'v8.compile': 'script compile',
  'v8.compileModule': 'script compile',
  'V8.CompileCode': 'script compile',
  'v8.produceModuleCache': 'script compile',
  'v8.produceCache': 'script compile',
  'v8.deserializeOnBackground': 'script compile',
  'V8.CompileLazy': 'script compile',
  'v8.parseOnBackground': 'script compile',
  UpdateLayoutTree: 'style',
  ParseAuthorStyleSheet: 'style',
  'Document::updateStyleAndLayoutTree': 'style',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  Layerize: 'paint',
  UpdateLayer: 'paint',
  Commit: 'paint',
  MinorGC: 'garbage collection',
  MajorGC: 'garbage collection',
  'V8.GC_SCAVENGER': 'garbage collection',
  'BlinkGC.AtomicPhase': 'garbage collection',
  ParseHTML: 'HTML parse',
  ResourceReceivedData: 'loading',
  ResourceReceiveResponse: 'loading',
  ResourceFinish: 'loading',
};

/** The renderer process and main thread whose trace has `mark`, and the mark's time (µs). */
export function findMark(
  events: TraceEvent[],
  mark: string,
): { pid: number; tid: number; ts: number } | null {
  const hit = events.find((event) => event.name === mark && event.cat.includes('user_timing'));
  if (!hit) return null;
  const main = events.find(
    (event) =>
      event.ph === 'M' &&
      event.name === 'thread_name' &&
      event.pid === hit.pid &&
      event.args?.name === 'CrRendererMain',
  );
  return { pid: hit.pid, tid: main?.tid ?? hit.tid, ts: hit.ts };
}

/** When the request whose URL contains `part` finished (µs), as the network layer saw it. */
export function requestFinished(events: TraceEvent[], part: string): number | null {
  const sent = events.find(
    (event) => event.name === 'ResourceSendRequest' && event.args?.data?.url?.includes(part),
  );
  const requestId = sent?.args?.data?.requestId;
  if (!requestId) return null;
  const finish = events.find(
    (event) => event.name === 'ResourceFinish' && event.args?.data?.requestId === requestId,
  );
  return finish?.ts ?? null;
}

export function windowCosts(
  events: TraceEvent[],
  thread: { pid: number; tid: number },
  from: number,
  to: number,
): WindowCosts {
  // Complete events on the main thread, clipped to the window; self time = own minus children.
  const spans = events
    .filter(
      (event) =>
        event.pid === thread.pid &&
        event.tid === thread.tid &&
        event.ph === 'X' &&
        event.dur !== undefined &&
        event.ts < to &&
        event.ts + event.dur > from,
    )
    .map((event) => ({
      name: event.name,
      start: Math.max(event.ts, from),
      end: Math.min(event.ts + event.dur!, to),
    }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const self = new Map<string, number>();
  const stack: { name: string; end: number; child: number; dur: number }[] = [];
  const pop = (): void => {
    const done = stack.pop()!;
    self.set(done.name, (self.get(done.name) ?? 0) + done.dur - done.child);
  };
  let busy = 0;
  for (const span of spans) {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= span.start) pop();
    const parent = stack[stack.length - 1];
    const dur = span.end - span.start;
    if (parent) parent.child += Math.min(dur, parent.end - span.start);
    else busy += dur;
    stack.push({
      name: span.name,
      end: parent ? Math.min(span.end, parent.end) : span.end,
      child: 0,
      dur: parent ? Math.min(dur, parent.end - span.start) : dur,
    });
  }
  while (stack.length > 0) pop();
  const byCategoryMap = new Map<string, number>();
  for (const [name, micros] of self) {
    const category =
      CATEGORY_OF[name] ??
      (name === 'RunTask' || name === 'ThreadControllerImpl::RunTask'
        ? 'other task work'
        : `other (${name})`);
    byCategoryMap.set(category, (byCategoryMap.get(category) ?? 0) + micros);
  }
  byCategoryMap.set('idle (main thread not busy)', to - from - busy);
  const ms = (entries: Iterable<[string, number]>): [string, number][] =>
    [...entries]
      .map(([key, micros]): [string, number] => [key, micros / 1000])
      .sort((a, b) => b[1] - a[1]);

  // The sampling profiler: which script's code the samples in the window fall in.
  const scripts = new Map<string, number>();
  const functions = new Map<string, number>();
  const nodes = new Map<
    string,
    { functionName: string; url: string; lineNumber?: number; columnNumber?: number }
  >();
  const profileStart = new Map<string, number>();
  const lastTime = new Map<string, number>();
  for (const event of events) {
    if (event.pid !== thread.pid) continue;
    const key = event.id ?? event.id2?.local ?? '0';
    if (event.name === 'Profile') {
      profileStart.set(
        key,
        (event.args?.data as { startTime?: number } | undefined)?.startTime ?? event.ts,
      );
      continue;
    }
    if (event.name !== 'ProfileChunk') continue;
    const data = event.args?.data;
    for (const node of data?.cpuProfile?.nodes ?? [])
      nodes.set(`${key}:${node.id}`, node.callFrame);
    let time = lastTime.get(key) ?? profileStart.get(key) ?? event.ts;
    const samples = data?.cpuProfile?.samples ?? [];
    const deltas = data?.timeDeltas ?? [];
    for (let index = 0; index < samples.length; index += 1) {
      const previous = time;
      time += deltas[index] ?? 0;
      if (time < from || time > to) continue;
      const frame = nodes.get(`${key}:${samples[index]}`);
      const where = frame
        ? frame.url
          ? `${frame.url.split('/').pop()}`
          : `(${frame.functionName || 'native'})`
        : '(unknown)';
      scripts.set(where, (scripts.get(where) ?? 0) + (time - previous));
      const name = frame
        ? `${frame.functionName || '(anonymous)'}${frame.url ? ` ${where}:${(frame.lineNumber ?? 0) + 1}:${(frame.columnNumber ?? 0) + 1}` : ''}`
        : '(unknown)';
      functions.set(name, (functions.get(name) ?? 0) + (time - previous));
    }
    lastTime.set(key, time);
  }
  return {
    windowMs: (to - from) / 1000,
    byCategory: ms(byCategoryMap),
    byEvent: ms(self).slice(0, 12),
    scripts: ms(scripts).slice(0, 8),
    functions: ms(functions).slice(0, 12),
  };
}
