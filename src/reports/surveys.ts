/**
 * After-call survey scores. asterisk-conf [cc-survey] reads one digit and raises
 * `UserEvent(CcSurvey,Score: <digit>)` on the channel the daemon sent there (src/calls/survey.ts:
 * the customer side of the call part, the member leg ;2 for queue calls); the event's Linkedid is
 * the customer's. The score is stored on the part that channel belonged to (the latest answered
 * part of that linkedid whose customer side ran the survey). Scores outside 1-5 are not stored
 * (the survey asks for 1-5; Read() takes any digit).
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import type { StaysRepo } from './stays-repo';

export class SurveyRecorder {
  private off?: () => void;

  constructor(private readonly deps: { ami: Pick<AmiClient, 'onEvent'>; repo: StaysRepo; clock: Clock; log: Logger }) {}

  start(): void {
    this.off ??= this.deps.ami.onEvent('UserEvent', (e) => {
      if (e.UserEvent !== 'CcSurvey') return;
      try {
        this.onSurvey(e);
      } catch (err) {
        this.deps.log.error('survey score not recorded', { err: (err as Error).message });
      }
    });
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  /** Returns the stored row id, or undefined when the score was not valid. */
  onSurvey(e: AmiEvent): number | undefined {
    const score = /^\s*([1-5])\s*$/.exec(e.Score ?? '')?.[1];
    if (!score) {
      this.deps.log.debug('survey answer outside 1-5 ignored', { score: e.Score, linkedid: e.Linkedid });
      return undefined;
    }
    const linkedid = e.Linkedid || null;
    const uniqueid = e.Uniqueid || null;
    const part = linkedid ? this.deps.repo.ratedPart(linkedid, uniqueid ?? '') : undefined;
    if (!part) this.deps.log.warn('survey score for no known call part', { linkedid, uniqueid });
    return this.deps.repo.insertSurvey({
      callId: part?.id ?? null,
      rootId: part?.rootId ?? null,
      linkedid,
      uniqueid,
      queue: part?.queue ?? null,
      agentExt: part?.agentExt ?? null,
      score: Number(score),
      at: this.deps.clock.now(),
    });
  }
}
