import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, writeSync, closeSync, writevSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { request, Agent } from 'undici';
const src = '/tmp/ps/src.bin';
const serverCode = `
const http = require('node:http'); const fs = require('node:fs');
const file = process.argv[1]; const size = fs.statSync(file).size;
http.createServer((q, s) => { s.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size) });
  fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(s); }).listen(0, '127.0.0.1', function () { console.log('URL=http://127.0.0.1:' + this.address().port + '/v'); });`;
const server = spawn(process.execPath, ['-e', serverCode, src], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((r) => server.stdout.on('data', (c: Buffer) => { const m = /URL=(\S+)/.exec(c.toString()); if (m) r(m[1]!); }));
const d = new Agent();
const agent = new http.Agent({ keepAlive: true });
function nodeGet(): Promise<http.IncomingMessage> { return new Promise((r, j) => http.get(url, { agent }, r).on('error', j)); }
const variants: Record<string, () => Promise<void>> = {
  curl: async () => { spawnSync('curl', ['-s', '-o', '/tmp/ps/c.out', url]); },
  undiciDump: async () => { const r = await request(url, { dispatcher: d }); for await (const c of r.body) void c; },
  nodeDump: async () => { const r = await nodeGet(); for await (const c of r) void c; },
  nodeDumpEv: async () => { const r = await nodeGet(); await new Promise<void>((res) => { r.on('data', () => {}); r.on('end', res); }); },
  nodeHashEvWrite: async () => { const r = await nodeGet(); const h = createHash('sha256'); const fd = openSync('/tmp/ps/o1', 'w'); let p: Buffer[] = []; let n = 0; await new Promise<void>((res) => { r.on('data', (c: Buffer) => { h.update(c); p.push(c); n += c.length; if (n >= 8 << 20) { writevSync(fd, p); p = []; n = 0; } }); r.on('end', res); }); writevSync(fd, p); closeSync(fd); h.digest(); },
  undiciHashEvWrite: async () => { const r = await request(url, { dispatcher: d }); const h = createHash('sha256'); const fd = openSync('/tmp/ps/o1', 'w'); let p: Buffer[] = []; let n = 0; await new Promise<void>((res) => { r.body.on('data', (c: Buffer) => { h.update(c); p.push(c); n += c.length; if (n >= 8 << 20) { writevSync(fd, p); p = []; n = 0; } }); r.body.on('end', res); }); writevSync(fd, p); closeSync(fd); h.digest(); },
};
const t: Record<string, number[]> = {};
for (let round = 0; round < 5; round++) for (const [k, f] of Object.entries(variants)) { const s = performance.now(); await f(); (t[k] ??= []).push(performance.now() - s); }
for (const [k, v] of Object.entries(t)) console.log(k.padEnd(18), v.slice(1).map((x) => x.toFixed(0)).join(' '));
{ const r = await nodeGet(); let c = 0, mx = 0; for await (const x of r) { c++; mx = Math.max(mx, (x as Buffer).length); } console.log('node chunks', c, 'max', mx); }
server.kill(); await d.close(); agent.destroy();
