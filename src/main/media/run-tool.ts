/**
 * Runs ffmpeg / ffprobe as child processes with a timeout and an AbortSignal. A timed-out or
 * aborted run kills the child (SIGKILL) before the promise settles, so no analysis outlives
 * its caller.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { ProviderError } from '../../shared/errors';

export interface ToolRunOptions {
  signal?: AbortSignal | undefined;
  /** Kill the child and reject after this many ms. */
  timeoutMs: number;
  /** Called for every complete stdout line (the line is not kept). */
  onStdoutLine?: (line: string) => void;
  /** Keep stdout in the result (for ffprobe JSON). Default false. */
  collectStdout?: boolean;
  /**
   * Scheduling niceness for the child (0 = normal, 19 = lowest), so local analysis yields the
   * CPU to the console's own work (downloads, polling, the UI). Ignored where not permitted.
   */
  niceness?: number | undefined;
  /** Test hook: the child's pid once spawned. */
  onSpawn?: (pid: number) => void;
  /** What the tool is doing, for error messages ("probing clip.mp4"). */
  what: string;
}

export interface ToolRunResult {
  exitCode: number | null;
  stdout: string;
  /** stderr, capped at the first 64 KiB. */
  stderr: string;
}

const STDERR_CAP = 64 * 1024;

export function runTool(
  command: string,
  args: readonly string[],
  options: ToolRunOptions,
): Promise<ToolRunResult> {
  return new Promise<ToolRunResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(cancelledError(options.what));
      return;
    }
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let settled = false;
    let stdout = '';
    let stderr = '';
    let pending = '';

    const finish = (error: Error | undefined, result?: ToolRunResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else if (result) resolve(result);
    };
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = (): void => {
      kill();
      finish(cancelledError(options.what));
    };
    const timer = setTimeout(() => {
      kill();
      finish(
        new ProviderError(
          'timeout',
          `Video analysis stopped: ${options.what} took longer than ${formatSeconds(options.timeoutMs)}.`,
          { provider: 'media', retryable: false },
        ),
      );
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    if (child.pid !== undefined && options.niceness) {
      try {
        setPriority(child.pid, options.niceness);
      } catch {
        // not permitted on this system: run at normal priority
      }
    }
    if (child.pid !== undefined) options.onSpawn?.(child.pid);

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (options.collectStdout) stdout += chunk;
      if (!options.onStdoutLine) return;
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        options.onStdoutLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.slice(0, STDERR_CAP - stderr.length);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'ENOENT'
          ? `Video analysis is unavailable: "${command}" was not found. Install ffmpeg or set AIDEON_FFMPEG.`
          : `Video analysis could not start "${command}": ${error.message}`;
      finish(
        new ProviderError('provider_unavailable', message, {
          provider: 'media',
          retryable: false,
          cause: error,
        }),
      );
    });
    child.on('close', (code) => {
      if (pending && options.onStdoutLine) options.onStdoutLine(pending);
      pending = '';
      finish(undefined, { exitCode: code, stdout, stderr });
    });
  });
}

function cancelledError(what: string): ProviderError {
  return new ProviderError('cancelled', `Video analysis cancelled while ${what}.`, {
    provider: 'media',
  });
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** The first meaningful line of ffmpeg's stderr, without the "[h264 @ 0x…]" prefix. */
export function firstErrorLine(stderr: string): string | undefined {
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim();
    if (line) return line;
  }
  return undefined;
}
