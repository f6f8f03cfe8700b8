/**
 * Starts Debian's real Prometheus on a free loopback port with a given config and data folder,
 * and waits until /-/ready answers 200 (30 s at most; start-up output is kept for the error).
 * Used by the history fixture (prometheus-server.ts) and the scraping one (metrics-exporter.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from './free-port';
import { tempDir } from './temp-dir';

export interface PrometheusProcess {
  url: string;
  port: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop: () => Promise<void>;
}

interface SpawnOptions {
  configPath: string;
  dataDir: string;
  extraArgs?: string[];
  prometheusPath?: string;
}

/**
 * The port is probed free just before Prometheus binds it, so another test file's server can
 * take it in between: Prometheus then exits with "address already in use", and it is started
 * again on another port (three tries).
 */
export async function spawnPrometheus(options: SpawnOptions): Promise<PrometheusProcess> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await spawnPrometheusOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function spawnPrometheusOnce(options: SpawnOptions): Promise<PrometheusProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    options.prometheusPath ?? '/usr/bin/prometheus',
    [
      `--config.file=${options.configPath}`,
      `--storage.tsdb.path=${options.dataDir}`,
      ...(options.extraArgs ?? []),
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      const message = `prometheus exited during start-up: ${stderr}`;
      throw /address already in use/.test(stderr)
        ? new PortTakenError(message)
        : new Error(message);
    }
    try {
      const response = await request(`${url}/-/ready`);
      await response.body.dump();
      // Ready, and this one: another test's Prometheus on the port has another data folder.
      if (response.statusCode === 200 && (await dataPath(url)) === options.dataDir) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port, stop };
}

/** The data folder of the Prometheus answering at `url` (its --storage.tsdb.path flag). */
async function dataPath(url: string): Promise<string | undefined> {
  const response = await request(`${url}/api/v1/status/flags`);
  if (response.statusCode !== 200) {
    await response.body.dump();
    return undefined;
  }
  const body = (await response.body.json()) as { data?: Record<string, string> };
  return body.data?.['storage.tsdb.path'];
}

/**
 * A real Prometheus that scrapes nothing: every guard query answers with no series ("no data").
 * Its config and data live in a new temp folder, removed by `stop`.
 */
export async function spawnEmptyPrometheus(prefix: string): Promise<PrometheusProcess> {
  const temp = tempDir(prefix);
  const configPath = join(temp.dir, 'prometheus.yml');
  writeFileSync(configPath, 'global:\n  scrape_interval: 15s\n');
  try {
    const prom = await spawnPrometheus({ configPath, dataDir: join(temp.dir, 'data') });
    return {
      ...prom,
      stop: async () => {
        await prom.stop();
        temp.cleanup();
      },
    };
  } catch (error) {
    temp.cleanup();
    throw error;
  }
}
