/**
 * Issue 12 lab: Asterisk CPU per queue call with SIP parties and RTP both ways, for three
 * topologies, on one throwaway Asterisk 22.10.1 (asterisk.ts: own temp dir and ports):
 *   native   Queue() rings PJSIP/<agent> members itself (no ARI): the reference
 *   native-inbound  native members, but the trunk call enters the app first as the shipped
 *            [cc-inbound] hands it over (Stasis(callcenter,inbound,queue,benchq,cc-queues,<linkedid>)),
 *            and the app does what the daemon does for a queue route in the member-leg topology
 *            (src/calls/inbound.ts onDirect: one ARI `continue` to cc-queues,benchq,1, the shipped
 *            [cc-queues]: Answer, Queue(benchq), UserEvent CcQueueExit); app_queue rings PJSIP/<ext>
 *   local    today's topology: member Local/<ext>@cc-agent/n, ;2 in Stasis, the app rings the
 *            device and bridges {;2, device} in an ARI mixing bridge (docs/CALL-TOPOLOGY.md)
 *   standin  the customer stays in Stasis; a Local stand-in (originator = customer) waits in Queue();
 *            on answer the customer is bridged straight with the device (topology.test.ts)
 *   standin-moh  the same, but no wait bridge: the customer gets MOH from ARI while waiting and the
 *            stand-in waits with Queue(<q>,r) (ringing indication instead of a music stream)
 *   standin-unsub  standin-moh, and the app unsubscribes from the stand-in's ;2 (an ARI originate
 *            subscribes the app to both halves: every dialplan step of Queue() becomes an ARI event)
 * The test plays the Stasis app (same ARI operations as the daemon) so only Asterisk's work differs.
 * Customers: SIPp UAC (INVITE + RTP stream, BYE after CALL_MS); agents: SIPp UAS with -rtp_echo.
 * CPU = utime+stime of the Asterisk process (/proc) over the run, divided by the calls completed.
 * Run: node -r ./test/integration/ts-register.js test/integration/topology-cpu.ts [calls] [callMs] [rate]
 * One run, ratios only (2 shared cores: absolute figures are noise).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { AsteriskProcess, findAsterisk, freePorts } from './asterisk';
import { connectAmi } from './ami-driver';
import { procCpuMs } from '../../bench/sip-asterisk';

const CALLS = Number(process.argv[2] ?? 40);
const CALL_MS = Number(process.argv[3] ?? 8000);
const RATE = Number(process.argv[4] ?? 4);
const AGENTS = Math.ceil((RATE * CALL_MS) / 1000) + 6;
const APP = 'callcenter';
type Mode = 'native' | 'native-inbound' | 'local' | 'standin' | 'standin-moh' | 'standin-unsub';

function uacXml(callMs: number, wav: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="customer with rtp">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "cust" <sip:custin@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:custin@[local_ip]:[local_port]
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "cust" <sip:custin@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:custin@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0
]]></send>
  <nop><action><exec rtp_stream="${wav},-1,0"/></action></nop>
  <pause milliseconds="${callMs}"/>
  <nop><action><exec rtp_stream="pause"/></action></nop>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "cust" <sip:custin@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:custin@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0
]]></send>
  <recv response="200" crlf="true"/>
</scenario>
`;
}

function pjsipConf(uasPort: number): string {
  const lines = [
    '', '; ---- topology-cpu lab ----',
    '[custin]', 'type = endpoint', 'transport = transport-udp', 'context = lab-in', 'disallow = all', 'allow = ulaw', 'direct_media = no', 'aors = custin',
    '[custin]', 'type = aor', 'max_contacts = 1',
  ];
  for (let i = 0; i < AGENTS; i++) {
    const ext = String(7000 + i);
    lines.push(`[${ext}]`, 'type = endpoint', 'transport = transport-udp', 'context = lab-in', 'disallow = all', 'allow = ulaw', 'direct_media = no', `aors = ${ext}`,
      `[${ext}]`, 'type = aor', `contact = sip:${ext}@127.0.0.1:${uasPort}`);
  }
  return lines.join('\n') + '\n';
}

function labDialplan(mode: Mode): string {
  if (mode === 'native-inbound') {
    // A copy of the shipped [cc-inbound] with CC_QUEUE=benchq; [cc-queues] is the shipped one.
    return `\n[lab-in]\nexten => _X.,1,NoOp(callcenterd inbound \${CALLERID(num)} -> DID \${EXTEN})\n same => n,Set(CC_QUEUE=benchq)\n` +
      ` same => n,Stasis(callcenter,inbound,queue,\${CC_QUEUE},cc-queues,\${CHANNEL(linkedid)})\n` +
      ` same => n,GotoIf($["\${STASISSTATUS}" = "FAILED"]?cc-queues,\${CC_QUEUE},1)\n same => n,Hangup()\n` +
      `[lab-hints]\nexten => _XXXX,hint,PJSIP/\${EXTEN}\n`;
  }
  // native and local: the customer runs Queue(benchq) itself; standin: the customer enters the app.
  const entry = mode.startsWith('standin') ? 'Stasis(callcenter,customer)' : 'Queue(benchq)';
  return `\n[lab-in]\nexten => _X.,1,Answer()\n same => n,${entry}\n same => n,Hangup()\n` +
    // cc-queues-like entry for the stand-in (same as the shipped [cc-queues] for benchq)
    `[lab-queue]\nexten => benchq,1,Answer()\n same => n,Queue(benchq${mode === 'standin' ? '' : ',r'})\n same => n,Hangup()\n` +
    `[lab-agent]\nexten => _XXXX,1,Stasis(callcenter,agent-leg,\${EXTEN},\${CHANNEL(linkedid)})\n same => n,Hangup()\n` +
    `[lab-hints]\nexten => _XXXX,hint,PJSIP/\${EXTEN}\n`;
}

const QUEUE = '\n[benchq]\nstrategy = rrmemory\nringinuse = no\ntimeout = 15\nretry = 1\nwrapuptime = 0\nautofill = yes\n';

/** The app side: what the daemon does on ARI for the local and standin topologies. */
function runApp(ast: AsteriskProcess, mode: Mode): { ws: WebSocket; stats: { bridges: Map<string, number> } } {
  const auth = `Basic ${Buffer.from(`callcenterd:${ast.secrets.ari}`).toString('base64')}`;
  const base = `http://127.0.0.1:${ast.ports.http}/ari`;
  const rest = async (method: string, p: string, q: Record<string, string> = {}) => {
    const qs = new URLSearchParams(q).toString();
    const r = await fetch(`${base}${p}${qs ? `?${qs}` : ''}`, { method, headers: { authorization: auth } });
    const t = await r.text();
    return t ? JSON.parse(t) : undefined;
  };
  const stats = { bridges: new Map<string, number>() };
  let seq = 0;
  // channel id -> what the app does when it ends
  const peers = new Map<string, string[]>();
  const customerOf = new Map<string, { cust: string; si: string; wait: string }>(); // linkedid -> stand-in call
  const key = encodeURIComponent(`callcenterd:${ast.secrets.ari}`);
  const ws = new WebSocket(`ws://127.0.0.1:${ast.ports.http}/ari/events?app=${APP}&api_key=${key}`);
  const hangupAll = (ids: string[]) => Promise.all(ids.map((id) => rest('DELETE', `/channels/${id}`).catch(() => undefined)));
  ws.on('message', (data) => {
    const e = JSON.parse(String(data));
    void (async () => {
      if (e.type === 'StasisStart') {
        const [kind, ...args] = e.args as string[];
        const id: string = e.channel.id;
        if (kind === 'inbound') {
          // member-leg queue route (inbound.ts onDirect): continue at <context>,<queue>,1
          const [, queue, context] = args;
          await rest('POST', `/channels/${id}/continue`, { context, extension: queue, priority: '1' });
          stats.bridges.set('(no ARI bridge) continued', (stats.bridges.get('(no ARI bridge) continued') ?? 0) + 1);
          return;
        }
        if (kind === 'customer') {
          const si = `si-${++seq}`;
          const wait = `wait-${seq}`;
          customerOf.set(id, { cust: id, si, wait });
          if (mode === 'standin') await rest('POST', `/bridges/${wait}`, { type: 'mixing' });
          else await rest('POST', `/channels/${id}/moh`, { mohClass: 'default' });
          await rest('POST', '/channels', { endpoint: 'Local/benchq@lab-queue/n', app: APP, appArgs: `standin,${id}`, channelId: si, otherChannelId: `${si}-q`, originator: id });
          if (mode === 'standin-unsub') await rest('DELETE', `/applications/${APP}/subscription`, { eventSource: `channel:${si}-q` }).catch(() => undefined);
          peers.set(id, [si]);
        } else if (kind === 'standin') {
          const c = customerOf.get(args[0]);
          if (c && mode === 'standin') await rest('POST', `/bridges/${c.wait}/addChannel`, { channel: `${c.cust},${id}` });
        } else if (kind === 'agent-leg') {
          const [ext, linkedid] = args;
          const phone = `ph-${++seq}`;
          peers.set(id, [phone]);
          await rest('POST', '/channels', { endpoint: `PJSIP/${ext}`, app: APP, appArgs: `phone,${id},${linkedid}`, channelId: phone, timeout: '15' });
        } else if (kind === 'phone') {
          const [leg, linkedid] = args;
          await rest('POST', `/channels/${leg}/answer`);
          const br = `call-${++seq}`;
          await rest('POST', `/bridges/${br}`, { type: 'mixing' });
          if (mode === 'local') {
            await rest('POST', `/bridges/${br}/addChannel`, { channel: `${leg},${id}` });
            peers.set(id, [leg]);
          } else {
            const c = customerOf.get(linkedid);
            if (!c) return;
            if (mode === 'standin') {
              await rest('POST', `/bridges/${c.wait}/removeChannel`, { channel: c.cust }).catch(() => undefined);
              await rest('DELETE', `/bridges/${c.wait}`).catch(() => undefined);
            } else {
              await rest('DELETE', `/channels/${c.cust}/moh`).catch(() => undefined);
            }
            await rest('POST', `/bridges/${br}/addChannel`, { channel: `${c.cust},${id}` });
            peers.set(id, [leg, c.cust, c.si]);
            peers.set(c.cust, [id, leg, c.si]);
          }
          setTimeout(() => {
            void rest('GET', `/bridges/${br}`).then((b) => b && stats.bridges.set(b.technology, (stats.bridges.get(b.technology) ?? 0) + 1)).catch(() => undefined);
          }, 1500);
          peers.set(`bridge:${id}`, [br]);
        }
      } else if (e.type === 'StasisEnd') {
        const id: string = e.channel.id;
        const p = peers.get(id);
        peers.delete(id);
        if (p) await hangupAll(p);
        const br = peers.get(`bridge:${id}`);
        if (br) { peers.delete(`bridge:${id}`); await rest('DELETE', `/bridges/${br[0]}`).catch(() => undefined); }
      }
    })().catch(() => undefined);
  });
  return { ws, stats };
}

