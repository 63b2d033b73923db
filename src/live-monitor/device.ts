/**
 * Which device to ring for a supervisor (pure: the catalogue and the validator come in).
 *  - the device given, checked with the agent catalogue's own rules (one dial string: no `&`, `,`,
 *    whitespace, control characters or `${`), so nothing can be injected into the originate;
 *  - else the catalogue device of the agent extension the supervisor's token names;
 *  - else 400 saying to pass one.
 * Never the monitored agent's own device, and never a device already in a live session (409).
 */
import { invalid, refused } from '../util/errors';
import type { MonitorSession } from './model';

export interface DeviceRules {
  deviceOfAgent(ext: string): string | undefined;
  validateDevice(device: unknown, field: string): string;
}

export function resolveDevice(
  raw: unknown,
  who: { agent?: string },
  monitoredAgent: string | null,
  rules: DeviceRules,
  live: readonly MonitorSession[],
): string {
  let device: string | undefined;
  if (raw !== undefined && raw !== null && raw !== '') device = rules.validateDevice(raw, 'device');
  else if (who.agent) device = rules.deviceOfAgent(who.agent);
  if (!device) {
    throw invalid('no device to ring for the supervisor: pass device (CLI: --device PJSIP/2000), or use a token whose agent extension has a device in the catalogue', {
      field: 'device',
    });
  }
  const same = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();
  const agentDevice = monitoredAgent ? rules.deviceOfAgent(monitoredAgent) : undefined;
  if (agentDevice && same(agentDevice, device)) throw invalid(`device ${device} is the monitored agent's own device`, { field: 'device' });
  const busy = live.find((s) => same(s.device, device!));
  if (busy) throw refused(`device ${device} is already in monitoring session ${busy.id} (call ${busy.currentCallId})`, { monitor: busy.id });
  return device;
}
