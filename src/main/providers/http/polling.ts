/**
 * When to look at a vendor job again.
 *
 * Without history the schedule is adaptive: frequent at first, slower for long jobs, and never
 * sooner than the vendor's own hint (or, where the vendor asks for a minimum interval, never
 * faster than that). Once the model's typical duration is known (recent jobs of the same model),
 * the schedule is shaped by it: no look before the window in which such jobs end, then looks
 * 2.5× as often as the vendor's usual cadence inside the window (so completion is noticed within
 * 0.4 cadence, with no more requests than the vendor's cadence would spend over the whole job),
 * then backing off once the job is later than any recent one.
 */
export interface PollPolicy {
  /** First delay, ms. */
  initialMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Longest delay, ms. */
  maxMs: number;
  /** The vendor's minimum interval, ms; `undefined` = none. */
  minMs?: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = { initialMs: 500, factor: 1.5, maxMs: 10000 };

/** The adaptive delay before look number `attempt + 1` (no history). */
export function nextPollDelay(
  attempt: number,
  hintMs: number | undefined,
  policy: PollPolicy = DEFAULT_POLL_POLICY,
): number {
  const adaptive = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  const base = hintMs !== undefined ? Math.max(20, hintMs) : adaptive;
  return Math.max(base, policy.minMs ?? 0);
}

/** Submission → completion of recent jobs of one model, ms. */
export interface TypicalDuration {
  /** The earliest such jobs end (no job of the model ended sooner, recently). */
  lowMs: number;
  /** The latest they end. */
  highMs: number;
  /** How many jobs this is drawn from. */
  samples: number;
}

/** Samples needed before the typical duration shapes the schedule. */
export const MIN_DURATION_SAMPLES = 3;
/** How many recent jobs per model are remembered. */
export const DURATION_HISTORY = 30;
/** Inside the completion window, looks are this fraction of the vendor's cadence apart. */
export const WINDOW_CADENCE_FRACTION = 0.4;
/**
 * …and never more than this apart, ms: for a slow cadence (Gemini's documented 10 s) 0.4 of it
 * would leave half the SDK's lag with no margin; the narrow window keeps the calls under its count.
 */
export const MAX_WINDOW_STEP_MS = 3500;

export interface PollMoment {
  /** Looks made so far (0 before the first). */
  attempt: number;
  /** Time since the job was submitted, ms. */
  elapsedMs: number;
  /** The vendor's hint for the next look (a Retry-After-like field), ms. */
  hintMs?: number | undefined;
  /** The vendor's usual status cadence (its docs or SDK), ms; `undefined` = policy.maxMs / 4. */
  cadenceMs?: number | undefined;
  /** Recent jobs of the same model; `undefined` (or too few samples) = adaptive schedule. */
  typical?: TypicalDuration | undefined;
}

/** The delay before the next look, ms. */
export function pollDelay(moment: PollMoment, policy: PollPolicy = DEFAULT_POLL_POLICY): number {
  const floor = policy.minMs ?? 0;
  if (moment.hintMs !== undefined) return Math.max(20, moment.hintMs, floor);
  const typical = moment.typical;
  if (!typical || typical.samples < MIN_DURATION_SAMPLES)
    return nextPollDelay(moment.attempt, undefined, policy);
  const cadence = moment.cadenceMs ?? policy.maxMs / 4;
  // The spacing inside the window: a fraction of the cadence, within the policy's own bounds.
  const step = Math.max(
    floor,
    1,
    Math.min(policy.maxMs, MAX_WINDOW_STEP_MS, cadence * WINDOW_CADENCE_FRACTION),
  );
  const { elapsedMs } = moment;
  const windowStart = typical.lowMs + step;
  if (elapsedMs < windowStart - 1) {
    // Before the window: one look when it opens, but never blind for more than 6 × maxMs.
    return Math.max(floor, Math.min(windowStart - elapsedMs, policy.maxMs * 6));
  }
  const late = elapsedMs - typical.highMs - step;
  if (late <= 0) return step;
  // Later than every recent job: back off in proportion to how late it is, up to maxMs.
  return Math.max(floor, Math.min(policy.maxMs, step + late / 4));
}

/**
 * The typical duration from recent samples. Each sample is the interval in which that job ended
 * (its last pending look, and the look that saw it done), so the window (the earliest start to
 * the latest end of those intervals) covers the truth even for a job noticed late. Only the
 * narrowest intervals are used (up to 1.25 × the MIN_DURATION_SAMPLES-th narrowest width), so
 * jobs followed with the backoff, before any history, drop out once the shaped schedule has
 * produced tighter ones, and the window tightens as it is used.
 */
export function typicalDuration(
  samples: ReadonlyArray<{ endedAfterMs: number; endedByMs: number }>,
): TypicalDuration | undefined {
  if (samples.length === 0) return undefined;
  const widths = samples
    .map((sample) => sample.endedByMs - Math.max(0, sample.endedAfterMs))
    .sort((a, b) => a - b);
  const limit = 1.25 * widths[Math.min(widths.length, MIN_DURATION_SAMPLES) - 1]!;
  const used = samples.filter(
    (sample) => sample.endedByMs - Math.max(0, sample.endedAfterMs) <= limit,
  );
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const sample of used) {
    low = Math.min(low, Math.max(0, sample.endedAfterMs));
    high = Math.max(high, sample.endedByMs);
  }
  return { lowMs: low, highMs: Math.max(low, high), samples: used.length };
}

interface DurationSample {
  endedAfterMs: number;
  endedByMs: number;
  /** From the database (submission → seen, no interval): used only until real samples exist. */
  seeded: boolean;
}

/**
 * Recent durations per model (bounded), for the poll schedule. Samples seeded from the database
 * carry no interval (zero width), so they would always be "the narrowest"; they count only until
 * MIN_DURATION_SAMPLES real samples (intervals observed here) exist, then the real ones decide.
 */
export class DurationHistory {
  private readonly byModel = new Map<string, DurationSample[]>();

  constructor(private readonly limit = DURATION_HISTORY) {}

  has(model: string): boolean {
    return this.byModel.has(model);
  }

  /** Records that a job of `model` ended between `endedAfterMs` and `endedByMs` after submission. */
  record(model: string, endedAfterMs: number, endedByMs: number): void {
    this.push(model, { endedAfterMs: Math.min(endedAfterMs, endedByMs), endedByMs, seeded: false });
  }

  /** A duration known only as submission → seen (from the database), ms. */
  seed(model: string, elapsedMs: number): void {
    this.push(model, { endedAfterMs: elapsedMs, endedByMs: elapsedMs, seeded: true });
  }

  typical(model: string): TypicalDuration | undefined {
    const list = this.byModel.get(model);
    if (!list) return undefined;
    const real = list.filter((sample) => !sample.seeded);
    return typicalDuration(real.length >= MIN_DURATION_SAMPLES ? real : list);
  }

  private push(model: string, sample: DurationSample): void {
    let list = this.byModel.get(model);
    if (!list) {
      list = [];
      this.byModel.set(model, list);
    }
    list.push(sample);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
  }
}
