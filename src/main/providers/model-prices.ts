/**
 * Prices an admin entered for a model (table `model_prices`, migration 0258): read, set and
 * cleared here, for the Models screen (IPC), the CLI and the registry, which applies them to
 * every estimate (see shared/providers/model-price.ts for the entry and the override policy).
 *
 * Rows are read afresh on each use (a handful of rows, one indexed read), so a price set from
 * the CLI reaches a console that is already open at its next plan; an open console also notices
 * the change within seconds and tells its windows (ModelPriceService.followOtherProcesses), so
 * the Models screen shows it without a reload.
 */
import { ValidationError } from '../../shared/errors';
import type {
  EndedModelPrice,
  ModelPriceEntry,
  StoredModelPrice,
} from '../../shared/providers/model-price';
import { modelPriceEntrySchema } from '../../shared/providers/model-price-schema';
import type { ModelInfo, ModelRef } from '../../shared/providers/video-provider-spec';
import { zodIssues } from '../../shared/validation';
import type { ReadableDb, WritableDb } from '../store/db';

interface Row {
  provider: string;
  model_id: string;
  unit: 'second' | 'clip';
  usd: number;
  resolution_prices: string;
  audio_usd_per_second: number | null;
  entered_by: string;
  entered_at: number;
}

function fromRow(row: Row): StoredModelPrice {
  const resolutionPrices = JSON.parse(row.resolution_prices) as Record<string, number>;
  return {
    provider: row.provider,
    modelId: row.model_id,
    unit: row.unit,
    usd: row.usd,
    ...(Object.keys(resolutionPrices).length > 0 ? { resolutionPrices } : {}),
    ...(row.audio_usd_per_second === null ? {} : { audioUsdPerSecond: row.audio_usd_per_second }),
    enteredBy: row.entered_by,
    enteredAt: row.entered_at,
  };
}

/** Every entered price, keyed `provider:modelId`. */
export function listModelPrices(db: ReadableDb): Map<string, StoredModelPrice> {
  const rows = db.prepare('SELECT * FROM model_prices ORDER BY provider, model_id').all() as Row[];
  return new Map(rows.map((row) => [`${row.provider}:${row.model_id}`, fromRow(row)]));
}

/**
 * Checks an entry against the model it prices: the amounts (positive, finite, under a sane
 * ceiling), a per-resolution amount only for a resolution the model offers, an audio extra
 * only for a model that makes audio. Throws a ValidationError naming each bad field.
 */
export function checkModelPriceEntry(
  subject: string,
  model: Pick<ModelInfo, 'capabilities' | 'simulated'>,
  input: unknown,
): ModelPriceEntry {
  const parsed = modelPriceEntrySchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(subject, zodIssues(parsed.error));
  const entry = parsed.data;
  const issues: { path: string; message: string }[] = [];
  if (model.simulated)
    issues.push({
      path: 'model',
      message: 'the sandbox is simulated and costs nothing; it takes no price',
    });
  for (const resolution of Object.keys(entry.resolutionPrices ?? {}))
    if (!model.capabilities.resolutions.includes(resolution))
      issues.push({
        path: `resolutionPrices.${resolution}`,
        message: `this model does not offer ${resolution}; it offers ${model.capabilities.resolutions.join(', ') || 'no listed resolution'}`,
      });
  if (entry.audioUsdPerSecond !== undefined && !model.capabilities.audio)
    issues.push({ path: 'audioUsdPerSecond', message: 'this model does not generate audio' });
  if (issues.length > 0) throw new ValidationError(subject, issues);
  return entry;
}