async function runMode(mode: Mode): Promise<{ mode: Mode; calls: number; cpuMs: number; perCall: number; tech: string }> {
  const install = findAsterisk();
  if (!install) throw new Error('no Asterisk');
  const [uasPort, uacPort, uasMedia, uacMedia] = await freePorts(4);
  const ast = await AsteriskProcess.create(install, {});
  const etc = path.join(ast.dir, 'etc');
  fs.appendFileSync(path.join(etc, 'pjsip.conf'), pjsipConf(uasPort));
  fs.appendFileSync(path.join(etc, 'extensions.conf'), labDialplan(mode));
  fs.appendFileSync(path.join(etc, 'queues.conf'), QUEUE);
  fs.writeFileSync(path.join(etc, 'rtp.conf'), '[general]\nrtpstart = 20000\nrtpend = 40000\n');
  const children: ChildProcess[] = [];
  await ast.start();
  try {
    const ami = await connectAmi(ast.ports.ami, 'cc-test', ast.secrets.amiTest);
    for (let i = 0; i < AGENTS; i++) {
      const ext = String(7000 + i);
      const iface = mode.startsWith('native') ? `PJSIP/${ext}` : `Local/${ext}@lab-agent/n`;
      await ami.action('QueueAdd', { Queue: 'benchq', Interface: iface, MemberName: `A${ext}`, StateInterface: `hint:${ext}@lab-hints` });
    }
    const app = mode === 'native' ? undefined : runApp(ast, mode);
    if (app) await new Promise((r) => app.ws.once('open', r));
    const dir = fs.mkdtempSync('/tmp/topo-cpu-');
    const wav = path.join(dir, 'tone.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', wav, 'synth', '3', 'sine', '440']);
    fs.writeFileSync(path.join(dir, 'uac.xml'), uacXml(CALL_MS, wav));
    const uas = spawn('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-mp', String(uasMedia), '-rtp_echo', '-nostdin', '-trace_err', '-error_file', path.join(dir, 'uas-err.log')], { cwd: dir, stdio: 'ignore' });
    children.push(uas);
    await new Promise((r) => setTimeout(r, 500));
    const pid = Number(fs.readFileSync(path.join(ast.dir, 'run', 'asterisk.pid'), 'utf8'));
    const t0 = procCpuMs(pid) ?? NaN;
    const uac = spawn('sipp', [`127.0.0.1:${ast.ports.sip}`, '-sf', path.join(dir, 'uac.xml'), '-s', '5550000', '-i', '127.0.0.1', '-p', String(uacPort), '-mp', String(uacMedia),
      '-m', String(CALLS), '-r', String(RATE), '-l', String(AGENTS), '-nostdin', '-trace_stat', '-stf', path.join(dir, 'uac.csv'), '-trace_err', '-error_file', path.join(dir, 'uac-err.log')], { cwd: dir, stdio: 'ignore' });
    children.push(uac);
    const code = await new Promise<number | null>((r) => uac.once('exit', r));
    await new Promise((r) => setTimeout(r, 1000));
    const cpuMs = (procCpuMs(pid) ?? NaN) - t0;
    const csv = fs.readFileSync(path.join(dir, 'uac.csv'), 'utf8').trim().split('\n');
    const head = csv[0].split(';');
    const last = csv[csv.length - 1].split(';');
    const ok = Number(last[head.indexOf('SuccessfulCall(C)')]);
    const failed = Number(last[head.indexOf('FailedCall(C)')]);
    const tech = app ? [...app.stats.bridges].map(([t, n]) => `${t}×${n}`).join(' ') : 'app_queue basic bridge';
    process.stdout.write(`${mode}: sipp exit ${code}, ${ok} ok, ${failed} failed; Asterisk CPU ${cpuMs.toFixed(0)} ms -> ${(cpuMs / Math.max(ok, 1)).toFixed(1)} ms/call; call bridges: ${tech}\n`);
    if (mode.startsWith('native')) process.stdout.write((await ast.cli('bridge show all')).split('\n').slice(0, 3).join('\n') + '\n');
    app?.ws.close();
    await ami.close();
    return { mode, calls: ok, cpuMs, perCall: cpuMs / Math.max(ok, 1), tech };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await ast.dispose();
  }
}

async function main(): Promise<void> {
  const modes = (process.env.MODES ?? 'native,local,standin,standin-moh').split(',') as Mode[];
  process.stdout.write(`topology-cpu: ${CALLS} calls of ${CALL_MS} ms at ${RATE}/s, ${AGENTS} agents\n`);
  const res: Record<string, number> = {};
  for (const m of modes) res[m] = (await runMode(m)).perCall;
  if (res.native) {
    for (const m of modes) process.stdout.write(`${m}: ${res[m].toFixed(1)} ms/call = ${(res[m] / res.native).toFixed(2)}x native\n`);
  }
  process.exit(0);
}

void main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
