/**
 * Conference module: 3-way calls (add an agent), `*<ext>` rooms, and the post-call survey hook.
 * The survey is installed last, so transfer/conference/room hangup interceptors (registered
 * before it) get the first word on an agent hangup.
 */
import { randomBytes } from 'node:crypto';
import type { CallService } from '../calls/service';
import { SurveyHook } from '../calls/survey';
import type { DaemonDeps, DaemonModule, ModuleFactory } from '../daemon/module';
import { ownCallCheck } from '../transfers';
import { RoomBridges } from './room-bridges';
import { RoomService } from './room-service';
import { RoomsRepo } from './rooms';
import { conferenceRoutes } from './routes';
import { ConferenceService } from './service';

export { RoomsRepo, parseRoomExtension, roomName, type Room } from './rooms';
export { RoomBridges } from './room-bridges';
export { RoomService } from './room-service';
export { ConferenceService } from './service';

export type ConferenceModule = DaemonModule & {
  conference: ConferenceService;
  rooms: RoomService;
  survey: SurveyHook;
};

export function createConferenceModule(
  deps: Pick<DaemonDeps, 'db' | 'clock' | 'log' | 'config'> & {
    control: CallService;
    ringTimeoutSec?: number;
  },
): ConferenceModule {
  const { control } = deps;
  const ari = control.core.deps.ari;
  const repo = new RoomsRepo(deps.db, deps.clock);
  const bridges = new RoomBridges({ ari, newId: () => randomBytes(4).toString('hex') });
  // Transfers, conference and rooms exclude each other through the calls core's activity guard
  // (src/calls/state-machine.ts), which each of them feeds in install().
  const conference = new ConferenceService({ control, clock: deps.clock, log: deps.log, ringTimeoutSec: deps.ringTimeoutSec });
  const rooms = new RoomService({ control, rooms: repo, bridges, log: deps.log });
  const survey = new SurveyHook({ calls: control, ari, db: deps.db, config: deps.config, log: deps.log });
  return {
    name: 'conference',
    conference,
    rooms,
    survey,
    start() {
      conference.install();
      rooms.install();
      survey.install();
    },
    stop: () => rooms.stop(),
    routes: () => conferenceRoutes(conference, rooms, repo, ownCallCheck(control)),
    health: () => ({ rooms: bridges.snapshot() }),
  };
}

/** Entry for src/daemon/modules.ts (after the transfers module). */
export const conferenceFactory: ModuleFactory = (deps, ports) => {
  const control = ports.callControl as CallService | undefined;
  if (!control) throw new Error('conference module needs the calls module (ports.callControl) first');
  return createConferenceModule({ ...deps, control });
};
