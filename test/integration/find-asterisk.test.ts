/**
 * How the real-Asterisk suite finds its binary: an explicit ASTERISK_BIN that cannot be used is an
 * error (the suite fails, naming it), only "nothing set, nothing found" skips. No Asterisk needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AsteriskBinError, findAsterisk } from './asterisk';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('findAsterisk', () => {
  it('ASTERISK_BIN pointing nowhere, or to a non-executable file, throws a clear error', () => {
    expect(() => findAsterisk({ ASTERISK_BIN: '/nonexistent/asterisk' })).toThrow(
      new AsteriskBinError('ASTERISK_BIN=/nonexistent/asterisk does not exist (unset it to skip the real-Asterisk suite)'),
    );
    const dir = makeTmpDir();
    const file = path.join(dir, 'asterisk');
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
    expect(() => findAsterisk({ ASTERISK_BIN: file })).toThrow(`ASTERISK_BIN=${file} is not an executable file`);
    expect(() => findAsterisk({ ASTERISK_BIN: dir })).toThrow(AsteriskBinError);
  });

  it('an executable ASTERISK_BIN without modules next to it (and no ASTERISK_MODDIR) throws too', () => {
    const prefix = makeTmpDir();
    fs.mkdirSync(path.join(prefix, 'sbin'));
    const bin = path.join(prefix, 'sbin', 'asterisk');
    fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o755 });
    const moddirs = ['/usr/lib/x86_64-linux-gnu/asterisk/modules', '/usr/lib/asterisk/modules'];
    if (moddirs.some((d) => fs.existsSync(d))) {
      // A system-wide Asterisk supplies the modules: then the explicit binary is usable as set.
      expect(findAsterisk({ ASTERISK_BIN: bin })?.bin).toBe(fs.realpathSync(bin));
    } else {
      expect(() => findAsterisk({ ASTERISK_BIN: bin })).toThrow(`ASTERISK_BIN=${bin}: no modules directory (set ASTERISK_MODDIR) found next to it`);
    }
    const mod = makeTmpDir();
    const data = makeTmpDir();
    expect(findAsterisk({ ASTERISK_BIN: bin, ASTERISK_MODDIR: mod, ASTERISK_DATADIR: data })).toEqual({ bin: fs.realpathSync(bin), moddir: mod, datadir: data });
  });

  it('nothing set: no error; undefined when nothing is found on PATH or in /opt (the suite skips)', () => {
    const found = findAsterisk({ PATH: makeTmpDir() });
    if (fs.existsSync('/opt/asterisk/sbin/asterisk')) expect(found?.bin).toBe(fs.realpathSync('/opt/asterisk/sbin/asterisk'));
    else expect(found).toBeUndefined();
    // An empty ASTERISK_BIN means unset (as in .ci/run), not "the binary is ''".
    expect(() => findAsterisk({ ASTERISK_BIN: '', PATH: makeTmpDir() })).not.toThrow();
  });
});
