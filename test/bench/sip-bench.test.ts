/**
 * The SIP bench's pure parts (no Asterisk, no SIPp): options, the media check's reading of
 * `pjsip show channelstats`, the answer→connected probe, percentiles and the per-mode summary.
 */
import { parseArgs } from '../../bench/args';
import { pct, roundRatios, summarize } from '../../bench/sip-bench';
import { benchConfFiles, ulawTone, uasScenario } from '../../bench/sip-conf';
import { checkMedia, LatencyProbe, type PhaseResult } from '../../bench/sip-phase';
import { parsePerfStatCsv } from '../../bench/sip-sched';
import { FakeAmi } from '../helpers/fake-links';

describe('bench options for --asterisk', () => {
  it('takes issue 12 set-up as defaults, keeps explicit values, and checks modes', () => {
    expect(parseArgs(['--asterisk'])).toMatchObject({ asterisk: true, calls: 400, agents: 60, talkMs: 2000, rate: 20, sipRounds: 2, modes: ['native', 'callcenterd'] });
    expect(parseArgs(['--asterisk', '--calls', '50', '--agents', '8', '--rate', '5'])).toMatchObject({ calls: 50, agents: 8, rate: 5 });
    expect(parseArgs(['--asterisk', '--baseline', '/x']).modes).toEqual(['native', 'baseline', 'callcenterd']);
    expect(() => parseArgs(['--asterisk', '--modes', 'native,bogus'])).toThrow(/--modes takes native, baseline, callcenterd and\/or callcenterd-http/);
    expect(parseArgs(['--asterisk', '--modes', 'native,callcenterd-http,callcenterd']).modes).toEqual(['native', 'callcenterd-http', 'callcenterd']);
    expect(parseArgs(['--only', 'calls', '--ari-rest', 'http']).ariRest).toBe('http');
    expect(() => parseArgs(['--ari-rest', 'tcp'])).toThrow(/--ari-rest must be auto, websocket or http/);
    expect(() => parseArgs(['--asterisk', '--modes', 'baseline'])).toThrow(/needs --baseline/);
    expect(parseArgs(['--asterisk', '--sched-counts']).schedCounts).toBe(true);
    expect(parseArgs(['--asterisk']).schedCounts).toBe(false);
    expect(() => parseArgs(['--rate', '0'])).toThrow(/--rate must be an integer 1-500/);
    // Without --asterisk the simulator bench keeps its own defaults.
    expect(parseArgs([])).toMatchObject({ asterisk: false, calls: 300, agents: 10 });
  });
});

describe('media check (pjsip show channelstats)', () => {
  const text = [
    '                                             ...........Receive......... .........Transmit..........',
    ' BridgeId ChannelId ........ UpTime.. Codec.   Count    Lost Pct  Jitter   Count    Lost Pct  Jitter RTT....',
    ' ===========================================================================================================',
    ' 1475bd96 2001-00000003      00:00:01 ulaw       77       0    0   0.000     77       0    0   0.001   0.000',
    ' 1475bd96 bench-trunk-000000 00:00:02 ulaw       90       0    0   0.000     89       0    0   0.000   0.000',
    ' 9c45b825 2002-00000005      00:00:00 ulaw        0       0    0   0.000      0       0    0   0.000   0.000',
    ' 20261206 2008-00000126      00:00:01 ulaw        0       0    0   0.000      0       0    0   0.000   0.000',
    '          bench-trunk-000000 00:00:03 ulaw       40       0    0   0.000     39       0    0   0.000   0.000',
    'Objects found: 5',
  ].join('\n');

  it('counts bridged channels up ≥ 1 s with rx and tx, and reports those without', () => {
    const acc = { ok: 0, bad: 0, badSample: [] as string[] };
    checkMedia(text, acc);
    // The unbridged row (no bridge id) and the one up < 1 s are not judged.
    expect(acc).toEqual({ ok: 2, bad: 1, badSample: [expect.stringContaining('2008-00000126')] });
  });
});

describe('answer→connected probe', () => {
  it('measures from the device Newstate Up to the later of AgentConnect and its BridgeEnter, per agent', async () => {
    const ami = new FakeAmi();
    const probe = new LatencyProbe(ami);
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    ami.emitEvent({ Event: 'Newstate', Channel: 'PJSIP/2000-00000001', ChannelState: '5' });
    ami.emitEvent({ Event: 'Newstate', Channel: 'PJSIP/2000-00000001', ChannelState: '6' });
    await wait(20);
    ami.emitEvent({ Event: 'AgentConnect', Interface: 'Local/2000@cc-agent/n' });
    expect(probe.samples).toEqual([]);
    await wait(20);
    ami.emitEvent({ Event: 'BridgeEnter', Channel: 'PJSIP/2000-00000001' });
    // Another agent's events do not complete this one.
    ami.emitEvent({ Event: 'BridgeEnter', Channel: 'PJSIP/2001-00000002' });
    expect(probe.samples).toHaveLength(1);
    expect(probe.samples[0]).toBeGreaterThanOrEqual(30);
    probe.close();
    ami.emitEvent({ Event: 'Newstate', Channel: 'PJSIP/2000-00000003', ChannelState: '6' });
    expect(probe.samples).toHaveLength(1);
  });
});

