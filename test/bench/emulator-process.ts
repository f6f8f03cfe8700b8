/**
 * Starts a vendor emulator in its own process (so a benchmark's CPU figures are the console's
 * alone) and prints `EMULATOR_URL=...`. Run: npx tsx test/bench/emulator-process.ts together KEY
 */
import { TogetherEmulator } from '../emulators/together-emulator';

const [vendor = 'together', key = 'tgp_v1_bench-key-00000000000000001'] = process.argv.slice(2);
if (vendor !== 'together') throw new Error(`no emulator process for ${vendor} yet`);
const emulator = new TogetherEmulator({ apiKey: key });
console.log(`EMULATOR_URL=${await emulator.start()}`);
process.on('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
