import { spawn } from 'node:child_process';
import { request } from 'undici';

/** An emulator in a child process; `stats()` reads its request counters. */
export async function startEmulatorProcess(
  vendor: string,
  key: string,
): Promise<{ url: string; stats: () => Promise<Record<string, number>>; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/bench/emulator-process.ts', vendor, key],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /EMULATOR_URL=(\S+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  return {
    url,
    stats: async () =>
      (await (await request(`${url}/__control/stats`)).body.json()) as Record<string, number>,
    stop: () => child.kill('SIGTERM'),
  };
}
