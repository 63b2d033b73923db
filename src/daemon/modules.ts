/**
 * Domain modules the daemon runs, in this order (factories run in order, then every wire(), then
 * every start(); stop() runs in reverse). Each domain adds ONE entry here, e.g.
 *
 *   (deps, ports) => {
 *     const m = createAgentsModule(deps);
 *     ports.agents = m.directory;                      // publish what others need
 *     return { ...m, wire: (p) => m.setCalls(p.calls!) }; // read what others published
 *   },
 *
 * The catalogue routes (/catalogue/...) are built into src/daemon/app.ts and need no entry.
 */
import type { ModuleFactory } from './module';
import { createAgentsModule } from '../agents/module';
import { createCallsModule } from '../calls/module';
import { transfersFactory } from '../transfers';
import { conferenceFactory } from '../conference';
import { callbacksFactory } from '../callbacks';
import { recordingsFactory } from '../recordings/module';
import { dncFactory } from '../dnc/module';
import { directoryFactory } from '../directory/module';
import { liveMonitorFactory } from '../live-monitor';
import { chatFactory } from '../chat/module';
import { reportsFactory } from '../reports/module';
import { queueLogFactory } from '../queue-log/module';

export const moduleFactories: ModuleFactory[] = [
  (deps, ports) => {
    const m = createAgentsModule(deps);
    ports.agents = m.directory;
    ports.agentsView = m.service;
    return {
      ...m,
      wire: (p) => {
        if (p.calls) m.setCalls(p.calls);
      },
    };
  },
  (deps, ports) => {
    if (!ports.agents) throw new Error('calls module needs the agents module (ports.agents) first');
    const m = createCallsModule({ ...deps, agents: ports.agents });
    ports.calls = m.directory;
    ports.callsView = m.control;
    ports.callControl = m.control; // primitives for transfers, conference, survey, callbacks
    return m;
  },
  transfersFactory,
  conferenceFactory,
  callbacksFactory,
  recordingsFactory,
  dncFactory,
  directoryFactory,
  liveMonitorFactory,
  chatFactory,
  reportsFactory,
  queueLogFactory,
];
