import { AmiParser, AmiProtocolError, parseFrame } from '../../src/ami/parser';
import type { AmiMessage } from '../../src/ami/types';
import { amiCaptureFiles, loadAmiCapture, referenceParse } from './captures';

function collect(chunks: Array<Buffer | string>, wanted?: (name: string) => boolean) {
  const messages: AmiMessage[] = [];
  const banners: string[] = [];
  const skipped: string[] = [];
  const p = new AmiParser({
    onBanner: (b) => banners.push(b),
    onMessage: (m) => messages.push(m),
    wanted,
    onSkipped: (n) => skipped.push(n),
  });
  for (const c of chunks) p.push(c);
  return { messages, banners, skipped };
}

/** Deterministic PRNG so a failing split is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomChunks(buf: Buffer, seed: number, maxLen: number): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const len = 1 + Math.floor(r() * maxLen);
    out.push(buf.subarray(pos, pos + len));
    pos += len;
  }
  return out;
}

describe('AMI parser on real Asterisk 22 captures', () => {
  const files = amiCaptureFiles();

  it('finds the capture files', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s: every received block parses like the reference', (file) => {
    const cap = loadAmiCapture(file);
    const { messages, banners } = collect([cap.wire]);
    expect(banners).toEqual(['Asterisk Call Manager/11.0.0']);
    expect(messages).toHaveLength(cap.blocks.length);
    expect(messages).toEqual(cap.blocks.map(referenceParse));
  });

  it.each(files.slice(0, 4))('%s: random chunk splits (incl. inside CRLF) give the same messages', (file) => {
    const cap = loadAmiCapture(file);
    const whole = collect([cap.wire]).messages;
    const bytes = Buffer.from(cap.wire, 'utf8');
    for (const [seed, max] of [
      [1, 3],
      [2, 17],
      [3, 700],
      [4, 5000],
    ]) {
      expect(collect(randomChunks(bytes, seed, max)).messages).toEqual(whole);
    }
  });

  it('byte-by-byte feeding works (every possible split point)', () => {
    const cap = loadAmiCapture('queue-call-answered.ami.txt');
    const bytes = Buffer.from(cap.wire.slice(0, 6000), 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const whole = collect([bytes]).messages;
    expect(whole.length).toBeGreaterThan(10);
    expect(collect(chunks).messages).toEqual(whole);
  });

  it('joins repeated Output lines with \\n and keeps empty values', () => {
    const cap = loadAmiCapture('queue-call-answered.ami.txt');
    const { messages } = collect([cap.wire]);
    const cmd = messages.find((m) => m.Message === 'Command output follows');
    expect(cmd).toBeDefined();
    const out = cmd!.Output.split('\n');
    expect(out[0]).toMatch(/^support has \d+ calls/);
    expect(out[out.length - 1]).toBe('');
    const added = messages.find((m) => m.Event === 'QueueMemberAdded');
    expect(added).toMatchObject({ Queue: 'support', Interface: 'Local/1000@cc-agent/n', PausedReason: '' });
  });

  it('parses a QueueStatus list (EventList start .. Complete) with its ActionID', () => {
    const cap = loadAmiCapture('queue-call-answered.ami.txt');
    const { messages } = collect([cap.wire]);
    const start = messages.findIndex((m) => m.EventList === 'start');
    const id = messages[start].ActionID;
    const items = messages.filter((m) => m.ActionID === id && m.Event);
    expect(items.map((m) => m.Event)).toEqual(['QueueParams', 'QueueMember', 'QueueStatusComplete']);
    expect(items[2]).toMatchObject({ EventList: 'Complete', ListItems: '2' });
    expect(items[1]).toMatchObject({ Name: 'Agent 1000', Location: 'Local/1000@cc-agent/n', InCall: '1' });
  });

  it('skips unwanted events after reading only their name, but never responses', () => {
    const cap = loadAmiCapture('queue-call-answered.ami.txt');
    const all = collect([cap.wire]).messages;
    const { messages, skipped } = collect([cap.wire], (name) => name.startsWith('Agent'));
    expect(messages.length + skipped.length).toBe(all.length);
    expect(messages.filter((m) => m.Event).every((m) => m.Event.startsWith('Agent'))).toBe(true);
    // OriginateResponse is an event that also carries a Response field.
    const responses = (list: AmiMessage[]) => list.filter((m) => m.Response !== undefined && m.Event === undefined);
    expect(responses(messages)).toEqual(responses(all));
    expect(responses(messages).length).toBeGreaterThan(5);
    expect(skipped).toContain('VarSet');
  });
});

describe('AMI parser edge cases', () => {
  it('splits on the first colon only: values may contain ": "', () => {
    expect(parseFrame('Event: UserEvent\r\nData: a: b: c\r\nEmpty: \r\nBare:\r\n')).toEqual({
      Event: 'UserEvent',
      Data: 'a: b: c',
      Empty: '',
      Bare: '',
    });
  });

  it('joins repeated ChanVariable keys', () => {
    const m = parseFrame('Event: Newchannel\r\nChanVariable: A=1\r\nChanVariable: B=2\r\n');
    expect(m.ChanVariable).toBe('A=1\nB=2');
  });

  it('puts legacy "Response: Follows" raw lines in Output and drops --END COMMAND--', () => {
    const m = parseFrame('Response: Follows\r\nPrivilege: Command\r\nline one\r\nline two\r\n--END COMMAND--\r\n');
    expect(m).toEqual({ Response: 'Follows', Privilege: 'Command', Output: 'line one\nline two' });
  });

  it('handles a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('Asterisk Call Manager/11.0.0\r\nEvent: X\r\nName: Almoço\r\n\r\n', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // inside "ç"
    const { messages } = collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(messages).toEqual([{ Event: 'X', Name: 'Almoço' }]);
  });

  it('ignores stray empty lines between frames', () => {
    const { messages } = collect(['Asterisk Call Manager/11.0.0\r\n\r\nEvent: A\r\n\r\n\r\nEvent: B\r\n\r\n']);
    expect(messages).toEqual([{ Event: 'A' }, { Event: 'B' }]);
  });

  it('waits for the full banner line before parsing frames', () => {
    const { messages, banners } = collect(['Asterisk Call Man', 'ager/11.0.0\r', '\nEvent: A\r\n\r', '\n']);
    expect(banners).toEqual(['Asterisk Call Manager/11.0.0']);
    expect(messages).toEqual([{ Event: 'A' }]);
  });

  it('rejects a runaway frame instead of buffering forever', () => {
    const p = new AmiParser({ onBanner: () => undefined, onMessage: () => undefined }, { maxFrameBytes: 1000 });
    p.push('Asterisk Call Manager/11.0.0\r\n');
    expect(() => p.push('Event: X\r\nData: ' + 'x'.repeat(2000))).toThrow(AmiProtocolError);
  });
});
