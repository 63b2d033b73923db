import { openDatabase, type Db } from '../../src/store/db';
import { unitOfWork } from '../../src/store/unit-of-work';
import { recordRuns } from '../helpers/sql-runs';

const count = (db: Db, table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

describe('unit of work: one transaction per step, shared by the repositories on a connection', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(':memory:', { migrate: false });
    db.exec('CREATE TABLE a (v TEXT); CREATE TABLE b (v TEXT)');
  });
  afterEach(() => db.close());

  /** A domain that writes in its own unit and, like the agents domain, logs and swallows its failures. */
  const guarded = (fn: () => void) => {
    try {
      unitOfWork(db).run(fn);
    } catch {
      // logged and ignored by the caller
    }
  };

  it('is one object per connection', () => {
    expect(unitOfWork(db)).toBe(unitOfWork(db));
    const other = openDatabase(':memory:', { migrate: false });
    expect(unitOfWork(other)).not.toBe(unitOfWork(db));
    other.close();
  });

  it('nested runs join the outer transaction: one BEGIN/COMMIT, no savepoint', () => {
    const uow = unitOfWork(db);
    const { runs, restore } = recordRuns(db);
    try {
      uow.run(() => {
        db.prepare("INSERT INTO a VALUES ('x')").run();
        uow.run(() => db.prepare("INSERT INTO b VALUES ('y')").run());
        uow.run(() => uow.run(() => db.prepare("INSERT INTO b VALUES ('z')").run()));
      });
    } finally {
      restore();
    }
    expect(runs.filter((s) => /^(BEGIN|COMMIT|SAVEPOINT|RELEASE)/.test(s))).toEqual(['BEGIN', 'COMMIT']);
    expect(uow.commits).toBe(1);
    expect([count(db, 'a'), count(db, 'b')]).toEqual([1, 2]);
  });

  it('a storage failure in a joined part voids the whole step, even when its caller swallows it', () => {
    db.exec("CREATE TEMP TRIGGER full BEFORE INSERT ON b BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    const uow = unitOfWork(db);
    const undone: string[] = [];
    expect(() =>
      uow.run(() => {
        db.prepare("INSERT INTO a VALUES ('x')").run();
        uow.onRollback(() => undone.push('cache of a'));
        guarded(() => db.prepare("INSERT INTO b VALUES ('y')").run());
        db.prepare("INSERT INTO a VALUES ('after')").run();
      }),
    ).toThrow('database or disk is full');
    expect([count(db, 'a'), count(db, 'b')]).toEqual([0, 0]);
    expect(undone).toEqual(['cache of a']);
    expect(db.inTransaction).toBe(false);
    expect(uow.commits).toBe(0);
    // The next step is not affected by the failed one.
    db.exec('DROP TRIGGER full');
    uow.run(() => guarded(() => db.prepare("INSERT INTO b VALUES ('y')").run()));
    expect(count(db, 'b')).toBe(1);
    expect(uow.commits).toBe(1);
  });

  it('a refusal (not a storage error) in a joined part only propagates: the step commits the rest', () => {
    const uow = unitOfWork(db);
    const undone: string[] = [];
    uow.run(() => {
      db.prepare("INSERT INTO a VALUES ('x')").run();
      uow.onRollback(() => undone.push('x'));
      guarded(() => {
        throw new Error('agent 1000 cannot go from offline to on-call');
      });
    });
    expect(count(db, 'a')).toBe(1);
    expect(undone).toEqual([]);
  });

  it('a COMMIT that fails rolls back and runs the rollback hooks', () => {
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const uow = unitOfWork(db);
    let dropped = false;
    expect(() =>
      uow.run(() => {
        db.prepare("INSERT INTO a VALUES ('x')").run();
        uow.onRollback(() => (dropped = true));
        db.prepare('INSERT INTO child VALUES (42)').run(); // checked at COMMIT
      }),
    ).toThrow(/FOREIGN KEY/);
    expect(dropped).toBe(true);
    expect(count(db, 'a')).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it("inside someone else's transaction (db.transaction) a run keeps its own savepoint", () => {
    db.exec("CREATE TEMP TRIGGER full BEFORE INSERT ON b BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    db.transaction(() => {
      db.prepare("INSERT INTO a VALUES ('x')").run();
      guarded(() => {
        db.prepare("INSERT INTO a VALUES ('inner')").run();
        db.prepare("INSERT INTO b VALUES ('y')").run();
      });
    })();
    expect(db.prepare('SELECT v FROM a').pluck().all()).toEqual(['x']);
  });

  it('onRollback outside a step registers nothing (nothing can roll back)', () => {
    const uow = unitOfWork(db);
    let ran = false;
    uow.onRollback(() => (ran = true));
    expect(() => uow.run(() => db.prepare('INSERT INTO nope VALUES (1)').run())).toThrow(/no such table/);
    expect(ran).toBe(false);
  });
});
