/**
 * ARI snoop channels (POST /channels/{id}/snoop), as Asterisk 22.10.1 showed them
 * (test/fixtures/captures/live-monitor.*): a `Snoop/<target>-XXXXXXXX` channel, Up at once, that
 * enters the app with `appArgs`; its StasisStart can come AFTER the REST reply (here: on the next
 * timer tick), so a client must wait for it before bridging the channel. When the snooped channel
 * hangs up, the snoop leaves its bridge and the app gets StasisEnd (no ChannelDestroyed: the app is
 * unsubscribed at StasisEnd). Who hears what through a snoop is worked out in audio.ts.
 */
import type { Clock } from '../util/clock';
import { CcError } from '../util/errors';
import type { SimChannel, SimModel, SnoopDirection } from './model';

const DIRECTIONS: readonly SnoopDirection[] = ['none', 'in', 'out', 'both'];

export interface SnoopRequest {
  spy?: string;
  whisper?: string;
  app?: string;
  appArgs?: string;
  snoopId?: string;
}

function direction(v: string | undefined, what: string): SnoopDirection {
  const d = (v ?? 'none') as SnoopDirection;
  if (!DIRECTIONS.includes(d)) throw new CcError('invalid', `Invalid ${what} direction: ${v}`);
  return d;
}

export class Snoops {
  constructor(
    private readonly model: SimModel,
    private readonly clock: Clock,
  ) {
    model.onHangup((ch) => {
      for (const s of [...model.channels.values()]) if (s.snoop?.targetId === ch.id) this.targetGone(s);
    });
  }

  create(targetId: string, req: SnoopRequest): SimChannel {
    const target = this.model.channels.get(targetId);
    if (!target) throw new CcError('not_found', 'Provided channel was not found');
    const spy = direction(req.spy, 'spy');
    const whisper = direction(req.whisper, 'whisper');
    if (spy === 'none' && whisper === 'none') throw new CcError('invalid', 'Sanity check failed: spy and whisper cannot both be none');
    if (!req.app) throw new CcError('invalid', 'Missing parameter app');
    const args = req.appArgs ? req.appArgs.split(',') : [];
    const app = req.app;
    const ch = this.model.newChannel({
      name: `Snoop/${target.id}-${this.model.nextNameSuffix()}`,
      id: req.snoopId,
      kind: 'snoop',
      state: 'Up',
      dialplan: { context: 'default', exten: 's', app_name: 'Stasis', app_data: [app, ...args].join(',') },
    });
    ch.snoop = { targetId: target.id, spy, whisper };
    this.clock.setTimeout(() => {
      if (ch.hungUp || !this.model.channels.has(ch.id)) return;
      if (!this.model.enterStasis(ch, app, args)) this.model.hangup(ch.id, 16);
    }, 0);
    return ch;
  }

  private targetGone(s: SimChannel): void {
    this.model.leaveStasis(s);
    this.model.hangup(s.id, 16);
  }
}
