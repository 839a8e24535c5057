// bench/sync, the PouchDB half: the same records (JSON lines written by sync_bench --export) pushed by
// PouchDB's replicator from a local in-memory PouchDB (pouchdb-adapter-memory) into pouchdb-server
// (leveldb on disk), pulled into a fresh in-memory PouchDB, and a replication with nothing new. Every
// byte and request goes through byte_relay, as for Carnet.
//
//   node pouch_bench.js DOCS.jsonl BYTE_RELAY SCRATCH_DIR
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const readline = require('readline');

const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

function die(message) {
  process.stderr.write(`pouch_bench: ${message}\n`);
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Reads the child's stdout line by line.
function lines(child) {
  const queue = [];
  const waiting = [];
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    if (waiting.length) waiting.shift()(l);
    else queue.push(l);
  });
  return () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r)));
}

async function waitUp(url) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch (e) {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  die(`${url} did not answer in 60 s`);
}

async function main() {
  const [docsFile, relayBin, scratch] = process.argv.slice(2);
  if (!docsFile || !relayBin || !scratch) die('usage: node pouch_bench.js DOCS.jsonl BYTE_RELAY SCRATCH_DIR');
  const docs = fs.readFileSync(docsFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });

  const port = await freePort();
  const serverBin = path.join(__dirname, 'node_modules', '.bin', 'pouchdb-server');
  const server = spawn(serverBin, ['--host', '127.0.0.1', '--port', String(port), '--dir', scratch, '--no-stdout-logs'],
    { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] }); // it writes config.json and log.txt there
  const relay = spawn(relayBin, [String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const cleanup = () => {
    server.kill('SIGTERM');
    relay.kill('SIGTERM');
  };
  process.on('exit', cleanup);
  const relayLine = lines(relay);
  const relayPort = Number(await relayLine());
  const take = async () => {
    relay.stdin.write('\n');
    const [up, down, requests] = (await relayLine()).split(' ').map(Number);
    return { up, down, requests };
  };
  await waitUp(`http://127.0.0.1:${port}/`); // straight to the server: nothing is counted before take()
  const base = `http://127.0.0.1:${relayPort}`;

  const n = docs.length;
  const local = new PouchDB('bench-local', { adapter: 'memory' });
  const put = await local.bulkDocs(docs);
  if (put.some((r) => r.error)) die('bulkDocs into the local PouchDB failed');
  const remote = new PouchDB(`${base}/bench`);
  await remote.info(); // creates the database
  await take();

  // Push: PouchDB's replicator with its defaults (batch_size 100, batches_limit 10).
  let t0 = process.hrtime.bigint();
  const push = await local.replicate.to(remote);
  let seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let traffic = await take();
  if (!push.ok || push.docs_written !== n) die(`push wrote ${push.docs_written} of ${n} documents`);
  console.log(`pouch_push_rec_per_s ${(n / seconds).toFixed(0)} rec/s`);
  console.log(`pouch_push_bytes_per_rec ${((traffic.up + traffic.down) / n).toFixed(0)} bytes`);
  console.log(`pouch_push_requests ${traffic.requests} requests`);

  // Pull: a fresh local PouchDB.
  const fresh = new PouchDB('bench-fresh', { adapter: 'memory' });
  t0 = process.hrtime.bigint();
  const pull = await fresh.replicate.from(remote);
  seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  traffic = await take();
  if (!pull.ok || pull.docs_written !== n) die(`pull wrote ${pull.docs_written} of ${n} documents`);
  console.log(`pouch_pull_rec_per_s ${(n / seconds).toFixed(0)} rec/s`);
  console.log(`pouch_pull_bytes_per_rec ${((traffic.up + traffic.down) / n).toFixed(0)} bytes`);
  console.log(`pouch_pull_requests ${traffic.requests} requests`);

  // Nothing new, both ways as a device syncs: the pushing database pushes again and the pulled one
  // pulls again, each from its checkpoint.
  const emptyPush = await local.replicate.to(remote);
  const emptyPull = await fresh.replicate.from(remote);
  traffic = await take();
  if (emptyPull.docs_written !== 0 || emptyPush.docs_written !== 0) die('the empty replication moved documents');
  console.log(`pouch_empty_round_trips ${traffic.requests} requests`);
  console.log(`pouch_empty_bytes ${traffic.up + traffic.down} bytes`);
  cleanup();
  process.exit(0);
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
