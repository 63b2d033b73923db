/**
 * The files Asterisk writes, read where the daemon sees them: `recording.dir` is Asterisk's
 * recording directory (astspooldir/recording), or a shared mount of it when the daemon runs on
 * another host. Every path is checked to stay inside that directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { notFound } from '../util/errors';
import type { RecordingFiles } from './service';

export class DirRecordingFiles implements RecordingFiles {
  constructor(private readonly dir: string) {}

  /** Absolute path of a recording file; never outside the directory. */
  resolve(file: string): string {
    const full = path.resolve(this.dir, file);
    if (full !== path.resolve(this.dir) && full.startsWith(path.resolve(this.dir) + path.sep)) return full;
    throw notFound(`recording file ${JSON.stringify(file)} is outside recording.dir`);
  }

  size(file: string): number | undefined {
    try {
      const st = fs.statSync(this.resolve(file));
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  }

  remove(file: string): boolean {
    try {
      fs.unlinkSync(this.resolve(file));
      return true;
    } catch {
      return false;
    }
  }
}
