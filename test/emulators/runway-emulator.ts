/**
 * A local Runway API (provider-apis.md §2 and §7 "Runway"): POST /v1/text_to_video and
 * /v1/image_to_video → {id, estimatedCost}; GET /v1/tasks/{id}; DELETE /v1/tasks/{id} → 204.
 *
 * Requires `Authorization: Bearer key_<hex>` matching the configured key (401 otherwise) and the
 * `X-Runway-Version` header (400 otherwise). Per-model validation answers 400
 * `{"error":"Validation of body failed","issues":[…],"docUrl":…}`. Tasks go PENDING →
 * (THROTTLED while `maxConcurrent` tasks are running) → RUNNING (progress) → SUCCEEDED (output[],
 * cost; every GET signs the output links afresh, as Runway does) or FAILED (failure, failureCode). With queueMs/runMs at 0 every poll advances a step,
 * otherwise the clock decides. DELETE cancels an active task (later GET: CANCELLED) and deletes a
 * finished one (later GET: 404). Over `dailyCap` creates → 429 (Runway sends no rate-limit
 * headers). `outOfCredits` answers the credits error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  EmulatorBase,
  delay,
  resetConnection,
  sendJson,
  type EmulatorOptions,
  type Fault,
  sendHtml,
  jobFaultsOf,
  type JobFaults,
  sendGatewayTimeout,
} from './emulator-kit';

type TaskStatus = 'PENDING' | 'THROTTLED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

interface Task {
  id: string;
  model: string;
  createdAt: number;
  credits: number;
  faults: Set<Fault>;
  jobFaults: JobFaults;
  status: TaskStatus;
  /** Polls spent in the waiting phase / running phase (poll-driven mode). */
  waitPolls: number;
  runPolls: number;
  runningSince?: number;
  output?: string[];
  /** How often its output links were signed (one per GET once it succeeded). */
  signings: number;
  deleted?: boolean;
}

interface ModelRule {
  textRatios: string[];
  imageRatios: string[];
  durations: number[];
  durationRequired: boolean;
  creditsPerSecond: number;
  defaultDuration: number;
}

const GEN4_I2V = ['1280:720', '720:1280', '1104:832', '960:960', '832:1104', '1584:672'];
const VEO = ['1280:720', '720:1280', '1080:1920', '1920:1080'];

export const RUNWAY_EMULATOR_MODELS: Record<string, ModelRule> = {
  'gen4.5': {
    textRatios: ['1280:720', '720:1280'],
    imageRatios: GEN4_I2V,
    durations: [2, 3, 4, 5, 6, 7, 8, 9, 10],
    durationRequired: true,
    creditsPerSecond: 12,
    defaultDuration: 5,
  },
  gen4_turbo: {
    textRatios: [],
    imageRatios: GEN4_I2V,
    durations: [5, 10],
    durationRequired: false,
    creditsPerSecond: 5,
    defaultDuration: 5,
  },
  veo3: {
    textRatios: VEO,
    imageRatios: VEO,
    durations: [8],
    durationRequired: false,
    creditsPerSecond: 40,
    defaultDuration: 8,
  },
  'veo3.1': {
    textRatios: VEO,
    imageRatios: VEO,
    durations: [4, 6, 8],
    durationRequired: false,
    creditsPerSecond: 20,
    defaultDuration: 8,
  },
  'veo3.1_fast': {
    textRatios: VEO,
    imageRatios: VEO,
    durations: [4, 6, 8],
    durationRequired: false,
    creditsPerSecond: 10,
    defaultDuration: 8,
  },
};

const DOC_URL = 'https://docs.dev.runwayml.com/api';

interface Issue {
  code: string;
  path: string[];
  message: string;
}

export class RunwayEmulator extends EmulatorBase {
  /** Tasks running at once before new ones are THROTTLED. */
  maxConcurrent = 100;
  /** Creates allowed in the rolling day before 429. */
  dailyCap = Number.POSITIVE_INFINITY;
  outOfCredits = false;
  readonly tasks = new Map<string, Task>();
  private createdToday = 0;

  constructor(options: EmulatorOptions = {}) {
    super({ ...options, apiKey: options.apiKey ?? `key_${'0123456789abcdef'.repeat(8)}` });
  }

  override start(): Promise<string> {
    return super.start((request, response, url, body) => this.route(request, response, url, body));
  }

