import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log/logger';

function capture(level: string) {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  return { log: createLogger(level, { stream }), lines };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('logger', () => {
  it('drops entries below the level without formatting them, follows a later level change, children too', async () => {
    const { log, lines } = capture('info');
    let built = 0;
    const meta = {
      get password() {
        built++; // the redact format reads every key: touched only if the entry is formatted
        return 's3cret';
      },
    };
    log.debug('hidden', meta);
    log.info('shown', { password: 'x', n: 1 });
    expect(built).toBe(0);
    log.level = 'debug';
    log.debug('now shown');
    log.child({ component: 'ami' }).debug('child shown');
    await tick();
    expect(lines.map((l) => l.message)).toEqual(['shown', 'now shown', 'child shown']);
    expect(lines[0]).toMatchObject({ level: 'info', password: '***', n: 1 });
    expect(lines[2]).toMatchObject({ component: 'ami', level: 'debug' });
  });
});
