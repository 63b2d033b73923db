/**
 * Which app_queue member `Interface` stands for which agent (docs/CALL-TOPOLOGY.md):
 *   member-leg, stand-in   Local/<ext>@<contexts.agent_leg>/n   the daemon's member leg (Stasis)
 *   native                 the agent's device (e.g. PJSIP/1000): app_queue rings the phone itself
 * Every reader of AMI member fields (no-answer, device states, queue stays) asks here, so the
 * topology is decided in one place.
 */
import { agentExtFromInterface } from '../ami/events';

/** What the native topology needs from the agents catalogue. */
export interface DeviceLookup {
  deviceOf(ext: string): string | undefined;
  /** Agents configured with this dial string (more than one = ambiguous: not ours to guess). */
  extensionsWithDevice(device: string): string[];
}

export class MemberInterfaces {
  /** device → ext as last added (one lookup per AMI event would be a query each). */
  private readonly byDevice = new Map<string, string>();

  constructor(
    private readonly agentLeg: string,
    /** Set in the native topology only. */
    private readonly native?: DeviceLookup,
    /** The catalogue's devices, to recognise members left by the native topology in the others. */
    private readonly devices?: Pick<DeviceLookup, 'extensionsWithDevice'>,
  ) {}

  get isNative(): boolean {
    return this.native !== undefined;
  }

  iface(ext: string): string {
    const device = this.native?.deviceOf(ext);
    if (!device) return `Local/${ext}@${this.agentLeg}/n`;
    this.byDevice.set(device, ext);
    return device;
  }

  /**
   * The agent whose member this interface was under the OTHER topology (native ↔ member-leg and
   * stand-in): left behind by a change of asterisk.queue_topology. Resync removes such members,
   * else app_queue would ring both the leg and the device.
   */
  formerOf(iface: string): string | undefined {
    if (this.native) return agentExtFromInterface(iface, this.agentLeg);
    const exts = this.devices?.extensionsWithDevice(iface) ?? [];
    return exts.length === 1 ? exts[0] : undefined;
  }

  extOf(iface: string | undefined): string | undefined {
    const local = agentExtFromInterface(iface, this.agentLeg);
    if (local || !iface || !this.native) return local;
    // Learnt from iface(): a member keeps the device it was added with until it is removed (a
    // device changed in the catalogue meanwhile still names that agent's member).
    const known = this.byDevice.get(iface);
    if (known) return known;
    const exts = this.native.extensionsWithDevice(iface);
    if (exts.length !== 1) return undefined;
    this.byDevice.set(iface, exts[0]);
    return exts[0];
  }
}
