// `npm run bench`: the performance benchmarks in test/bench/. They print figures; they are not
// part of `npm test`. Pass names to run a subset: npm run bench -- adapter harness
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const benches = readdirSync('test/bench')
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)));
let failed = 0;
for (const file of benches) {
  console.log(`\n── ${file} ──`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `test/bench/${file}`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
