/**
 * Serializes outgoing actions. Values come from domain code (agent names, pause reasons, numbers
 * typed by people), so anything that could inject extra lines into the AMI stream is refused.
 */
import { invalid } from '../util/errors';
import { serializeFrame } from './parser';
import type { AmiFields } from './types';

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const KEY_RE = /^[A-Za-z][A-Za-z0-9_()-]*$/;

/** Builds one action frame, refusing anything that could inject extra lines into the stream. */
export function buildAction(action: string, actionId: string, fields: AmiFields): string {
  if (!NAME_RE.test(action)) throw invalid(`invalid AMI action name ${JSON.stringify(action)}`, { field: 'action' });
  const lines: Array<[string, string]> = [
    ['Action', action],
    ['ActionID', actionId],
  ];
  for (const key of Object.keys(fields)) {
    const raw = fields[key];
    if (raw === undefined) continue;
    if (!KEY_RE.test(key) || key.toLowerCase() === 'actionid' || key.toLowerCase() === 'action') {
      throw invalid(`AMI ${action}: invalid field name ${JSON.stringify(key)}`, { field: key });
    }
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      const value = typeof v === 'string' ? v : String(v);
      if (value.includes('\r') || value.includes('\n')) {
        throw invalid(`AMI ${action}: field ${key} must not contain line breaks`, { field: key });
      }
      lines.push([key, value]);
    }
  }
  return serializeFrame(lines);
}
