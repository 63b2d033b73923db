/**
 * Transfers module: attended/blind transfers to agents, agent groups and external numbers, blind
 * transfers to services and queues. Built on the calls core primitives (src/calls/index.ts).
 */
import type { Principal } from '../api/types';
import { assertCallInScope } from '../calls/routes';
import type { CallService } from '../calls/service';
import type { DaemonDeps, DaemonModule, ModuleFactory } from '../daemon/module';
import { transferRoutes } from './routes';
import { TransferService } from './service';
import { DialplanTransfer } from './dialplan-transfer';

export * from './model';
export { TransferService } from './service';
export { DialplanTransfer } from './dialplan-transfer';
export { nextToRing } from './group-strategy';

export type TransfersModule = DaemonModule & { transfers: TransferService };

/**
 * Agent tokens act only on their own calls, checked before anything is looked up (an unknown id and
 * another agent's call are the same 403). A finished call (e.g. after completing a transfer) is
 * checked against the history row, so the agent can still read the outcome.
 */
export function ownCallCheck(control: CallService): (p: Principal, id: string) => void {
  return (p, id) => {
    assertCallInScope(p, control, id);
    if (!control.get(id) && !control.repo.get(id)) control.require(id); // 404 for everybody else
  };
}

export function createTransfersModule(
  deps: Pick<DaemonDeps, 'ami' | 'config' | 'clock' | 'log' | 'db'> & { control: CallService; ringTimeoutSec?: number; random?: () => number },
): TransfersModule {
  const dialplan = new DialplanTransfer({ control: deps.control, ami: deps.ami, config: deps.config, log: deps.log });
  const transfers = new TransferService({ ...deps, dialplan });
  return {
    name: 'transfers',
    transfers,
    start: () => transfers.install(),
    routes: () => transferRoutes(transfers, ownCallCheck(deps.control)),
  };
}

/** Entry for src/daemon/modules.ts (after the calls module, before the conference module). */
export const transfersFactory: ModuleFactory = (deps, ports) => {
  const control = ports.callControl as CallService | undefined;
  if (!control) throw new Error('transfers module needs the calls module (ports.callControl) first');
  const m = createTransfersModule({ ...deps, control });
  ports.transfers = m.transfers;
  return m;
};
