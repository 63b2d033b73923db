import { openDatabase } from '../../src/store/db';
import { preparedOnce } from '../../src/store/statements';

describe('preparedOnce', () => {
  it('prepares a SQL text once and hands the same statement back; another text gets its own', () => {
    const db = openDatabase(':memory:');
    const sql = preparedOnce(db);
    const a = sql('SELECT 1 AS n');
    expect(sql('SELECT 1 AS n')).toBe(a);
    const b = sql('SELECT 2 AS n');
    expect(b).not.toBe(a);
    expect([a.get(), b.get()]).toEqual([{ n: 1 }, { n: 2 }]);
    db.close();
  });
});
