/**
 * GET /recordings/{id}/audio: the file with HTTP Range support, so a browser <audio> player can
 * seek (it asks `Range: bytes=N-`). One range per request (what players send); anything else
 * answers the whole file, an unsatisfiable range 416. A missing file is a clear 404.
 */
import fs from 'node:fs';
import { RawReply } from '../api/types';
import { notFound } from '../util/errors';

const TYPES: Record<string, string> = {
  wav: 'audio/wav',
  wav16: 'audio/wav',
  gsm: 'audio/x-gsm',
  ulaw: 'audio/basic',
  alaw: 'audio/x-alaw-basic',
};

/** Parses one `bytes=a-b` / `bytes=a-` / `bytes=-n` range against `size`; null = whole file, 'bad' = 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // multi-range or garbage: answer the whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'bad';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'bad';
  return { start, end };
}

export function audioReply(fullPath: string, format: string, rangeHeader: string | undefined, downloadName: string): RawReply {
  let size: number;
  try {
    const st = fs.statSync(fullPath);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw notFound(`the recording's file is missing (${downloadName}): removed, not written yet, or recording.dir does not point at Asterisk's recording directory`);
  }
  const base = {
    'content-type': TYPES[format] ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    'content-disposition': `inline; filename="${downloadName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
  };
  const range = parseRange(rangeHeader, size);
  if (range === 'bad') return new RawReply(416, { ...base, 'content-range': `bytes */${size}`, 'content-length': 0 }, undefined);
  if (!range) return new RawReply(200, { ...base, 'content-length': size }, fs.createReadStream(fullPath));
  return new RawReply(
    206,
    { ...base, 'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': range.end - range.start + 1 },
    fs.createReadStream(fullPath, { start: range.start, end: range.end }),
  );
}