/** Moves the model's entered price, if any, to its history (in the caller's transaction). */
function endModelPrice(
  db: WritableDb,
  ref: ModelRef,
  endedBy: string,
  endedAt: number,
  endedHow: EndedModelPrice['endedHow'],
): void {
  db.prepare(
    `INSERT INTO model_price_history (provider, model_id, unit, usd, resolution_prices, audio_usd_per_second, entered_by, entered_at, ended_by, ended_at, ended_how)
     SELECT provider, model_id, unit, usd, resolution_prices, audio_usd_per_second, entered_by, entered_at, ?, ?, ?
     FROM model_prices WHERE provider = ? AND model_id = ?`,
  ).run(endedBy, endedAt, endedHow, ref.provider, ref.modelId);
}

/**
 * Saves (or replaces) the model's entered price; returns it as stored. A replaced entry goes to
 * the model's price history, in the same transaction.
 */
export function setModelPrice(
  db: WritableDb,
  ref: ModelRef,
  entry: ModelPriceEntry,
  enteredBy: string,
  enteredAt: number,
): StoredModelPrice {
  db.transaction(() => {
    endModelPrice(db, ref, enteredBy, enteredAt, 'replaced');
    writeModelPrice(db, ref, entry, enteredBy, enteredAt);
  })();
  return {
    provider: ref.provider,
    modelId: ref.modelId,
    ...entry,
    enteredBy,
    enteredAt,
  };
}