describe('summary per mode', () => {
  const phase = (over: Partial<PhaseResult>): PhaseResult => ({
    mode: 'callcenterd', rate: 20, calls: 100, successful: 100, failed: 0, errors: '', asteriskCpuMs: 3000, daemonCpuMs: 900, daemonIdleMsPerS: 2,
    wallMs: 5000, latenciesMs: [], media: { ok: 10, bad: 0, badSample: [] }, counters: { amiEvents: 900, ariEvents: 1800, ariRequests: 800, ariOverSocket: 800, amiActions: 200, sqlWrites: 4400, sqlCommits: 970 },
    ...over,
  });

  it('adds the windows up: CPU per call, percentiles over every sample, counters per call', () => {
    const s = summarize('callcenterd', [phase({ latenciesMs: [5, 1, 3] }), phase({ asteriskCpuMs: 5000, daemonCpuMs: 1100, failed: 1, latenciesMs: [100, 2] })]);
    expect(s).toMatchObject({ calls: 200, failed: 1, asteriskMsPerCall: 40, daemonMsPerCall: 10, p50: 3, p99: 100, latencySamples: 5, media: { ok: 20, bad: 0 } });
    expect(s.perCall).toMatchObject({ amiEvents: 9, ariRequests: 8, sqlCommits: 9.7 });
    expect(pct([], 50)).toBeUndefined();
  });

  it('--sched-counts: per call over the windows, only when every window has them', () => {
    const sched = (n: number) => ({ asterisk: { threads: 8 * n, switches: 1500 * n, syscalls: 5500 * n }, daemon: { threads: 0, switches: 40 * n, syscalls: 330 * n } });
    const s = summarize('callcenterd', [phase({ sched: sched(100) }), phase({ calls: 50, sched: sched(50) })]);
    expect(s.schedPerCall).toEqual({ asterisk: { threads: 8, switches: 1500, syscalls: 5500 }, daemon: { threads: 0, switches: 40, syscalls: 330 } });
    // native: no daemon; a window whose perf failed: no figure rather than a wrong one.
    expect(summarize('native', [phase({ sched: { asterisk: sched(100).asterisk } })]).schedPerCall).toEqual({ asterisk: sched(1).asterisk, daemon: undefined });
    expect(summarize('callcenterd', [phase({ sched: sched(100) }), phase({ sched: { asterisk: undefined } })]).schedPerCall).toBeUndefined();
  });

  it('reads perf stat -x, output (perf 6: value,unit,event,run time,share,…)', () => {
    const csv = [
      '795,,sched:sched_process_fork,20011738170,100.00,,',
      '282891,,sched:sched_switch,20011741920,100.00,,',
      '1124151,,raw_syscalls:sys_enter,20011744390,100.00,,',
      '',
    ].join('\n');
    expect(parsePerfStatCsv(csv)).toEqual({ threads: 795, switches: 282891, syscalls: 1124151 });
    // Not counted (no permission: "<not supported>" / "<not counted>"), or an event missing: nothing.
    expect(parsePerfStatCsv(csv.replace('282891', '<not counted>'))).toBeUndefined();
    expect(parsePerfStatCsv('Error:\nNo permission to enable sched:sched_switch event.\n')).toBeUndefined();
  });

  it('compares two modes round by round (the n-th window of each), with the median', () => {
    const phases = [
      phase({ mode: 'baseline', asteriskCpuMs: 3000, daemonCpuMs: 800 }),
      phase({ mode: 'callcenterd', asteriskCpuMs: 2700, daemonCpuMs: 720 }),
      phase({ mode: 'baseline', asteriskCpuMs: 3000, daemonCpuMs: 1000 }),
      phase({ mode: 'callcenterd', calls: 50, asteriskCpuMs: 1650, daemonCpuMs: 550 }),
      phase({ mode: 'baseline', asteriskCpuMs: 3000, daemonCpuMs: 800 }),
      phase({ mode: 'callcenterd', asteriskCpuMs: 3000, daemonCpuMs: 640 }),
    ];
    const q = roundRatios(phases, 'baseline', 'callcenterd');
    expect(q.daemon.map((x) => +x.toFixed(3))).toEqual([0.9, 1.1, 0.8]);
    expect(q.asterisk.map((x) => +x.toFixed(3))).toEqual([0.9, 1.1, 1]);
    expect(q.median).toEqual({ daemon: q.daemon[0], asterisk: q.asterisk[2] });
    // A window of another rate (find-max) is not a pair; no windows, no median.
    expect(roundRatios([phase({ mode: 'baseline' }), phase({ mode: 'callcenterd', rate: 25 })], 'baseline', 'callcenterd').daemon).toEqual([]);
    expect(roundRatios([], 'baseline', 'callcenterd').median).toEqual({ daemon: undefined, asterisk: undefined });
  });
});

describe('bench-only Asterisk config and SIPp scenarios', () => {
  it('one endpoint + aor per agent with a static contact to the UAS; agents hang up after the talk time', () => {
    const files = benchConfFiles({ agents: ['2000', '2001'], uasPort: 45000, benchAmiSecret: 's3cret' });
    expect(files['pjsip.conf']).toContain('[2001](bench-agent)');
    expect(files['pjsip.conf']).toContain('contact = sip:2001@127.0.0.1:45000');
    expect(files['manager.conf']).toMatch(/^\[bench\]\nsecret = s3cret$/m);
    expect(uasScenario(250, 2000)).toMatch(/<pause milliseconds="250"\/>[\s\S]*200 OK[\s\S]*<pause milliseconds="2000"\/>[\s\S]*BYE \[next_url\]/);
    const tone = ulawTone();
    expect(tone).toHaveLength(8000);
    expect(new Set(tone).size).toBeGreaterThan(20);
  });
});