  private async route(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    body: unknown,
  ): Promise<void> {
    const auth = String(request.headers.authorization ?? '');
    const token = auth.replace(/^Bearer\s+/i, '');
    if (
      !/^Bearer\s+/i.test(auth) ||
      !/^key_[0-9a-f]{128}$/.test(token) ||
      token !== this.options.apiKey
    ) {
      return sendJson(response, 401, {
        error: 'Invalid API key. Make sure you are using a key from dev.runwayml.com.',
      });
    }
    if (!request.headers['x-runway-version']) {
      return sendJson(response, 400, {
        error: 'The X-Runway-Version header is required. Set it to 2024-11-06.',
      });
    }
    if (request.headers['x-runway-version'] !== '2024-11-06') {
      return sendJson(response, 400, {
        error: `Unsupported API version: ${String(request.headers['x-runway-version'])}`,
      });
    }
    if (
      request.method === 'POST' &&
      (url.pathname === '/v1/text_to_video' || url.pathname === '/v1/image_to_video')
    ) {
      return this.create(request, response, body, url.pathname === '/v1/image_to_video');
    }
    const match = /^\/v1\/tasks\/([^/]+)$/.exec(url.pathname);
    if (match?.[1]) {
      const id = decodeURIComponent(match[1]);
      if (request.method === 'GET') return this.retrieve(request, response, id);
      if (request.method === 'DELETE') return this.remove(response, id);
      return sendJson(response, 405, { error: 'Method not allowed' });
    }
    return sendJson(response, 404, { error: 'Not found' });
  }

  private validate(input: Record<string, unknown>, image: boolean): Issue[] {
    const issues: Issue[] = [];
    const model = typeof input.model === 'string' ? input.model : '';
    const rule = RUNWAY_EMULATOR_MODELS[model];
    if (!rule || (image ? rule.imageRatios : rule.textRatios).length === 0) {
      issues.push({
        code: 'invalid_union_discriminator',
        path: ['model'],
        message: `Invalid model '${model}' for ${image ? 'image' : 'text'}_to_video`,
      });
      return issues;
    }
    const promptText = input.promptText;
    if (!image && (typeof promptText !== 'string' || promptText.length === 0)) {
      issues.push({ code: 'invalid_type', path: ['promptText'], message: 'Required' });
    } else if (typeof promptText === 'string' && promptText.length > 1000) {
      issues.push({
        code: 'too_big',
        path: ['promptText'],
        message: 'String must contain at most 1000 character(s)',
      });
    }
    if (
      image &&
      (typeof input.promptImage !== 'string' ||
        !/^(https:\/\/|data:image\/)/.test(input.promptImage))
    ) {
      issues.push({
        code: 'invalid_string',
        path: ['promptImage'],
        message: 'Must be an HTTPS URL or a data URI',
      });
    }
    const ratios = image ? rule.imageRatios : rule.textRatios;
    if (typeof input.ratio !== 'string' || !ratios.includes(input.ratio)) {
      issues.push({
        code: 'invalid_enum_value',
        path: ['ratio'],
        message: `Invalid enum value. Expected ${ratios.map((ratio) => `'${ratio}'`).join(' | ')}, received '${String(input.ratio)}'`,
      });
    }
    if (input.duration === undefined) {
      if (rule.durationRequired)
        issues.push({ code: 'invalid_type', path: ['duration'], message: 'Required' });
    } else if (typeof input.duration !== 'number' || !rule.durations.includes(input.duration)) {
      issues.push({
        code: 'invalid_enum_value',
        path: ['duration'],
        message: `Invalid duration. Expected one of ${rule.durations.join(', ')}`,
      });
    }
    return issues;
  }

  private async create(
    request: IncomingMessage,
    response: ServerResponse,
    body: unknown,
    image: boolean,
  ): Promise<void> {
    const input = (body ?? {}) as Record<string, unknown>;
    const prompt = typeof input.promptText === 'string' ? input.promptText : '';
    const faults = this.takeFaults(prompt);
    if (faults.has('reset')) return resetConnection(request);
    if (faults.has('slow')) await delay(this.options.slowMs);
    if (faults.has('auth'))
      return sendJson(response, 401, {
        error: 'Invalid API key. Make sure you are using a key from dev.runwayml.com.',
      });
    if (faults.has('ratelimit') || this.createdToday >= this.dailyCap) {
      return sendJson(response, 429, {
        error:
          'You have exceeded the daily task limit for your tier. Try again later or upgrade your tier.',
      });
    }
    if (faults.has('5xx'))
      return sendJson(response, 503, { error: 'Service temporarily unavailable. Please retry.' });
    if (faults.has('credits'))
      return sendJson(response, 402, { error: 'You do not have enough credits to run this task.' });
    if (this.outOfCredits)
      return sendJson(response, 400, { error: 'You do not have enough credits to run this task.' });
    const issues = faults.has('invalid')
      ? [{ code: 'custom', path: ['promptText'], message: 'Invalid parameter promptText' }]
      : this.validate(input, image);
    if (issues.length > 0)
      return sendJson(response, 400, {
        error: 'Validation of body failed',
        issues,
        docUrl: DOC_URL,
      });
    const rule = RUNWAY_EMULATOR_MODELS[input.model as string] as ModelRule;
    const seconds = typeof input.duration === 'number' ? input.duration : rule.defaultDuration;
    this.stats.creates += 1;
    this.createdToday += 1;
    const task: Task = {
      id: randomUUID(),
      model: input.model as string,
      createdAt: this.now(),
      credits: seconds * rule.creditsPerSecond,
      faults,
      jobFaults: jobFaultsOf(prompt),
      status: 'PENDING',
      waitPolls: 0,
      runPolls: 0,
      signings: 0,
    };
    this.tasks.set(task.id, task);
    // The task exists (and is billed) even when the answer is mangled on its way back.
    if (faults.has('html-create')) return sendHtml(response, 200);
    if (faults.has('gateway-create')) return sendGatewayTimeout(response);
    sendJson(response, 200, { id: task.id, estimatedCost: { credits: task.credits } });
  }

