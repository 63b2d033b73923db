/**
 * Reading the queue_log file from a cursor (inode + byte offset) to its end: the lines app_queue
 * appended since. Whole lines only (a line being written is left for the next read). A file rotated
 * away (another inode, or shorter than the offset) is read from its start: the lines appended to the
 * old file after the cursor are not looked for (logrotate names vary), which the docs say.
 */
import fs from 'node:fs';

export interface QueueLogCursor {
  inode: number;
  offset: number;
}

/** At most this much is read at once (a cursor far behind: the newest lines count). */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

/** The end of the file now: where reading would start if everything before is known. */
export function endOf(file: string): QueueLogCursor {
  const st = fs.statSync(file);
  return { inode: st.ino, offset: st.size };
}

export function readFrom(file: string, cursor: QueueLogCursor, maxBytes = MAX_READ_BYTES): { lines: string[]; cursor: QueueLogCursor; rotated: boolean } {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    const rotated = st.ino !== cursor.inode || st.size < cursor.offset;
    let start = rotated ? 0 : cursor.offset;
    const skipPartial = st.size - start > maxBytes;
    if (skipPartial) start = st.size - maxBytes;
    const length = st.size - start;
    if (length <= 0) return { lines: [], cursor: { inode: st.ino, offset: start }, rotated };
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, buf, got, length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const lastNl = buf.lastIndexOf(0x0a, got - 1);
    if (lastNl < 0) return { lines: [], cursor: { inode: st.ino, offset: start }, rotated };
    let lines = buf.subarray(0, lastNl).toString('utf8').split('\n');
    if (skipPartial) lines = lines.slice(1); // began mid-line
    return { lines, cursor: { inode: st.ino, offset: start + lastNl + 1 }, rotated };
  } finally {
    fs.closeSync(fd);
  }
}
