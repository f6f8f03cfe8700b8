import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real ffmpeg and ffprobe behind small shell wrappers in `dir`, so a test can count the
 * analysis processes and hold them at a gate: while `gate` exists, every ffmpeg/ffprobe call
 * (except `-version`) waits before running. Point AIDEON_FFMPEG at `ffmpegPath`; ffprobe is
 * found next to it.
 */
export function ffmpegWrapper(dir: string): {
  ffmpegPath: string;
  ffprobePath: string;
  /** Analysis calls so far, e.g. ["ffprobe", "ffmpeg"]. */
  calls: () => string[];
  closeGate: () => void;
  openGate: () => void;
} {
  const log = join(dir, 'calls.log');
  const gate = join(dir, 'gate');
  writeFileSync(log, '');
  const script = (tool: string): string => `#!/bin/sh
if [ "$1" = "-version" ]; then exec ${tool} "$@"; fi
while [ -e '${gate}' ]; do sleep 0.02; done
echo ${tool} >> '${log}'
exec ${tool} "$@"
`;
  const ffmpegPath = join(dir, 'ffmpeg');
  const ffprobePath = join(dir, 'ffprobe');
  writeFileSync(ffmpegPath, script('ffmpeg'));
  writeFileSync(ffprobePath, script('ffprobe'));
  chmodSync(ffmpegPath, 0o755);
  chmodSync(ffprobePath, 0o755);
  return {
    ffmpegPath,
    ffprobePath,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    closeGate: () => writeFileSync(gate, ''),
    openGate: () => rmSync(gate, { force: true }),
  };
}
