import net from 'node:net';
import { WriteBatch } from '../../src/net/write-batch';

/** A loopback pair: the client side's writes are counted by the writev/write they reach. */
async function pair(): Promise<{ client: net.Socket; received: () => Promise<string>; close: () => void }> {
  let accepted: net.Socket | undefined;
  const chunks: string[] = [];
  const server = net.createServer((s) => {
    accepted = s;
    s.setEncoding('utf8');
    s.on('data', (d: string) => chunks.push(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const client = net.createConnection({ port, host: '127.0.0.1' });
  await new Promise<void>((r) => client.once('connect', r));
  return {
    client,
    received: async () => {
      for (let i = 0; i < 100 && chunks.join('').length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      return chunks.join('');
    },
    close: () => {
      client.destroy();
      accepted?.destroy();
      server.close();
    },
  };
}

describe('WriteBatch', () => {
  it('holds the writes of one turn and hands them to the kernel together once the turn is over', async () => {
    const p = await pair();
    try {
      const batch = new WriteBatch(p.client);
      const handle = p.client as unknown as { _writev: unknown; _write: unknown };
      const calls: string[] = [];
      const writev = handle._writev as (...a: unknown[]) => unknown;
      const write = handle._write as (...a: unknown[]) => unknown;
      handle._writev = function (this: unknown, chunks: Array<{ chunk: Buffer | string }>, cb: unknown) {
        calls.push(`writev:${chunks.map((c) => String(c.chunk)).join('|')}`);
        return writev.call(this, chunks, cb);
      };
      handle._write = function (this: unknown, chunk: Buffer | string, enc: unknown, cb: unknown) {
        calls.push(`write:${String(chunk)}`);
        return write.call(this, chunk, enc, cb);
      };
      batch.hold();
      p.client.write('a');
      batch.hold();
      p.client.write('b');
      batch.hold();
      p.client.write('c');
      expect(calls).toEqual([]); // nothing left during the turn
      await new Promise((r) => setImmediate(r));
      expect(calls).toEqual(['writev:a|b|c']);
      expect(await p.received()).toBe('abc');

      // The next turn corks again.
      batch.hold();
      p.client.write('d');
      await new Promise((r) => setImmediate(r));
      expect(calls).toEqual(['writev:a|b|c', 'write:d']);
    } finally {
      p.close();
    }
  });

  it('does not throw when the socket is gone before the turn ends', async () => {
    const p = await pair();
    const batch = new WriteBatch(p.client);
    batch.hold();
    p.client.write('x');
    p.client.destroy();
    await new Promise((r) => setImmediate(r));
    expect(p.client.destroyed).toBe(true);
    p.close();
  });
});
