import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, openSync, writeSync, closeSync, writevSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { request, Agent } from 'undici';
import { toWebStream } from '../../src/main/web-stream';
const src = '/tmp/ps/src.bin';
writeFileSync(src, Buffer.concat(Array.from({ length: 200 }, () => randomBytes(1 << 20))));
const serverCode = `
const http = require('node:http'); const fs = require('node:fs');
const file = process.argv[1]; const size = fs.statSync(file).size;
http.createServer((q, s) => { s.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size) });
  fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(s); }).listen(0, '127.0.0.1', function () { console.log('URL=http://127.0.0.1:' + this.address().port + '/v'); });`;
const server = spawn(process.execPath, ['-e', serverCode, src], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((r) => server.stdout.on('data', (c: Buffer) => { const m = /URL=(\S+)/.exec(c.toString()); if (m) r(m[1]!); }));
const d = new Agent();
const variants: Record<string, () => Promise<void>> = {
  dump: async () => { const r = await request(url, { dispatcher: d }); for await (const c of r.body) void c; },
  hash: async () => { const r = await request(url, { dispatcher: d }); const h = createHash('sha256'); for await (const c of r.body) h.update(c as Buffer); h.digest(); },
  hashWriteSync: async () => { const r = await request(url, { dispatcher: d }); const h = createHash('sha256'); const fd = openSync('/tmp/ps/o1', 'w'); for await (const c of r.body) { h.update(c as Buffer); writeSync(fd, c as Buffer); } closeSync(fd); h.digest(); },
  hashWritevBatch: async () => { const r = await request(url, { dispatcher: d }); const h = createHash('sha256'); const fd = openSync('/tmp/ps/o1', 'w'); let p: Buffer[] = []; let n = 0; for await (const c of r.body) { h.update(c as Buffer); p.push(c as Buffer); n += (c as Buffer).length; if (n >= 8 << 20) { writevSync(fd, p); p = []; n = 0; } } writevSync(fd, p); closeSync(fd); h.digest(); },
  hashAsyncWritev: async () => { const r = await request(url, { dispatcher: d }); const h = createHash('sha256'); const f = await open('/tmp/ps/o1', 'w'); let p: Buffer[] = []; let n = 0; let pos = 0; for await (const c of r.body) { h.update(c as Buffer); p.push(c as Buffer); n += (c as Buffer).length; if (n >= 8 << 20) { await f.writev(p, pos); pos += n; p = []; n = 0; } } await f.writev(p, pos); await f.close(); h.digest(); },
  web: async () => { const r = await request(url, { dispatcher: d }); const rd = toWebStream(r.body).getReader(); for (;;) { const x = await rd.read(); if (x.done) break; } },
  webHashAsync: async () => { const r = await request(url, { dispatcher: d }); const rd = toWebStream(r.body).getReader(); const h = createHash('sha256'); const f = await open('/tmp/ps/o1', 'w'); let p: Buffer[] = []; let n = 0; let pos = 0; for (;;) { const x = await rd.read(); if (x.done) break; const c = Buffer.from(x.value.buffer, x.value.byteOffset, x.value.byteLength); h.update(c); p.push(c); n += c.length; if (n >= 8 << 20) { await f.writev(p, pos); pos += n; p = []; n = 0; } } await f.writev(p, pos); await f.close(); h.digest(); },
};
let sizes: number[] = [];
const t: Record<string, number[]> = {};
for (let round = 0; round < 4; round++) for (const [k, f] of Object.entries(variants)) { const s = performance.now(); await f(); (t[k] ??= []).push(performance.now() - s); }
for (const [k, v] of Object.entries(t)) console.log(k.padEnd(18), v.slice(1).map((x) => x.toFixed(0)).join(' '));
const hs = performance.now(); const h = createHash('sha256'); const b = randomBytes(200 << 20); const hs2 = performance.now(); h.update(b); h.digest(); console.log('pure sha256 200MB', (performance.now() - hs2).toFixed(0));
{ const r = await request(url, { dispatcher: d }); let c = 0, mx = 0, mn = 1e9; for await (const x of r.body) { c++; mx = Math.max(mx, (x as Buffer).length); mn = Math.min(mn, (x as Buffer).length); } console.log('chunks', c, 'max', mx, 'min', mn); }
server.kill(); await d.close();
