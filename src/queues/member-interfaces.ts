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
    /** The catalogue's devices: members in the native topology, and what it leaves in the others. */
    private readonly devices?: DeviceLookup,
    /** Native topology: the members are the agents' devices. */
    readonly isNative = false,
  ) {}

  iface(ext: string): string {
    const device = this.isNative ? this.devices?.deviceOf(ext) : undefined;
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
    return this.isNative ? agentExtFromInterface(iface, this.agentLeg) : this.soleAgentOf(iface);
  }

  extOf(iface: string | undefined): string | undefined {
    const local = agentExtFromInterface(iface, this.agentLeg);
    if (local || !iface || !this.isNative) return local;
    // Learnt from iface(): a member keeps the device it was added with until it is removed (a
    // device changed in the catalogue meanwhile still names that agent's member).
    const known = this.byDevice.get(iface) ?? this.soleAgentOf(iface);
    if (known) this.byDevice.set(iface, known);
    return known;
  }

  /** The one agent configured with this device (two on one device: ambiguous, not guessed). */
  private soleAgentOf(device: string): string | undefined {
    const exts = this.devices?.extensionsWithDevice(device) ?? [];
    return exts.length === 1 ? exts[0] : undefined;
  }
}
