/**
 * Statements prepared once per SQL text. For repositories whose queries run on every AMI/ARI event
 * of a call: better-sqlite3's prepare() costs more than running the query itself.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db';

/** Returns `sql(text)`: the prepared statement for `text`, prepared on first use. */
export function preparedOnce(db: Db): (text: string) => Statement {
  const stmts = new Map<string, Statement>();
  return (text) => {
    let st = stmts.get(text);
    if (!st) {
      st = db.prepare(text);
      stmts.set(text, st);
    }
    return st;
  };
}
