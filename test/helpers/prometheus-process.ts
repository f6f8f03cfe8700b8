/**
 * Starts Debian's real Prometheus on a free loopback port with a given config and data folder,
 * and waits until /-/ready answers 200 (30 s at most; start-up output is kept for the error).
 * Used by the history fixture (prometheus-server.ts) and the scraping one (metrics-exporter.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { freePort } from './free-port';

export interface PrometheusProcess {
  url: string;
  port: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop: () => Promise<void>;
}

export async function spawnPrometheus(options: {
  configPath: string;
  dataDir: string;
  extraArgs?: string[];
  prometheusPath?: string;
}): Promise<PrometheusProcess> {
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
    if (exited) throw new Error(`prometheus exited during start-up: ${stderr}`);
    try {
      const response = await request(`${url}/-/ready`);
      await response.body.dump();
      if (response.statusCode === 200) break;
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