  private runningCount(except: Task): number {
    let count = 0;
    for (const task of this.tasks.values())
      if (task !== except && task.status === 'RUNNING') count += 1;
    return count;
  }

  private advance(task: Task): void {
    if (task.status === 'SUCCEEDED' || task.status === 'FAILED' || task.status === 'CANCELLED')
      return;
    const pollDriven = this.options.queueMs === 0 && this.options.runMs === 0;
    if (task.status === 'PENDING' || task.status === 'THROTTLED') {
      const queued = pollDriven
        ? (task.waitPolls += 1) <= 1
        : this.now() - task.createdAt < this.options.queueMs;
      if (queued && task.status === 'PENDING') return;
      if (this.runningCount(task) >= this.maxConcurrent) {
        task.status = 'THROTTLED';
        return;
      }
      // A task that waited only its queue time started when that time was up (the vendor runs
      // it whether or not anyone looks); one that was throttled starts when a slot is seen free.
      task.runningSince =
        !pollDriven && task.status === 'PENDING'
          ? task.createdAt + this.options.queueMs
          : this.now();
      task.status = 'RUNNING';
      if (pollDriven || this.now() - task.runningSince < this.options.runMs) return;
    }
    // RUNNING
    const finished = pollDriven
      ? (task.runPolls += 1) >= 1
      : this.now() - (task.runningSince ?? task.createdAt) >= this.options.runMs;
    if (!finished || task.jobFaults.hang) return;
    if (task.faults.has('fail') || task.faults.has('policy')) {
      task.status = 'FAILED';
      return;
    }
    task.status = 'SUCCEEDED';
  }

  /**
   * The output links of a succeeded task, signed afresh on every GET: each lives `outputTtlMs`
   * from the GET that gave it (Runway: 24–48 h; "re-GET the task for fresh ones"), the same file.
   */
  private sign(task: Task): void {
    task.signings += 1;
    task.output = [
      this.publishFile(`runway-${task.id}${task.signings > 1 ? `-${task.signings}` : ''}`, {
        expired: task.faults.has('expire'),
        faults: task.jobFaults.download,
      }),
    ];
  }

  private progressOf(task: Task): number {
    if (this.options.runMs > 0)
      return Math.min(0.99, (this.now() - (task.runningSince ?? this.now())) / this.options.runMs);
    return 0.5;
  }

  private render(task: Task): Record<string, unknown> {
    const base = {
      id: task.id,
      createdAt: new Date(task.createdAt).toISOString(),
      status: task.status,
    };
    switch (task.status) {
      case 'PENDING':
      case 'THROTTLED':
        return { ...base, estimatedCost: { credits: task.credits } };
      case 'RUNNING':
        return {
          ...base,
          progress: this.progressOf(task),
          estimatedCost: { credits: task.credits },
        };
      case 'SUCCEEDED':
        return {
          ...base,
          output: task.faults.has('no-output') ? [] : (task.output ?? []),
          cost: { credits: task.credits },
        };
      case 'FAILED':
        return task.faults.has('policy')
          ? {
              ...base,
              failure: 'The prompt text did not pass our content moderation.',
              failureCode: 'SAFETY.INPUT.TEXT',
              cost: { credits: 0 },
            }
          : {
              ...base,
              failure: 'An unexpected error occurred while generating the output.',
              failureCode: 'INTERNAL.BAD_OUTPUT.CODE01',
              cost: { credits: 0 },
            };
      case 'CANCELLED':
        return { ...base, cost: { credits: 0 } };
    }
  }

  private retrieve(request: IncomingMessage, response: ServerResponse, id: string): void {
    const task = this.tasks.get(id);
    if (!task || task.deleted) return sendJson(response, 404, { error: 'Task not found' });
    this.stats.polls += 1;
    if (this.pollFault(task.jobFaults, request, response)) return;
    this.advance(task);
    if (task.status === 'SUCCEEDED') this.sign(task);
    sendJson(response, 200, this.render(task));
  }

  private remove(response: ServerResponse, id: string): void {
    const task = this.tasks.get(id);
    if (!task || task.deleted) return sendJson(response, 404, { error: 'Task not found' });
    this.stats.cancels += 1;
    if (task.status === 'PENDING' || task.status === 'THROTTLED' || task.status === 'RUNNING')
      task.status = 'CANCELLED';
    else task.deleted = true;
    response.writeHead(204);
    response.end();
  }
}
