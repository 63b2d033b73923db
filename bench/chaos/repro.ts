/**
 * The scenario (issue 13): 40 agents, 4 calls/s of 3-s calls, wrap-up 2 s; kill -9 of the
 * daemon at 12 s (restart 2 s later), `core restart now` at 32 s; prints connections per second,
 * and after the daemon's restart what app_queue, the Custom device states, the channels and the
 * daemon say per agent. Diagnostics, not a test:
 *   node -r ./test/integration/ts-register.js bench/chaos/repro.ts
 *   RATE=.. AGENTS=.. (load)  KEEP=1 (keep Asterisk)  GDB=1 (lock graph of Asterisk when customers
 *   are stuck: /tmp/chaos-gdb-locks.txt, through bench/chaos/gdb-locks.py)
 */
import { findAsterisk } from '../../test/integration/asterisk';
import { ChaosStack, sleep } from './stack';
import { Load } from './load';

async function main(): Promise<void> {
  const install = findAsterisk();
  if (!install) throw new Error('no Asterisk');
  const stack = await ChaosStack.start(install, { agents: Number(process.env.AGENTS ?? 40), wrapupSeconds: 2, log: console.log });
  console.log('dir', stack.ast.dir);
  const load = new Load(stack, { rate: Number(process.env.RATE ?? 4), talkMs: 3000, patienceMs: 20000, hold: 0, transfer: 0, service: 0, path: 'queue' });
  const t0 = Date.now();
  load.start();
  const mark = (s: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
  await sleep(12_000);
  mark('kill -9');
  await stack.killDaemon();
  await sleep(2000);
  mark('restart daemon');
  await stack.startDaemon();
  mark('daemon healthy');
  const dump = async (what: string) => {
    mark(`---- ${what}`);
    const q = await stack.ast.cli('queue show support');
    const lines = q.split('\n').filter((l) => /Local\//.test(l));
    const tally = new Map<string, number>();
    for (const l of lines) { const k = l.replace(/^.*?\)/, '').replace(/\d+ calls?/, '').replace(/last was \d+ secs ago/, '').replace(/\(has taken.*?\)/, '').trim(); tally.set(k, (tally.get(k) ?? 0) + 1); }
    console.log([...tally].map(([k, n]) => `${n} x ${k}`).join('\n'));
    const ds = await stack.ast.cli('devstate list');
    const dtally = new Map<string, number>();
    for (const m of ds.matchAll(/Custom:agent-\d+' status: '(\w+)'/g)) dtally.set(m[1], (dtally.get(m[1]) ?? 0) + 1);
    console.log('Custom states', JSON.stringify([...dtally]));
    const conc = await stack.ast.cli('core show channels concise');
    const ct = new Map<string, number>();
    for (const l of conc.split('\n').filter(Boolean)) {
      const f = l.split('!');
      const k = `${f[0].replace(/\d{4}/, 'N').replace(/-[0-9a-f]+;/, ';')} ${f[4]} ${f[5]}`;
      ct.set(k, (ct.get(k) ?? 0) + 1);
    }
    console.log([...ct].sort().map(([k, n]) => `${n} x ${k}`).join('\n'));
    const calls = await stack.ok('GET', '/calls');
    const cs = new Map<string, number>();
    for (const c of calls.calls as { state: string }[]) cs.set(c.state, (cs.get(c.state) ?? 0) + 1);
    console.log('daemon calls', JSON.stringify([...cs]));
    const ag = await stack.ok('GET', '/agents');
    const st = new Map<string, number>();
    for (const a of ag.agents as { state: string }[]) st.set(a.state, (st.get(a.state) ?? 0) + 1);
    console.log('daemon agents', JSON.stringify([...st]));
  };
  await dump('after daemon restart');
  await sleep(4000);
  await dump('4 s later');
  await sleep(3000);
  {
    mark('---- per agent, 7 s after restart');
    const q = await stack.ast.cli('queue show support');
    const ds = await stack.ast.cli('devstate list');
    const hints = await stack.ast.cli('core show hints');
    const ag = await stack.ok('GET', '/agents');
    const rows: string[] = [];
    for (const a of ag.agents as { extension: string; state: string }[]) {
      const m = q.split('\n').find((l) => l.includes(`Local/${a.extension}@cc-agent`)) ?? '';
      const mem = (m.match(/\((?:in call|In use|Not in use|Ringing|Busy|Unavailable|paused[^)]*)\)/g) ?? []).join('');
      const cus = (ds.split('\n').find((l) => l.includes(`Custom:agent-${a.extension}'`)) ?? '').replace(/.*status: /, '');
      const h = (hints.split('\n').find((l) => l.startsWith(`  ${a.extension}@`) || l.includes(` ${a.extension}@test-agent-hints`)) ?? '').replace(/\s+/g, ' ');
      rows.push(`${a.extension} ${a.state.padEnd(10)} ${mem.padEnd(28)} custom=${cus} hint=${h.slice(-40)}`);
    }
    console.log(rows.join('\n'));
    console.log(q.split('\n').filter((l) => !/Local\/\d+@cc-agent/.test(l)).slice(0, 8).join('\n'));
  }
  await sleep(Math.max(0, t0 + 32_000 - Date.now()));
  {
    const stuck = [...load.customers.values()].filter((c) => c.hangupAt && !c.endedAt);
    mark(`stuck customers (hung up, no Hangup event): ${stuck.length}`);
    if (stuck.length && process.env.GDB) {
      const { execSync } = await import('node:child_process');
      const pid = execSync(`pgrep -f -- '-C ${stack.ast.confFile}'`).toString().trim().split('\n')[0];
      const out = '';
      require('node:fs').writeFileSync('/tmp/chaos-gdb.txt', out);
      const locks = execSync(`gdb -p ${pid} -batch -x ${require('node:path').join(__dirname, 'gdb-locks.py')} 2>&1 | grep -E '^(LWP|    owner)'`, { maxBuffer: 200e6 }).toString();
      require('node:fs').writeFileSync('/tmp/chaos-gdb-locks.txt', locks);
      mark(`gdb backtraces of ${pid} in /tmp/chaos-gdb.txt`);
    }
    if (process.env.STOP_AT_STUCK && stuck.length) { console.log('dir', stack.ast.dir); await sleep(600_000); }
  }
  mark('core restart now');
  await stack.restartAsterisk();
  mark('asterisk booted');
  await sleep(3000);
  await dump('3 s after asterisk restart');
  await sleep(Math.max(0, t0 + 50_000 - Date.now()));
  load.stop();
  mark('load stopped');
  await load.drain(25_000);
  const per = load.connectsPerSecond(t0, t0 + 75_000);
  console.log('connects/s', per.join(' '));
  const fails = new Map<string, number>();
  for (const c of load.customers.values()) if (c.outcome === 'failed') { const k = `${Math.floor((c.at - t0) / 5000) * 5}s ${c.cause}`; fails.set(k, (fails.get(k) ?? 0) + 1); }
  console.log('failed by start time and cause', [...fails].sort().join('\n'));
  console.log('hangup errors', load.hangupErrors.slice(0, 10), load.hangupErrors.length);
  const late = [...load.customers.values()].filter((c) => c.connectedAt && c.endedAt && c.endedAt - c.connectedAt > 6000).map((c) => `${c.id} conn ${((c.connectedAt! - t0) / 1000).toFixed(1)} end ${((c.endedAt! - t0) / 1000).toFixed(1)} n=${c.connects} hup ${c.hangupAt ? ((c.hangupAt - t0) / 1000).toFixed(1) : '-'} ${c.hangupStatus}`);
  console.log('long calls', late.slice(0, 20));
  console.log('total', load.window(t0, Date.now()));
  console.log(await stack.ast.cli('core show channels count'));
  console.log((await stack.ast.cli('queue show support')).split('\n').slice(0, 12).join('\n'));
  console.log(await stack.ast.cli('bridge show all'));
  if (!process.env.KEEP) await stack.stop();
  else await stack.stopDaemon();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
