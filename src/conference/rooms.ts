/**
 * Conference rooms catalogue: `*<ext>` exists only for a configured agent extension (4-5 digits)
 * that has a row in `rooms` (managed with `callcenterd room add|list|remove`). Admin data: the CLI
 * works on the DB directly, the daemon reads it when a call is moved into a room.
 */
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { invalid, notFound, refused } from '../util/errors';

export interface Room {
  extension: string;
  /** What callers dial / the bridge name: `*<ext>`. */
  name: string;
  agentName: string;
  createdAt: number;
}

const EXT = /^\d{4,5}$/;

/** Accepts `1000` or `*1000`; returns the bare extension or throws `invalid`. */
export function parseRoomExtension(raw: unknown): string {
  if (typeof raw !== 'string') throw invalid('room extension is required', { field: 'extension' });
  const ext = raw.trim().replace(/^\*/, '');
  if (!EXT.test(ext)) {
    throw invalid(`room extension must be an agent extension of 4 or 5 digits (got "${raw}")`, {
      field: 'extension',
    });
  }
  return ext;
}

export function roomName(extension: string): string {
  return `*${extension}`;
}

interface RoomRow {
  extension: string;
  created_at: number;
  agent_name: string | null;
}

export class RoomsRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  list(): Room[] {
    const rows = this.db
      .prepare(
        `SELECT r.extension, r.created_at, a.name AS agent_name
           FROM rooms r LEFT JOIN agents a ON a.extension = r.extension
          ORDER BY r.extension`,
      )
      .all() as RoomRow[];
    return rows.map(toRoom);
  }

  get(rawExt: string): Room | undefined {
    const ext = parseRoomExtension(rawExt);
    const row = this.db
      .prepare(
        `SELECT r.extension, r.created_at, a.name AS agent_name
           FROM rooms r LEFT JOIN agents a ON a.extension = r.extension
          WHERE r.extension = ?`,
      )
      .get(ext) as RoomRow | undefined;
    return row ? toRoom(row) : undefined;
  }

  /** The room or a clear `not_found` (used before touching any call). */
  require(rawExt: string): Room {
    const room = this.get(rawExt);
    if (!room) {
      const ext = parseRoomExtension(rawExt);
      throw notFound(`conference room *${ext} is not configured (callcenterd room add ${ext})`, { room: ext });
    }
    return room;
  }

  add(rawExt: string): Room {
    const ext = parseRoomExtension(rawExt);
    // Check and insert in one IMMEDIATE transaction: the daemon and the CLI share the file.
    const tx = this.db.transaction(() => {
      const agent = this.db.prepare('SELECT name FROM agents WHERE extension = ?').get(ext) as
        | { name: string }
        | undefined;
      if (!agent) throw notFound(`agent ${ext} is not configured: a room *${ext} needs an agent extension`, { agent: ext });
      const exists = this.db.prepare('SELECT 1 FROM rooms WHERE extension = ?').get(ext);
      if (exists) throw refused(`room *${ext} already exists`, { room: ext });
      const now = this.clock.now();
      this.db.prepare('INSERT INTO rooms (extension, created_at) VALUES (?, ?)').run(ext, now);
      return { extension: ext, name: roomName(ext), agentName: agent.name, createdAt: now };
    });
    return tx.immediate();
  }

  remove(rawExt: string): void {
    const ext = parseRoomExtension(rawExt);
    const res = this.db.prepare('DELETE FROM rooms WHERE extension = ?').run(ext);
    if (res.changes === 0) throw notFound(`room *${ext} does not exist`, { room: ext });
  }
}

function toRoom(r: RoomRow): Room {
  return { extension: r.extension, name: roomName(r.extension), agentName: r.agent_name ?? '', createdAt: r.created_at };
}
