/**
 * Reading the queue_log file from a cursor (inode + byte offset) to its end: the lines app_queue
 * appended since. Whole lines only (a line being written is left for the next read). A file rotated
 * away (another inode) is looked for beside the file under a rotated name (`queue_log.1`,
 * `queue_log-20261206`, … : any name beginning with the file's, with the cursor's inode), and its
 * lines after the cursor are read before the new file's, from its start. A rotated file that was
 * compressed or removed is not found: its lines after the cursor are lost, which the docs say. A
 * file shorter than the cursor (truncated in place: logrotate's copytruncate) is read from its start.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface QueueLogCursor {
  inode: number;
  offset: number;
}

/** At most this much is read of one file at once (a cursor far behind: the newest lines count). */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

/** The end of the file now: where reading would start if everything before is known. */
export function endOf(file: string): QueueLogCursor {
  const st = fs.statSync(file);
  return { inode: st.ino, offset: st.size };
}

export interface QueueLogRead {
  lines: string[];
  cursor: QueueLogCursor;
  rotated: boolean;
  /** The rotated file whose lines after the cursor were read first, when one was found. */
  rotatedFile?: string;
}

export function readFrom(file: string, cursor: QueueLogCursor, maxBytes = MAX_READ_BYTES): QueueLogRead {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    const rotated = st.ino !== cursor.inode || st.size < cursor.offset;
    const now = readLines(fd, st.size, rotated ? 0 : cursor.offset, maxBytes);
    const cur = { inode: st.ino, offset: now.offset };
    const old = rotated && st.ino !== cursor.inode && cursor.inode !== 0 ? rotatedTail(file, cursor, maxBytes) : undefined;
    if (!old) return { lines: now.lines, cursor: cur, rotated };
    return { lines: [...old.lines, ...now.lines], cursor: cur, rotated, rotatedFile: old.file };
  } finally {
    fs.closeSync(fd);
  }
}

/** Whole lines from `start` to the end (at most maxBytes, the newest), and the offset after them. */
function readLines(fd: number, size: number, start: number, maxBytes: number): { lines: string[]; offset: number } {
  const skipPartial = size - start > maxBytes;
  if (skipPartial) start = size - maxBytes;
  const length = size - start;
  if (length <= 0) return { lines: [], offset: start };
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  const lastNl = buf.lastIndexOf(0x0a, got - 1);
  if (lastNl < 0) return { lines: [], offset: start };
  const lines = buf.subarray(0, lastNl).toString('utf8').split('\n');
  return { lines: skipPartial ? lines.slice(1) : lines, offset: start + lastNl + 1 }; // skipPartial: began mid-line
}

/** The lines after the cursor in the file rotated away from it, if it is still beside the file. */
function rotatedTail(file: string, cursor: QueueLogCursor, maxBytes: number): { file: string; lines: string[] } | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (name === base || !name.startsWith(base)) continue;
    const candidate = path.join(dir, name);
    let fd: number;
    try {
      fd = fs.openSync(candidate, 'r');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.ino !== cursor.inode || st.size < cursor.offset) continue;
      return { file: candidate, lines: readLines(fd, st.size, cursor.offset, maxBytes).lines };
    } finally {
      fs.closeSync(fd);
    }
  }
  return undefined;
}
