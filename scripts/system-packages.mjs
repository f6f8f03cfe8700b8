// System packages the tests need. Where one is missing: installed with apt when running as
// root, otherwise a message that names the package.
import { execFileSync, spawnSync } from 'node:child_process';

export const SYSTEM_PACKAGES = [
  {
    command: '/usr/bin/chromium',
    check: ['--version'],
    apt: 'chromium',
    why: 'end-to-end tests run in Debian Chromium',
  },
  {
    command: 'ffmpeg',
    check: ['-version'],
    apt: 'ffmpeg',
    why: 'video probing and objective checks',
  },
  { command: 'ffprobe', check: ['-version'], apt: 'ffmpeg', why: 'video probing' },
  {
    command: 'fc-list',
    check: ['--version'],
    apt: 'fonts-dejavu-core',
    why: 'a font for screenshots and ffmpeg drawtext',
    file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  },
  {
    command: 'etcd',
    check: ['--version'],
    apt: 'etcd-server',
    why: 'the etcd config-store tests start a real etcd',
  },
  {
    command: 'prometheus',
    check: ['--version'],
    apt: 'prometheus',
    why: 'the production-watch tests start a real Prometheus',
  },
  {
    command: 'openssl',
    check: ['version'],
    apt: 'openssl',
    why: 'the team review server tests make a self-signed TLS certificate',
  },
];

function present(entry) {
  if (entry.file) {
    return spawnSync('test', ['-f', entry.file]).status === 0;
  }
  const result = spawnSync(entry.command, entry.check, { stdio: 'ignore' });
  return result.status === 0;
}

export function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter((entry) => !present(entry));
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((entry) => entry.apt))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    console.error(
      `Missing system packages: ${names.join(', ')} (${missing.map((entry) => entry.why).join('; ')}).`,
    );
    console.error(
      `Install them, e.g. sudo apt-get install -y ${names.join(' ')}, then run the tests again.`,
    );
    process.exit(1);
  }
  console.log(`Installing system packages: ${names.join(' ')}`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
