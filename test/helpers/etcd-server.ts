/**
 * A real etcd (Debian's etcd-server, /usr/bin/etcd) for tests: free loopback ports for client
 * and peer, a temporary data folder, started before and stopped (and removed) after the tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface EtcdServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  /** `etcd://127.0.0.1:PORT/<prefix>` */
  uri: (prefix: string) => string;
  stop: () => Promise<void>;
  /** SIGKILL, keeping the data folder (a crash); `restart` starts it again on the same ports. */
  crash: () => Promise<void>;
  /** Starts the crashed etcd again on its data folder and ports; resolves once it is healthy. */
  restart: () => Promise<void>;
}

export function etcdBinary(): string {
  return process.env.AIDEON_ETCD ?? '/usr/bin/etcd';
}

/**
 * The ports are probed free just before etcd binds them, so another test file's server can take
 * one in between: etcd then exits with "address already in use", and it is started again on
 * other ports (three tries).
 */
export async function startEtcd(options: { timeoutMs?: number } = {}): Promise<EtcdServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startEtcdOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startEtcdOnce(options: { timeoutMs?: number }): Promise<EtcdServer> {
  const binary = etcdBinary();
  if (!existsSync(binary))
    throw new Error(
      `etcd is not installed at ${binary}: apt-get install etcd-server (or set AIDEON_ETCD).`,
    );
  const dataDir = mkdtempSync(join(tmpdir(), 'aideon-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  // A name of its own: an etcd found on the port must be this one (see below).
  const name = `aideon-test-${process.pid}-${clientPort}`;
  let output = '';
  let child: ChildProcess;
  let exited = false;
  let exit: Promise<void> = Promise.resolve();
  const launch = (): void => {
    exited = false;
    child = spawn(
      binary,
      [
        '--name',
        name,
        '--data-dir',
        join(dataDir, 'data'),
        '--listen-client-urls',
        client,
        '--advertise-client-urls',
        client,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `${name}=${peer}`,
        '--log-level',
        'error',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' },
      },
    );
    child.stdout?.on(
      'data',
      (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)),
    );
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)),
    );
    exit = new Promise<void>((resolve) =>
      child.once('exit', () => {
        exited = true;
        resolve();
      }),
    );
  };
  const halt = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
  };
  const stop = async (): Promise<void> => {
    await halt();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const healthy = async (onFail: () => Promise<void>): Promise<void> => {
    const deadline = Date.now() + (options.timeoutMs ?? 20000);
    for (;;) {
      if (exited) {
        await onFail();
        const message = `etcd exited during start-up:\n${output}`;
        throw /address already in use/.test(output)
          ? new PortTakenError(message)
          : new Error(message);
      }
      try {
        const response = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) });
        if (
          response.ok &&
          ((await response.json()) as { health?: string }).health === 'true' &&
          (await memberNames(client)).includes(name)
        )
          return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await onFail();
        throw new Error(`etcd did not become healthy within the time limit:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  launch();
  await healthy(stop);
  return {
    endpoint: client,
    port: clientPort,
    uri: (prefix) => `etcd://127.0.0.1:${clientPort}/${prefix}`,
    stop,
    crash: async () => {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    restart: async () => {
      if (!exited) throw new Error('etcd is running; crash it first');
      launch();
      await healthy(halt);
    },
  };
}

/** The member names of the etcd answering at `client` (another test's etcd has other names). */
async function memberNames(client: string): Promise<string[]> {
  const response = await fetch(`${client}/v3/cluster/member/list`, {
    method: 'POST',
    body: '{}',
    signal: AbortSignal.timeout(1000),
  });
  if (!response.ok) return [];
  const body = (await response.json()) as { members?: { name?: string }[] };
  return (body.members ?? []).map((member) => member.name ?? '');
}
