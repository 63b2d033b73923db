/**
 * asterisk-conf/ loads on a real Asterisk exactly as shipped: only asterisk.conf/modules.conf are
 * the harness's own and only ports and secrets are rewritten. No test-only contexts here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectAmi, type AmiDriver } from './ami-driver';
import { AsteriskProcess, describeWithAsterisk, SHIPPED_CONF_DIR, SHIPPED_FILES } from './asterisk';

/** Console lines that are not about our files (modules we do not configure). */
const HARMLESS_WARNINGS = [/ccss\.c/, /indications\.c/, /may be removed in a future release/];

describeWithAsterisk('asterisk-conf/ on a real Asterisk', (install) => {
  let ast: AsteriskProcess;
  let ami: AmiDriver | undefined;

  beforeAll(async () => {
    ast = await AsteriskProcess.create(install, { testContexts: false });
    await ast.start();
    ami = await connectAmi(ast.ports.ami, 'callcenterd', ast.secrets.ami);
  }, 60_000);

  afterAll(async () => {
    await ami?.close();
    await ast?.dispose();
  }, 30_000);

  test('ships every file the README lists', () => {
    for (const f of SHIPPED_FILES) expect(fs.existsSync(path.join(SHIPPED_CONF_DIR, f))).toBe(true);
  });

  test('boots with no ERROR and no unexplained WARNING', () => {
    const lines = ast.consoleText().split('\n');
    expect(lines.filter((l) => /\bERROR\[/.test(l))).toEqual([]);
    const warnings = lines.filter((l) => /\bWARNING\[/.test(l) && !HARMLESS_WARNINGS.some((re) => re.test(l)));
    expect(warnings).toEqual([]);
  });

  test('ARI, Stasis, app_queue, MOH and PJSIP modules are running', async () => {
    for (const mod of ['res_ari.so', 'res_stasis.so', 'app_stasis.so', 'app_queue.so', 'res_musiconhold.so', 'res_pjsip.so', 'res_http_websocket.so']) {
      expect(await ast.cli(`module show like ${mod}`)).toMatch(new RegExp(`${mod.replace('.', '\\.')}\\s.*Running`));
    }
  });

  test('member-leg context enters Stasis with the documented arguments', async () => {
    const out = await ast.cli('dialplan show cc-agent');
    expect(out).toContain("'_XXXX' =>");
    expect(out).toContain("'_XXXXX' =>");
    expect(out).toContain('Stasis(${CC_APP},agent-leg,${EXTEN},${CHANNEL(linkedid)})');
    expect(await ast.cli('dialplan show globals')).toMatch(/CC_APP=callcenter/);
    for (const ctx of ['agent-hints', 'cc-inbound', 'cc-queues', 'cc-services', 'cc-survey', 'cc-phones']) {
      expect(await ast.cli(`dialplan show ${ctx}`)).toContain(`Context '${ctx}' created by 'pbx_config'`);
    }
    expect(await ast.cli('dialplan show cc-services')).toMatch(/'300' =>[\s\S]*'301' =>[\s\S]*'302' =>/);
  });

  test('example queues support and vendas exist (rrmemory)', async () => {
    const out = await ast.cli('queue show support');
    expect(out).toMatch(/^support has 0 calls .* in 'rrmemory' strategy/m);
    const { events } = await ami!.client.actionList('QueueStatus', { Queue: 'support' });
    const params = events.find((e) => e.Event === 'QueueParams');
    expect(params).toBeDefined();
    expect(params!.Strategy).toBe('rrmemory');
    expect(await ast.cli('queue show vendas')).toMatch(/^vendas has 0 calls/m);
  });

  test('MOH class default has the opsound files', async () => {
    expect(await ast.cli('moh show classes')).toMatch(/Class: default\s+Mode: files/);
    expect(await ast.cli('moh show files')).toMatch(/Class: default\s+File: .+/);
  });

  test('HTTP (ARI) listens on loopback only and ARI accepts only the configured user', async () => {
    expect(await ast.cli('http show status')).toContain(`Server Enabled and Bound to 127.0.0.1:${ast.ports.http}`);
    const base = `http://127.0.0.1:${ast.ports.http}/ari/asterisk/info`;
    const auth = (p: string) => ({ Authorization: 'Basic ' + Buffer.from(`callcenterd:${p}`).toString('base64') });
    const ok = await fetch(base, { headers: auth(ast.secrets.ari) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { system: { version: string } }).system.version).toMatch(/^\d+\./);
    expect((await fetch(base, { headers: auth('wrong') })).status).toBe(401);
  });

  test('AMI user has agent+call write, not originate/command; reads agent,call,system,user', async () => {
    const user = await ast.cli('manager show user callcenterd');
    expect(user).toMatch(/read perm: system,call,agent,user\b/);
    expect(user).toMatch(/write perm: call,agent/);
    await expect(ami!.action('Originate', { Channel: 'Local/1000@cc-agent', Application: 'Wait', Data: '1' })).rejects.toThrow(
      /Permission denied/,
    );
    await expect(ami!.action('Command', { Command: 'core show version' })).rejects.toThrow(/Permission denied/);
    await expect(ami!.action('Ping')).resolves.toMatchObject({ Response: 'Success' });
  });

  test('pattern hint: QueueAdd with hint:<ext>@agent-hints gets <device>&Custom:agent-<ext>; filters drop Custom: device states and in-call member states', async () => {
    const iface = 'Local/1000@cc-agent/n';
    await ami!.action('QueueAdd', {
      Queue: 'support',
      Interface: iface,
      MemberName: 'Agent 1000',
      StateInterface: 'hint:1000@agent-hints',
    });
    try {
      expect(await ast.cli('core show hints')).toMatch(/1000@agent-hints\s*: PJSIP\/1000&Custom:agent-1000/);
      await ami!.action('QueuePause', { Queue: 'support', Interface: iface, Paused: true, Reason: 'Almoço' });
      const { events } = await ami!.client.actionList('QueueStatus', { Queue: 'support' });
      const member = events.find((e) => e.Event === 'QueueMember' && e.Location === iface);
      expect(member).toMatchObject({ Paused: '1', PausedReason: 'Almoço', StateInterface: 'hint:1000@agent-hints' });
      // queues.conf: ringinuse = no and wrapuptime = 0 (the daemon runs wrap-up).
      expect(member).toMatchObject({ Wrapuptime: '0' });
      expect(await ast.cli('queue show support')).toMatch(/Agent 1000 \(Local\/1000@cc-agent\/n from hint:1000@agent-hints\) \(ringinuse disabled\)/);
      const seen = ami!.events.length;
      await ami!.action('Setvar', { Variable: 'DEVICE_STATE(Custom:agent-1000)', Value: 'INUSE' });
      // The member turns busy through its hint (QueueStatus says InUse = 2), but its QueueMemberStatus
      // Status 2 is filtered out (an in-call state), and so are the Custom: DeviceStateChange and
      // ExtensionStatus (not on the whitelist).
      expect(await ast.cli('core show hints')).toMatch(/1000@agent-hints\s*: PJSIP\/1000&Custom:agent-1000\s+State:InUse/);
      const busy = await ami!.client.actionList('QueueStatus', { Queue: 'support' });
      expect(busy.events.find((e) => e.Event === 'QueueMember' && e.Location === iface)).toMatchObject({ Status: '2' });
      // Back to idle: Status 1 passes (the daemon reads it as "device back").
      await ami!.action('Setvar', { Variable: 'DEVICE_STATE(Custom:agent-1000)', Value: 'NOT_INUSE' });
      await ami!.waitEvent((e) => e.Event === 'QueueMemberStatus' && e.Interface === iface && e.Status === '1', 5000);
      const after = ami!.events.slice(seen);
      expect(after.filter((e) => e.Event === 'QueueMemberStatus').map((e) => e.Status)).toEqual(['1']);
      expect(after.filter((e) => ['DeviceStateChange', 'ExtensionStatus', 'VarSet', 'Newexten'].includes(e.Event))).toEqual([]);
    } finally {
      await ami!.action('QueueRemove', { Queue: 'support', Interface: iface }).catch(() => undefined);
    }
  });
});