function writeModelPrice(
  db: WritableDb,
  ref: ModelRef,
  entry: ModelPriceEntry,
  enteredBy: string,
  enteredAt: number,
): void {
  db.prepare(
    `INSERT INTO model_prices (provider, model_id, unit, usd, resolution_prices, audio_usd_per_second, entered_by, entered_at)
     VALUES (@provider, @modelId, @unit, @usd, @resolutionPrices, @audio, @enteredBy, @enteredAt)
     ON CONFLICT (provider, model_id) DO UPDATE SET unit = excluded.unit, usd = excluded.usd,
       resolution_prices = excluded.resolution_prices, audio_usd_per_second = excluded.audio_usd_per_second,
       entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
  ).run({
    provider: ref.provider,
    modelId: ref.modelId,
    unit: entry.unit,
    usd: entry.usd,
    resolutionPrices: JSON.stringify(entry.resolutionPrices ?? {}),
    audio: entry.audioUsdPerSecond ?? null,
    enteredBy,
    enteredAt,
  });
}

/**
 * Deletes the model's entered price (to its history, who cleared it and when); false when it
 * had none.
 */
export function clearModelPrice(
  db: WritableDb,
  ref: ModelRef,
  clearedBy: string,
  clearedAt: number,
): boolean {
  return db.transaction(() => {
    endModelPrice(db, ref, clearedBy, clearedAt, 'cleared');
    return (
      db
        .prepare('DELETE FROM model_prices WHERE provider = ? AND model_id = ?')
        .run(ref.provider, ref.modelId).changes > 0
    );
  })();
}

interface HistoryRow extends Row {
  ended_by: string;
  ended_at: number;
  ended_how: EndedModelPrice['endedHow'];
}

/** The model's earlier entered prices, the most recently ended first (at most `limit`). */
export function modelPriceHistory(db: ReadableDb, ref: ModelRef, limit = 50): EndedModelPrice[] {
  const rows = db
    .prepare(
      'SELECT * FROM model_price_history WHERE provider = ? AND model_id = ? ORDER BY ended_at DESC, id DESC LIMIT ?',
    )
    .all(ref.provider, ref.modelId, limit) as HistoryRow[];
  return rows.map((row) => ({
    ...fromRow(row),
    endedBy: row.ended_by,
    endedAt: row.ended_at,
    endedHow: row.ended_how,
  }));
}

/** A stored price with the model it prices, as the IPC channel and the CLI show it. */
export interface ModelPriceView {
  provider: ModelRef['provider'];
  modelId: string;
  displayName: string | null;
  entry: StoredModelPrice;
}

export interface ModelPriceServiceDeps {
  db: WritableDb;
  /** Finds the model (with or without a key); throws NoSuchModelError for an unknown one. */
  lookup: (ref: ModelRef) => ModelInfo;
  now: () => number;
  /** Who enters prices from this console (AIDEON_ACTOR, else the OS user). */
  actor: string;
  /** Told when the entered prices changed (here, or in another process on the same database). */
  changed?: (at: number) => void;
}

/** What the entered prices are now, compared to notice a change another process made. */
function pricesSignature(db: ReadableDb): string {
  return JSON.stringify(
    db
      .prepare(
        'SELECT provider, model_id, unit, usd, resolution_prices, audio_usd_per_second, entered_by, entered_at FROM model_prices ORDER BY provider, model_id',
      )
      .raw()
      .all(),
  );
}

/** Set, clear and list admin-entered prices: the one place the IPC channels and the CLI call. */
export class ModelPriceService {
  /** The prices last told about (followOtherProcesses), and the database's data_version then. */
  private seen: { signature: string; dataVersion: number } | undefined;

  constructor(private readonly deps: ModelPriceServiceDeps) {}

  private told(): void {
    if (this.seen) this.seen = this.snapshot();
    this.deps.changed?.(this.deps.now());
  }

  private snapshot(): { signature: string; dataVersion: number } {
    return {
      dataVersion: this.deps.db.pragma('data_version', { simple: true }) as number,
      signature: pricesSignature(this.deps.db),
    };
  }

  /**
   * For long-lived consoles (app, browser mode): every interval, notices prices another process
   * set or cleared (`aideon models price set`, another console) and tells `changed`, so open
   * windows show them. SQLite's data_version says whether any other connection committed since
   * the last look; only then are the few rows read and compared. Returns a stop function.
   */
  followOtherProcesses(intervalMs = 2000): () => void {
    this.seen = this.snapshot();
    const timer = setInterval(() => {
      if (!this.deps.db.open || !this.seen) return;
      try {
        const dataVersion = this.deps.db.pragma('data_version', { simple: true }) as number;
        if (dataVersion === this.seen.dataVersion) return;
        const signature = pricesSignature(this.deps.db);
        const differs = signature !== this.seen.signature;
        this.seen = { signature, dataVersion };
        if (differs) this.deps.changed?.(this.deps.now());
      } catch {
        // Read again at the next tick (a read never waits for another process's write lock).
      }
    }, intervalMs);
    timer.unref?.();
    return () => {
      clearInterval(timer);
      this.seen = undefined;
    };
  }

  /** Checks the entry against the model, stores it, and returns the model with its new price. */
  set(ref: ModelRef, input: unknown): ModelInfo {
    const model = this.deps.lookup(ref);
    const entry = checkModelPriceEntry(`price for ${ref.provider}:${ref.modelId}`, model, input);
    setModelPrice(this.deps.db, ref, entry, this.deps.actor, this.deps.now());
    this.told();
    return this.deps.lookup(ref);
  }

  /** Removes the entered price; the model's built-in price (or none) applies again. */
  clear(ref: ModelRef): { cleared: boolean; model: ModelInfo | null } {
    const cleared = clearModelPrice(this.deps.db, ref, this.deps.actor, this.deps.now());
    if (cleared) this.told();
    let model: ModelInfo | null = null;
    try {
      model = this.deps.lookup(ref);
    } catch {
      // A price stored for a model the adapter no longer knows can still be cleared.
    }
    return { cleared, model };
  }

  /** The model's earlier entered prices, the most recently ended first. */
  history(ref: ModelRef): EndedModelPrice[] {
    return modelPriceHistory(this.deps.db, ref);
  }

  list(): ModelPriceView[] {
    return [...listModelPrices(this.deps.db).values()].map((entry) => {
      let displayName: string | null = null;
      try {
        displayName = this.deps.lookup({
          provider: entry.provider as ModelRef['provider'],
          modelId: entry.modelId,
        }).displayName;
      } catch {
        // Unknown to this console's adapters now: listed by id.
      }
      return {
        provider: entry.provider as ModelRef['provider'],
        modelId: entry.modelId,
        displayName,
        entry,
      };
    });
  }
}
