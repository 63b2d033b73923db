/**
 * Bench-only additions to the shipped asterisk-conf/ and the SIPp scenarios of the SIP bench.
 *
 *   customers  SIPp UAC → PJSIP endpoint `bench-trunk` (identified by the From user, no auth) →
 *              [bench-in]: exten `native` = straight into app_queue (cc-queues,support);
 *              exten `cc` = the shipped [cc-inbound] path (daemon's Stasis first, then the queue).
 *              They send G.711 µ-law (rtp_stream of a generated tone) from answer to hangup.
 *   agents     endpoints PJSIP/<ext> whose static contact is ONE SIPp UAS: it rings `ringMs`,
 *              answers, echoes RTP (-rtp_echo) and hangs up (BYE) after `talkMs`: the agent ends
 *              each call, so a call's talk time is the same in both modes.
 *   bench AMI  user `bench` (QueueAdd/QueueRemove of native members; reads only the events the
 *              latency measure needs, filtered at the source so it costs Asterisk little).
 */

export interface BenchConfInput {
  agents: string[];
  /** Where the agents' SIPp UAS listens. */
  uasPort: number;
  benchAmiSecret: string;
}

export function benchConfFiles(c: BenchConfInput): Record<string, string> {
  const pjsip = [
    '',
    '; ---- bench-only (bench/sip-conf.ts) ----',
    '[bench-trunk]',
    'type = endpoint',
    'transport = transport-udp',
    'context = bench-in',
    'disallow = all',
    'allow = ulaw',
    'direct_media = no',
    '',
    '[bench-agent](!)',
    'type = endpoint',
    'transport = transport-udp',
    'context = cc-phones',
    'disallow = all',
    'allow = ulaw',
    'direct_media = no',
    'device_state_busy_at = 1',
    '',
    ...c.agents.flatMap((ext) => [
      `[${ext}](bench-agent)`,
      `aors = ${ext}`,
      `callerid = "Agent ${ext}" <${ext}>`,
      `[${ext}]`,
      'type = aor',
      `contact = sip:${ext}@127.0.0.1:${c.uasPort}`,
      'qualify_frequency = 0',
    ]),
    '',
  ].join('\n');
  const extensions = [
    '',
    '; ---- bench-only (bench/sip-conf.ts) ----',
    '[bench-in]',
    'exten => native,1,Goto(cc-queues,support,1)',
    'exten => cc,1,Goto(cc-inbound,5550100,1)',
    '',
  ].join('\n');
  const manager = [
    '',
    '; ---- bench-only (bench/sip-conf.ts) ----',
    '[bench]',
    `secret = ${c.benchAmiSecret}`,
    'deny = 0.0.0.0/0.0.0.0',
    'permit = 127.0.0.1/255.255.255.255',
    'read = agent,call,system',
    'write = all',
    'eventfilter(action(include),name(FullyBooted)) =',
    'eventfilter(action(include),name(Newstate)) =',
    'eventfilter(action(include),name(AgentConnect)) =',
    'eventfilter(action(include),name(BridgeEnter)) =',
    '',
  ].join('\n');
  // rtp.conf is not shipped: Asterisk's defaults (10000-20000) would do, but several throwaway
  // Asterisks on one machine share them; strictrtp stays at its default.
  return { 'pjsip.conf': pjsip, 'extensions.conf': extensions, 'manager.conf': manager, 'rtp.conf': '[general]\nrtpstart = 10000\nrtpend = 30000\n' };
}

const SDP = (port: string) => `v=0
o=bench 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio ${port} RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=sendrecv`;

/** The agents' phone: ring, answer, echo (the -rtp_echo socket on [media_port]), hang up after talk. */
export function uasScenario(ringMs: number, talkMs: number): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="callcenterd bench agent phone">
  <recv request="INVITE" crlf="true" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="to"/>
    </action>
  </recv>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <pause milliseconds="${ringMs}"/>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

${SDP('[media_port]')}
]]></send>
  <recv request="ACK" crlf="true"/>
  <pause milliseconds="${talkMs}"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From:[$to];tag=[pid]SIPpTag01[call_number]
To:[$from]
[last_Call-ID:]
CSeq: 2 BYE
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
</scenario>
`;
}

/** A customer: call, wait for the answer, send G.711 until Asterisk hangs up (the agent ended). */
export function uacScenario(toneFile: string, maxWaitMs: number): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="callcenterd bench customer">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Customer" <sip:bench-trunk@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:bench-trunk@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${SDP('[rtpstream_audio_port]')}
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Customer" <sip:bench-trunk@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:bench-trunk@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec rtp_stream="${toneFile},-1,0"/></action></nop>
  <recv request="BYE" timeout="${maxWaitMs}"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:bench-trunk@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
</scenario>
`;
}

/** One second of a 440 Hz tone in G.711 µ-law (raw 8 kHz bytes), what the customers send in a loop. */
export function ulawTone(): Buffer {
  const out = Buffer.alloc(8000);
  for (let i = 0; i < out.length; i++) out[i] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  return out;
}

function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  s = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return s;
}
